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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from . import __version__, clock
from .api import BuildResult, Track, nothing_to_do, untracked
from .config import Settings
from .entry import Entry, newest_first
from .errors import InputError
from .extract.entries import Draft, depends_on_day, file_drafts
from .extract.identity import TextStore, settle
from .extract.reading import FileRead, Reader, parsing
from .extract.record import Record
from .extract.stored import DraftRow, draft_rows, drafts_from_rows, keeps_pieces
from .outputs import digest as digest_output
from .outputs.catalog import make_catalog
from .outputs.environment import CompiledTemplates, make_environment, template_errors
from .outputs.keys import Keys
from .outputs.pages import LIST_ITEM, render_pages
from .outputs.parts import PartStore, Written
from .outputs.premade import premaking
from .outputs.site import STYLE, XSL, Site, page_path
from .outputs.syndication import families, kept_part_keys, render_feeds, topics
from .outputs.templates import BUNDLED, templates_digest
from .processes import Cores
from .publish import Data, commit, stage
from .sources import Piece, SeedFile, find_seed_files
from .state import EntryChanges, State
from .uptodate import BUILD_KEY, Survey
from .written import LastWritten

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
    state.check_ahead()  # while the caches are read, not when the first write comes
    now, files, warnings = found.now, found.files, found.warnings
    previous, unchanged = found.previous, found.intact
    log.info("reading %d seed files", len(files))
    cached = parse_cache(state, encoding)
    read = read_pieces(files, cached, settings, encoding, now, track, warnings, skips)
    drafts, write_cache = _remember(read, cached, state, settings, encoding, skips, now)
    del read  # every piece read: the drafts hold what is needed of them
    log.info("settling %d drafts", len(drafts))
    known = state.known_entries()
    entries, records = _entries(drafts, settings, known, now, state)
    changes = EntryChanges.between(records, known)
    # The entries hold what is needed of the drafts and records: the rest need not stay in memory while rendering.
    del drafts, records, known
    log.info("rendering outputs for %d entries", len(entries))
    keys_of = output_keys(settings)  # per output folder, like the manifest
    kept = {name: k for name, k in json.loads(state.get(keys_of) or "{}").items() if name in unchanged}
    written = LastWritten(settings.out, previous, unchanged, state)
    compiled = CompiledTemplates(state.compiled_templates())
    outputs = track(
        "rendering",
        len(entries),
        render_outputs(
            entries, settings, now, kept, state, written=written, compiled=compiled, after_pages=write_cache
        ),
        exact=False,
    )
    new_keys: dict[str, str] = {}
    try:
        staged = stage(settings.out, _keyed(outputs, new_keys), previous, names=new_keys)
    finally:
        write_cache()  # when rendering stopped before the feeds: the next build need not parse again
    state.save_entries(changes)
    log.info("publishing to %s", settings.out)
    done = commit(staged, remove=not skips.reasons)
    state.save_outputs(settings.out, done.manifest, previous)
    written.save(done.manifest)
    state.save_templates(compiled.new())
    state.forget_parts({entry.id for entry in entries}, (LIST_ITEM,))
    state.put(keys_of, json.dumps(new_keys, sort_keys=True))
    state.put(BUILD_KEY, "" if skips.reasons else found.key)
    log.info("wrote %d files, removed %d", len(done.written), len(done.removed))
    return BuildResult(newest_first(entries), done.written, done.removed, warnings, skipped=skips.reasons)


def _keyed(
    outputs: Iterable[tuple[str, str, Data | None]], keys: dict[str, str]
) -> Iterator[tuple[str, Data | None]]:
    """The outputs as (path, data) for staging, noting each keyed file's key in `keys` on the way (before
    the file is staged, which names a feed's bytes by it: see `publish.stage`)."""
    for name, key, data in outputs:
        if key:
            keys[name] = key
        yield name, data


def output_keys(settings: Settings) -> str:
    """The state key under which the output files' keys (see outputs/keys.py) in `settings.out` are kept."""
    return f"output_keys:{settings.out}"


