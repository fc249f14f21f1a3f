"""Worker processes: another core runs one task of the build, and its results stream back in order.

Parsing (YAML, cmark-gfm, nh3) and serializing feeds (lxml) hold the GIL,
so threads cannot share them out. A worker is a plain `python -m
publisher.processes` process, not a `multiprocessing` one: `spawn` and
`forkserver` re-import the caller's `__main__` (the CLI, or a library user's
unguarded script, would run again) and `fork` would hand each worker the
build lock's file descriptor, so a worker outliving a `kill -9` of the build
would block every later cron run. `close_fds` and a fresh interpreter mean a
worker holds nothing but its pipes.

A task is a module-level function (pickled by name) yielding its results;
each result is pickled back as soon as it is made, so the build can use the
first while the worker makes the next. A task may be fed as well (`FED`):
its input comes after the job, a frame per item, and it starts on the first
while the build still pickles the rest. Whoever starts a worker must be able
to do its task itself: a worker that dies, hangs or answers nonsense is
killed, and `Worker.next` raises for its caller to fall back on.

Both ways, each message is a frame (see `HEADER`): its length and SHA-256,
then the pickle, written with `os.write` until every byte is out. Python's
buffered writer loses bytes when a large write to a pipe is cut short by a
stop and continue (Ctrl-Z then `fg`, or `kill -STOP`/`-CONT`): a plain
pickle stream then reads as garbage, or, worse, as something else. A frame
that does not add up is an error like any other, and its work is done here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import queue
import site
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

from .collector import spaced_collections
from .publish import write_all

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
"""The folder holding this `publisher`: the workers must import this same code (see `spawn`)."""

WORKER = (sys.executable, "-m", __name__)
"""How to start a worker: this interpreter, this module."""

Task = Callable[..., Iterable[Any]]
"""A worker's job: a module-level function yielding its results."""


class Fed:
    """The type of `FED`."""


FED = Fed()
"""Stands, in a task's arguments, for the items its `Worker` is given to `feed` it: in the worker, an
iterator of them as they come. Ten thousand entries took 0.3 s to pickle and as long to take in, all in
one job, before the worker could start on the first."""

SHARE_BYTES = 4 * 2**20
"""The fewest bytes of seed files one more process must get to pay for starting it (at ~8 MB/s a share of
4 MiB takes ~0.5 s, against ~0.2 s to start a worker and take its results back)."""

CHUNK_ENTRIES = 500
"""Entries per answer of a worker making feed parts: it makes a chunk's parts in all three formats, sends them
and makes the next chunk's in the memory they took. One that kept every part to the end (its freed memory is
not given back to the system) held 190 MB more at 10,000 entries, beside the build taking them."""

CHUNK_FILES = 500
"""Files per answer of a parsing worker: the build takes in (unpickles) one answer while the worker parses
the next, rather than the whole share after the worker is done."""

HEADER = struct.Struct("!4sQ32s")
"""A frame's header: `MAGIC`, the pickle's length in bytes, its SHA-256."""
MAGIC = b"PUB1"
READ_BYTES = 2**20
"""A frame's pickle is read this much at a time: a damaged length takes only the memory of the bytes that came."""

SHARE_ENTRIES = 1000
"""The fewest entries whose feed parts pay for a worker making them (~0.3 ms each, against ~0.2 s to start a
worker and a little to send the entries and take the parts back)."""


class Sized(Protocol):
    @property
    def size(self) -> int: ...


