"""The digest window: `publisher digest` takes the excerpts new since the last digest marked as sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from publisher import build, load_settings
from publisher.state import open_state

from .conftest import EPOCH, run_cli
from .mailtools import html_part, parse_message

DAY = 86_400
LATER = "The harbour council met again on Tuesday and, to the surprise of everyone present, voted to…\n"


def digest(project: Path, *args: str) -> tuple[int, str, str]:
    done = run_cli("digest", *args, cwd=project)
    return done.returncode, done.stdout, done.stderr


def build_at(project: Path, epoch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    build(load_settings(root=project))


def teasers(project: Path) -> list[str]:
    """The teaser titles in dist/digest.eml."""
    html = html_part(parse_message((project / "dist" / "digest.eml").read_bytes()))
    return re.findall(r"<h2[^>]*><a[^>]*>([^<]*)</a>", html)


def test_build_writes_the_web_digest_and_never_marks_or_mails(project: Path) -> None:
    settings = load_settings(root=project)
    build(settings)
    build(settings)
    assert (project / "dist" / "digest.html").is_file() and not (project / "dist" / "digest.eml").exists()
    with open_state(settings.state) as state:
        assert state.last_digest() is None
    code, out, _ = digest(project)
    assert code == 0 and "4 excerpts first seen so far (no digest sent yet)" in out
    assert len(teasers(project)) == 4
    code, again, _ = digest(project)  # building it twice marks nothing: the same digest
    assert again == out
    eml = (project / "dist" / "digest.eml").read_bytes()
    (project / "seeds" / "later.txt").write_text(LATER, encoding="utf-8")
    build(settings)  # a build neither rewrites nor removes the digest to send: it is not the build's file
    assert (project / "dist" / "digest.eml").read_bytes() == eml


def test_mark_sent_starts_the_next_window_after_it(
    project: Path, write_seed: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_at(project, EPOCH, monkeypatch)
    code, out, _ = digest(project, "--mark-sent")
    assert code == 0 and out.rstrip().endswith("; marked as sent.")
    code, out, err = digest(project)
    assert (code, err) == (0, "")
    assert out.startswith("No new excerpts since the last digest (5 January 2026 ")
    assert out.count("\n") == 1 and not (project / "dist" / "digest.eml").exists()
    write_seed("later.txt", LATER)
    build_at(project, EPOCH + DAY, monkeypatch)
    code, out, _ = digest(project)
    assert code == 0 and "1 excerpts first seen since the last digest" in out
    assert len(teasers(project)) == 1 and "harbour council" in teasers(project)[0]


def test_a_piece_added_but_not_yet_built_waits_for_the_next_build(
    project: Path, write_seed: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_at(project, EPOCH, monkeypatch)
    assert digest(project, "--mark-sent")[0] == 0
    write_seed("later.txt", LATER)  # its page is not on the site yet: the digest must not link to it
    code, out, _ = digest(project)
    assert code == 0 and out.startswith("No new excerpts")


def test_since_overrides_the_window(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_at(project, EPOCH, monkeypatch)
    assert digest(project, "--mark-sent")[0] == 0
    code, out, _ = digest(project, "--since", "2026-01-01")
    assert code == 0 and "4 excerpts first seen since 1 January 2026 00:00" in out
    assert len(teasers(project)) == 4
    code, out, _ = digest(project, "--since", "2026-01-05T12:00:01+00:00")
    assert code == 0 and out.startswith("No new excerpts since 5 January 2026 12:00")


def test_an_empty_window_is_one_line_and_exit_0(project: Path) -> None:
    code, out, err = digest(project)  # nothing built yet: nothing is on the site to send
    assert (code, err) == (0, "")
    assert out == "No new excerpts so far (no digest sent yet); no digest to send.\n"
    assert not (project / "dist" / "digest.eml").exists()


def test_a_bad_since_is_one_line_naming_the_option(project: Path) -> None:
    code, out, err = digest(project, "--since", "last tuesday")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "--since" in err and "'last tuesday'" in err
