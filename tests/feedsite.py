"""A site that exercises every kind of feed file, and readers for what a build wrote.

The bundled seeds plus three Markdown pieces with tags and several authors,
built with `feed_size = 2`: the site's feed has archive pages, one tag's feed
is complete, and titles and bodies carry markup, entities, relative links and
characters XML forbids.
"""

from __future__ import annotations

from pathlib import Path

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
