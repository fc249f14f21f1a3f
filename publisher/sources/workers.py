"""Parsing seed files on every usable core: the parent parses the first share, worker processes the rest.

The workers are those of processes.py. Results come back in file order,
whoever parsed them, and are exactly what `read_seed_file` gives here: a
worker that dies, hangs or answers nonsense has its share parsed by the
parent instead (with a logged warning). Starting a worker costs about 0.2 s
(the interpreter and the readers' imports), so below `SHARE_BYTES` of seed
files per process (`Cores.share_bytes`) everything is parsed here, as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from ..errors import InputError
from ..processes import Cores, Worker
from . import SeedFile
from .piece import Piece
from .read import read_seed_file

log = logging.getLogger("publisher")

Parsed = tuple[list[Piece], list[str]] | InputError
"""One file's pieces and warnings, or why it cannot be read."""


def parse(seed: SeedFile, encoding: str) -> Parsed:
    """One file's pieces and warnings, or the InputError saying why it cannot be read."""
    try:
        return read_seed_file(seed, encoding)
    except InputError as error:
        return error


def parse_share(share: list[SeedFile], encoding: str) -> Iterator[list[Parsed]]:
    """A worker's task: the results of its share of files, as one answer."""
    yield [parse(seed, encoding) for seed in share]


@contextmanager
def parsing(files: list[SeedFile], encoding: str, cores: Cores | None = None) -> Iterator[Iterator[Parsed]]:
    """The result of parsing each of `files`, in their order, as the caller iterates.

    Workers parse the later shares while this process parses the first. On
    leaving the block any worker still running is killed and reaped, so an
    error that stops the build leaves no process behind.
    """
    cores = cores or Cores()
    first, *rest = cores.shares(files)  # by their bytes: parsing takes about as long for each
    with ThreadPoolExecutor(max(1, 3 * len(rest))) as pipes:  # each worker's job, answer and errors
        workers = [_Share(share, encoding, cores.worker, pipes) for share in rest]
        try:
            yield _in_order(first, workers, encoding, cores.patience)
        finally:
            for worker in workers:
                worker.stop()


def _in_order(
    first: list[SeedFile], workers: list[_Share], encoding: str, patience: float
) -> Iterator[Parsed]:
    """Our own share parsed here, one file at a time, then each worker's results in turn."""
    started = time.monotonic()
    for seed in first:
        yield parse(seed, encoding)
    patience += 4 * (time.monotonic() - started)  # see Cores
    for worker in workers:
        yield from worker.results(patience)


class _Share:
    """One worker's share of the files, and the worker parsing it."""

    def __init__(
        self, share: list[SeedFile], encoding: str, command: tuple[str, ...], pipes: ThreadPoolExecutor
    ) -> None:
        self.share, self.encoding = share, encoding
        self.worker = Worker(parse_share, (share, encoding), command, pipes)

    def results(self, patience: float) -> Iterator[Parsed]:
        """The share's results from the worker, or parsed here if the worker fails to give them."""
        try:
            parsed = _checked(self.worker.next(patience), len(self.share))
        except Exception as why:  # whatever went wrong (a worker's garbage can raise anything), parse here
            log.warning("a parsing worker failed (%s); parsing its %d files here", why, len(self.share))
            self.stop()
            yield from (parse(seed, self.encoding) for seed in self.share)
        else:
            yield from parsed

    def stop(self) -> None:
        self.worker.stop()


def _checked(results: object, count: int) -> list[Parsed]:
    """A worker's answer, if it is one result per file of its share; otherwise ValueError."""
    if isinstance(results, list) and len(results) == count and all(map(_is_parsed, results)):
        return results
    raise ValueError("its answer is not one result per file")


def _is_parsed(result: object) -> bool:
    if isinstance(result, InputError):
        return True
    return (
        isinstance(result, tuple)
        and len(result) == 2
        and all(isinstance(piece, Piece) for piece in result[0])
        and all(isinstance(warning, str) for warning in result[1])
    )