def _ping_hub(settings: Settings, state: State, result: BuildResult) -> None:
    """Announce the changed subscription feeds (and those whose last ping failed) to the WebSub hub.

    websub.py is imported here: its HTTP client (urllib.request, http.client, ssl) takes 12 ms to load,
    and only a build with `--ping` and a hub needs it.
    """
    from . import websub

    written = set(result.written)
    catalog = make_catalog(result.entries, settings.base_url)
    feeds = families(
        result.entries, Site.from_settings(settings), catalog, clock.now(), settings.listing_feeds
    )
    changed = [path for path in topics(feeds) if path in written]
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
    texts: TextStore | None = None,
) -> BuildResult:
    """Every entry the seeds hold now, matched against remembered ones (`known`); writes nothing.

    `cached` is the build's parse cache (see `parse_cache`): files a build has
    already parsed are not parsed again, and the cache is only read here.
    `texts` is the state store `known` and `cached` come from: it gives the
    texts they leave out (see `identity.TextStore`).
    """
    skips = skips or Skips(keep_going=False)
    files, warnings = find_seed_files(settings.seeds)
    now = clock.now()
    found = read_pieces(files, cached or ParseCache(), settings, encoding, now, untracked, warnings, skips)
    entries, _ = _entries(_drafts(found, settings, now, skips)[0], settings, known, now, texts)
    return BuildResult(newest_first(entries), warnings=warnings, skipped=skips.reasons)


def render_outputs(
    entries: list[Entry],
    settings: Settings,
    now: datetime | None = None,
    kept: Mapping[str, str] | None = None,
    store: PartStore | None = None,
    cores: Cores | None = None,
    written: Written | None = None,
    compiled: CompiledTemplates | None = None,
    after_pages: Callable[[], None] = lambda: None,
) -> Iterator[tuple[str, str, Data | None]]:
    """(path, key, data) of every output file, pages first and feeds last (the order they are published in):
    its bytes, or for a feed the chunks they are joined from (see `publish.Data`).

    Pages, feed files and the digest have keys (see outputs/keys.py): one
    whose key is in `kept` comes with data None, to be kept as it is. The
    style sheets have no key (""). Entries' list items made by an earlier
    build are taken from `store` (the state store) and new ones handed to
    it; their feed parts are taken from the feed files as last `written`
    (see written.py). When many feed parts are new, a worker makes them
    while the pages render (see outputs/premade.py; `cores` says whether it
    may). Templates an earlier build compiled come from `compiled`.
    `after_pages` is called once the pages and the digest are rendered,
    before the feeds (see `CacheWrite`).
    """
    with template_errors():  # a mistake in a template is one line naming it, not a traceback
        site = Site.from_settings(settings)
        env = make_environment(settings.templates, settings.tz, compiled)
        catalog = make_catalog(entries, settings.base_url)
        feeds = families(entries, site, catalog, now or clock.now(), settings.listing_feeds)
        yield STYLE, "", _asset(settings, STYLE)
        if any(fmt.styled for fmt in site.formats):  # JSON Feed alone names no stylesheet
            yield XSL, "", _asset(settings, XSL)
        keys = Keys.for_build(settings, templates_digest(settings.templates))
        kept_parts = kept_part_keys(feeds, site, settings.feed_size, written)
        # A worker's parts go beside the state store, on the site's own file system (the system's temporary
        # folder may be another disk, or small); in the temporary folder only when there is no store folder.
        folder = settings.state.parent if settings.state.parent.is_dir() else None
        with premaking(entries, keys, kept_parts, cores, site.formats, folder) as premade:
            yield from render_pages(
                env, entries, site, catalog, [f for f in feeds if f.folder], keys, kept or {}, store
            )
            digest = digest_output.select_digest(
                entries, site, settings.digest_size, settings.mail.subject, settings.mail.unsubscribe_link
            )
            if digest:
                yield from digest_output.render_digest_files(env, digest, site, keys, kept or {})
            after_pages()
            yield from render_feeds(feeds, site, settings.feed_size, keys, kept or {}, premade, written)


def _drafts(
    found: list[Found], settings: Settings, now: datetime, skips: Skips
) -> tuple[list[Draft], list[FileRow], list[DraftsRow]]:
    """Every draft, in file order: cached ones as they are, the others made now; and what the cache must store.

    A file whose drafts all came out is stored as its drafts, with its
    pieces too only when the drafts depend on the day (re-dating them
    tomorrow then needs no parse); one with a bad piece is stored as its
    pieces, as before drafts were cached.
    """
    drafts: list[Draft] = []
    files: list[FileRow] = []
    rows: list[DraftsRow] = []
    day = now.astimezone(settings.tz).date().isoformat()
    for seed in found:
        if seed.drafts is not None:
            drafts.extend(seed.drafts)
            if seed.row:  # touched, not changed: the row moves to the new mtime, drafts and all
                files.append((seed.source, *seed.row, seed.stored))
            continue
        made, complete = _drafted(seed, settings, now, skips)
        drafts.extend(made)
        if not seed.cached:
            continue
        stored = draft_rows(made) if complete and made else None
        dated = depends_on_day(made)
        rows.extend((settings.timezone, day if dated else "", row) for row in stored or ())
        if seed.row:
            kept = (
                json.dumps([p.plain() for p in seed.pieces], ensure_ascii=False)
                if keeps_pieces(made, complete)
                else ""
            )
            files.append((seed.source, *seed.row, kept))
    return drafts, files, rows


