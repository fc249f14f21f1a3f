"""A site that exercises every kind of feed file, and readers for what a build wrote.

The bundled seeds plus three Markdown pieces with tags and several authors,
built with `feed_size = 2`: the site's feed has archive pages, one tag's feed
is complete, and titles and bodies carry markup, entities, relative links and
characters XML forbids.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import html5lib
from lxml import etree

from publisher import Settings, load_settings

ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"
BASE = "https://example.org/blog/"

CONFIG = f"""\
base_url = "{BASE}"
feed_size = 2
"""

PIECES = {
    "fish.md": """\
---
title: "Fish &amp; <em>Chips</em> &lt;3 — a \\"review\\""
date: 2025-12-20
author: [Ana Lima, Bo Chen]
tags: [Food, 台灣]
---
A first paragraph with a [relative link](../about/) and an ![image](img/x.png "pic").

Second paragraph & more <b>bold</b> text.
""",
    "control.md": (
        "---\ntitle: Control characters\ndate: 2025-12-21\nauthor: Bo Chen\ntags: food, travel\n---\n"
        "A bell \x07 and a vertical tab \x0b in a body with a [root link](/root/path?a=1&b=2).\n"
    ),
    "teaser.md": """\
---
date: 2025-12-22
author: Ana Lima
tags: [travel]
summary: An excerpt summary that stops in the
---
""",
}


def make_site(project: Path, config: str = CONFIG) -> Settings:
    """Write the configuration and the extra pieces into `project`; the settings to build it with."""
    (project / "publisher.toml").write_text(config, encoding="utf-8")
    for name, text in PIECES.items():
        (project / "seeds" / name).write_text(text, encoding="utf-8")
    return load_settings(root=project)


def feed_files(out: Path, name: str) -> list[Path]:
    """Every feed file of one format (`atom.xml`, `rss.xml`, `feed.json`) under the output folder."""
    return sorted(out.rglob(name))


def url_of(settings: Settings, path: Path) -> str:
    return settings.url(path.relative_to(settings.out).as_posix())


def xml(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def history(path: Path) -> tuple[set[str], dict[str, str]]:
    """The RFC 5005 markers (`complete`, `archive`) and the feed-level `{rel: href}` of an Atom or RSS file."""
    root = xml(path)
    head = root.find("channel") if root.tag == "rss" else root
    assert head is not None
    markers = {etree.QName(el).localname for el in head if etree.QName(el).namespace == FH}
    links = {link.get("rel"): link.get("href") for link in head.findall(f"{{{ATOM}}}link")}
    return markers, links


def site_links(settings: Settings) -> dict[str, set[str]]:
    """Every link under `base_url` in every output file, by file: the pages' and the digest's `href`s and
    `src`s (not those inside an entry's content: the author's own), every link and the stylesheet of every
    Atom and RSS document, and every URL of every JSON Feed."""
    found: dict[str, set[str]] = {}
    for path in sorted(p for p in settings.out.rglob("*") if p.is_file()):
        read = _READERS.get(path.suffix)
        if read is not None:
            url = url_of(settings, path)
            found[url] = {link for link in read(path, url) if link.startswith(settings.base_url)}
    return found


def local_path(settings: Settings, url: str) -> Path:
    """The output file a URL under `base_url` is served from (a folder's is its `index.html`)."""
    path = urlsplit(url).path.removeprefix(urlsplit(settings.base_url).path)
    return settings.out / (path + "index.html" if path.endswith("/") or not path else path)


def _html_links(path: Path, url: str) -> set[str]:
    links: set[str] = set()
    stack = [html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)]
    while stack:
        element = stack.pop()
        if element.tag == "div" and "content" in (element.get("class") or "").split():
            continue
        links |= {urljoin(url, element.get(name)) for name in ("href", "src") if element.get(name)}
        stack.extend(element)
    return links


def _xml_links(path: Path, url: str) -> set[str]:
    root = xml(path)
    links = {link.get("href") for link in root.iter(f"{{{ATOM}}}link")}
    links |= {link.text for link in root.iter("link") if link.text}  # RSS's own <link>, channel and items
    for node in root.itersiblings(preceding=True):
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            links.add(urljoin(url, node.get("href")))
    return links


def _json_links(path: Path, url: str) -> set[str]:
    feed = json.loads(path.read_text(encoding="utf-8"))
    links = {feed[key] for key in ("home_page_url", "feed_url", "next_url") if key in feed}
    return links | {item["url"] for item in feed["items"]}


_READERS: dict[str, Callable[[Path, str], set[str]]] = {
    ".html": _html_links,
    ".xml": _xml_links,
    ".json": _json_links,
}
