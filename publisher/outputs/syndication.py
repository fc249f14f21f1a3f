"""Every feed file of a build: the site's, each tag's and each author's, in Atom, RSS and JSON Feed.

The families and their documents are planned in `feedplan.py`; this module
names the families, renders each document in each format and says which
files are subscription feeds (the WebSub topics a hub is told about).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from ..entry import Entry
from .catalog import Catalog, Group
from .feedplan import Family, FeedDoc, Format, Kind, plan
from .feeds import render_atom, render_rss
from .jsonfeed import render_json
from .site import Site

RENDERERS: dict[Format, Callable[[FeedDoc, Site], bytes]] = {
    Format.ATOM: render_atom,
    Format.RSS: render_rss,
    Format.JSON: render_json,
}


def families(entries: Sequence[Entry], site: Site, catalog: Catalog, now: datetime) -> list[Family]:
    """One family per tag, one per author, then the site's own (published last: it is the most read)."""

    def family(folder: str, heading: str, description: str, page: str, members: Sequence[Entry]) -> Family:
        title = f"{site.title}: {heading}" if folder else site.title
        updated = max((e.updated for e in members), default=now)
        return Family(folder, heading, title, description, page, tuple(members), updated)

    def tag(group: Group) -> Family:
        description = f"Entries tagged “{group.name}” on {site.title}."
        return family(group.folder, f"Tagged “{group.name}”", description, group.url, group.entries)

    def author(group: Group) -> Family:
        description = f"Entries by {group.name} on {site.title}."
        return family(group.folder, group.name, description, group.url, group.entries)

    return [
        *(tag(group) for group in catalog.tags),
        *(author(group) for group in catalog.authors),
        family("", site.title, site.description, site.url, entries),
    ]


def render_feeds(feed_families: Sequence[Family], site: Site, size: int) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of every feed file: all archive pages first, then the subscription feeds they back."""
    docs = [doc for family in feed_families for doc in plan(family, size)]
    docs.sort(key=lambda doc: doc.kind is not Kind.ARCHIVE)
    for doc in docs:
        for fmt in Format:
            yield doc.path(fmt), RENDERERS[fmt](doc, site)


def topics(catalog: Catalog) -> list[str]:
    """The subscription feeds' paths: what a WebSub hub is told about when they change."""
    folders = ["", *(group.folder for group in (*catalog.tags, *catalog.authors))]
    return [folder + fmt.filename for folder in folders for fmt in Format]
