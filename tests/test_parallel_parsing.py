"""Seed files parsed by worker processes: the same results as one file after another, and nothing leaked.

The threshold is lowered with `Cores(usable, share_bytes)`, so real workers
(`python -m publisher.processes`) run on any machine for a few small files.
"""

from __future__ import annotations

import logging
import os
import pickle
from contextlib import suppress
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest

from publisher import build
from publisher.api import untracked
from publisher.clock import now
from publisher.config import Settings
from publisher.errors import InputError
from publisher.extract.reading import Reader, read_share
from publisher.pipeline import Found, ParseCache, Skips, parse_cache, read_pieces
from publisher.processes import Cores, spawn, write_frame
from publisher.publish import build_lock
from publisher.sources import SeedFile, find_seed_files
from publisher.state import open_state

from .workers import ANSWERS_ONCE, FAILING_WORKERS

ONE_AT_A_TIME = Cores(usable=1)
THREE_PROCESSES = Cores(usable=3, share_bytes=1)  # the parent and two workers, whatever the machine
Read = tuple[list[Found], list[str], list[str]]


def piece(n: int) -> str:
    return f"---\ntitle: Piece {n}\ndate: 2025-12-{n:02d}\n---\nThe body of piece number {n} ends here.\n"


def seed_many(seeds: Path, bad: dict[int, str | bytes]) -> list[SeedFile]:
    """Twelve seed files of about the same size, in name order; those numbered in `bad` hold that instead."""
    seeds.mkdir()
    for n in range(1, 13):
        content = bad.get(n, piece(n))
        (seeds / f"p{n:02d}.md").write_bytes(content.encode() if isinstance(content, str) else content)
    files, _ = find_seed_files(seeds)
    return files


def read(
    files: list[SeedFile], cores: Cores, keep_going: bool = True, cached: ParseCache | None = None
) -> Read:
    """What read_pieces() gives (the files as read, for the caches too), its warnings and its skips."""
    warnings: list[str] = []
    skips = Skips(keep_going)
    cache = cached or ParseCache()
    found = read_pieces(files, cache, Settings(), "utf-8", now(), untracked, warnings, skips, cores)
    return found, warnings, skips.reasons


def share_of(files: list[SeedFile], name: str) -> int:
    """Which process parses the file: 0 is the parent, the rest are workers."""
    shares = THREE_PROCESSES.shares(files)
    return next(i for i, share in enumerate(shares) if any(seed.source == name for seed in share))


BAD = {
    6: "---\ntitle: never closed\n",  # an error
    8: "---\ntitle: Odd\n---\nA control \x01 character.\n",  # a warning: read, but not cached
    11: b"caf\xe9\n",  # an error
}


@pytest.mark.parametrize("chunk", [500, 2, 1])  # files to a worker's answer
def test_workers_give_what_one_by_one_gives(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, chunk: int
) -> None:
    files = seed_many(tmp_path / "seeds", BAD)
    assert [share_of(files, f"p{n:02d}.md") for n in (1, 6, 8, 11)] == [0, 1, 1, 2]
    with caplog.at_level(logging.WARNING, "publisher"):
        parallel = read(files, replace(THREE_PROCESSES, chunk_files=chunk))
    assert not caplog.records  # the workers answered: nothing was parsed again here
    assert parallel == read(files, ONE_AT_A_TIME)
    found, warnings, skipped = parallel
    assert [d.title for seed in found if seed.read for d in seed.read.drafts] == [
        f"Piece {n}" for n in (1, 2, 3, 4, 5, 7)
    ] + ["Odd"] + [f"Piece {n}" for n in (9, 10, 12)]
    # pieces come back only where the cache keeps them: "Odd" has no date, so tomorrow may date it anew
    assert [seed.source for seed in found if seed.pieces] == ["p08.md"]
    assert [seed.source for seed in found if seed.cached] == [
        f"p{n:02d}.md" for n in (1, 2, 3, 4, 5, 7, 9, 10, 12)
    ]
    assert len(warnings) == 1 and "p08.md" in warnings[0]
    assert [reason.split(":")[0] for reason in skipped] == [
        str(tmp_path / "seeds" / f"p{n}.md") for n in ("06", "11")
    ]


@pytest.mark.parametrize("bad", [{11: BAD[11]}, {6: BAD[6], 11: BAD[11]}, {2: BAD[6], 11: BAD[11]}])
def test_without_keep_going_the_first_bad_file_in_file_order_stops_the_build(
    tmp_path: Path, bad: dict[int, str | bytes]
) -> None:
    files = seed_many(tmp_path / "seeds", bad)
    with pytest.raises(InputError) as one_by_one:
        read(files, ONE_AT_A_TIME, keep_going=False)
    with pytest.raises(InputError) as parallel:
        read(files, THREE_PROCESSES, keep_going=False)
    assert str(parallel.value) == str(one_by_one.value)
    assert f"p{min(bad):02d}.md" in str(parallel.value)


