"""Feed parts made on another core while this one renders the pages.

A cold build (or the first after an upgrade) makes every entry's Atom entry,
RSS item and JSON item: a third of its rendering, and none of it needed by
the pages. When enough entries have no part in the feed files as last
written (`Cores.helps`), a worker process (processes.py) is fed them, a
chunk at a time, and makes their parts while the build renders its pages;
`render_feeds` takes them instead of making them. The worker runs this same
code, so its bytes are the ones the build would make; a worker that fails
costs only the head start, as its parts are then made here, as without it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from ..entry import Entry
from ..processes import FED, Cores, Worker
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


class Premade:
    """The feed parts a worker makes during one build (none when it has no worker)."""

    def __init__(
        self,
        worker: Worker | None = None,
        answers: int = 0,
        patience: float = 0.0,
        formats: tuple[Format, ...] = tuple(Format),
    ) -> None:
        self.worker, self.answers, self.patience, self.formats = worker, answers, patience, formats
        self.started = time.monotonic()
        self.made: dict[Format, dict[str, bytes]] = {}

    def parts(self, fmt: Format) -> dict[str, bytes]:
        """The worker's parts in `fmt`, handed over once; the first call waits for all of them (the worker then
        ends before the feeds are joined, the build's largest need of memory). {} if the worker failed."""
        if self.worker is not None:
            self.made = self._take_all(self.worker)
            self.worker = None
        return self.made.pop(fmt, {})

    def _take_all(self, worker: Worker) -> dict[Format, dict[str, bytes]]:
        made: dict[Format, dict[str, bytes]] = {fmt: {} for fmt in self.formats}
        try:
            for _ in range(self.answers):
                chunk = worker.next(self.patience + 4 * (time.monotonic() - self.started))  # see Cores
                if not _is_chunk(chunk, len(self.formats)):
                    raise ValueError(f"its answer is not a chunk of parts: {str(chunk)[:60]}")
                for fmt, parts in zip(self.formats, chunk, strict=True):
                    made[fmt].update(parts)
        except Exception as why:  # whatever went wrong (a worker's garbage can raise anything): made here
            log.warning("a rendering worker failed (%s); making its feed parts here", why)
            worker.stop()
            return {}
        return made


def _is_chunk(answer: object, formats: int) -> bool:
    """Whether a worker's answer is a `Chunk`: one dict of entry id → bytes per format written."""
    return (
        isinstance(answer, tuple)
        and len(answer) == formats
        and all(isinstance(parts, dict) for parts in answer)
        and all(
            isinstance(key, str) and isinstance(part, bytes)
            for parts in answer
            for key, part in parts.items()
        )
    )


@contextmanager
def premaking(
    entries: Sequence[Entry],
    keys: Keys,
    kept: Collection[str] = (),
    cores: Cores | None = None,
    formats: tuple[Format, ...] = tuple(Format),
) -> Iterator[Premade]:
    """A worker making the feed parts in `formats` of `entries` whose part key is not in `kept` (the keys of
    the parts the feed files hold as last written: see written.py), when there are enough.

    The first format's parts stand for all of them: a build writes the
    formats together. On leaving the block the worker is stopped, so an
    error that stops the build leaves no process behind.
    """
    cores = cores or Cores()
    wanted = [entry for entry in entries if keys.entry_key(entry) not in kept]
    if not cores.helps(len(wanted)):
        yield Premade(formats=formats)
        return
    with ThreadPoolExecutor(3) as pipes:  # the worker's job, its answers, its errors
        size = cores.chunk_entries
        chunks = [wanted[at : at + size] for at in range(0, len(wanted), size)]
        worker = Worker(make_parts, (FED, formats), cores.worker, pipes, feed=chunks)
        try:
            yield Premade(worker, len(chunks), cores.patience, formats)
        finally:
            worker.stop()
