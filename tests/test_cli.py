"""Each command through click's CliRunner: output, exit codes, error paths."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from publisher import __version__
from publisher.cli import PROGRESS_FROM
from publisher.publish import build_lock

from .conftest import ROOT, invoke, snapshot

Write = Callable[[str, str | bytes], Path]


def test_build_is_silent_when_not_on_a_terminal(project: Path) -> None:
    assert invoke("build") == (0, "", "")
    assert (project / "dist" / "atom.xml").is_file()


def test_build_verbose_logs_steps_with_timestamps(project: Path) -> None:
    code, _, err = invoke("build", "--verbose")
    assert code == 0
    lines = err.splitlines()
    assert any("reading 1 seed files" in line for line in lines)
    assert all(line[:4].isdigit() and line[4] == "-" for line in lines)


def test_build_options_choose_folders(project: Path) -> None:
    (project / "seeds").rename(project / "pieces")
    assert invoke("build", "--seeds", "pieces", "--out", "public")[0] == 0
    assert (project / "public" / "rss.xml").is_file()


def test_check_prints_a_table_and_writes_nothing(project: Path) -> None:
    code, out, _ = invoke("check")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["DATE", "FROM", "KIND", "AUTHOR", "TITLE"]
    assert any(line.split()[:5] == ["2", "January", "2026", "text", "excerpt"] for line in lines)
    assert any("Michael Mazza" in line and "full" in line and "first-seen" in line for line in lines)
    assert lines[-1] == "5 entries, 0 warnings"
    assert not (project / "dist").exists() and not (project / ".publisher").exists()


def test_version_and_help(project: Path) -> None:
    assert invoke("--version")[1] == f"publisher, version {__version__}\n"
    code, out, _ = invoke("build", "--help")
    assert code == 0 and "75  another build holds the lock" in out and "--wait SECONDS" in out


def test_bad_input_is_one_line_exit_1_and_dist_untouched(project: Path, write_seed: Write) -> None:
    assert invoke("build")[0] == 0
    before = snapshot(project / "dist")
    write_seed("broken.md", "---\ndate: the day after\n---\nBody.\n")
    code, out, err = invoke("build")
    assert code == 1 and out == ""
    assert (
        err
        == f"publisher: error: {project / 'seeds' / 'broken.md'}:2: date: 'the day after' is not a date (try 2026-01-02 or 2026-01-02T08:30:00+01:00)\n"
    )
    assert snapshot(project / "dist") == before


@pytest.mark.parametrize(
    ("template", "line", "reason"),
    [
        ("<p>\n{{ no_such_thing() }}\n", 2, "'no_such_thing' is undefined"),
        ("<p>\n\n{% if %}\n", 3, "Expected an expression, got 'end of statement block'"),
        ('{% include "nope.html" %}\n', 1, "no template named 'nope.html' in the templates folders"),
    ],
)
def test_a_broken_template_is_one_line_naming_its_file_and_line(
    project: Path, template: str, line: int, reason: str
) -> None:
    """A user's template is input like the seeds: its mistake is an error naming the file and line, exit 1,
    and the output folder stays as it was; never a traceback."""
    assert invoke("build")[0] == 0
    before = snapshot(project / "dist")
    custom = project / "custom"
    custom.mkdir()
    (custom / "entry.html").write_text(template, encoding="utf-8")
    (project / "publisher.toml").write_text('templates = "custom"\n', encoding="utf-8")
    code, out, err = invoke("build")
    assert (code, out) == (1, "")
    assert err == f"publisher: error: {custom / 'entry.html'}:{line}: {reason}\n"
    assert snapshot(project / "dist") == before


def test_a_broken_digest_template_stops_the_digest_command_with_one_line(project: Path) -> None:
    assert invoke("build")[0] == 0  # the excerpts are seen, so there is a digest to make
    custom = project / "custom"
    custom.mkdir()
    (custom / "digest.txt").write_text("{{ site.no_such_field }}\n", encoding="utf-8")
    (project / "publisher.toml").write_text('templates = "custom"\n', encoding="utf-8")
    code, _, err = invoke("digest")
    assert code == 1
    assert (
        err
        == f"publisher: error: {custom / 'digest.txt'}:1: 'publisher.outputs.site.Site object' has no attribute 'no_such_field'\n"
    )


def test_bad_configuration_is_exit_1(project: Path) -> None:
    (project / "publisher.toml").write_text("feed_size = -1\n")
    code, _, err = invoke("check")
    assert code == 1 and err.strip().endswith("feed_size must be at least 1")


def test_usage_errors_are_exit_2(project: Path) -> None:
    assert invoke("build", "--no-such-option")[0] == 2
    assert invoke("publish")[0] == 2


def test_missing_seeds_folder(project: Path) -> None:
    code, _, err = invoke("build", "--seeds", "nowhere")
    assert code == 1 and "nowhere: the seeds folder does not exist" in err


def test_a_held_lock_is_exit_75_with_one_line(project: Path) -> None:
    with build_lock(project / ".publisher" / "state.lock"):
        code, _, err = invoke("build")
    assert code == 75
    assert err.count("\n") == 1 and "another build is running" in err


def test_a_long_build_on_a_terminal_shows_progress(project: Path, write_seed: Write) -> None:
    for i in range(PROGRESS_FROM):
        write_seed(f"p{i:04}.md", f"---\ntitle: Piece {i}\ndate: 2025-03-01\n---\nBody {i}.\n")
    primary, secondary = os.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "publisher", "build"],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=secondary,
            stderr=secondary,
        )
        os.close(secondary)
        shown = _read_all(primary)  # read while it runs: a full pty buffer would block the build
        assert process.wait(timeout=120) == 0
    finally:
        os.close(primary)
    assert "reading" in shown and "100%" in shown and "rendering" in shown
    assert f"{PROGRESS_FROM + 5} entries; wrote" in shown  # the fixture's seed holds five


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # Linux reports the closed other end of a pty as EIO
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def test_the_command_exits_with_its_status_and_all_its_output(project: Path) -> None:
    """`python -m publisher` (and the `publisher` script) exits without tearing the interpreter down: a
    command's output, piped and buffered, must still come out whole, and its status be the one click gave.
    (click flushes what it echoes; `run` flushes too, for anything else printed.)"""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as cron runs it
        env = {**buffered, "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-m", "publisher", *args], cwd=project, env=env, capture_output=True, text=True
        )

    checked = run("check")
    assert (
        checked.returncode == 0 and checked.stdout.count("\n") >= 5
    )  # a line per piece of the seed, at least
    assert checked.stdout == run("check").stdout
    assert (run("--version").stdout, run("--version").returncode) == (
        f"publisher, version {__version__}\n",
        0,
    )
    unknown = run("no-such-command")
    assert unknown.returncode == 2 and "No such command" in unknown.stderr