def _drafted(seed: Found, settings: Settings, now: datetime, skips: Skips) -> tuple[list[Draft], bool]:
    """The file's drafts and whether every piece made one: as drafted when it was parsed, or made now
    from its cached pieces; the errors of its bad pieces go to `skips` either way."""
    if seed.read is None:
        return file_drafts(seed.pieces, seed.source, settings.seeds, settings.tz, now, skips)
    for error in seed.read.errors:
        skips(error)
    return seed.read.drafts, seed.read.complete


def _entries(
    drafts: list[Draft], settings: Settings, known: dict[str, Record], now: datetime, texts: TextStore | None
) -> tuple[list[Entry], list[Record]]:
    return settle(
        drafts, known, now, settings.host, settings.tz, lambda slug: settings.url(page_path(slug)), texts
    )


@dataclass(frozen=True)
class ParseCache:
    """What a build remembered of the seed files: each file's (size, mtime_ns, sha256); its drafts or pieces on demand.

    A file is kept as its drafts (valid in one time zone, and, when they
    depend on it, on one day), as its pieces, or both. Pieces are fetched one
    file at a time, so the whole cache never sits in memory at once; the
    drafts that are still good all come at once, as every one of them is used.
    """

    files: Mapping[str, tuple[int, int, str]] = field(default_factory=dict)
    state: State | None = None

    def drafts(self, zone: str, day: str) -> dict[str, list[Draft]]:
        """Seed file → its drafts, of the files whose drafts are still good in `zone` on `day`."""
        found: dict[str, list[Draft]] = {}
        for draft in drafts_from_rows(self.state.cached_drafts(zone, day) if self.state else ()):
            found.setdefault(draft.source, []).append(draft)
        return found

    def pieces(self, source: str) -> list[Piece] | None:
        """The file's pieces, or None when only its drafts were kept (and they are no longer good)."""
        text = self.stored(source)
        return [Piece.from_plain(raw) for raw in json.loads(text)] if text else None

    def stored(self, source: str) -> str:
        """The file's pieces as stored: JSON, or "" when only its drafts were kept."""
        assert self.state is not None  # only files listed in `files` are asked for
        return self.state.cached_pieces(source)


def parse_cache(state: State, encoding: str) -> ParseCache:
    """The remembered parses of seed files, when this publisher version made them with this encoding."""
    return (
        ParseCache(state.cached_files(), state) if state.get("parser") == _parser(encoding) else ParseCache()
    )


def _parser(encoding: str) -> str:
    return f"{__version__}:{CACHE_FORMAT}:{encoding}"


CACHE_FORMAT = 2
"""Raised whenever what the parse and draft caches hold changes (2: drafts' digests). The version number alone
does not tell code apart between releases: a store whose caches code of another format wrote last, older or
newer, is parsed again rather than trusted."""


FileRow = tuple[str, int, int, str, str]
"""A seed file to store in the parse cache: (source, size, mtime_ns, sha256, its pieces as JSON or "")."""
DraftsRow = tuple[str, str, DraftRow]
"""One cached draft: (time zone, day or "" when it does not depend on the day, the draft's row)."""


@dataclass(frozen=True, slots=True)
class Found:
    """One seed file as read: its cached drafts, or the pieces to draft; and what the cache must learn of it."""

    source: str
    pieces: list[Piece]
    drafts: list[Draft] | None = None  # still good: nothing to draft, nothing to store
    row: tuple[int, int, str] | None = None  # (size, mtime_ns, sha256) to store it under; None: its row stays
    cached: bool = True  # False when it warned: it is read again on every build until fixed
    stored: str = ""  # the pieces as the cache holds them, when its drafts are good but its row moves
    read: FileRead | None = (
        None  # parsed now, and drafted as it was (its pieces only when the cache keeps them)
    )


def _remember(
    found: list[Found],
    cached: ParseCache,
    state: State,
    settings: Settings,
    encoding: str,
    skips: Skips,
    now: datetime,
) -> tuple[list[Draft], CacheWrite]:
    """Every draft of the seed files as read (see `read_pieces`), and how to bring the caches up to date.

    Rows of files that are gone, that now fail or warn, or that an older
    parser made, are dropped; files parsed or dated anew are stored.
    """
    drafts, changed, dated = _drafts(found, settings, now, skips)
    stored = cached.files if cached.state is not None else state.cached_files()  # an older parser's rows too
    kept = {seed.source for seed in found if seed.cached and (not seed.row or seed.drafts is not None)}
    gone = [source for source in stored if source not in kept]
    return drafts, CacheWrite(
        state, (changed, dated, gone, _parser(encoding)) if changed or dated or gone else None
    )


