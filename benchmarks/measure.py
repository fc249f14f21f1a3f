"""One timed process: wall time and peak RSS of a command, measured from outside it.

`os.wait4` returns the resource usage of exactly the child we waited for
(and of its own waited-for children), so each run's peak RSS is its own,
not the maximum over every earlier run as `RUSAGE_CHILDREN` would give.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class RunFailed(RuntimeError):
    """A benchmarked command exited non-zero; the message carries its last stderr lines."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One run: seconds of wall time and peak resident memory in MiB."""

    wall: float
    rss_mib: float


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
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    if child.returncode != 0:
        tail = errors.decode(errors="replace").strip().splitlines()[-5:]
        raise RunFailed(f"{' '.join(command)} exited {child.returncode}: {' | '.join(tail)}")
    return Sample(wall, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


@dataclass(frozen=True, slots=True)
class Summary:
    """The median of a scenario's runs (the warm-up is never among them)."""

    runs: int
    wall: float
    rss_mib: float
    spread: float  # (max - min) / median wall: how noisy the runs were

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Summary:
        walls = [s.wall for s in samples]
        median = statistics.median(walls)
        return cls(
            len(samples),
            median,
            statistics.median(s.rss_mib for s in samples),
            (max(walls) - min(walls)) / median if median else 0.0,
        )
