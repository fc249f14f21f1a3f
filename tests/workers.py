"""Worker commands that fail in every way a worker process can, and a word each failure's warning gives;
and a task for the tests of the pipes themselves."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

_FRAME = "from publisher.processes import HEADER, MAGIC, write_frame; "
FAILING_WORKERS = [
    ((sys.executable, "-c", "import sys; sys.exit(3)"), "exit status 3"),
    ((sys.executable, "-c", "import sys; sys.stdin.buffer.read(); print('garbage ' * 9)"), "not a frame"),
    (
        (
            sys.executable,
            "-c",
            f"import pickle, sys; {_FRAME}sys.stdin.buffer.read(); write_frame(1, pickle.dumps([]))",
        ),
        "answer",  # a whole frame, but the answer is not what the task gives
    ),
    (
        (
            sys.executable,
            "-c",
            f"import pickle, sys; {_FRAME}sys.stdin.buffer.read(); p = pickle.dumps([]); "
            "sys.stdout.buffer.write(HEADER.pack(MAGIC, len(p), bytes(32)) + p)",
        ),
        "not the ones it was sent with",  # the bytes do not match the frame's SHA-256
    ),
    (
        (
            sys.executable,
            "-c",
            f"import pickle, sys; {_FRAME}sys.stdin.buffer.read(); p = pickle.dumps([]); "
            "sys.stdout.buffer.write(HEADER.pack(MAGIC, len(p) + 9, bytes(32)) + p)",
        ),
        "cut short",
    ),
    ((str(Path(__file__).parent / "no-such-python"),), "No such file"),
    ((sys.executable, "-c", "import time; time.sleep(600)"), ""),  # stuck: killed once out of patience
]


def echoed(job: bytes, times: int) -> Iterator[bytes]:
    """A worker's task for the pipe tests: `job` back, `times` times, each as an answer of its own."""
    for _ in range(times):
        yield job


def fed_back(items: Iterator[bytes]) -> Iterator[bytes]:
    """A fed task (see `processes.FED`): each item it is fed, back as an answer of its own, as it comes."""
    yield from items


def thresholds() -> Iterator[tuple[int, int, int]]:
    """A worker's task: the garbage collector's thresholds it runs its task with."""
    import gc

    yield gc.get_threshold()


ANSWERS_ONCE = (sys.executable, "-c", "from tests.workers import answer_once; answer_once()")
"""A worker that gives its task's first answer, then dies (status 7) before the next."""


def answer_once() -> None:
    from publisher import processes

    real = processes.write_frame

    def once(fd: int, payload: bytes) -> None:
        real(fd, payload)
        os._exit(7)

    processes.write_frame = once
    processes.main()
