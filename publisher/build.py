"""The pipeline, start to end: seeds → pieces → entries → outputs → publish.

`build()` reads as the list of its steps. Everything that can fail on bad
input (reading, parsing, dating, rendering) happens before the first byte is
written, so a bad piece leaves the output folder exactly as it was.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from . import __version__, clock
from .config import Settings
from .entry import Entry, newest_first
from .extract.entries import Record, make_drafts
from .extract.identity import settle
from .outputs import digest as digest_output
from .outputs.feeds import render_atom, render_rss
from .outputs.pages import render_pages
from .outputs.site import ATOM, DIGEST_HTML, DIGEST_TEXT, RSS, STYLE, Site, page_path
from .outputs.templates import BUNDLED, make_environment, templates_digest
from .publish import Manifest, build_lock, publish
from .sources import Paragraph, Piece, SeedFile, find_seed_files, read_seed_file
from .state import State, open_state

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
    with site_lock(settings, wait), open_state(settings.state) as state:
        now = clock.now()
        log.info("scanning %s", settings.seeds)
        files, warnings = find_seed_files(settings.seeds)
        key = _build_key(settings, files, now, encoding)
        if state.get("build_key") == key and _outputs_intact(settings, state):
            log.info("nothing changed since the last build")
            return BuildResult(warnings=warnings, unchanged=True)
        log.info("reading %d seed files", len(files))
        pieces = _read_pieces(files, state, encoding, track)
        log.info("dating %d pieces", len(pieces))
        entries, records = _entries(pieces, settings, state.known_entries(), now)
        log.info("rendering outputs for %d entries", len(entries))
        outputs = list(track("rendering", len(entries) + 6, render_outputs(entries, settings)))
        state.save_entries(records)
        log.info("publishing to %s", settings.out)
        done = publish(settings.out, outputs, state.outputs(settings.out))
        state.save_outputs(settings.out, done.manifest)
        state.put("build_key", key)
        log.info("wrote %d files, removed %d", len(done.written), len(done.removed))
        return BuildResult(newest_first(entries), done.written, done.removed, warnings)


def site_lock(settings: Settings, wait: float = 0.0) -> AbstractContextManager[None]:
    """The lock that lets one process at a time write the output folder."""
    return build_lock(settings.state.with_suffix(".lock"), wait)


def check(settings: Settings, *, encoding: str = "utf-8") -> BuildResult:
    """Parse and date everything, as a build would, without writing anything."""
    known: dict[str, Record] = {}
    if settings.state.is_file():
        with open_state(settings.state) as state:
            known = state.known_entries()
    return settle_seeds(settings, known, encoding)


def settle_seeds(settings: Settings, known: dict[str, Record], encoding: str = "utf-8") -> BuildResult:
    """Every entry the seeds hold now, matched against remembered ones (`known`); writes nothing."""
    files, warnings = find_seed_files(settings.seeds)
    pieces = [piece for seed in files for piece in read_seed_file(seed, encoding)]
    entries, _ = _entries(pieces, settings, known, clock.now())
    return BuildResult(newest_first(entries), warnings=warnings)


def render_outputs(entries: list[Entry], settings: Settings) -> Iterator[tuple[str, bytes]]:
    """Every output file, pages first and feeds last (the order they are published in)."""
    site = Site.from_settings(settings)
    env = make_environment(settings.templates, settings.tz)
    yield STYLE, _style(settings)
    yield from render_pages(env, entries, site)
    digest = digest_output.select_digest(
        entries, site, settings.digest_size, settings.mail.subject, settings.mail.unsubscribe_link
    )
    if digest:
        yield DIGEST_HTML, digest_output.render_digest_html(env, digest, site).encode()
        yield DIGEST_TEXT, digest_output.render_digest_text(env, digest, site).encode()
    newest = newest_first(entries)[: settings.feed_size]
    yield ATOM, render_atom(newest, site)
    yield RSS, render_rss(newest, site)


def _entries(
    pieces: list[Piece], settings: Settings, known: dict[str, Record], now: datetime
) -> tuple[list[Entry], list[Record]]:
    drafts = make_drafts(pieces, settings.seeds, settings.tz, now)
    return settle(drafts, known, now, settings.host, settings.tz, lambda slug: settings.url(page_path(slug)))


def _read_pieces(files: list[SeedFile], state: State, encoding: str, track: Track) -> list[Piece]:
    """Pieces of every file, reusing the parse of files whose size, mtime or content hash is unchanged."""
    parser = f"{__version__}:{encoding}"
    cached = state.cached_files() if state.get("parser") == parser else {}
    fresh: dict[str, tuple[int, int, str, list[dict[str, object]]]] = {}
    pieces: list[Piece] = []
    for seed in track("reading", len(files), files):
        hit = cached.get(seed.source)
        if hit and hit[:2] == (seed.size, seed.mtime_ns):
            fresh[seed.source] = hit
        else:
            sha = hashlib.sha256(seed.path.read_bytes()).hexdigest()
            if hit and hit[2] == sha:
                fresh[seed.source] = (seed.size, seed.mtime_ns, sha, hit[3])
            else:
                fresh[seed.source] = (
                    seed.size,
                    seed.mtime_ns,
                    sha,
                    [asdict(p) for p in read_seed_file(seed, encoding)],
                )
        pieces.extend(_piece(raw) for raw in fresh[seed.source][3])
    if fresh != cached:
        state.save_files(fresh)
        state.put("parser", parser)
    return pieces


def _piece(raw: dict[str, object]) -> Piece:
    paragraphs = tuple(Paragraph(**p) for p in raw["paragraphs"])  # type: ignore[attr-defined]
    return Piece(raw["source"], raw["line"], paragraphs, raw["meta"], raw["html"])  # type: ignore[arg-type]


def _build_key(settings: Settings, files: list[SeedFile], now: datetime, encoding: str) -> str:
    """Everything a build's output depends on. The day is part of it: year-less dates resolve against it."""
    digest = hashlib.sha256()
    for part in (__version__, repr(settings), encoding, now.astimezone(settings.tz).date().isoformat()):
        digest.update(part.encode() + b"\0")
    digest.update(templates_digest(settings.templates).encode())
    for seed in files:
        digest.update(f"{seed.source}\0{seed.size}\0{seed.mtime_ns}\n".encode())
    return digest.hexdigest()


def _outputs_intact(settings: Settings, state: State) -> bool:
    """Are all our output files still there, as we wrote them (size and mtime)?"""
    manifest: Manifest = state.outputs(settings.out)
    for name, (_, size, mtime) in manifest.items():
        try:
            stat = (settings.out / name).stat()
        except FileNotFoundError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
            return False
    return bool(manifest)


def _style(settings: Settings) -> bytes:
    custom = settings.templates / STYLE if settings.templates else None
    return (custom if custom and custom.is_file() else BUNDLED / STYLE).read_bytes()
