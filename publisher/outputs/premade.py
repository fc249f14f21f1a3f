"""Feed parts made on another core while this one renders the pages.

A cold build (or the first after an upgrade) makes every entry's Atom entry,
RSS item and JSON item: a third of its rendering, and none of it needed by
the pages. When enough entries have no part in the feed files as last
written (`Cores.helps`), a worker process (processes.py) is fed them, a
chunk at a time, and makes their parts while the build renders its pages;
`render_feeds` takes them instead of making them. The worker runs this same
code, so its bytes are the ones the build would make; a worker that fails
costs only the head start, as its parts are then made here, as without it.

The worker writes the parts into a file the build opened for it (nameless,
gone when closed) and answers only where each lies; the build maps the
file and joins the feeds from views of it, as it does the last build's
feed files (see written.py). Sent back through the pipe, the 200 MB of a
cold build's 30,000 parts kept the build's reading thread taking Python's
lock from the thread rendering the pages: that thread waited 0.71 to 0.86 s
of the entry pages' 4.1 to 4.5 s (three builds), and 0.21 to 0.34 s since.
"""

from __future__ import annotations

import logging
import mmap
import os
import tempfile
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from ..entry import Entry
from ..processes import FED, Cores, Worker
from ..publish import write_all
from .feeditem import FeedItems, MakePart
from .feedplan import Format
from .feeds import EntryParts, FeedEntries
from .jsonfeed import JsonItems
from .keys import Keys

log = logging.getLogger("publisher")


def part_maker(fmt: Format, items: FeedItems, entries: FeedEntries) -> MakePart:
    """What serializes one entry's part in `fmt`."""
    return JsonItems(items) if fmt is Format.JSON else EntryParts(fmt, entries)


Chunk = tuple[dict[str, bytes], ...]
"""One answer: entry id → part, in each format the build writes (`formats`, in `Format` order)."""


def make_parts(
    chunks: Iterable[Sequence[Entry]], formats: tuple[Format, ...] = tuple(Format)
) -> Iterator[Chunk]:
    """The worker's task: the parts in `formats` of each chunk of entries it is fed, a chunk to an answer
    (see `Cores.chunk_entries`)."""
    for chunk in chunks:
        items = FeedItems()
        feed_entries = FeedEntries(items)
        makers = [part_maker(fmt, items, feed_entries) for fmt in formats]
        yield tuple({entry.id: make(entry) for entry in chunk} for make in makers)


Placed = tuple[dict[str, tuple[int, int]], ...]
"""One answer of `write_parts`: entry id → (offset, size) of its part in the file, in each format written."""


def write_parts(chunks: Iterable[Sequence[Entry]], formats: tuple[Format, ...], fd: int) -> Iterator[Placed]:
    """The worker's task: the parts of `make_parts` written to the file open as `fd` (from where it stands),
    and for each chunk where they lie in it."""
    at = os.lseek(fd, 0, os.SEEK_CUR)
    for chunk in make_parts(chunks, formats):
        placed = []
        for parts in chunk:
            found = {}
            for entry, part in parts.items():
                found[entry] = (at, len(part))
                at += len(part)
            placed.append(found)
        write_all(fd, [part for parts in chunk for part in parts.values()])
        yield tuple(placed)


class Premade:
    """The feed parts a worker makes during one build (none when it has no worker)."""

    def __init__(
        self,
        worker: Worker | None = None,
        answers: int = 0,
        patience: float = 0.0,
        formats: tuple[Format, ...] = tuple(Format),
        fd: int = -1,
    ) -> None:
        self.worker, self.answers, self.patience, self.formats = worker, answers, patience, formats
        self.fd = fd  # the file the worker writes the parts into
        self.started = time.monotonic()
        self.made: dict[Format, dict[str, bytes | memoryview]] = {}

    def parts(self, fmt: Format) -> dict[str, bytes | memoryview]:
        """The worker's parts in `fmt`, handed over once; the first call waits for all of them (the worker then
        ends before the feeds are joined). {} if the worker failed."""
        if self.worker is not None:
            self.made = self._take_all(self.worker)
            self.worker = None
        return self.made.pop(fmt, {})

    def _take_all(self, worker: Worker) -> dict[Format, dict[str, bytes | memoryview]]:
        spans: dict[Format, dict[str, tuple[int, int]]] = {fmt: {} for fmt in self.formats}
        try:
            for _ in range(self.answers):
                chunk = worker.next(self.patience + 4 * (time.monotonic() - self.started))  # see Cores
                if not _is_chunk(chunk, len(self.formats)):
                    raise ValueError(f"its answer is not a chunk of parts: {str(chunk)[:60]}")
                for fmt, found in zip(self.formats, chunk, strict=True):
                    spans[fmt].update(found)
            return _mapped(self.fd, spans)
        except Exception as why:  # whatever went wrong (a worker's garbage can raise anything): made here
            log.warning("a rendering worker failed (%s); making its feed parts here", why)
            worker.stop()
            return {}


def _mapped(
    fd: int, spans: dict[Format, dict[str, tuple[int, int]]]
) -> dict[Format, dict[str, bytes | memoryview]]:
    """Each part as a view of the file open as `fd`, mapped; ValueError if a span lies beyond its end."""
    size = os.fstat(fd).st_size
    view = memoryview(mmap.mmap(fd, size, access=mmap.ACCESS_READ)) if size else memoryview(b"")
    if any(at + length > size for found in spans.values() for at, length in found.values()):
        raise ValueError("its answer points past the parts it wrote")
    return {
        fmt: {entry: view[at : at + n] for entry, (at, n) in found.items()} for fmt, found in spans.items()
    }


def _is_chunk(answer: object, formats: int) -> bool:
    """Whether a worker's answer is `Placed`: one dict of entry id → (offset, size) per format written."""
    return (
        isinstance(answer, tuple)
        and len(answer) == formats
        and all(isinstance(found, dict) for found in answer)
        and all(
            isinstance(key, str)
            and type(span) is tuple
            and len(span) == 2
            and all(type(number) is int and number >= 0 for number in span)
            for found in answer
            for key, span in found.items()
        )
    )


@contextmanager
def premaking(
    entries: Sequence[Entry],
    keys: Keys,
    kept: Collection[str] = (),
    cores: Cores | None = None,
    formats: tuple[Format, ...] = tuple(Format),
    folder: Path | None = None,
) -> Iterator[Premade]:
    """A worker making the feed parts in `formats` of `entries` whose part key is not in `kept` (the keys of
    the parts the feed files hold as last written: see written.py), when there are enough; it writes them
    into a nameless file in `folder` (the system's temporary folder when None).

    The first format's parts stand for all of them: a build writes the
    formats together. On leaving the block the worker is stopped, so an
    error that stops the build leaves no process behind.
    """
    cores = cores or Cores()
    wanted = [entry for entry in entries if keys.entry_key(entry) not in kept]
    if not cores.helps(len(wanted)):
        yield Premade(formats=formats)
        return
    with (
        ThreadPoolExecutor(3) as pipes,
        tempfile.TemporaryFile(dir=folder) as parts,
    ):  # pipes: job, answers, errors
        size = cores.chunk_entries
        chunks = [wanted[at : at + size] for at in range(0, len(wanted), size)]
        fd = parts.fileno()
        worker = Worker(write_parts, (FED, formats, fd), cores.worker, pipes, feed=chunks, pass_fds=(fd,))
        try:
            yield Premade(worker, len(chunks), cores.patience, formats, fd)
        finally:
            worker.stop()
