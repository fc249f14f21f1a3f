"""Atom 1.0 and RSS 2.0 feeds, written with feedgen; entries in, bytes out, no I/O.

feedgen has traps this module steps around on purpose:
- feed dates default to "now", so a rebuild would change the feed: we set
  `updated`/`lastBuildDate` to the newest entry's `updated`;
- `add_entry()` prepends by default: we append, newest first;
- `description()` after `content()` would overwrite Atom content: we only use
  `summary()` and `content()`;
- RSS `<author>` must be an email address, so names go in `dc:creator`;
- naive datetimes are rejected upstream (every Entry date is zone-aware).
Atom and RSS get separate generators so each self link names its own file.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from ..entry import Entry, newest_first
from ..html import absolute_links
from .site import Site

GENERATOR = "publisher"


def render_atom(entries: Sequence[Entry], site: Site) -> bytes:
    generator = _generator(entries, site, site.atom_url, "application/atom+xml")
    return bytes(generator.atom_str(pretty=True))


def render_rss(entries: Sequence[Entry], site: Site) -> bytes:
    generator = _generator(entries, site, site.rss_url, "application/rss+xml")
    return bytes(generator.rss_str(pretty=True))


def _generator(entries: Sequence[Entry], site: Site, self_url: str, media_type: str) -> FeedGenerator:
    ordered = newest_first(entries)
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(self_url)
    fg.title(site.title)
    fg.subtitle(site.description)
    fg.description(site.description)
    fg.language(site.language)
    fg.link(href=site.url, rel="alternate", type="text/html")
    fg.link(href=self_url, rel="self", type=media_type)
    fg.author(_person(site.author, site.author_email))
    fg.generator(GENERATOR)
    if ordered:
        newest = max(e.updated for e in ordered)
        fg.updated(newest)
        fg.pubDate(max(e.published for e in ordered))
    for entry in ordered:
        _add(fg, entry)
    return fg


def _add(fg: FeedGenerator, entry: Entry) -> None:
    fe = fg.add_entry(order="append")
    fe.id(entry.id)
    fe.guid(entry.id, permalink=False)
    fe.title(entry.title)
    fe.link(href=entry.link, rel="alternate", type="text/html")
    fe.published(entry.published)
    fe.updated(entry.updated)
    for name in entry.authors:
        fe.author({"name": name})
    if entry.authors:
        fe.dc.dc_creator(entry.author)
    # RSS readers render <description> as HTML, so plain text must go in escaped (else a summary
    # holding "<img onerror=…>" as words would run in them); Atom says the same with type="html".
    fe.summary(html.escape(entry.summary, quote=False), type="html")
    if entry.content_html is not None:
        fe.content(absolute_links(entry.content_html, entry.link), type="html")
    for tag in entry.tags:
        fe.category(term=tag)


def _person(name: str, email: str) -> dict[str, str]:
    return {"name": name, "email": email} if email else {"name": name}
