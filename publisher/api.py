"""The library's entry points, `build()` and `check()`, and what they return.

Importing this module is cheap on purpose. A build first asks uptodate.py
whether there is anything to do, which needs only the seeds' and the
outputs' file sizes and times and a few rows of the state store; most cron
runs end there. The pipeline (pipeline.py, and through it Jinja, feedgen,
premailer, YAML, cmark-gfm...) takes longer than that just to import, so it
is imported only here, inside `build()` and `check()`, once there is work.
(The CLI does the same for the digest, send and serve commands' modules.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from .collector import spaced_collections
from .config import Settings
from .entry import Entry
from .publish import build_lock
from .state import open_state
from .uptodate import Survey, survey

log = logging.getLogger("publisher")
T = TypeVar("T")


class Track(Protocol):
    """How a caller watches a long step: given a label, a length and the step's items, yield the items.

    The CLI passes one that draws a progress bar on a terminal; the library
    default is silent, so cron runs and tests print nothing.
    """

    def __call__(self, label: str, length: int, items: Iterable[T], exact: bool = True) -> Iterable[T]: ...


def untracked(label: str, length: int, items: Iterable[T], exact: bool = True) -> Iterable[T]:
    """The library's default: no progress shown. `exact` False: `length` is the step's size, not its count."""
    return items


@dataclass
class BuildResult:
    """What a build did, for the CLI to report and for tests to check."""

    entries: list[Entry] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unchanged: bool = False
    skipped: list[str] = field(default_factory=list)
    pinged: list[str] = field(default_factory=list)


def build(
    settings: Settings,
    *,
    wait: float = 0.0,
    encoding: str = "utf-8",
    keep_going: bool = False,
    ping: bool = False,
    track: Track = untracked,
) -> BuildResult:
    """Build the output folder from the seeds; a no-op when nothing changed.

    With `ping` and a `hub` configured, the hub is then told about every
    subscription feed this build changed (and any a failed ping left over).
    """
    with site_lock(settings, wait), open_state(settings.state) as state, spaced_collections():
        found = survey(settings, state, encoding)
        if found.current and not (ping and settings.hub):
            return nothing_to_do(found)
        from . import pipeline  # only now there is work: see the module docstring

        return pipeline.run(settings, state, found, encoding, keep_going, ping, track)


def nothing_to_do(found: Survey) -> BuildResult:
    """The result of a build that found the outputs up to date (see uptodate.py)."""
    log.info("nothing changed since the last build")
    return BuildResult(warnings=found.warnings, unchanged=True)


def check(settings: Settings, *, encoding: str = "utf-8", keep_going: bool = False) -> BuildResult:
    """Parse and date everything, as a build would, without writing anything."""
    # A check always has work to do: see the module docstring.
    from .pipeline import Skips, parse_cache, settle_seeds

    if not settings.state.is_file():
        return settle_seeds(settings, {}, encoding, Skips(keep_going))
    with open_state(settings.state) as state:
        return settle_seeds(
            settings, state.known_entries(), encoding, Skips(keep_going), parse_cache(state, encoding), state
        )


def site_lock(settings: Settings, wait: float = 0.0) -> AbstractContextManager[None]:
    """The lock that lets one process at a time write the output folder."""
    return build_lock(settings.state.with_suffix(".lock"), wait)
