"""The pipeline, start to end: seeds → pieces → entries → outputs → publish.

`_build()` reads as the list of its steps. It starts where uptodate.py left
off (the seeds listed, the last build's outputs checked against the
manifest): api.py imports this module only when that found work to do.
Everything that can fail on bad input (reading, parsing, dating, rendering)
happens before the first byte is written, so a bad piece leaves the output
folder exactly as it was.

With `keep_going` a bad file or piece is skipped instead, and the reason
kept in `BuildResult.skipped`. Such a partial build deletes nothing it
published before (a typo must not take a page down) and is not remembered as
a finished build, so the next run tries the skipped pieces again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from . import __version__, clock, websub
from .api import BuildResult, Track, nothing_to_do, untracked
from .config import Settings
from .entry import Entry, newest_first
from .errors import InputError
from .extract.entries import make_drafts
from .extract.identity import settle
from .extract.record import Record
from .outputs import digest as digest_output
from .outputs.catalog import make_catalog
from .outputs.environment import make_environment
from .outputs.keys import Keys
from .outputs.pages import render_pages
from .outputs.site import DIGEST_HTML, DIGEST_TEXT, STYLE, XSL, Site, page_path
from .outputs.syndication import PartStore, families, render_feeds, topics
from .outputs.templates import BUNDLED, templates_digest
from .publish import commit, stage
from .sources import Piece, SeedFile, find_seed_files
from .sources.read import read_seed_file
from .state import State
from .uptodate import BUILD_KEY, Survey

log = logging.getLogger("publisher")
PENDING_PINGS = "websub_pending"


@dataclass
class Skips:
    """What happens to a bad file or piece: it stops the build, or with `keep_going` it is skipped and listed."""

    keep_going: bool
    reasons: list[str] = field(default_factory=list)

    def __call__(self, error: InputError) -> None:
        if not self.keep_going:
            raise error
        self.reasons.append(str(error))


def run(
    settings: Settings, state: State, found: Survey, encoding: str, keep_going: bool, ping: bool, track: Track
) -> BuildResult:
    """The build, under the lock, once `found` (see uptodate.py) is known; api.build() calls it.

    With `ping` and a `hub` configured, the hub is then told about every
    subscription feed this build changed (and any a failed ping left over).
    """
    if found.current:  # nothing to build, but a ping to make
        result = nothing_to_do(found)
    else:
        result = _build(settings, state, found, encoding, Skips(keep_going), track)
    if ping and settings.hub:
        _ping_hub(settings, state, result)
    return result


def _build(
    settings: Settings, state: State, found: Survey, encoding: str, skips: Skips, track: Track
) -> BuildResult:
    now, files, warnings = found.now, found.files, found.warnings
    previous, unchanged = found.previous, found.intact
    log.info("reading %d seed files", len(files))
    pieces = _read(files, state, encoding, track, warnings, skips)
    log.info("dating %d pieces", len(pieces))
    entries, records = _entries(pieces, settings, state.known_entries(), now, skips)
    del pieces  # the entries hold what is needed of them; the rest need not stay in memory while rendering
    log.info("rendering outputs for %d entries", len(entries))
    keys_of = output_keys(settings)  # per output folder, like the manifest
    kept = {name: k for name, k in json.loads(state.get(keys_of) or "{}").items() if name in unchanged}
    outputs = track(
        "rendering", len(entries), render_outputs(entries, settings, now, kept, state), exact=False
    )
    new_keys: dict[str, str] = {}
    staged = stage(settings.out, _keyed(outputs, new_keys), previous)
    state.save_entries(records)
    log.info("publishing to %s", settings.out)
    done = commit(staged, remove=not skips.reasons)
    state.save_outputs(settings.out, done.manifest)
    state.forget_feed_parts({entry.id for entry in entries})
    state.put(keys_of, json.dumps(new_keys, sort_keys=True))
    state.put(BUILD_KEY, "" if skips.reasons else found.key)
    log.info("wrote %d files, removed %d", len(done.written), len(done.removed))
    return BuildResult(newest_first(entries), done.written, done.removed, warnings, skipped=skips.reasons)


def _keyed(
    outputs: Iterable[tuple[str, str, bytes | None]], keys: dict[str, str]
) -> Iterator[tuple[str, bytes | None]]:
    """The outputs as (path, bytes) for staging, noting each keyed file's key in `keys` on the way."""
    for name, key, data in outputs:
        if key:
            keys[name] = key
        yield name, data


