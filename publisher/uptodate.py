"""Is there anything to build? The question every build starts with, answered cheaply.

A build's output is a function of the seeds, the settings, the templates, the
encoding, the publisher version and the day (year-less dates resolve against
it). The build key hashes all of them, each seed file by its name, size and
mtime. When the key is the one the last complete build stored, and every file
that build wrote is still as it wrote it (same size and mtime: one `stat`
each, so a defaced or deleted output is noticed and rewritten), there is
nothing to do.

Cron runs `publisher build` every few minutes and nearly every run ends here,
so this module, and everything it imports, stays light: no Jinja, feedgen,
premailer, YAML or Markdown. The pipeline is loaded only when this says there
is work (see api.py).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from . import __version__, clock
from .config import Settings
from .outputs.templates import templates_digest
from .publish import Manifest, intact
from .sources import SeedFile, find_seed_files
from .state import State

log = logging.getLogger("publisher")
BUILD_KEY = "build_key"
"""The state key under which the last complete build's key is kept ("" after a partial one)."""


@dataclass(frozen=True, slots=True)
class Survey:
    """What a build found before doing anything; the pipeline starts from it."""

    now: datetime
    files: list[SeedFile]
    warnings: list[str]
    key: str
    previous: Manifest  # what the last build wrote
    intact: set[str]  # which of those files are still as it wrote them
    current: bool  # nothing to do: same key, every file intact


def survey(settings: Settings, state: State, encoding: str) -> Survey:
    """List the seeds, make the build key, and check the last build's output files against the manifest."""
    now = clock.now()
    log.info("scanning %s", settings.seeds)
    files, warnings = find_seed_files(settings.seeds)
    key = build_key(settings, files, now, encoding)
    previous = state.outputs(settings.out)
    unchanged = intact(settings.out, previous)
    current = state.get(BUILD_KEY) == key and bool(previous) and len(unchanged) == len(previous)
    return Survey(now, files, warnings, key, previous, unchanged, current)


def build_key(settings: Settings, files: list[SeedFile], now: datetime, encoding: str) -> str:
    """Everything a build's output depends on. The day is part of it: year-less dates resolve against it."""
    digest = hashlib.sha256()
    for part in (__version__, repr(settings), encoding, now.astimezone(settings.tz).date().isoformat()):
        digest.update(part.encode() + b"\0")
    digest.update(templates_digest(settings.templates).encode())
    for seed in files:
        digest.update(f"{seed.source}\0{seed.size}\0{seed.mtime_ns}\n".encode())
    return digest.hexdigest()
