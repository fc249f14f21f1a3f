"""The README's operating instructions, run as written: the crontab line and the systemd units."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import feedparser

from .conftest import ROOT, require

README = (ROOT / "README.md").read_text(encoding="utf-8")
SITE = "/srv/site"


def fenced(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)


def installed_publisher() -> str:
    """The `publisher` command that `pip install -e .` put beside this interpreter."""
    script = Path(sys.executable).parent / "publisher"
    assert script.is_file(), "run `python3 -m pip install -e .` first (scripts/test.sh does)"
    return str(script)


def assert_built(project: Path) -> None:
    feed = feedparser.parse((project / "dist" / "atom.xml").read_bytes())
    assert feed.bozo == 0 and len(feed.entries) == 5


def test_the_crontab_line_builds_quietly(project: Path) -> None:
    (line,) = fenced("crontab")[0].strip().splitlines()
    fields = line.split(None, 5)
    assert len(fields) == 6 and fields[0] == "*/5"
    command = fields[5].replace(SITE, shlex.quote(str(project)))
    path = f"{Path(installed_publisher()).parent}:/usr/bin:/bin"  # cron's bare PATH, plus where pip put us
    done = subprocess.run(["/bin/sh", "-c", command], env={"PATH": path}, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert_built(project)


def test_the_systemd_units_verify_and_their_command_builds(project: Path, tmp_path: Path) -> None:
    analyze = require("systemd-analyze", "systemd-analyze (Debian package systemd)")
    service, timer = fenced("ini")
    command = installed_publisher()
    service = service.replace(SITE, str(project)).replace("/usr/local/bin/publisher", command)
    units = tmp_path / "units"
    units.mkdir()
    (units / "publisher.service").write_text(service)
    (units / "publisher.timer").write_text(timer)
    verified = subprocess.run(
        [analyze, "verify", "--man=no", "publisher.service", "publisher.timer"],
        cwd=units,
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0, verified.stderr
    assert "OnCalendar=*:0/5" in timer
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", service, flags=re.MULTILINE)
    done = subprocess.run(shlex.split(exec_start), cwd=project, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert_built(project)
