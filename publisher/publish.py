"""The one place that writes to the output folder: atomically, only on change, one build at a time.

Publishing has two steps. `stage` writes each new or changed file to a
temporary file in its own folder as the files are rendered, so a build never
holds the whole site in memory, and flushes them to disk. `commit` then moves
every staged file over the old one with `os.replace`, so a reader (or a
crash) sees either the old complete file or the new complete file, never a
torn one; and if rendering fails half way, `stage` removes what it staged and
the output folder is exactly as it was.

A file whose bytes would not change is not touched, so its mtime (and the
ETag nginx derives from it) stays put. Files are committed in the order given
(pages before the feeds that link to them); pages of removed entries are
deleted only after the feeds no longer list them. Only files the publisher
itself wrote, per the manifest in the state store, are ever deleted.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import mmap
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from types import MappingProxyType

from .errors import LockBusy, PublisherError

log = logging.getLogger("publisher")
TEMP_PREFIX = ".publisher-tmp-"
MAX_NAME_BYTES = 255  # the longest file name Linux, macOS and Windows file systems take
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))]
)
"""Windows device names: `nul.html` cannot be a file there, so a synced copy of dist/ would break."""
Row = tuple[str, int, int]
"""A file as the manifest knows it: (what its bytes are, size, mtime_ns). What its bytes are is their SHA-256,
or for a file given as chunks with a name for its bytes, `NAMED` and that name (see `stage`)."""
NAMED = "key:"
"""Starts the name a file's bytes were given, which no SHA-256 in hex does."""
Buffers = Sequence[bytes | memoryview]
Data = bytes | Buffers
"""A file's bytes, or the chunks they are joined from, in order (a feed: its head, ten thousand parts mostly
mapped from the last build's file, its tail; see outputs/feeditem.py). Chunks are written as they are, with
`os.writev`: joining a site feed's first copied 60 MB into fresh memory, and the kernel copies them anyway."""
Manifest = dict[str, Row]  # path -> its row


@dataclass
class Published:
    """What a publish step did; `manifest` is what the output folder now holds of ours."""

    manifest: Manifest = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class Staged:
    """Files rendered and written to temporary files, not yet in place: what `commit` finishes."""

    out: Path
    previous: Manifest
    manifest: Manifest = field(default_factory=dict)
    moves: list[tuple[str, str, str]] = field(default_factory=list)  # (name, temporary file, target)
    waited: float = 0.0  # seconds waiting for writer threads (logged; on disk, mostly the disk)


def stage(
    out: Path,
    files: Iterable[tuple[str, Data | None]],
    previous: Manifest,
    names: Mapping[str, str] = MappingProxyType({}),
) -> Staged:
    """Write each of `files` (relative path, `Data`) whose bytes changed to a temporary file beside its target.

    `files` may be a generator that renders as it goes: each file's bytes are
    dropped once written. Bytes of None mean "keep this file as it is": the
    caller has checked that it is still as the manifest says (see `intact`)
    and that it would not change. A file of `LARGE` bytes or more is written
    by one of `WRITERS` threads while the next ones render; a smaller one
    right away (see `_Pending`). Files are staged in the order given, and
    flushed to disk together at the end (`os.sync`), not one by one: ten
    thousand `fsync` calls on this machine's disk took 3.6 s, one `sync` after
    the same writes 0.02 s. If anything fails (rendering included), the
    temporary files are removed and the error goes on.

    A file given as chunks is known by its name in `names`, when it has one
    (the pipeline names a feed by its output key, which covers everything its
    bytes are made from: see outputs/keys.py), not hashed: a cold build of
    10,000 pieces writes 720 MB of feeds, about 0.5 s of SHA-256 at the
    1.5 GB/s it runs at here. Its bytes are compared with the file it
    replaces when that is as large, and so may hold them already (see
    `_holding`): then that file is kept, mtime and all.
    """
    _make_folders(out)
    remove_leftovers(out)
    staged = Staged(out, previous)
    pending: deque[_Pending] = deque()
    listed = Listed(out)
    with ThreadPoolExecutor(WRITERS) as writers:
        try:
            for name, data in files:
                pending.append(_Pending.of(name, out, data, previous, writers, listed, names.get(name, "")))
                while pending and (pending[0].done() or _ahead(pending) > AHEAD_BYTES):
                    pending.popleft().into(staged)
            while pending:
                pending.popleft().into(staged)
        except BaseException:
            for waiting in pending:
                waiting.forget()
            discard(staged)
            raise
    log.info("staged %d new files, %.1f s of it waiting for writer threads", len(staged.moves), staged.waited)
    if staged.moves:
        os.sync()
    return staged


