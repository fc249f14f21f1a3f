"""Seed files read and dated on every usable core: the parent takes the first share, worker processes the rest.

Parsing a file (YAML, cmark-gfm, nh3) and dating its pieces into drafts
need nothing of the other files, so the process that parses a file drafts
it too. A bad piece's error is kept with the file's drafts, not raised: the
build meets it later, in file order, as if it had drafted the file itself.

The workers are those of processes.py. Results come back in file order,
whoever made them, and are exactly what `Reader` gives here: a worker that
dies, hangs or answers nonsense has its share read by the parent instead
(with a logged warning). Starting a worker costs about 0.2 s (the
interpreter and the readers' imports), so below `Cores.share_bytes` of seed
files per process everything is read here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from ..errors import InputError
from ..processes import Cores, Worker
from ..sources import SeedFile
from ..sources.piece import Piece
from ..sources.read import read_seed_file
from .entries import Draft, file_drafts
from .stored import keeps_pieces

log = logging.getLogger("publisher")


@dataclass(frozen=True, slots=True)
class FileRead:
    """One file as read: its drafts, whether every piece made one, the errors of those that did not;
    its warnings; its pieces, only when the parse cache must keep them (see `keeps_pieces`); and the
    SHA-256 of the bytes read (the build need not read the file again to hash it)."""

    pieces: list[Piece]
    warnings: list[str]
    drafts: list[Draft]
    complete: bool
    errors: list[InputError]
    sha256: str


Parsed = FileRead | InputError
"""One file as read, or why it cannot be read."""


@dataclass(frozen=True)
class Reader:
    """Reads and dates one seed file; what a build needs to do so (pickled to the workers)."""

    encoding: str
    seeds: Path
    tz: tzinfo
    now: datetime

    def __call__(self, seed: SeedFile) -> Parsed:
        try:
            pieces, warnings, digest = read_seed_file(seed, self.encoding)
        except InputError as error:
            return error
        errors: list[InputError] = []
        drafts, complete = file_drafts(pieces, seed.source, self.seeds, self.tz, self.now, errors.append)
        kept = pieces if keeps_pieces(drafts, complete) else []
        return FileRead(kept, warnings, drafts, complete, errors, digest)


def read_share(share: list[SeedFile], reader: Reader, chunk: int) -> Iterator[list[Parsed]]:
    """A worker's task: its share of files as read, `chunk` files to an answer."""
    for at in range(0, len(share), chunk):
        yield [reader(seed) for seed in share[at : at + chunk]]


@contextmanager
def parsing(files: list[SeedFile], reader: Reader, cores: Cores | None = None) -> Iterator[Iterator[Parsed]]:
    """Each of `files` as read, in their order, as the caller iterates.

    Workers parse the later shares while this process parses the first. On
    leaving the block any worker still running is killed and reaped, so an
    error that stops the build leaves no process behind.
    """
    cores = cores or Cores()
    first, *rest = cores.shares(files)  # by their bytes: parsing takes about as long for each
    with ThreadPoolExecutor(max(1, 3 * len(rest))) as pipes:  # each worker's job, answer and errors
        workers = [_Share(share, reader, cores, pipes) for share in rest]
        try:
            yield _in_order(first, workers, reader, cores.patience)
        finally:
            for worker in workers:
                worker.stop()


def _in_order(
    first: list[SeedFile], workers: list[_Share], reader: Reader, patience: float
) -> Iterator[Parsed]:
    """Our own share parsed here, one file at a time, then each worker's results in turn."""
    started = time.monotonic()
    for seed in first:
        yield reader(seed)
    patience += 4 * (time.monotonic() - started)  # see Cores
    for worker in workers:
        yield from worker.results(patience)


class _Share:
    """One worker's share of the files, and the worker parsing it."""

    def __init__(
        self, share: list[SeedFile], reader: Reader, cores: Cores, pipes: ThreadPoolExecutor
    ) -> None:
        self.share, self.reader, self.chunk = share, reader, max(1, cores.chunk_files)
        self.worker = Worker(read_share, (share, reader, self.chunk), cores.worker, pipes)

    def results(self, patience: float) -> Iterator[Parsed]:
        """The share's results from the worker, or parsed here from the first file the worker failed to give."""
        done = 0
        while done < len(self.share):
            try:
                parsed = _checked(self.worker.next(patience), min(self.chunk, len(self.share) - done))
            except Exception as why:  # a worker's garbage can raise anything
                left = self.share[done:]
                log.warning("a parsing worker failed (%s); parsing its %d files left here", why, len(left))
                self.stop()
                yield from map(self.reader, left)
                return
            done += len(parsed)
            yield from parsed

    def stop(self) -> None:
        self.worker.stop()


def _checked(results: object, count: int) -> list[Parsed]:
    """A worker's answer, if it is one result per file of its share; otherwise ValueError."""
    if isinstance(results, list) and len(results) == count and all(map(_is_parsed, results)):
        return results
    raise ValueError("its answer is not one result per file")


def _is_parsed(result: object) -> bool:
    return isinstance(result, InputError | FileRead)
