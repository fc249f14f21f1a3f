"""Parsing seed files on every usable core: the parent parses the first share, worker processes the rest.

Parsing (YAML, cmark-gfm, nh3) is most of a cold build and holds the GIL, so
threads cannot share it out. The workers are plain `python -m
publisher.sources.workers` processes, not `multiprocessing` ones: `spawn` and
`forkserver` re-import the caller's `__main__` (the CLI, or a library user's
unguarded script, would run again) and `fork` would hand each worker the
build lock's file descriptor, so a worker outliving a `kill -9` of the build
would block every later cron run. `close_fds` and a fresh interpreter mean a
worker holds nothing but its pipes.

Results come back in file order, whoever parsed them, and are exactly what
`read_seed_file` gives here: a worker that dies, hangs or answers nonsense
has its share parsed by the parent instead (with a logged warning).
Starting a worker costs about 0.2 s (the interpreter and the readers'
imports), so below `SHARE_BYTES` of seed files per process everything is
parsed here, as before.
"""

from __future__ import annotations

import logging
import os
import pickle
import site
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from . import SeedFile
from .piece import Piece
from .read import read_seed_file

log = logging.getLogger("publisher")

SHARE_BYTES = 4 * 2**20
"""The fewest bytes of seed files one more process must get to pay for starting it (at ~8 MB/s a share of
4 MiB takes ~0.5 s, against ~0.2 s to start a worker and take its results back)."""

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
"""The folder holding this `publisher`: the workers must import this same code (see `spawn`)."""

WORKER = (sys.executable, "-m", __name__)
"""How to start a worker: this interpreter, this module."""

Parsed = tuple[list[Piece], list[str]] | InputError
"""One file's pieces and warnings, or why it cannot be read."""


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Cores:
    """How parsing may be shared out: over up to `usable` processes, each with at least `share_bytes` to
    parse, the workers started with the command `worker`. A worker still busy `patience` seconds plus
    four times as long as our own share took, after we are done with it, is stuck, not slow (the
    shares hold about as many bytes).

    Tests pass their own, to run workers on any machine for a few files, or workers that fail.
    """

    usable: int = field(default_factory=usable_cpus)
    share_bytes: int = SHARE_BYTES
    worker: tuple[str, ...] = WORKER
    patience: float = 60.0

    def shares(self, files: list[SeedFile]) -> list[list[SeedFile]]:
        """`files` cut into runs of about equal bytes, in order; one run when more processes would not pay.

        Each file goes to the share holding its middle byte.
        """
        total = sum(seed.size for seed in files)
        count = min(self.usable, total // max(self.share_bytes, 1))
        if count < 2:
            return [files]
        cut: list[list[SeedFile]] = [[] for _ in range(count)]
        filled = 0
        for seed in files:
            cut[min(count - 1, (filled + seed.size // 2) * count // total)].append(seed)
            filled += seed.size
        return [share for share in cut if share]


def parse(seed: SeedFile, encoding: str) -> Parsed:
    """One file's pieces and warnings, or the InputError saying why it cannot be read."""
    try:
        return read_seed_file(seed, encoding)
    except InputError as error:
        return error


@contextmanager
def parsing(files: list[SeedFile], encoding: str, cores: Cores | None = None) -> Iterator[Iterator[Parsed]]:
    """The result of parsing each of `files`, in their order, as the caller iterates.

    Workers parse the later shares while this process parses the first. On
    leaving the block any worker still running is killed and reaped, so an
    error that stops the build leaves no process behind.
    """
    cores = cores or Cores()
    first, *rest = cores.shares(files)
    with ThreadPoolExecutor(max(1, len(rest))) as pipes:
        workers = [_Worker(share, encoding, cores.worker, pipes) for share in rest]
        try:
            yield _in_order(first, workers, encoding, cores.patience)
        finally:
            for worker in workers:
                worker.stop()


def _in_order(
    first: list[SeedFile], workers: list[_Worker], encoding: str, patience: float
) -> Iterator[Parsed]:
    """Our own share parsed here, one file at a time, then each worker's results in turn."""
    started = time.monotonic()
    for seed in first:
        yield parse(seed, encoding)
    patience += 4 * (time.monotonic() - started)  # see Cores
    for worker in workers:
        yield from worker.results(patience)


class _Worker:
    """One worker process and its share; a thread feeds it the share and drains its output.

    The thread is what lets the worker start parsing at once, while this
    process parses its own share, without either blocking on a full pipe.
    """

    def __init__(
        self, share: list[SeedFile], encoding: str, command: Sequence[str], pipes: ThreadPoolExecutor
    ) -> None:
        self.share, self.encoding = share, encoding
        self.process: subprocess.Popen[bytes] | None = None
        self.output: Future[tuple[bytes, bytes]] | None = None
        try:
            self.process = spawn(command)
        except OSError as error:  # no interpreter to run, no process left: `results` parses the share here
            self.failure = error
            return
        job = pickle.dumps((encoding, share), pickle.HIGHEST_PROTOCOL)
        self.output = pipes.submit(self.process.communicate, job)

    def results(self, patience: float) -> Iterator[Parsed]:
        """The share's results from the worker, or parsed here if the worker fails to give them."""
        try:
            if self.process is None or self.output is None:
                raise self.failure
            out, err = self.output.result(timeout=patience)
            if self.process.returncode:
                raise ValueError(
                    f"exit status {self.process.returncode}: {err.decode(errors='replace')[-300:]}"
                )
            parsed = _checked(pickle.loads(out), len(self.share))
        except Exception as why:  # whatever went wrong (a worker's garbage can raise anything), parse here
            log.warning("a parsing worker failed (%s); parsing its %d files here", why, len(self.share))
            self.stop()
            yield from (parse(seed, self.encoding) for seed in self.share)
        else:
            yield from parsed

    def stop(self) -> None:
        """Kill the worker if it still runs, and wait for it (no zombie), however it ended."""
        if self.process is None or self.output is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.output.exception()  # communicate() returns once the pipes close, having reaped the process


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


def spawn(command: Sequence[str] = WORKER) -> subprocess.Popen[bytes]:
    """Start a worker with nothing of ours but its pipes (`close_fds`: not the build lock).

    A checkout's folder is put first on the worker's path, so it imports
    this same code; an installed package's (site-packages) is left where it
    is, as first it would come before the standard library.
    """
    installed = {*site.getsitepackages(), site.getusersitepackages()}
    ours = [] if str(PACKAGE_ROOT) in installed else [str(PACKAGE_ROOT)]
    path = os.pathsep.join(filter(None, [*ours, os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        close_fds=True,
        env={**os.environ, "PYTHONPATH": path},
    )


def main() -> None:
    """The worker: read (encoding, files) pickled from stdin, write their results pickled to stdout.

    It stops as soon as the parent is gone: at EOF before the whole job came,
    when its parent changes (the parent died and it was re-parented), or
    when nobody reads its answer.
    """
    parent = os.getppid()
    try:
        encoding, share = pickle.load(sys.stdin.buffer)
    except (EOFError, pickle.UnpicklingError):  # the parent died before it sent the whole job
        sys.exit(1)
    results: list[Parsed] = []
    for seed in share:
        if os.getppid() != parent:
            sys.exit(1)
        results.append(parse(seed, encoding))
    try:
        sys.stdout.buffer.write(pickle.dumps(results, pickle.HIGHEST_PROTOCOL))
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        os._exit(1)  # not sys.exit: its final flush would fail again and print a traceback


if __name__ == "__main__":
    main()
