"""The pipeline, start to end: seeds → pieces → entries → outputs → publish.

`build()` reads as the list of its steps. Everything that can fail on bad
input (reading, parsing, dating, rendering) happens before the first byte is
written, so a bad piece leaves the output folder exactly as it was.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from . import __version__, clock
from .config import Settings
from .entry import Entry, newest_first
from .extract.entries import Record, make_drafts
from .extract.identity import settle
from .outputs.site import page_path
from .outputs.templates import templates_digest
from .parsing import read_pieces
from .publish import build_lock, intact, publish
from .render import render_changed
from .sources import Piece, SeedFile, find_seed_files, read_seed_file
from .state import open_state

log = logging.getLogger("publisher")

T = TypeVar("T")


class Track(Protocol):
    """How a caller watches a long step: given a label, a length and the step's items, yield the items.

    The CLI passes one that draws a progress bar on a terminal; the library
    default is silent, so cron runs and tests print nothing.
    """

    def __call__(self, label: str, length: int, items: Iterable[T]) -> Iterable[T]: ...


def untracked(label: str, length: int, items: Iterable[T]) -> Iterable[T]:
    return items


@dataclass
class BuildResult:
    """What a build did, for the CLI to report and for tests to check."""

    entries: list[Entry] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unchanged: bool = False


def build(
    settings: Settings, *, wait: float = 0.0, encoding: str = "utf-8", track: Track = untracked
) -> BuildResult:
    """Build the output folder from the seeds; a no-op when nothing changed."""
    with build_lock(settings.state.with_suffix(".lock"), wait), open_state(settings.state) as state:
        now = clock.now()
        log.info("scanning %s", settings.seeds)
        files, warnings = find_seed_files(settings.seeds)
        key = _build_key(settings, files, now, encoding)
        previous = state.outputs(settings.out)
        unchanged = intact(settings.out, previous)
        if state.get("build_key") == key and previous and len(unchanged) == len(previous):
            log.info("nothing changed since the last build")
            return BuildResult(warnings=warnings, unchanged=True)
        log.info("reading %d seed files", len(files))
        pieces = read_pieces(track("reading", len(files), files), state, encoding)
        log.info("dating %d pieces", len(pieces))
        entries, records = _entries(pieces, settings, state.known_entries(), now)
        log.info("rendering outputs for %d entries", len(entries))
        kept = {name: k for name, k in state.output_keys(settings.out).items() if name in unchanged}
        outputs = list(track("rendering", len(entries) + 6, render_changed(entries, settings, kept)))
        log.info("rendered %d files, kept %d", sum(o.data is not None for o in outputs), len(kept))
        state.save_entries(records)
        log.info("publishing to %s", settings.out)
        done = publish(settings.out, [(o.name, o.data) for o in outputs], previous)
        state.save_outputs(settings.out, done.manifest, {o.name: o.key for o in outputs})
        state.put("build_key", key)
        log.info("wrote %d files, removed %d", len(done.written), len(done.removed))
        return BuildResult(newest_first(entries), done.written, done.removed, warnings)


def check(settings: Settings, *, encoding: str = "utf-8") -> BuildResult:
    """Parse and date everything, as a build would, without writing anything."""
    files, warnings = find_seed_files(settings.seeds)
    pieces = [piece for seed in files for piece in read_seed_file(seed, encoding)]
    known: dict[str, Record] = {}
    if settings.state.is_file():
        with open_state(settings.state) as state:
            known = state.known_entries()
    entries, _ = _entries(pieces, settings, known, clock.now())
    return BuildResult(newest_first(entries), warnings=warnings)


def render_outputs(entries: list[Entry], settings: Settings) -> Iterator[tuple[str, bytes]]:
    """Every output file, pages first and feeds last (the order they are published in)."""
    for output in render_changed(entries, settings, {}):
        if output.data is not None:  # always, since nothing is kept
            yield output.name, output.data


def _entries(
    pieces: list[Piece], settings: Settings, known: dict[str, Record], now: datetime
) -> tuple[list[Entry], list[Record]]:
    drafts = make_drafts(pieces, settings.seeds, settings.tz, now)
    return settle(drafts, known, now, settings.host, settings.tz, lambda slug: settings.url(page_path(slug)))


def _build_key(settings: Settings, files: list[SeedFile], now: datetime, encoding: str) -> str:
    """Everything a build's output depends on. The day is part of it: year-less dates resolve against it."""
    digest = hashlib.sha256()
    for part in (__version__, repr(settings), encoding, now.astimezone(settings.tz).date().isoformat()):
        digest.update(part.encode() + b"\0")
    digest.update(templates_digest(settings.templates).encode())
    for seed in files:
        digest.update(f"{seed.source}\0{seed.size}\0{seed.mtime_ns}\n".encode())
    return digest.hexdigest()
