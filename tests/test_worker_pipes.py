"""The pipes between a build and its worker processes carry every byte, or fail loudly.

A build stopped and continued (Ctrl-Z then `fg` stops every process of
its group) has its large pipe writes cut short; Python's buffered writer
then lost bytes and the other side unpickled garbage. The process group is
stopped and continued here, hundreds of times, while a job and its answers
of several megabytes cross the pipes both ways.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = """
import random
from concurrent.futures import ThreadPoolExecutor
from publisher.processes import FED, WORKER, Worker
from tests.workers import echoed, fed_back

job = random.Random(7).randbytes(8 * 2**20)
fed = [random.Random(n).randbytes(2**20) for n in range(12)]
for task, args, feed, expected in [(echoed, (job, 12), (), [job] * 12), (fed_back, (FED,), fed, fed)]:
    with ThreadPoolExecutor(3) as pipes:
        worker = Worker(task, args, WORKER, pipes, feed=iter(feed))
        try:
            answers = [worker.next(120) for _ in range(12)]
            print("whole" if answers == expected else "changed")
        except Exception as why:
            print("failed:", why)
        finally:
            worker.stop()
"""


def _stop_and_continue(group: int, done: threading.Event, count: list[int]) -> None:
    """SIGSTOP then SIGCONT to the whole process group, every few milliseconds, until `done`."""
    with contextlib.suppress(ProcessLookupError):  # the group is gone: the build ended
        try:
            while not done.is_set():
                os.killpg(group, signal.SIGSTOP)
                time.sleep(0.001)
                os.killpg(group, signal.SIGCONT)
                count[0] += 1
                time.sleep(0.002)
        finally:
            os.killpg(group, signal.SIGCONT)


def test_a_job_its_feed_and_its_answers_cross_whole_while_the_processes_are_stopped_and_continued() -> None:
    build = subprocess.Popen(
        [sys.executable, "-c", BUILD],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the build and its worker, not pytest
        text=True,
    )
    done, stops = threading.Event(), [0]
    storm = threading.Thread(target=_stop_and_continue, args=(build.pid, done, stops))
    storm.start()
    try:
        out, err = build.communicate(timeout=300)
    finally:
        done.set()
        storm.join()
    assert (out.split(), build.returncode) == (["whole", "whole"], 0), err  # a job's answers, a fed task's
    assert stops[0] > 50  # the storm did blow while the megabytes crossed