def output_keys(settings: Settings) -> str:
    """The state key under which the output files' keys (see outputs/keys.py) in `settings.out` are kept."""
    return f"output_keys:{settings.out}"


def _ping_hub(settings: Settings, state: State, result: BuildResult) -> None:
    """Announce the changed subscription feeds (and those whose last ping failed) to the WebSub hub."""
    written = set(result.written)
    changed = [path for path in topics(make_catalog(result.entries, settings.base_url)) if path in written]
    pending = json.loads(state.get(PENDING_PINGS) or "[]")
    urls = list(dict.fromkeys([*pending, *(settings.url(path) for path in changed)]))
    log.info("announcing %d feeds to %s", len(urls), settings.hub)
    failed = websub.ping(settings.hub, urls)
    state.put(PENDING_PINGS, json.dumps(sorted(failed)))
    result.pinged = [url for url in urls if url not in failed]
    result.warnings += [
        f"WebSub hub {settings.hub} did not take {url} ({reason}); will retry on the next build --ping"
        for url, reason in failed.items()
    ]


def settle_seeds(
    settings: Settings,
    known: dict[str, Record],
    encoding: str = "utf-8",
    skips: Skips | None = None,
    cached: ParseCache | None = None,
) -> BuildResult:
    """Every entry the seeds hold now, matched against remembered ones (`known`); writes nothing.

    `cached` is the build's parse cache (see `parse_cache`): files a build has
    already parsed are not parsed again, and the cache is only read here.
    """
    skips = skips or Skips(keep_going=False)
    files, warnings = find_seed_files(settings.seeds)
    pieces, _, _ = _read_pieces(files, cached or ParseCache(), encoding, untracked, warnings, skips)
    entries, _ = _entries(pieces, settings, known, clock.now(), skips)
    return BuildResult(newest_first(entries), warnings=warnings, skipped=skips.reasons)


def render_outputs(
    entries: list[Entry],
    settings: Settings,
    now: datetime | None = None,
    kept: Mapping[str, str] | None = None,
    store: PartStore | None = None,
) -> Iterator[tuple[str, str, bytes | None]]:
    """(path, key, bytes) of every output file, pages first and feeds last (the order they are published in).

    Pages and feed files have keys (see outputs/keys.py): one whose key is
    in `kept` comes with bytes None, to be kept as it is. The style sheets
    and the digest have no key (""). Entries' feed parts made by an earlier
    build are taken from `store` (the state store) and new ones handed to it.
    """
    site = Site.from_settings(settings)
    env = make_environment(settings.templates, settings.tz)
    catalog = make_catalog(entries, settings.base_url)
    feeds = families(entries, site, catalog, now or clock.now())
    yield STYLE, "", _asset(settings, STYLE)
    yield XSL, "", _asset(settings, XSL)
    keys = Keys.for_build(settings, templates_digest(settings.templates))
    yield from render_pages(env, entries, site, catalog, [f for f in feeds if f.folder], keys, kept or {})
    digest = digest_output.select_digest(
        entries, site, settings.digest_size, settings.mail.subject, settings.mail.unsubscribe_link
    )
    if digest:
        yield DIGEST_HTML, "", digest_output.render_digest_html(env, digest, site).encode()
        yield DIGEST_TEXT, "", digest_output.render_digest_text(env, digest, site).encode()
    yield from render_feeds(feeds, site, settings.feed_size, keys, kept or {}, store)


def _entries(
    pieces: list[Piece], settings: Settings, known: dict[str, Record], now: datetime, skips: Skips
) -> tuple[list[Entry], list[Record]]:
    drafts = make_drafts(pieces, settings.seeds, settings.tz, now, skips)
    return settle(drafts, known, now, settings.host, settings.tz, lambda slug: settings.url(page_path(slug)))