S = TypeVar("S", bound=Sized)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Cores:
    """How a build may share out its work: over up to `usable` processes, parsing only when each gets at least
    `share_bytes` of seed files (read and sent back `chunk_files` at a time), feed parts only for at least
    `share_entries` entries (sent back `chunk_entries` at a time); the workers started with the command `worker`. A worker still busy `patience` seconds plus four times as long as we took
    for our own part, after we are done with it, is stuck, not slow (the shares are about as large).

    Tests pass their own, to run workers on any machine for a few files, or workers that fail.
    """

    usable: int = field(default_factory=usable_cpus)
    share_bytes: int = SHARE_BYTES
    share_entries: int = SHARE_ENTRIES
    chunk_entries: int = CHUNK_ENTRIES
    chunk_files: int = CHUNK_FILES
    worker: tuple[str, ...] = WORKER
    patience: float = 60.0

    def shares(self, items: list[S]) -> list[list[S]]:
        """`items` cut into runs of about equal size, in order; one run when more processes would not pay.

        Each item goes to the share holding its middle byte.
        """
        total = sum(item.size for item in items)
        count = min(self.usable, total // max(self.share_bytes, 1))
        if count < 2:
            return [items]
        cut: list[list[S]] = [[] for _ in range(count)]
        filled = 0
        for item in items:
            cut[min(count - 1, (filled + item.size // 2) * count // total)].append(item)
            filled += item.size
        return [share for share in cut if share]

    def helps(self, entries: int) -> bool:
        """Whether a worker making the feed parts of this many entries pays for itself."""
        return self.usable > 1 and entries >= self.share_entries


class Worker:
    """One worker process running `task(*args)`, fed and drained by threads of `pipes` (three of them).

    The threads are what let the worker start at once, while this process
    gets on with its own work, without either blocking on a full pipe. When
    `args` hold `FED`, the items of `feed` follow the job, each pickled on the
    feeding thread as the worker takes the one before in.
    """

    def __init__(
        self,
        task: Task,
        args: tuple[Any, ...],
        command: Sequence[str],
        pipes: ThreadPoolExecutor,
        feed: Iterable[Any] = (),
        pass_fds: tuple[int, ...] = (),
    ) -> None:
        self.pipes = pipes
        self.process: subprocess.Popen[bytes] | None = None
        try:
            self.process = spawn(command, pass_fds)
        except OSError as error:  # no interpreter to run, no process left: `next` raises it
            self.failure: Exception = error
            return
        job = pickle.dumps((task, args), pickle.HIGHEST_PROTOCOL)
        self.fed = pipes.submit(_send, self.process, job, feed)
        self.errors: Future[bytes] = pipes.submit(_drain, self.process)
        self.answers: queue.Queue[tuple[Any] | BaseException] = queue.Queue()
        self.reading = pipes.submit(_read_answers, self.process, self.answers)

    def next(self, patience: float) -> Any:
        """The task's next result; any failure (exit, garbage, `patience` seconds of silence) raises."""
        if self.process is None:
            raise self.failure
        try:
            answer = self.answers.get(timeout=patience)
        except queue.Empty:
            raise TimeoutError(f"no answer in {patience:.1f} s") from None
        if isinstance(answer, EOFError):
            self.process.wait(timeout=patience)
            why = self.errors.result(timeout=patience).decode(errors="replace")[-300:]
            raise ValueError(f"exit status {self.process.returncode}: {why}")
        if isinstance(answer, BaseException):
            raise answer
        return answer[0]

    def stop(self) -> None:
        """Kill the worker if it still runs, and wait for it (no zombie), however it ended."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        threads: list[Future[Any]] = [self.fed, self.errors, self.reading]
        for thread in threads:
            thread.exception()  # the pipes' threads end once the process is gone


def _send(process: subprocess.Popen[bytes], job: bytes, feed: Iterable[Any]) -> None:
    """The job, then each item it is fed (pickled here, on the pipe's thread, as the worker takes them in)."""
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # the worker died: reading its results says how
        try:
            write_frame(process.stdin.fileno(), job)
            for item in feed:
                write_frame(process.stdin.fileno(), pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
        finally:
            process.stdin.close()


def write_frame(fd: int, payload: bytes) -> None:
    """A pickle as one frame (see `HEADER`), every byte written to the file descriptor `fd`."""
    write_all(fd, [HEADER.pack(MAGIC, len(payload), hashlib.sha256(payload).digest()), payload])


def read_frame(stream: IO[bytes]) -> Any:
    """The message of the next frame on `stream`; EOFError at its end, ValueError for a frame that does not
    add up (no `MAGIC`, cut short, or bytes that are not the ones whose SHA-256 it gives)."""
    header = stream.read(HEADER.size)
    if not header:
        raise EOFError("no more frames")
    if len(header) < HEADER.size:
        raise ValueError("a frame's header was cut short")
    magic, size, digest = HEADER.unpack(header)
    if magic != MAGIC:
        raise ValueError(f"not a frame (it starts {header[:8]!r})")
    payload = bytearray()
    while len(payload) < size:
        more = stream.read(min(READ_BYTES, size - len(payload)))
        if not more:
            raise ValueError(f"a frame was cut short at {len(payload):,} of its {size:,} bytes")
        payload += more
    if hashlib.sha256(payload).digest() != digest:
        raise ValueError("a frame's bytes are not the ones it was sent with")
    return pickle.loads(payload)


def _read_answers(process: subprocess.Popen[bytes], answers: queue.Queue[tuple[Any] | BaseException]) -> None:
    """Take each result off the pipe as soon as it comes, so the worker never waits for us to be ready for
    it and ends, its memory freed, once it is done; the end of the pipe (EOFError) or garbage ends it."""
    assert process.stdout is not None
    with process.stdout:
        while True:
            try:
                answers.put((read_frame(process.stdout),))
            except BaseException as error:  # a worker's garbage can raise anything; the reader says what
                answers.put(error)
                return


def _drain(process: subprocess.Popen[bytes]) -> bytes:
    assert process.stderr is not None
    with process.stderr:
        return process.stderr.read()


def spawn(command: Sequence[str] = WORKER, pass_fds: tuple[int, ...] = ()) -> subprocess.Popen[bytes]:
    """Start a worker with nothing of ours but its pipes and the files `pass_fds` (`close_fds`: not the build
    lock).

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
        pass_fds=pass_fds,
        env={**os.environ, "PYTHONPATH": path},
    )


def main() -> None:
    """The worker: read (task, args) pickled from stdin (then, if `FED` is one of them, what it is fed, to the
    end of the input), write each of its results pickled to stdout.

    It stops as soon as the parent is gone: at EOF before the whole job came,
    when its parent changes (the parent died and it was re-parented), or
    when nobody reads its answer. Results are written by a thread, so the
    task makes the next one while the parent has not yet read the last.
    """
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    try:
        task, args = read_frame(sys.stdin.buffer)
    except (EOFError, ValueError):  # the parent died before it sent the whole job
        sys.exit(1)
    from publisher import processes  # what `FED` was unpickled as: not this module, when it runs as __main__

    args = tuple(_fed(sys.stdin.buffer) if isinstance(arg, processes.Fed) else arg for arg in args)
    results: queue.Queue[tuple[Any] | None] = queue.Queue()
    # A daemon: when the task raises, the worker must exit (status 1, the traceback on stderr), not wait on it.
    writer = threading.Thread(target=_write_results, args=(results,), daemon=True)
    writer.start()
    with spaced_collections():  # a worker too makes tens of thousands of objects a second, few in cycles
        for result in task(*args):
            results.put((result,))
    results.put(None)
    writer.join()
    os._exit(0)  # every result is written: tearing down its objects would only keep its memory from the build


def _fed(stream: IO[bytes]) -> Iterator[Any]:
    """Each item fed after the job, as it comes; a frame that does not add up raises (the worker fails)."""
    while True:
        try:
            yield read_frame(stream)
        except EOFError:
            return


def _write_results(results: queue.Queue[tuple[Any] | None]) -> None:
    while (result := results.get()) is not None:
        try:
            # Nothing else writes to stdout (a warning goes to stderr), and os.write leaves nothing in a buffer.
            write_frame(sys.stdout.fileno(), pickle.dumps(result[0], pickle.HIGHEST_PROTOCOL))
        except BrokenPipeError:
            os._exit(1)  # not sys.exit: its final flush would fail again and print a traceback


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.1)
    os._exit(1)


if __name__ == "__main__":
    main()
