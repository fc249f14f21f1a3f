"""A corpus of known XSS payloads, fed in through every way content enters, checked in every output.

Atom, RSS and JSON Feed content is parsed back with feedparser and then as HTML, as a
feed reader would; pages and the digest are parsed with html5lib, and also
opened in headless Chromium, where a payload that ran would leave its mark
(`data-pwned` on the root element) in the dumped DOM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

import feedparser
import html5lib
import pytest

from publisher import Settings, build

from .browser import dump_dom

Write = Callable[[str, str | bytes], Path]
RUN = "document.documentElement.setAttribute('data-pwned','yes')"
PAYLOADS = [
    f"<script>{RUN}</script>",
    f'<img src="x" onerror="{RUN}">',
    f'<svg onload="{RUN}"><circle r="1"/></svg>',
    f'<a href="javascript:{RUN}">plain js link</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab inside</a>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    "[markdown link](javascript:alert(1))",
    "![markdown image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<a href="vbscript:msgbox(1)">vbscript</a>',
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data link</a>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button></form>',
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<object data="data:text/html,x"></object><embed src="data:text/html,x">',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    f'<details open ontoggle="{RUN}">toggle</details>',
    '<math><a xlink:href="javascript:alert(1)">math link</a></math>',
    f'<video><source onerror="{RUN}"></video>',
    f'<input autofocus onfocus="{RUN}">',
    f'<noscript><p title="</noscript><img src=x onerror={RUN}>"></noscript>',
    f"<scr<script>ipt>{RUN}</script>",
    f'<div onmouseover="{RUN}" onclick="{RUN}">hover</div>',
    '<a href="https://example.org/" target="_blank">fine link</a>',
]
BODY = "\n\n".join(f"Payload {i}: {p}" for i, p in enumerate(PAYLOADS)) + "\n\nThe end.\n"
FIELD = f'<script>{RUN}</script><img src=x onerror="{RUN}"> "quoted" & <b>bold</b>'
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "background", "poster")
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
BAD_ELEMENTS = {"script", "iframe", "form", "style", "object", "embed", "base", "meta", "frame", "frameset"}


@pytest.fixture
def hostile(write_seed: Write, settings: Settings) -> Settings:
    """A full piece and a teaser with every payload in the body and in each front-matter text field."""
    quoted = FIELD.replace('"', '\\"')
    write_seed(
        "2025-12-01-full.md",
        f'---\ntitle: "Full {quoted}"\nauthor: "{quoted}"\ntags: ["{quoted}", "ok"]\n---\n{BODY}',
    )
    write_seed(
        "2025-12-02-teaser.md",
        f'---\ntitle: "Teaser {quoted}"\nsummary: "{quoted}"\n---\n{PAYLOADS[1]} and then',
    )
    write_seed(
        "2025-12-03-dump.txt", "\n".join(f"Dump {i}: {p} and so" for i, p in enumerate(PAYLOADS)) + "\n"
    )
    build(settings)
    return settings


def _elements(fragment_or_doc: str, document: bool = False) -> Iterator[Element]:
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    tree = parser.parse(fragment_or_doc) if document else parser.parseFragment(fragment_or_doc)
    yield from tree.iter()


def _problems(html: str, document: bool = False, allowed: frozenset[str] = frozenset()) -> list[str]:
    found = []
    for element in _elements(html, document):
        tag = str(element.tag).rpartition("}")[2].lower()
        if tag in BAD_ELEMENTS - allowed:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            attribute = str(name).rpartition("}")[2].lower()
            if attribute.startswith("on"):
                found.append(f"{tag} {attribute}=")
            squashed = "".join(value.split()).lower()
            if (attribute in URL_ATTRIBUTES or str(name).endswith("href")) and squashed.startswith(
                BAD_SCHEMES
            ):
                found.append(f"{tag} {attribute}={value}")
            if attribute == "style" and "url(" in squashed and tag not in allowed:
                found.append(f"{tag} style={value}")
    return found


def test_payloads_reach_the_outputs_at_all(hostile: Settings) -> None:
    page = (hostile.out / "posts").glob("full*.html")
    text = next(page).read_text()
    assert "Payload 27" in text and 'href="https://example.org/"' in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text  # front-matter text is text: shown, never markup


@pytest.mark.parametrize("feed", ["atom.xml", "rss.xml"])
def test_feeds_carry_no_active_content(hostile: Settings, feed: str) -> None:
    # feedparser would clean the HTML it hands out (and hide a script we let through): not here.
    parsed = feedparser.parse((hostile.out / feed).read_bytes(), sanitize_html=False)
    assert not parsed.bozo and len(parsed.entries) >= len(PAYLOADS) + 2
    for entry in parsed.entries:
        # Readers render what is typed as HTML (content, RSS descriptions) as HTML; the rest is text.
        details = [*entry.get("content", []), entry.get("summary_detail", {})]
        for html in [d["value"] for d in details if d.get("type") == "text/html"]:
            assert _problems(html) == [], (entry.title, html)
    assert "<script" not in (hostile.out / feed).read_text().lower()


def test_json_feed_carries_no_active_content(hostile: Settings) -> None:
    items = json.loads((hostile.out / "feed.json").read_bytes())["items"]
    assert len(items) >= len(PAYLOADS) + 2
    for item in items:
        assert _problems(item.get("content_html", "")) == [], item["title"]


def test_pages_carry_no_active_content(hostile: Settings) -> None:
    pages = [hostile.out / "index.html", *sorted((hostile.out / "posts").glob("*.html"))]
    assert len(pages) >= len(PAYLOADS) + 3
    for page in pages:
        assert _problems(page.read_text(), document=True, allowed=frozenset({"meta"})) == [], page.name


def test_digest_carries_no_active_content(hostile: Settings) -> None:
    html = (hostile.out / "digest.html").read_text()
    # The template's own <head> <style> and meta tags, and premailer's inlined styles, are allowed.
    assert _problems(html, document=True, allowed=frozenset({"meta"})) == ["<style>"]
    assert "Dump" in html and "&lt;" in html  # the payloads are there, as text


@pytest.mark.browser
def test_no_payload_runs_in_a_real_browser(hostile: Settings) -> None:
    for page in [next((hostile.out / "posts").glob("full*.html")), hostile.out / "digest.html"]:
        dom = dump_dom(page.as_uri(), "--virtual-time-budget=3000")
        assert "Payload 1" in dom or "Dump" in dom
        assert 'data-pwned="yes"' not in dom, page.name


def test_the_checker_sees_every_payload_unsanitized() -> None:
    """Guard against a checker that passes everything: raw, most payloads are flagged."""
    flagged = [p for p in PAYLOADS if _problems(p)]
    # Not flagged raw: the two Markdown links, <noscript> and <scr<script> (text to html5lib), the fine link.
    assert len(flagged) == len(PAYLOADS) - 5