def _read_file(seed: SeedFile, encoding: str, skips: Skips) -> tuple[list[Piece], list[str]] | None:
    """The file's pieces and warnings, or None when it cannot be read (the error went to `skips`)."""
    try:
        return read_seed_file(seed, encoding)
    except InputError as error:
        skips(error)
        return None


@dataclass(frozen=True)
class ParseCache:
    """The parses of seed files that a build remembered: each file's (size, mtime_ns, sha256), pieces on demand.

    The pieces are fetched one file at a time, so the whole cache (tens of
    kilobytes a file) never sits in memory at once.
    """

    files: Mapping[str, tuple[int, int, str]] = field(default_factory=dict)
    state: State | None = None

    def pieces(self, source: str) -> list[Piece]:
        assert self.state is not None  # only files listed in `files` are asked for
        return [Piece.from_plain(raw) for raw in json.loads(self.state.cached_pieces(source))]


def parse_cache(state: State, encoding: str) -> ParseCache:
    """The remembered parses of seed files, when this publisher version made them with this encoding."""
    return (
        ParseCache(state.cached_files(), state) if state.get("parser") == _parser(encoding) else ParseCache()
    )


def _parser(encoding: str) -> str:
    return f"{__version__}:{encoding}"


CacheRow = tuple[str, int, int, str, list[Piece]]
"""A seed file to store in the parse cache: (source, size, mtime_ns, sha256, its pieces)."""


def _read(
    files: list[SeedFile], state: State, encoding: str, track: Track, warnings: list[str], skips: Skips
) -> list[Piece]:
    """Every piece of the seed files; the parse cache is brought up to date on the way.

    Rows of files that are gone, that now fail or warn, or that an older
    parser made, are dropped; files parsed anew are stored.
    """
    cached = parse_cache(state, encoding)
    pieces, changed, unchanged = _read_pieces(files, cached, encoding, track, warnings, skips)
    stored = cached.files if cached.state is not None else state.cached_files()  # an older parser's rows too
    gone = [source for source in stored if source not in unchanged]
    if changed or gone:
        rows = ((*row[:4], json.dumps([p.plain() for p in row[4]], ensure_ascii=False)) for row in changed)
        state.update_files(rows, gone)
        state.put("parser", _parser(encoding))
    return pieces


def _read_pieces(
    files: list[SeedFile],
    cached: ParseCache,
    encoding: str,
    track: Track,
    warnings: list[str],
    skips: Skips,
) -> tuple[list[Piece], list[CacheRow], set[str]]:
    """Pieces of every file, reusing the parse of files whose size, mtime or content hash is unchanged;
    also the rows the parse cache must store, and the files whose row stays as it is.

    A file that warned or failed is not cached: it is read again, and its
    warnings repeated, on every build until it is fixed.
    """
    changed: list[CacheRow] = []
    unchanged: set[str] = set()
    pieces: list[Piece] = []
    for seed in track("reading", len(files), files):
        hit = cached.files.get(seed.source)
        if hit and hit[:2] == (seed.size, seed.mtime_ns):
            pieces.extend(cached.pieces(seed.source))
            unchanged.add(seed.source)
            continue
        digest = _sha256(seed)
        if hit and hit[2] == digest:
            found = cached.pieces(seed.source)
        else:
            read = _read_file(seed, encoding, skips)
            if read is None:
                continue
            found, found_warnings = read
            warnings.extend(found_warnings)
            if found_warnings:
                pieces.extend(found)
                continue
        pieces.extend(found)
        changed.append((seed.source, seed.size, seed.mtime_ns, digest, found))
    return pieces, changed, unchanged


def _sha256(seed: SeedFile) -> str:
    return hashlib.sha256(seed.path.read_bytes()).hexdigest()


def _asset(settings: Settings, name: str) -> bytes:
    """A file copied as it is (style sheet, feed style sheet): the user's version if they have one."""
    custom = settings.templates / name if settings.templates else None
    return (custom if custom and custom.is_file() else BUNDLED / name).read_bytes()
