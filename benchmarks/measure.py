"""One timed process: wall time and peak RSS of a command, measured from outside it.

`os.wait4` returns the resource usage of exactly the child we waited for
(and of its own waited-for children), so each run's peak RSS is its own,
not the maximum over every earlier run as `RUSAGE_CHILDREN` would give.
That is the largest single process: a build that runs worker processes
alongside itself needs more memory than that, so a thread also sums the
RSS of the whole process tree every `TREE_EVERY` seconds (a sample can
miss a peak shorter than that: the figure is a floor).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TREE_EVERY = 0.05


class RunFailed(RuntimeError):
    """A benchmarked command exited non-zero; the message carries its last stderr lines."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One run: seconds of wall time, peak resident memory in MiB of its largest process and (sampled) of
    all its processes together."""

    wall: float
    rss_mib: float
    tree_mib: float = 0.0


def run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run `command` to completion and measure it; raise RunFailed if it fails."""
    started = time.perf_counter()
    child = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    tree = _TreePeak(child.pid)
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    tree.stop()
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    if child.returncode != 0:
        tail = errors.decode(errors="replace").strip().splitlines()[-5:]
        raise RunFailed(f"{' '.join(command)} exited {child.returncode}: {' | '.join(tail)}")
    return Sample(wall, usage.ru_maxrss / 1024, tree.peak_kib / 1024)  # ru_maxrss is in KiB on Linux


class _TreePeak:
    """The largest sum of VmRSS over a process and its descendants, sampled until `stop`."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib = pid, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    def _sample(self) -> None:
        while not self.done.wait(TREE_EVERY):
            self.peak_kib = max(self.peak_kib, sum(map(_rss_kib, _tree(self.pid))))


def _tree(root: int) -> list[int]:
    """`root` and every process descended from it, from /proc."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, ()))
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


@dataclass(frozen=True, slots=True)
class Summary:
    """The median of a scenario's runs (the warm-up is never among them)."""

    runs: int
    wall: float
    rss_mib: float
    spread: float  # (max - min) / median wall: how noisy the runs were
    tree_mib: float = 0.0  # 0 in rows measured before the tree was sampled

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Summary:
        walls = [s.wall for s in samples]
        median = statistics.median(walls)
        return cls(
            len(samples),
            median,
            statistics.median(s.rss_mib for s in samples),
            (max(walls) - min(walls)) / median if median else 0.0,
            statistics.median(s.tree_mib for s in samples),
        )