def test_a_bad_piece_drafted_by_a_worker_is_met_in_file_order(tmp_path: Path) -> None:
    bad_date = "---\ntitle: Bad date\ndate: the day after never\n---\nBody.\n"
    files = seed_many(tmp_path / "seeds", {2: bad_date, 11: bad_date})
    parallel = read(files, THREE_PROCESSES)
    assert parallel == read(files, ONE_AT_A_TIME)  # the same drafts, and each file's errors with them
    found, _, _ = parallel
    errors = [error for seed in found if seed.read for error in seed.read.errors]
    assert [(Path(error.path).name, error.line) for error in errors] == [("p02.md", 3), ("p11.md", 3)]


@pytest.mark.parametrize(("worker", "why"), FAILING_WORKERS)
def test_a_worker_that_fails_has_its_share_parsed_by_the_parent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, worker: tuple[str, ...], why: str
) -> None:
    files = seed_many(tmp_path / "seeds", BAD)
    failing = Cores(usable=3, share_bytes=1, worker=worker, patience=0.5)
    with caplog.at_level(logging.WARNING, "publisher"):
        parallel = read(files, failing)
    assert parallel == read(files, ONE_AT_A_TIME)
    assert len(caplog.records) == 2  # each of the two workers
    assert all("a parsing worker failed" in r.getMessage() and why in r.getMessage() for r in caplog.records)


def test_a_worker_that_fails_after_an_answer_has_only_the_rest_of_its_share_parsed_by_the_parent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = seed_many(tmp_path / "seeds", BAD)
    failing = Cores(usable=3, share_bytes=1, chunk_files=2, worker=ANSWERS_ONCE, patience=5)
    with caplog.at_level(logging.WARNING, "publisher"):
        parallel = read(files, failing)
    assert parallel == read(files, ONE_AT_A_TIME)
    shares = failing.shares(files)
    assert [r.getMessage().split("; ")[1] for r in caplog.records] == [
        f"parsing its {len(share) - 2} files left here" for share in shares[1:]
    ]
    assert all("exit status 7" in r.getMessage() for r in caplog.records)


def test_a_worker_does_not_hold_the_build_lock_and_ends_at_eof(tmp_path: Path) -> None:
    lock = tmp_path / "state.lock"
    with build_lock(lock):
        worker = spawn()  # waits for its job on stdin, so it stays alive
    try:
        held = {os.readlink(f"/proc/{worker.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{worker.pid}/fd")}
        assert str(lock) not in held
        with build_lock(lock):  # a worker outliving its build does not block the next one
            assert worker.poll() is None
    finally:
        _, err = worker.communicate(timeout=60)  # EOF before a whole job: the worker ends, quietly
    assert worker.returncode == 1 and err == b""


def test_a_worker_whose_answer_nobody_reads_ends_quietly(tmp_path: Path) -> None:
    files = seed_many(tmp_path / "seeds", {})
    worker = spawn()
    assert worker.stdin and worker.stdout and worker.stderr
    worker.stdout.close()  # as if the parent had been killed
    job = (read_share, (files, Reader("utf-8", tmp_path / "seeds", UTC, now()), 1))
    with suppress(BrokenPipeError):  # the worker may be gone already: its first answer found nobody
        write_frame(worker.stdin.fileno(), pickle.dumps(job))
    worker.stdin.close()
    assert worker.wait(timeout=60) == 1
    assert worker.stderr.read() == b""
    worker.stderr.close()


def test_shares_are_runs_of_files_in_order_with_about_equal_bytes(tmp_path: Path) -> None:
    for n in range(40):
        (tmp_path / f"f{n:02d}.txt").write_text("x" * (100 + 37 * (n % 7)) + "\n")
    files, _ = find_seed_files(tmp_path)
    shares = Cores(usable=4, share_bytes=1).shares(files)
    assert len(shares) == 4 and [seed for share in shares for seed in share] == files
    total, biggest = sum(f.size for f in files), max(f.size for f in files)
    assert all(abs(sum(f.size for f in share) - total / 4) <= biggest for share in shares)
    assert len(Cores(usable=4, share_bytes=total // 2).shares(files)) == 2  # as many as the work pays for
    assert Cores(usable=4, share_bytes=total + 1).shares(files) == [files]  # too little work for a worker
    assert Cores(usable=1, share_bytes=1).shares(files) == [files]  # one CPU


def test_files_the_cache_misses_are_parsed_by_workers_among_those_it_keeps(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seeds = tmp_path / "seeds"
    seed_many(seeds, {})
    settings = Settings(seeds=seeds, out=tmp_path / "out", state=tmp_path / "state.db")
    assert not build(settings).skipped
    (seeds / "p03.md").write_text(piece(3).replace("ends here", "ends there"))
    os.utime(seeds / "p07.md", ns=(1, 1))  # touched: same bytes, so the cache still serves it
    (seeds / "p10.md").write_text(str(BAD[6]))
    (seeds / "p12.md").write_text(str(BAD[8]))
    files, _ = find_seed_files(seeds)
    with open_state(settings.state) as state, caplog.at_level(logging.WARNING, "publisher"):
        cached = parse_cache(state, "utf-8")
        parallel = read(files, THREE_PROCESSES, cached=cached)
        assert parallel == read(files, ONE_AT_A_TIME, cached=cached)
    assert not caplog.records
    found, warnings, skipped = parallel
    assert [seed.source for seed in found if seed.row] == ["p03.md", "p07.md", "p12.md"]
    assert len(warnings) == 1 and "p12.md" in warnings[0] and len(skipped) == 1 and "p10.md" in skipped[0]
