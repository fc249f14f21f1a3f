"""Atom 1.0 and RSS 2.0 feeds: entries in, bytes out, no I/O.

Each entry becomes one self-contained fragment per format (`feed_fragments`),
and a feed is its head, the fragments in order, and its tail. That is what
makes a rebuild after one edit cheap: a fragment depends only on its entry,
so the build renders fragments of changed entries alone and reuses the rest
(see build.py). It is also why this is a small string writer rather than
feedgen: feedgen builds one lxml tree of the whole feed and pretty-prints it,
several seconds at 10,000 full-content entries, with nothing to reuse.

What the writer guarantees, on purpose:
- every text and attribute is XML-escaped, and characters XML 1.0 forbids
  (control characters a pasted text may carry) are dropped, not fatal;
- feed dates come from the entries (the newest `updated` / `published`),
  never from the clock, so a rebuild writes the same bytes;
- entries are listed newest first, ties broken by id;
- RSS `<author>` must be an email address, so names go in `dc:creator`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from ..entry import Entry
from ..html import absolute_links
from .site import Site

GENERATOR = "publisher"
XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)  # the feed date of a feed without entries: stable, valid
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Fragments:
    """One entry as an Atom `<entry>` and an RSS `<item>`, indented for their place in the feed."""

    atom: str
    rss: str


def feed_fragments(entry: Entry) -> Fragments:
    """Both feed fragments of one entry; its content's links are made absolute once for both."""
    content = absolute_links(entry.content_html, entry.link) if entry.content_html is not None else None
    return Fragments(_atom_entry(entry, content), _rss_item(entry, content))


def render_atom(entries: Sequence[Entry], fragments: Sequence[str], site: Site) -> bytes:
    """The Atom feed of `entries` (newest first) from their fragments, in the same order."""
    head = [
        XML_DECLARATION,
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_attr(site.language)}">\n',
        f"  <id>{_text(site.atom_url)}</id>\n",
        f"  <title>{_text(site.title)}</title>\n",
        f"  <updated>{_newest(entries, 'updated').isoformat()}</updated>\n",
        "  <author>\n",
        f"    <name>{_text(site.author)}</name>\n",
        f"    <email>{_text(site.author_email)}</email>\n" if site.author_email else "",
        "  </author>\n",
        f'  <link href="{_attr(site.url)}" rel="alternate" type="text/html"/>\n',
        f'  <link href="{_attr(site.atom_url)}" rel="self" type="application/atom+xml"/>\n',
        f"  <generator>{GENERATOR}</generator>\n",
        f"  <subtitle>{_text(site.description)}</subtitle>\n",
    ]
    return "".join([*head, *fragments, "</feed>\n"]).encode()


def render_rss(entries: Sequence[Entry], fragments: Sequence[str], site: Site) -> bytes:
    """The RSS 2.0 feed of `entries` (newest first) from their fragments, in the same order."""
    editor = f"{site.author_email} ({site.author})"
    head = [
        XML_DECLARATION,
        '<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">\n',
        "  <channel>\n",
        f"    <title>{_text(site.title)}</title>\n",
        f"    <link>{_text(site.url)}</link>\n",
        f"    <description>{_text(site.description)}</description>\n",
        f'    <atom:link href="{_attr(site.rss_url)}" rel="self" type="application/rss+xml"/>\n',
        "    <docs>https://www.rssboard.org/rss-specification</docs>\n",
        f"    <generator>{GENERATOR}</generator>\n",
        f"    <language>{_text(site.language)}</language>\n",
        f"    <managingEditor>{_text(editor)}</managingEditor>\n" if site.author_email else "",
        f"    <lastBuildDate>{format_datetime(_newest(entries, 'updated'))}</lastBuildDate>\n",
        f"    <pubDate>{format_datetime(_newest(entries, 'published'))}</pubDate>\n",
    ]
    return "".join([*head, *fragments, "  </channel>\n</rss>\n"]).encode()


def _atom_entry(entry: Entry, content: str | None) -> str:
    parts = [
        "  <entry>\n",
        f"    <id>{_text(entry.id)}</id>\n",
        f"    <title>{_text(entry.title)}</title>\n",
        f"    <updated>{entry.updated.isoformat()}</updated>\n",
        f"    <published>{entry.published.isoformat()}</published>\n",
    ]
    parts += [f"    <author>\n      <name>{_text(name)}</name>\n    </author>\n" for name in entry.authors]
    parts.append(f'    <link href="{_attr(entry.link)}" rel="alternate" type="text/html"/>\n')
    parts.append(f"    <summary>{_text(entry.summary)}</summary>\n")
    if content is not None:
        parts.append(f'    <content type="html">{_text(content)}</content>\n')
    parts += [f'    <category term="{_attr(tag)}"/>\n' for tag in entry.tags]
    parts.append("  </entry>\n")
    return "".join(parts)


def _rss_item(entry: Entry, content: str | None) -> str:
    parts = [
        "    <item>\n",
        f"      <title>{_text(entry.title)}</title>\n",
        f"      <link>{_text(entry.link)}</link>\n",
        f"      <description>{_text(entry.summary)}</description>\n",
    ]
    if content is not None:
        parts.append(f"      <content:encoded>{_text(content)}</content:encoded>\n")
    parts.append(f'      <guid isPermaLink="false">{_text(entry.id)}</guid>\n')
    parts.append(f"      <pubDate>{format_datetime(entry.published)}</pubDate>\n")
    if entry.author:
        parts.append(f"      <dc:creator>{_text(entry.author)}</dc:creator>\n")
    parts += [f"      <category>{_text(tag)}</category>\n" for tag in entry.tags]
    parts.append("    </item>\n")
    return "".join(parts)


def _newest(entries: Sequence[Entry], field: str) -> datetime:
    return max((getattr(e, field) for e in entries), default=NO_DATE)


def _text(value: str) -> str:
    """Character data: `&`, `<` and `>` escaped; characters XML cannot carry dropped."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _NOT_XML.sub("", escaped) if _NOT_XML.search(escaped) else escaped


def _attr(value: str) -> str:
    """An attribute value in double quotes."""
    return _text(value).replace('"', "&quot;")
