"""dist/digest.eml as a mail client gets it: MIME structure, headers, both parts, size, valid HTML."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import html5lib
import pytest

from publisher import Settings, build, load_settings
from publisher.digest import prepare_digest
from publisher.outputs.mail import HTML_LIMIT, html_part_size

from .conftest import require
from .mailtools import (
    UNICODE_TEASER,
    VNU_JAR,
    excerpts,
    html_part,
    parse_message,
    text_part,
    write_config,
)

NS = {"h": "http://www.w3.org/1999/xhtml"}
MAIL_CONFIG = """\
title = "Harbour & Hill"
base_url = "https://news.example.org/"
[mail]
sender = "Harbour Desk <desk@news.example.org>"
subject = "{site}: {count} new — {date}"
unsubscribe = "https://news.example.org/unsubscribe?list=digest mailto:leave@news.example.org"
"""
# What the Nu Html Checker may report about markup that exists for Outlook alone.
VNU_FILTER = ".*(“mso-[a-z-]+”|“xmlns:[vo]”).*"


def mail_project(
    project: Path, write_seed: Callable[[str, str], Path], config: str = MAIL_CONFIG
) -> Settings:
    write_config(project, config)
    write_seed("wu.txt", UNICODE_TEASER + "\n")
    settings = load_settings(root=project)
    build(settings)
    return settings


@pytest.fixture
def eml(project: Path, write_seed: Callable[[str, str], Path]) -> tuple[Settings, bytes]:
    settings = mail_project(project, write_seed)
    prepare_digest(settings)
    return settings, (settings.out / "digest.eml").read_bytes()


def test_message_is_multipart_alternative_text_then_html_in_quoted_printable(
    eml: tuple[Settings, bytes],
) -> None:
    _, data = eml
    lines = data.split(b"\r\n")
    assert data.isascii() and b"\n" not in data.replace(b"\r\n", b"")  # 7-bit, CRLF only
    assert max(len(line) for line in lines) <= 78
    message = parse_message(data)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    for part in parts:
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part["MIME-Version"] is None
    assert message["MIME-Version"] == "1.0"


def test_headers(eml: tuple[Settings, bytes]) -> None:
    _, data = eml
    message = parse_message(data)
    assert message["Subject"] == "Harbour & Hill: 5 new — 5 January 2026"
    assert message["From"].addresses[0].addr_spec == "desk@news.example.org"
    assert message["From"].addresses[0].display_name == "Harbour Desk"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@news.example.org>")
    assert b"\r\nList-Id: Harbour & Hill <digest.news.example.org>\r\n" in data
    assert message["List-Unsubscribe"] == (
        "<https://news.example.org/unsubscribe?list=digest>, <mailto:leave@news.example.org>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["To"] is None  # each recipient gets their own at sending


def digest_message(project: Path, write_seed: Callable[[str, str], Path], config: str) -> EmailMessage:
    settings = mail_project(project, write_seed, config)
    prepare_digest(settings)
    return parse_message((settings.out / "digest.eml").read_bytes())


def test_mailto_only_unsubscribe_has_no_one_click_header(
    project: Path, write_seed: Callable[[str, str], Path]
) -> None:
    message = digest_message(project, write_seed, '[mail]\nunsubscribe = "mailto:leave@example.org"\n')
    assert message["List-Unsubscribe"] == "<mailto:leave@example.org>"
    assert message["List-Unsubscribe-Post"] is None
    assert 'href="mailto:leave@example.org"' in html_part(message)


def test_no_unsubscribe_configured_means_no_list_unsubscribe(
    project: Path, write_seed: Callable[[str, str], Path]
) -> None:
    message = digest_message(project, write_seed, "")
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "Unsubscribe" not in html_part(message) and "Unsubscribe" not in text_part(message)


def test_both_parts_keep_non_ascii_text(eml: tuple[Settings, bytes]) -> None:
    message = parse_message(eml[1])
    for part in (text_part(message), html_part(message)):
        assert "吳志中" in part
        assert "“a quiet step”" in part and "Taiwan’s" in part


def test_html_part_is_client_safe(eml: tuple[Settings, bytes]) -> None:
    settings, data = eml
    html = html_part(parse_message(data))
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)
    assert tree.get("lang") == "en" and tree.get("dir") == "ltr"
    assert tree.find(".//h:head/h:title", NS).text == "Harbour & Hill: 5 new — 5 January 2026"
    body = tree.find(".//h:body", NS)
    preheader = body[0]
    assert preheader.get("class") == "preheader" and "display:none" in preheader.get("style").replace(" ", "")
    assert "Deputy Minister" in preheader.text
    tables = list(tree.iterfind(".//h:table", NS))
    assert tables and all(t.get("role") == "presentation" for t in tables)
    container = next(t for t in tables if "container" in t.get("class", ""))
    assert "max-width:600px" in container.get("style").replace(" ", "")
    assert all(img.get("alt") is not None for img in tree.iterfind(".//h:img", NS))
    assert 'height="auto"' not in html
    style = "".join(s.text or "" for s in tree.iterfind(".//h:style", NS))
    assert "@media (prefers-color-scheme: dark)" in style
    links = {a.text: a.get("href") for a in tree.iterfind(".//h:a", NS)}
    assert links["View in browser"] == "https://news.example.org/digest.html"
    assert links["Unsubscribe"] == "https://news.example.org/unsubscribe?list=digest"
    assert (settings.out / "digest.html").is_file()  # the web copy the link points to


def test_rebuilding_the_same_digest_writes_nothing(eml: tuple[Settings, bytes]) -> None:
    settings, data = eml
    before = (settings.out / "digest.eml").stat().st_mtime_ns
    result = prepare_digest(settings)
    assert not result.written
    assert (settings.out / "digest.eml").read_bytes() == data
    assert (settings.out / "digest.eml").stat().st_mtime_ns == before


@pytest.mark.parametrize("cap", [20, 500])
def test_500_entries_stay_under_gmails_clip_with_a_more_link(
    project: Path, write_seed: Callable[[str, str], Path], cap: int
) -> None:
    write_config(project, f"digest_size = {cap}\n")
    for bundled in (project / "seeds").iterdir():
        bundled.unlink()
    write_seed("many.txt", excerpts(500))
    settings = load_settings(root=project)
    build(settings)
    result = prepare_digest(settings)
    assert result.mailing is not None and result.mailing.excerpts == 500
    message = parse_message((settings.out / "digest.eml").read_bytes())
    html = html_part(message)
    assert html_part_size(html) < HTML_LIMIT
    shown = html.count('class="pad teaser divider"')
    assert 0 < shown <= cap
    assert f"{500 - shown} more on the site" in html
    assert f"{500 - shown} more on the site" in text_part(message)
    assert "Unsubscribe" not in html and "View it in a browser" in html  # the footer survived


def test_html_passes_the_nu_html_checker(eml: tuple[Settings, bytes], tmp_path: Path) -> None:
    java = require("java", "Java (to run the Nu Html Checker)")
    jar = require(VNU_JAR, "the Nu Html Checker (vnu-jar)")
    settings, data = eml
    part = tmp_path / "part.html"
    part.write_text(html_part(parse_message(data)), encoding="utf-8")
    files = [str(part), str(settings.out / "digest.html")]
    checked = subprocess.run(
        [java, "-jar", jar, "--Werror", "--format", "text", "--filterpattern", VNU_FILTER, *files],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    unfiltered = subprocess.run(
        [java, "-jar", jar, "--format", "text", str(part)], capture_output=True, text=True
    )
    assert "mso-" in unfiltered.stderr  # the filter hides something real, and nothing else
