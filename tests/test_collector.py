"""A build runs with Python's garbage collector spaced out (see collector.py), and leaves it as it found it."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from publisher import Settings, build
from publisher.collector import SPACED, spaced_collections
from publisher.processes import WORKER, Worker
from tests.workers import thresholds

T = TypeVar("T")


def test_a_build_spaces_collections_and_restores_the_callers_thresholds(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    write_seed("one.md", "---\ntitle: One\ndate: 2025-12-01\n---\n\nA harbour reopened.\n")
    seen: list[tuple[int, int, int]] = []

    def track(label: str, length: int, items: Iterable[T], exact: bool = True) -> Iterable[T]:
        seen.append(gc.get_threshold())  # called inside the build, once per long step
        return items

    before = gc.get_threshold()
    assert before != SPACED
    assert build(settings, track=track).written
    assert seen and set(seen) == {SPACED}
    assert gc.get_threshold() == before


def test_the_thresholds_come_back_when_the_block_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), spaced_collections():
        assert gc.get_threshold() == SPACED
        raise RuntimeError("a build that failed")
    assert gc.get_threshold() == before


def test_a_worker_process_runs_its_task_with_collections_spaced() -> None:
    with ThreadPoolExecutor(3) as pipes:
        worker = Worker(thresholds, (), WORKER, pipes)
        try:
            assert tuple(worker.next(60)) == SPACED
        finally:
            worker.stop()
