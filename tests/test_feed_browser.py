"""Feeds opened in a real browser: the XSL stylesheet turns Atom and RSS into a readable page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import feedparser
import html5lib
import pytest

from publisher import Settings, build

from .browser import dump_dom, serve_folder
from .feedsite import make_site

H = "{http://www.w3.org/1999/xhtml}"
FEEDS = ["atom.xml", "rss.xml", "tags/food/atom.xml", "authors/ana-lima/rss.xml", "archive/1/atom.xml"]


@pytest.fixture
def served(project: Path) -> Iterator[tuple[Settings, str]]:
    """The built feed site, served from its output folder by the preview server's handler on 127.0.0.1."""
    settings = make_site(project)
    build(settings)
    with serve_folder(settings.out) as url:
        yield settings, url


@pytest.mark.browser
@pytest.mark.parametrize("path", FEEDS)
def test_a_feed_in_a_browser_is_a_readable_page(served: tuple[Settings, str], path: str) -> None:
    settings, root = served
    feed = feedparser.parse((settings.out / path).read_bytes())
    page = html5lib.parse(dump_dom(root + path), treebuilder="etree")
    text = " ".join("".join(el.itertext()) for el in page.iter(f"{H}h2"))
    headings = [" ".join("".join(h.itertext()).split()) for h in page.iter(f"{H}h2")]
    assert headings == [e.title for e in feed.entries], text
    assert page.find(f".//{H}h1") is not None and page.find(f".//{H}h1").text == feed.feed.title
    about = "".join(page.find(f".//{H}section").itertext())
    assert "This is a web feed" in about and settings.url(path) in about
    assert ("archive" in about) is path.startswith("archive/")