@dataclass
class CacheWrite:
    """The parse and draft caches' new rows, handed to the state store once, when called.

    The store writes them on a thread of its own (see `State.update_files`),
    and that thread takes Python's lock back after every statement. In three
    cold builds of 10,000 pieces, written while the entry pages rendered, the
    rows left the rendering thread waiting for the lock 0.74 to 0.97 s of the
    pages' 4.3 to 5.0 s; held back until the feeds (whose writing lets go of
    the lock for long stretches), 0.31 to 0.38 s of 3.6 to 4.0 s. So the
    build calls this once the pages are rendered, or when rendering stops
    before that.
    """

    state: State
    rows: tuple[list[FileRow], list[DraftsRow], list[str], str] | None

    def __call__(self) -> None:
        rows, self.rows = self.rows, None
        if rows is not None:
            self.state.update_files(*rows)


def read_pieces(
    files: list[SeedFile],
    cached: ParseCache,
    settings: Settings,
    encoding: str,
    now: datetime,
    track: Track,
    warnings: list[str],
    skips: Skips,
    cores: Cores | None = None,
) -> list[Found]:
    """Every file, reusing the drafts or the parse of files whose size, mtime or content hash is unchanged.

    The files left to parse are parsed last, and drafted as they are, on
    every usable core (see extract/reading.py; `cores` says how many). Only
    they can warn or fail, and their results are taken in file order, so
    warnings and errors (the first one, without `keep_going`) are those of
    one file after another: a bad file's error when it is read, a bad
    piece's when the drafts are collected (see `_drafts`).
    A file that warned or failed is not cached: it is read again, and its
    warnings repeated, on every build until it is fixed.
    """
    good = cached.drafts(settings.timezone, now.astimezone(settings.tz).date().isoformat())
    found: list[Found | None] = []
    stale: list[tuple[int, SeedFile]] = []  # (place in `found`, file) of the files to parse
    for seed in track("reading", len(files), files):
        hit = cached.files.get(seed.source)
        if hit and hit[:2] == (seed.size, seed.mtime_ns):
            known = _known(seed.source, cached, good)
            if known:
                found.append(known)
                continue
        if hit:  # touched, or changed: its bytes say which (a file new to the cache is hashed as it is read)
            digest = _sha256(seed)
            known = _known(seed.source, cached, good) if hit[2] == digest else None
            if known:
                stored = cached.stored(seed.source) if known.drafts is not None else ""
                found.append(replace(known, row=(seed.size, seed.mtime_ns, digest), stored=stored))
                continue
        stale.append((len(found), seed))
        found.append(None)
    reader = Reader(encoding, settings.seeds, settings.tz, now)
    _parse(stale, found, reader, track, warnings, skips, cores)
    return [seed for seed in found if seed]


def _parse(
    stale: list[tuple[int, SeedFile]],
    found: list[Found | None],
    reader: Reader,
    track: Track,
    warnings: list[str],
    skips: Skips,
    cores: Cores | None,
) -> None:
    """Parse and draft the `stale` files into their places in `found` (left None when a file cannot be read)."""
    if not stale:
        return
    with parsing([seed for _, seed in stale], reader, cores) as parsed:
        for (at, seed), read in track("parsing", len(stale), zip(stale, parsed, strict=True)):
            if isinstance(read, InputError):
                skips(read)
                continue
            warnings.extend(read.warnings)
            row = (seed.size, seed.mtime_ns, read.sha256)
            found[at] = Found(seed.source, read.pieces, row=row, cached=not read.warnings, read=read)


def _known(source: str, cached: ParseCache, good: Mapping[str, list[Draft]]) -> Found | None:
    """What the cache holds of an unchanged file: its drafts if still good, else its pieces, else nothing."""
    if source in good:
        return Found(source, [], drafts=good[source])
    pieces = cached.pieces(source)
    return Found(source, pieces) if pieces is not None else None


def _sha256(seed: SeedFile) -> str:
    return hashlib.sha256(seed.path.read_bytes()).hexdigest()


def _asset(settings: Settings, name: str) -> bytes:
    """A file copied as it is (style sheet, feed style sheet): the user's version if they have one."""
    custom = settings.templates / name if settings.templates else None
    return (custom if custom and custom.is_file() else BUNDLED / name).read_bytes()
