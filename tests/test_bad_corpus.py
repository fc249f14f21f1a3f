"""tests/data/bad/: each broken input next to the exact error line users should see (NAME.expected)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import invoke

BAD = Path(__file__).parent / "data" / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.suffix != ".expected")


def test_every_bad_input_has_its_expected_message() -> None:
    assert CASES and all(p.with_name(p.name + ".expected").is_file() for p in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_input_gives_its_exact_message(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "seeds").mkdir()
    shutil.copy(case, tmp_path / "seeds" / case.name)
    monkeypatch.chdir(tmp_path)
    code, _, stderr = invoke("build")
    expected = case.with_name(case.name + ".expected").read_text(encoding="utf-8")
    assert code == 1
    assert stderr.replace(f"{tmp_path}/", "") == expected
    assert not (tmp_path / "dist").exists()