@dataclass
class Listed:
    """The names in each output folder when a staging first looks there, one listing a folder.

    A file the manifest does not know is compared with what its target
    holds, if anything: a cold build stages ten thousand pages into an empty
    folder, and a `stat` of each missing target took Python's lock back ten
    thousand times while the worker's answers and the state store's writes
    waited for it. A folder that cannot be listed may hold anything.
    """

    out: Path
    folders: dict[str, frozenset[str] | None] = field(default_factory=dict)

    def may_hold(self, name: str) -> bool:
        """Whether output `name` may already exist (False only when its folder's listing lacks it)."""
        folder, _, base = name.rpartition("/")
        if folder not in self.folders:
            self.folders[folder] = _names_in(self.out / folder)
        names = self.folders[folder]
        return names is None or base in names


def _names_in(folder: Path) -> frozenset[str] | None:
    try:
        return frozenset(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return frozenset()
    except OSError:
        return None


WRITERS = 4
"""Large files written at once. Writing and hashing one let go of Python's lock for long stretches (a
`writev` of a thousand chunks, a hash of 16 MiB), so the build renders the next files meanwhile."""

LARGE = 2**20
"""Files this large go to a writer thread. A smaller one is written by the thread that renders: handing each
page to a thread cost more than writing it. Ten thousand 8 KB pages took 0.5 s to write one after another,
and 2.1 s in four writer threads beside a rendering thread, every system call of a writer waiting to take
Python's lock back."""

AHEAD_BYTES = 64 * 2**20
"""The most rendered bytes waiting to be written (a site feed of ten thousand entries is about 60 MB)."""


def _ahead(pending: deque[_Pending]) -> int:
    return sum(p.size for p in pending if not p.done())


@dataclass(frozen=True)
class _Pending:
    """A file in staging order: written (`job` is its temporary file, or None, and its row) or being written
    by a writer thread (`job` is its future)."""

    name: str
    target: str
    job: Future[tuple[str | None, Row]] | tuple[str | None, Row]
    size: int = 0

    @classmethod
    def of(
        cls,
        name: str,
        out: Path,
        data: Data | None,
        previous: Manifest,
        writers: ThreadPoolExecutor,
        listed: Listed,
        named: str,
    ) -> _Pending:
        """Stage one file: kept (data None), written now, or handed to a writer when it is `LARGE`; `named` is
        the name of its bytes, or "" (see `stage`)."""
        if data is None:
            return cls(name, "", (None, previous[name]))
        target = f"{out}/{_safe_name(name)}"  # a string: a cold build's ten thousand `Path`s took ~0.2 s
        size = _size_of(data)
        known = previous.get(name)
        found = known is not None or listed.may_hold(name)
        if size < LARGE:
            return cls(name, target, _stage_file(target, data, known, found, named))
        return cls(name, target, writers.submit(_stage_file, target, data, known, found, named), size)

    def done(self) -> bool:
        return isinstance(self.job, tuple) or self.job.done()

    def into(self, staged: Staged) -> None:
        """Wait for the file to be written, and stage it."""
        if isinstance(self.job, tuple):
            temp, row = self.job
        else:
            started = time.monotonic()
            temp, row = self.job.result()
            staged.waited += time.monotonic() - started
        if temp is not None:
            staged.moves.append((self.name, temp, self.target))
        staged.manifest[self.name] = row

    def forget(self) -> None:
        """Wait for the file's writer, and remove what it wrote (the staging failed)."""
        if isinstance(self.job, tuple):
            temp = self.job[0]
        elif self.job.cancel() or self.job.exception():
            return
        else:
            temp = self.job.result()[0]
        if temp is not None:
            _remove(temp)


def _stage_file(
    target: str, data: Data, known: Row | None, found: bool, named: str
) -> tuple[str | None, Row]:
    """`data` in a temporary file beside `target` (or no file, when `target` holds it already) and its row.

    Chunks `named` are compared with `target` itself, when it is as large; other chunks are written first
    (a chunk may be a view of `target` itself) and hashed as written, then compared. `found` False says
    `target` is not there (see `Listed`): nothing to compare.
    """
    if isinstance(data, bytes):
        row = _unchanged(target, len(data), lambda: _sha256(data), known) if found else None
        return (None, row) if row is not None else _write_temp(target, data)
    if named:
        stat = _holding(target, data) if found else None
        if stat is None:
            return _write_temp(target, data, named=named)
        return None, (NAMED + named, stat.st_size, stat.st_mtime_ns)
    temp, row = _write_temp(target, data)
    if not found:
        return temp, row
    kept = _unchanged(target, row[1], lambda: row[0], known)
    if kept is None:
        return temp, row
    os.unlink(temp)
    return None, kept


def _holding(target: str, chunks: Buffers) -> os.stat_result | None:
    """`target`'s stat, if it holds exactly the bytes `chunks` join to; else None.

    Compared a chunk at a time, no further than the first that differs, each
    as bytes copied out of the file's mapping: a `memoryview` compares byte by
    byte, 57 MB in 0.27 s against 0.02 s so; hashing both files instead took
    0.08 s, for every edit that keeps a feed's size (a typo fixed).
    A target that cannot be read holds nothing: writing over it says why.
    """
    try:
        fd = os.open(target, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        stat = os.fstat(fd)
        if stat.st_size != _size_of(chunks):
            return None
        return stat if stat.st_size == 0 or _holds(fd, stat.st_size, chunks) else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _holds(fd: int, size: int, chunks: Buffers) -> bool:
    """Whether the file open as `fd` holds the bytes `chunks` join to: the chunks made anew compared first
    (an edited entry's part is where the bytes most likely differ), the views of files already written last.

    An entry edited in the middle of the 57 MB site feed of 10,000 entries (the file as large as before):
    found in 23-38 ms comparing in order, holding Python's lock, in 2 ms so.
    """
    offsets = list(accumulate(map(len, chunks), initial=0))
    anew_first = sorted(range(len(chunks)), key=lambda at: not isinstance(chunks[at], bytes))
    with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as mapped:
        for at in anew_first:
            chunk = chunks[at]
            if mapped[offsets[at] : offsets[at + 1]] != (
                chunk if isinstance(chunk, bytes) else chunk.tobytes()
            ):
                return False
    return True


def _size_of(data: Data) -> int:
    """How many bytes `data` is."""
    return len(data) if isinstance(data, bytes) else sum(map(len, data))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: str | Path, size: int) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return _written_sha256(fd, size)
    finally:
        os.close(fd)


def _written_sha256(fd: int, size: int) -> str:
    """The SHA-256 of the file open as `fd`, hashed over its mapping, `HASH_WINDOW` bytes to a call.

    Hashing a feed's ten thousand chunks one by one, in a writer thread, took
    Python's lock back after every chunk, each time waiting for the thread
    that renders: 7 s for a 60 MB feed against 0.04 s in one call. A window
    at a time, not the whole file at once: mapped pages count as the
    process's memory while they are mapped.
    """
    digest = hashlib.sha256()
    for at in range(0, size, HASH_WINDOW):
        with mmap.mmap(fd, min(HASH_WINDOW, size - at), access=mmap.ACCESS_READ, offset=at) as window:
            digest.update(window)
    return digest.hexdigest()


HASH_WINDOW = 16 * 2**20
"""How much of a written file is mapped to hash it at once (a multiple of `mmap.ALLOCATIONGRANULARITY`)."""


def discard(staged: Staged) -> None:
    """Remove the temporary files of a staging that will not be committed."""
    for _, temp, _ in staged.moves:
        _remove(temp)


def commit(staged: Staged, *, remove: bool = True) -> Published:
    """Move the staged files into place in order, then remove our files that are gone.

    With `remove` False (a partial build) our files that are gone stay, and
    stay ours in the manifest, so that a later full build still removes them.
    """
    result = Published(dict(staged.manifest))
    folders: set[str] = set()
    for name, temp, target in staged.moves:
        _replace(temp, target)
        result.written.append(name)
        folders.add(os.path.dirname(target))
    for name in sorted(set(staged.previous) - set(staged.manifest)):
        gone = staged.out / safe_relative(name)
        if not remove:
            result.manifest[name] = staged.previous[name]
        elif gone.is_file():
            gone.unlink()
            result.removed.append(name)
            folders.add(str(gone.parent))
    for folder in folders:
        _fsync_dir(folder)
    return result


def intact(out: Path, manifest: Manifest) -> set[str]:
    """The files of `manifest` still as we wrote them (same size and mtime)."""
    found = set()
    folder = os.path.join(out, "")  # one join, not one per file: every build, a no-op too, runs this
    for name, (_, size, mtime) in manifest.items():
        try:
            stat = os.stat(folder + name)
        except OSError:
            continue
        if (stat.st_size, stat.st_mtime_ns) == (size, mtime):
            found.add(name)
    return found


def publish_file(out: Path, name: str, data: bytes) -> bool:
    """Write one file that is not part of a build (the digest to send), only if its bytes differ.

    Call it under the build lock: a build deletes temporary files it finds.
    """
    target = out / safe_relative(name)
    if _unchanged(target, len(data), lambda: _sha256(data), None) is not None:
        return False
    write_atomic(target, data)
    _fsync_dir(target.parent)
    return True


def withdraw_file(out: Path, name: str) -> bool:
    """Remove one file that is not part of a build (a digest already sent); False when it was not there.

    Call it under the build lock, as `publish_file`.
    """
    target = out / safe_relative(name)
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    _fsync_dir(target.parent)
    return True


def write_atomic(target: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and `os.replace` (a file outside a build's staging)."""
    temp, _ = _write_temp(target, data, flush=True)
    _replace(temp, target)


def _write_temp(target: str | Path, data: Data, *, flush: bool = False, named: str = "") -> tuple[str, Row]:
    """`data` in a temporary file beside `target` (flushed to disk with `flush`, else left to the `os.sync`
    that ends a staging), and the manifest row `target` will have (see `Row`: chunks `named` are not hashed).

    File descriptors and `os` calls, not `open()` and a folder made for every file: a cold build writes
    ten thousand pages, and a writer thread takes Python's lock again after each call.
    """
    folder, name = os.path.split(target)
    temp = os.path.join(folder, f"{TEMP_PREFIX}{os.getpid()}-{name}")
    try:
        fd = _create(temp)
        try:
            write_all(fd, [data] if isinstance(data, bytes) else data)
            if flush:
                os.fsync(fd)
            os.fchmod(fd, 0o644)
            stat = os.fstat(fd)
            if isinstance(data, bytes):
                digest = _sha256(data)
            else:
                digest = NAMED + named if named else _written_sha256(fd, stat.st_size)
        finally:
            os.close(fd)
    except OSError as exc:
        _remove(temp)
        raise PublisherError(f"{target}: cannot write ({exc.strerror})") from None
    return temp, (digest, stat.st_size, stat.st_mtime_ns)


def _create(path: str) -> int:
    """A new, empty file open for writing; its folder is made only when it is missing."""
    flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC  # read too: chunks are hashed as written
    try:
        return os.open(path, flags, 0o644)
    except FileNotFoundError:
        _make_folders(Path(path).parent)
        return os.open(path, flags, 0o644)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _make_folders(folder: Path) -> None:
    """`folder` and any of its parents that are missing, each rwxr-xr-x whatever the umask, as the files are
    rw-r--r--: cron may run with umask 077, and a web server must still be able to enter them."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:  # made meanwhile by another writer (or a file is in the way: that fails next)
            continue
        os.chmod(path, 0o755)


def write_all(fd: int, chunks: Buffers) -> None:
    """`os.writev` until every chunk is written, in order: a write a signal cuts short says how much it wrote,
    and a call takes at most `IOV_MAX` chunks."""
    views = list(chunks)  # only a chunk written in part is sliced (as a memoryview, not copied)
    at = 0
    while at < len(views):
        done = os.writev(fd, views[at : at + IOV_MAX])
        while at < len(views) and done >= len(views[at]):
            done -= len(views[at])
            at += 1
        if done:
            views[at] = memoryview(views[at])[done:]


IOV_MAX = os.sysconf("SC_IOV_MAX")
"""The most chunks one `os.writev` takes (1024 on Linux)."""


def _replace(temp: str, target: str | Path) -> None:
    """Move a staged file into place (the rename keeps its mtime, which the manifest row recorded)."""
    try:
        os.replace(temp, target)
    except OSError as exc:
        _remove(temp)
        raise PublisherError(f"{target}: cannot write ({exc.strerror})") from None


def remove_leftovers(out: Path) -> list[Path]:
    """Delete temporary files a killed build left behind (they are never served as outputs)."""
    leftovers = sorted(out.rglob(f"{TEMP_PREFIX}*"))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers


def safe_relative(name: str) -> Path:
    """A relative output path that cannot leave the output folder, nor trip up a copy of it on Windows."""
    return Path(_safe_name(name))


def _safe_name(name: str) -> str:
    """`name` itself, if it is a path that `safe_relative` takes; checked as a string, not a `PurePosixPath`
    (16 µs a name, for each of ten thousand pages). An empty part (a leading, doubled or trailing "/") is
    refused too: output names are never written so."""
    if not all(map(_safe_part, name.split("/"))):
        raise PublisherError(f"refusing to write outside the output folder: {name!r}")
    return name


def _safe_part(part: str) -> bool:
    return (
        part not in ("", ".", "..")
        and not any(c in part for c in "\0\\:")
        and part.split(".")[0].lower() not in RESERVED_NAMES
        and len(part.encode()) <= MAX_NAME_BYTES
    )


def _unchanged(target: str | Path, size: int, digest: Callable[[], str], known: Row | None) -> Row | None:
    """The manifest row when `target` already holds exactly the `size` bytes whose SHA-256 `digest` gives,
    else None.

    When the file's size and mtime are what we recorded, its recorded hash is
    trusted and the file is not read again: a no-op rebuild stays cheap. A
    file known by the name of its bytes (see `Row`) is hashed, as one that
    changed since.
    """
    try:
        stat = os.stat(target)
    except FileNotFoundError:
        return None
    if stat.st_size != size:
        return None
    if known and known[1:] == (stat.st_size, stat.st_mtime_ns) and not known[0].startswith(NAMED):
        return known if known[0] == digest() else None
    found = _file_sha256(target, stat.st_size)
    return (found, stat.st_size, stat.st_mtime_ns) if found == digest() else None


def _fsync_dir(folder: str | Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def build_lock(path: Path, wait: float = 0.0, what: str = "build") -> Iterator[None]:
    """Hold an exclusive `flock` on `path` for one build (or one `what`: the sender has its own).

    The kernel releases it when the process dies, however it dies, so there is
    no stale PID file to clean up. Waits up to `wait` seconds, then raises
    LockBusy (exit 75, EX_TEMPFAIL: cron tries again next time).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+b")  # noqa: SIM115 - held for the whole block
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"another {what} is running (lock {path}); try again later or pass --wait SECONDS"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        handle.close()
