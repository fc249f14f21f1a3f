"""Limits: huge and degenerate inputs end in bounded time and memory, or a clear message.

Each runs the real CLI in a subprocess with a capped address space and a
generous timeout that only guards against a hang; nothing here times
anything (measurements belong in benchmarks/).
"""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from publisher.sources.read import MAX_FILE_BYTES

from .conftest import run_cli

MEMORY_CAP = 3 * 2**30
HANG_GUARD = 240


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in `project`, with the address space capped and a timeout that only guards a hang."""
    return run_cli(*args, cwd=project, timeout=HANG_GUARD, preexec_fn=_capped, check=False)


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    return tmp_path


@pytest.mark.slow
def test_a_dump_of_100000_one_line_teasers(bare: Path) -> None:
    lines = (f"Teaser number {i} on the budget, the strait and the council, and then" for i in range(100_000))
    (bare / "seeds" / "teasers.txt").write_text("\n".join(lines) + "\n")
    done = run(bare, "check")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1] == "100000 entries, 0 warnings"


def test_a_paragraph_of_megabytes(bare: Path) -> None:
    sentence = "Mr. Lee of the U.S. said on Jan. 5 that the budget grew, and then it shrank again! "
    (bare / "seeds" / "long.txt").write_text(sentence * (2 * 2**20 // len(sentence)) + "The end.\n")
    done = run(bare, "build")
    assert (done.returncode, done.stderr) == (0, "")
    page = next((bare / "dist" / "posts").glob("*.html"))
    assert page.stat().st_size > 2 * 2**20
    (bare / "seeds" / "long.txt").write_text(sentence * (2 * 2**20 // len(sentence)) + "The very end.\n")
    done = run(bare, "build")  # an edit: the piece is matched to its old self on a bounded sample
    assert (done.returncode, done.stderr) == (0, "")
    assert [p.name for p in (bare / "dist" / "posts").glob("*.html")] == [page.name]


def test_an_enormous_file_is_refused_with_a_clear_message(bare: Path) -> None:
    path = bare / "seeds" / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    done = run(bare, "build")
    assert done.returncode == 1 and not (bare / "dist").exists()
    assert done.stderr == (
        f"publisher: error: {path}: the file holds 16,777,217 bytes, more than the 16 MiB "
        "a seed file may hold; split it into several files\n"
    )
