"""The build's memory: an SQLite file (WAL mode), `.publisher/state.db` by default.

It remembers what the seeds alone cannot tell: when each piece was first
seen, each entry's fingerprint, id, slug and dates, which seed files were
already parsed, which output files the publisher wrote (so it removes only its
own), when the last digest was sent, and which recipients each emailed
digest reached (so a re-run never sends anyone the same digest twice). It is
a memory, not the only source of truth: deleting it changes only first-seen
dates and forgets which digests were sent (see README).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import StateError
from .extract.record import Record

SCHEMA_VERSION = "1"
PAGE_BYTES = 65536
"""SQLite's page size for a new store, its largest. Most rows here are a piece's content or its text, 5 to 60
KB each: on the default 4 KB pages each of them is a chain of overflow pages, and after a cold build those of
one table lie scattered among the others'. On 64 KB pages reading a build's cached drafts, its entries and
(when the store still kept them) a feed's parts took 0.52 to 0.6 of the time. A store made with other pages
keeps them."""
# What became of one recipient of one message: only SERVED ones are skipped on a re-run.
SERVED, REFUSED, DEFERRED = "served", "refused", "deferred"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, text TEXT NOT NULL, slug TEXT NOT NULL,
    first_seen TEXT NOT NULL, published TEXT NOT NULL, updated TEXT NOT NULL, source TEXT NOT NULL,
    build INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_fingerprint ON entries (fingerprint);
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, pieces TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
    source TEXT NOT NULL, position INTEGER NOT NULL, zone TEXT NOT NULL, day TEXT NOT NULL,
    line INTEGER NOT NULL, title TEXT NOT NULL, authors TEXT NOT NULL, summary TEXT NOT NULL, content_html TEXT,
    is_excerpt INTEGER NOT NULL, tags TEXT NOT NULL, published TEXT, date_source TEXT NOT NULL, updated TEXT,
    explicit_id TEXT, source_url TEXT, fingerprint TEXT NOT NULL, text TEXT NOT NULL, base_slug TEXT NOT NULL,
    PRIMARY KEY (source, position)
);
CREATE TABLE IF NOT EXISTS draft_digests (
    source TEXT NOT NULL, position INTEGER NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (source, position)
);
CREATE TABLE IF NOT EXISTS parts (
    entry TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, part BLOB NOT NULL,
    PRIMARY KEY (entry, kind)
);
CREATE INDEX IF NOT EXISTS parts_keys ON parts (kind, entry, key);
CREATE TABLE IF NOT EXISTS outputs (
    out TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, PRIMARY KEY (out, path)
);
CREATE TABLE IF NOT EXISTS spans (
    out TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, spans TEXT NOT NULL, PRIMARY KEY (out, path)
);
CREATE TABLE IF NOT EXISTS packed_spans (
    out TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, spans BLOB NOT NULL, PRIMARY KEY (out, path)
);
CREATE TABLE IF NOT EXISTS templates (key TEXT PRIMARY KEY, name TEXT NOT NULL, code BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS digests (marked_at TEXT NOT NULL, until TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mailings (
    message_id TEXT PRIMARY KEY, until TEXT NOT NULL, message BLOB NOT NULL,
    opened_at TEXT NOT NULL, closed_at TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    message_id TEXT NOT NULL, recipient TEXT NOT NULL, status TEXT NOT NULL, reply TEXT NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (message_id, recipient)
);
"""
_SCHEMA_NAMES = frozenset(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", _SCHEMA))
# Tables and indexes are only ever added to, with CREATE ... IF NOT EXISTS: a store written by
# an older publisher gains them on open, so the schema version does not change.


@dataclass(frozen=True, slots=True)
class EntryChanges:
    """What a build must write of its entries (see `State.save_entries`).

    Worked out before rendering, from the records the build made and the ones
    `known_entries` returned, so the latter (ten thousand records) need not stay
    in memory while the outputs render.
    """

    changed: list[Record]  # new, or not as remembered (a record that was not recent, too)
    left: list[str]  # ids of the recent entries this build did not see: recent no more

    @classmethod
    def between(cls, records: Iterable[Record], known: Mapping[str, Record]) -> EntryChanges:
        records = list(records)
        seen = {r.id for r in records}
        left = [entry for entry, r in known.items() if r.recent and entry not in seen]
        return cls([r for r in records if _changed(r, known.get(r.id))], left)


def _changed(record: Record, known: Record | None) -> bool:
    """Whether the row of `record` differs from the remembered one, as stored.

    A date is stored as its ISO text: two dates print the same when they are
    the same instant at the same UTC offset (a date moved to another time zone
    is a change; `==` alone would call it the same).
    """
    return (
        known is None
        or not known.recent
        or known != record
        or (known.first_seen.utcoffset(), known.published.utcoffset(), known.updated.utcoffset())
        != (record.first_seen.utcoffset(), record.published.utcoffset(), record.updated.utcoffset())
    )


def _entry_row(r: Record) -> tuple[str | None, ...]:
    """A record as the entries table stores it, but for the build number."""
    return (
        r.id,
        r.fingerprint,
        r.text,
        r.slug,
        r.first_seen.isoformat(),
        r.published.isoformat(),
        r.updated.isoformat(),
        r.source,
    )


class State:
    """An open state store. Use `open_state()`; every method is one short transaction."""

    def __init__(self, path: Path, connection: sqlite3.Connection, synchronous: str = "NORMAL") -> None:
        self.path = path
        self._db = connection
        self._checked = False  # see _write
        self._check: Future[str] | None = None  # see check_ahead
        self._aside = _Aside(path, synchronous)  # see save_parts

    # -- entries -------------------------------------------------------------------------

    def build_number(self) -> int:
        """The mark of the last build's entries: theirs, and only theirs, carry it (see `save_entries`)."""
        return int(self._get("build") or 0)

    def known_entries(self) -> dict[str, Record]:
        """Every remembered entry, without its text (see `Record`; `entry_texts` reads it)."""
        last = self.build_number()
        rows = self._query(
            "SELECT id, fingerprint, slug, first_seen, published, updated, source, build FROM entries"
        )
        return {
            row[0]: Record(
                row[0],
                row[1],
                None,
                row[2],
                datetime.fromisoformat(row[3]),
                datetime.fromisoformat(row[4]),
                datetime.fromisoformat(row[5]),
                source=row[6],
                recent=row[7] == last,
            )
            for row in rows
        }

    def entry_texts(self, ids: Collection[str]) -> dict[str, str]:
        """Entry id → the remembered text of each of `ids`, a few hundred to a query (SQLite's limit on parameters)."""
        return dict(self._batched("SELECT id, text FROM entries WHERE id IN ({})", (), list(ids)))

    def draft_texts(self, source: str) -> dict[int, str]:
        """Line → text of each cached draft of the seed file `source` (see `identity.TextStore`)."""
        return dict(self._query("SELECT line, text FROM drafts WHERE source = ?", (source,)))

    def save_entries(self, changes: EntryChanges) -> None:
        """Remember this build's entries; entries not seen now are kept (a piece may come back).

        The entries the last build saw ("recent": an edited piece may be one
        of them) are the rows whose `build` is the store's build number. An
        older publisher moved every row to a new number on every build,
        rewriting ten thousand rows, text and all, after one edit. The number
        now stays: new and changed entries are written with it, and the recent
        entries this build did not see get the number before it. The rows mean
        the same either way, so a store moves between the two as it is.
        A record without its text (see `Record`) updates its row and leaves the text as it is.
        """
        mark = self.build_number() or 1
        with self._write() as db:
            db.executemany(
                "UPDATE entries SET build = ? WHERE id = ?", ((mark - 1, entry) for entry in changes.left)
            )
            _insert(
                db,
                "INSERT OR REPLACE INTO entries",
                [(*_entry_row(r), mark) for r in changes.changed if r.text is not None],
            )
            textless = [_entry_row(r) for r in changes.changed if r.text is None]
            kept = db.executemany(
                "UPDATE entries SET fingerprint = ?, slug = ?, first_seen = ?, published = ?, updated = ?, "
                "source = ?, build = ? WHERE id = ?",
                [(row[1], *row[3:], mark, row[0]) for row in textless],
            ).rowcount
            if textless and kept != len(
                textless
            ):  # identity.py reads the text of a record whose row is not there
                raise StateError(f"{self.path}: an entry's row went missing during the build; build again")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('build', ?)", (str(mark),))

    # -- parsed seed files ---------------------------------------------------------------

    def cached_files(self) -> dict[str, tuple[int, int, str]]:
        """Seed file → (size, mtime_ns, sha256) of each file in the parse cache; its pieces come from `cached_pieces`."""
        rows = self._query("SELECT source, size, mtime_ns, sha256 FROM files")
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def cached_pieces(self, source: str) -> str:
        """The cached parse of one seed file, as the JSON text `update_files` stored ("" when only its drafts are kept)."""
        return str(self._query("SELECT pieces FROM files WHERE source = ?", (source,))[0][0])

    def cached_drafts(self, zone: str, day: str) -> list[tuple[Any, ...]]:
        """The drafts made in time zone `zone` that are still good on `day`, in file order, as `update_files` stored them.

        All of them in one query: an unchanged file's drafts are all a build needs of it. Their texts are
        left out (None), as a build needs few of them (see `draft_texts`), and their contents come as UTF-8
        bytes, decoded only if they are read (see `entry.decoded_on_use`).
        """
        return self._query(
            "SELECT source, position, line, title, authors, summary, CAST(content_html AS BLOB), is_excerpt, "
            "tags, published, date_source, updated, explicit_id, source_url, fingerprint, NULL, base_slug, digest "
            "FROM drafts "
            "LEFT JOIN draft_digests USING (source, position) "
            "WHERE zone = ? AND day IN ('', ?) ORDER BY source, position",
            (zone, day),
        )

    def update_files(
        self,
        changed: Iterable[tuple[str, int, int, str, str]],
        drafts: Iterable[tuple[str, str, tuple[Any, ...]]],
        gone: Iterable[str],
        parser: str,
    ) -> None:
        """Store (source, size, mtime_ns, sha256, pieces as JSON) rows and (zone, day, draft row) drafts
        (see extract/stored.py); forget the files in `gone`, and the old drafts of those and of every file
        given drafts.

        Only what changed is written: editing one file of thousands writes one row of each.
        The rows are the work of `parser` (noted with them): another parser's are not used.
        A cold build stores some 60 MB here; it is written aside, as the parts are (see `save_parts`).
        """
        gone, drafts, changed = list(gone), list(drafts), list(changed)
        forget = sorted({*gone, *(row[2][0] for row in drafts)})

        def write(db: sqlite3.Connection) -> None:
            _delete_each(db, "DELETE FROM files WHERE source IN ({})", gone)
            for table in ("drafts", "draft_digests"):
                _delete_each(db, f"DELETE FROM {table} WHERE source IN ({{}})", forget)
            _insert(db, "INSERT OR REPLACE INTO files", changed)
            _insert(
                db,
                "INSERT INTO drafts",
                [(row[0], row[1], zone, day, *row[2:-1]) for zone, day, row in drafts],
            )
            _insert(db, "INSERT INTO draft_digests", [(row[0], row[1], row[-1]) for _, _, row in drafts])
            db.execute("INSERT OR REPLACE INTO meta VALUES ('parser', ?)", (parser,))

        self._verify()
        self._aside.write(write)

    # -- entries' parts (see outputs/parts.py) -------------------------------------------

    def part_keys(self, kind: str) -> dict[str, str]:
        """Entry id → key of the stored part of each entry of this kind (a list item: see outputs/parts.py).

        Read from the index `parts_keys`: scanning the table itself would read every part too.
        """
        return dict(self._query("SELECT entry, key FROM parts WHERE kind = ?", (kind,)))

    def stored_parts(self, kind: str, entries: list[str]) -> dict[str, bytes]:
        """The stored parts of `entries` of one kind, a few hundred to a query (SQLite's limit on parameters)."""
        sql = "SELECT entry, part FROM parts WHERE kind = ? AND entry IN ({})"
        return {entry: bytes(part) for entry, part in self._batched(sql, (kind,), entries)}

    def save_parts(self, kind: str, parts: list[tuple[str, str, bytes]]) -> None:
        """Store (entry id, key, part) rows of one kind; a part made anew replaces the entry's old one.

        Written aside, on a thread and a connection of their own: SQLite lets
        go of Python's lock while it writes them, so the build renders its next
        file meanwhile. The next write here, and closing the store, wait for them
        (and fail if they failed): the build's own writes never race them.
        """
        rows = [(entry, kind, key, part) for entry, key, part in parts]
        self._verify()
        self._aside.write(lambda db: _insert(db, "INSERT OR REPLACE INTO parts", rows))

    def forget_parts(self, keep: Collection[str], kinds: Collection[str]) -> None:
        """Drop the parts of every entry not in `keep` (the entries a build published), and every part of a
        kind not in `kinds` (those a build stores: an older publisher stored the feed parts too)."""
        # One scan of the primary key's index, not of the parts.
        rows = self._query("SELECT entry, kind FROM parts")
        gone = sorted({(entry,) for entry, _ in rows if entry not in keep})
        other = sorted({(kind,) for _, kind in rows if kind not in kinds})
        if gone or other:
            with self._write() as db:
                db.executemany("DELETE FROM parts WHERE kind = ?", other)
                db.executemany("DELETE FROM parts WHERE entry = ?", gone)

    # -- output manifest -----------------------------------------------------------------

    def outputs(self, out: Path) -> dict[str, tuple[str, int, int]]:
        rows = self._query("SELECT path, sha256, size, mtime_ns FROM outputs WHERE out = ?", (str(out),))
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def save_outputs(
        self,
        out: Path,
        manifest: Mapping[str, tuple[str, int, int]],
        saved: Mapping[str, tuple[str, int, int]],
    ) -> None:
        """Make `manifest` the output folder's, over `saved` (what `outputs` gave this build, under its lock).

        Only the rows that differ are written: after one edit, a dozen of ten thousand.
        """
        where = str(out)
        with self._write() as db:
            db.executemany(
                "DELETE FROM outputs WHERE out = ? AND path = ?",
                [(where, path) for path in sorted(saved.keys() - manifest.keys())],
            )
            _insert(
                db,
                "INSERT OR REPLACE INTO outputs",
                [(where, path, *row) for path, row in sorted(manifest.items()) if saved.get(path) != row],
            )

    def spans(self, out: Path, path: str) -> tuple[str, object] | None:
        """What the bytes of output `path` they describe are (as `publish.Row` says), and where each part
        lies in them, as `save_spans` kept it (see written.py)."""
        rows = self._query(
            "SELECT sha256, spans FROM packed_spans WHERE out = ? AND path = ?", (str(out), path)
        )
        if not rows:
            return None
        return rows[0][0], rows[0][1]

    def save_spans(
        self, out: Path, spans: Mapping[str, tuple[str, bytes]], published: Collection[str]
    ) -> None:
        """Keep (what their bytes are, their packed spans) for the output files a build wrote (see
        written.py); forget those of files no longer `published`.

        They go in `packed_spans`; the table `spans` held them as JSON, and is
        emptied, so that an older publisher, which reads JSON there, finds none
        and makes its feed parts again rather than fail on packed bytes.
        """
        where = str(out)
        rows = [(where, path, bytes_are, found) for path, (bytes_are, found) in sorted(spans.items())]
        known = self._query("SELECT path FROM packed_spans WHERE out = ?", (where,))
        with self._write() as db:
            db.execute("DELETE FROM spans WHERE out = ?", (where,))
            db.executemany(
                "DELETE FROM packed_spans WHERE out = ? AND path = ?",
                [(where, path) for (path,) in known if path not in published],
            )
            db.executemany("INSERT OR REPLACE INTO packed_spans VALUES (?, ?, ?, ?)", rows)

    # -- compiled templates (see outputs/environment.py) -----------------------------------

    def compiled_templates(self) -> dict[str, bytes]:
        """Key → code of each template an earlier build compiled."""
        return {key: bytes(code) for key, code in self._query("SELECT key, code FROM templates")}

    def save_templates(self, compiled: list[tuple[str, str, bytes]]) -> None:
        """Keep (key, template name, code) rows, each in place of the template's earlier one."""
        if not compiled:
            return
        with self._write() as db:
            db.executemany("DELETE FROM templates WHERE name = ?", ((name,) for _, name, _ in compiled))
            db.executemany("INSERT OR REPLACE INTO templates VALUES (?, ?, ?)", compiled)

    # -- settings and build keys ---------------------------------------------------------

    def get(self, key: str) -> str | None:
        return self._get(key)

    def put(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- digests -------------------------------------------------------------------------

    def last_digest(self) -> datetime | None:
        rows = self._query("SELECT until FROM digests ORDER BY until DESC LIMIT 1")
        return datetime.fromisoformat(rows[0][0]) if rows else None

    def mark_digest(self, until: datetime, at: datetime) -> None:
        """Record a digest as sent (the next one starts after `until`) and close any mailing under way."""
        with self._write() as db:
            db.execute("INSERT INTO digests VALUES (?, ?)", (at.isoformat(), until.isoformat()))
            db.execute("UPDATE mailings SET closed_at = ? WHERE closed_at IS NULL", (at.isoformat(),))

    # -- mailings: a digest being emailed, and who has it ------------------------------

    def open_mailing(self) -> tuple[str, datetime, bytes] | None:
        """(Message-ID, until, message) of the digest whose sending started and is not finished."""
        rows = self._query(
            "SELECT message_id, until, message FROM mailings WHERE closed_at IS NULL ORDER BY opened_at LIMIT 1"
        )
        return (rows[0][0], datetime.fromisoformat(rows[0][1]), bytes(rows[0][2])) if rows else None

    def open_new_mailing(self, message_id: str, until: datetime, message: bytes, at: datetime) -> None:
        """Remember the exact message before its first recipient gets it; re-runs resume this one."""
        with self._write() as db:
            db.execute(
                "INSERT INTO mailings VALUES (?, ?, ?, ?, NULL) "
                "ON CONFLICT (message_id) DO UPDATE SET closed_at = NULL",
                (message_id, until.isoformat(), message, at.isoformat()),
            )

    def served(self, message_id: str) -> dict[str, datetime]:
        """Recipients the server accepted this message for -> when."""
        rows = self._query(
            "SELECT recipient, at FROM deliveries WHERE message_id = ? AND status = ?", (message_id, SERVED)
        )
        return {row[0]: datetime.fromisoformat(row[1]) for row in rows}

    def record_delivery(self, message_id: str, recipient: str, status: str, reply: str, at: datetime) -> None:
        """One recipient's outcome, committed at once: a crash right after loses nothing."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?, ?)",
                (message_id, recipient, status, reply, at.isoformat()),
            )

    # -- plumbing ------------------------------------------------------------------------

    def check_ahead(self) -> None:
        """Start the check of the whole store that comes before the first write (see `open_state`) now, aside.

        A build with work reads for a while (the parse cache, the remembered
        entries) before its first write: the check (0.2 s for ten thousand
        pieces) runs meanwhile on a connection and a thread of its own, and so
        on another core, SQLite letting go of Python's lock. The first write
        still waits for it to pass.
        """
        if self._check is None and not self._checked:
            pool = ThreadPoolExecutor(1, thread_name_prefix="state-check")
            self._check = pool.submit(_quick_check, self.path)
            pool.shutdown(wait=False)  # the thread ends with the check

    def _get(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def _batched(self, sql: str, args: tuple[Any, ...], ids: list[str]) -> Iterator[tuple[Any, ...]]:
        """The rows of `sql` (its "{}" the marks of `ids`, after `args`), 500 ids to a query: SQLite limits
        the parameters of one."""
        for at in range(0, len(ids), 500):
            batch = ids[at : at + 500]
            yield from self._query(sql.format(", ".join("?" * len(batch))), (*args, *batch))

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; the first one checks the whole store first (see open_state)."""
        self._verify()
        try:
            self._aside.wait()
            with self._db:
                yield self._db
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from None

    def _verify(self) -> None:
        """Check the whole store before its first write (see open_state)."""
        if self._checked:
            return
        try:
            found = self._check.result() if self._check else _verdict(self._db)
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from None
        if found != "ok":
            raise _unreadable(self.path, sqlite3.DatabaseError("integrity check failed"))
        self._checked = True

    def close(self) -> None:
        """Close the store once the writes aside are done and a check started ahead is over: nothing of
        them outlives the `open_state` block. A write aside that failed fails here, if nothing waited for it.
        """
        try:
            if self._check is not None:
                wait([self._check])
            self._aside.close()
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from None
        finally:
            self._db.close()


PARAMETERS = 999
"""The most values one statement is given: SQLite takes no more before version 3.32."""


def _insert(db: sqlite3.Connection, insert: str, rows: Sequence[Sequence[Any]]) -> None:
    """`insert` ("INSERT INTO table") of every row, as many to a statement as `PARAMETERS` allows.

    The writes of the state store's thread (see `_Aside`) take Python's lock
    back after each statement, from the thread that renders: ten thousand
    drafts a statement apiece (`executemany`) did so ten thousand times, and
    took 0.53 s of CPU; 50 to a statement, 0.30 s.
    """
    if not rows:
        return
    width = len(rows[0])
    values = "(" + ", ".join("?" * width) + ")"
    step = max(1, PARAMETERS // width)
    for at in range(0, len(rows), step):
        batch = rows[at : at + step]
        db.execute(f"{insert} VALUES {', '.join([values] * len(batch))}", [v for row in batch for v in row])


def _delete_each(db: sqlite3.Connection, sql: str, sources: list[str]) -> None:
    """`sql` (its "{}" the marks) for `sources`, as many to a statement as `PARAMETERS` allows: a cold build
    forgets ten thousand files that have no rows (see `_insert`)."""
    for at in range(0, len(sources), PARAMETERS):
        batch = sources[at : at + PARAMETERS]
        db.execute(sql.format(", ".join("?" * len(batch))), batch)


class _Aside:
    """Writes done on one thread with a connection of its own, in the order given (see `State.save_parts`,
    `State.update_files`)."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self.path, self.synchronous = path, synchronous
        self._pool: ThreadPoolExecutor | None = None
        self._db: sqlite3.Connection | None = None  # opened, used and closed on the pool's thread
        self._pending: list[Future[None]] = []

    def write(self, writes: Callable[[sqlite3.Connection], object]) -> None:
        """Run `writes` in one transaction, on the thread (it must not use anything the caller changes later)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="state-aside")
        self._pending.append(self._pool.submit(self._run, writes))

    def wait(self) -> None:
        """Until every write handed over is done; the first that failed raises its error."""
        pending, self._pending = self._pending, []
        for job in pending:
            job.result()

    def close(self) -> None:
        """Wait, then close the thread's connection and end the thread, even when a write failed."""
        if self._pool is None:
            return
        try:
            self.wait()
        finally:
            self._pool.submit(self._disconnect).result()
            self._pool.shutdown()
            self._pool = None

    def _run(self, writes: Callable[[sqlite3.Connection], object]) -> None:
        if self._db is None:
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.execute(f"PRAGMA synchronous={self.synchronous}")
        with self._db:
            writes(self._db)

    def _disconnect(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _quick_check(path: Path) -> str:
    """`_verdict` on a connection of its own, for `check_ahead`."""
    db = sqlite3.connect(path, timeout=30)
    try:
        return _verdict(db)
    finally:
        db.close()


def _verdict(db: sqlite3.Connection) -> str:
    """SQLite's verdict on the whole store: "ok", or what is wrong."""
    return str(db.execute("PRAGMA quick_check").fetchone()[0])


@contextmanager
def open_state(path: Path, *, durable: bool = False) -> Iterator[State]:
    """Open (creating if needed) the store; a damaged one is an error, never a reset.

    The whole store is checked (SQLite `quick_check`) before anything is
    written to it, not on opening: the check reads every page (tens of
    milliseconds for a large site), and most builds only read a few rows and
    find nothing to do (a build with work starts it early: `State.check_ahead`).
    A damaged page that is read fails on its own, with the same message.

    `durable` makes every commit survive a power cut too, not only a crash of
    the process (SQLite `synchronous=FULL`): the sender uses it so that a
    recipient recorded as served stays recorded.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StateError(f"{path}: cannot open the state store ({exc})") from None
    db.isolation_level = "DEFERRED"
    state = State(path, db, _synchronous(durable))
    try:
        _prepare(state, db, durable)
        yield state
    finally:
        state.close()


def _synchronous(durable: bool) -> str:
    return "FULL" if durable else "NORMAL"


def _prepare(state: State, db: sqlite3.Connection, durable: bool) -> None:
    try:
        db.execute(f"PRAGMA page_size={PAGE_BYTES}")  # before WAL: that writes the header of a new store
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={_synchronous(durable)}")
        present = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if not _SCHEMA_NAMES.issubset(present):  # a new store, or one from before a table was added
            with state._write():
                db.executescript(_SCHEMA)
        version = state.get("schema")
        if version is None:
            state.put("schema", SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version}, this publisher reads {SCHEMA_VERSION}")
    except sqlite3.DatabaseError as exc:
        raise _unreadable(state.path, exc) from None


def _unreadable(path: Path, exc: Exception) -> StateError:
    return StateError(
        f"{path}: the state store is unreadable ({exc}). Move it aside (mv {path} {path}.broken) and run "
        "`publisher build` again to start a new one; undated pieces will get new first-seen dates."
    )
