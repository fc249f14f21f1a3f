"""Shared fixtures: a throwaway project folder with the bundled seeds, and a pinned clock."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher import Settings, load_settings
from publisher.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# 2026-01-05 12:00:00 UTC, a Monday: after every date in the bundled seed.
EPOCH = 1767614400


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> int:
    """Every test runs at the same "now" unless it sets SOURCE_DATE_EPOCH itself."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    return EPOCH


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding a copy of the bundled seeds; the current directory during the test."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def settings(project: Path) -> Settings:
    return load_settings(root=project)


@pytest.fixture
def write_seed(project: Path) -> Callable[[str, str | bytes], Path]:
    """Write a seed file (text or bytes) into the project's seeds folder."""

    def write(name: str, content: str | bytes) -> Path:
        path = project / "seeds" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run `python -m publisher ARGS` as a real process, importing this checkout's package."""
    import os
    import sys

    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        **kwargs,
    )


def require(tool: str | Path, what: str) -> str:
    """The path of a program a test needs (a path or a name on PATH); missing, it fails under CI=true and skips elsewhere.

    CI must never go green by silently skipping what it was meant to check.
    """
    import os

    found = str(tool) if Path(tool).is_file() else shutil.which(str(tool))
    if found:
        return found
    message = f"{what} is missing ({tool}); bash scripts/test.sh installs it"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run a command in process through click's CliRunner: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` (by relative path) with its bytes and mtime: what "untouched" means."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def joined(data: bytes | Sequence[bytes | memoryview]) -> bytes:
    """A rendered file's bytes: renderers give a feed as the chunks it is joined from (see `publish.Data`)."""
    return data if isinstance(data, bytes) else b"".join(data)
