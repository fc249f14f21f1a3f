"""Every feed file of a build: the site's, each tag's and each author's, in Atom, RSS and JSON Feed.

Which of those there are is the editor's choice: the `formats` setting says
which formats are written (the site's `formats`), `listing_feeds` whether
tags and authors have feeds of their own (`families`).

The families and their documents are planned in `feedplan.py`; this module
names the families, renders each document in each format and says which
files are subscription feeds (the WebSub topics a hub is told about).

Each document has a key: a hash of everything its bytes depend on (the
publisher version, the site, the family, its place in the archive chain and
every field of every entry it shows). A document whose key is the one the
file on disk was written with is not rendered again. That is what keeps
archives cheap: a full archive page's key never changes, so a site with
thousands of entries renders its archives once, not on every build.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial

from ..config import LISTINGS
from ..entry import Entry
from .catalog import Catalog, Group
from .feeditem import Chunks, FeedItems, MakePart, PartOf
from .feedplan import Family, FeedDoc, Format, Kind, plan
from .feeds import FeedEntries, render_atom, render_rss
from .jsonfeed import render_json
from .keys import Keys
from .parts import Parts, Written
from .premade import Premade, part_maker
from .site import Site


def families(
    entries: Sequence[Entry],
    site: Site,
    catalog: Catalog,
    now: datetime,
    listing_feeds: Collection[str] = LISTINGS,
) -> list[Family]:
    """One family per tag, one per author, then the site's own (published last: it is the most read).

    Tags and authors have feeds in the site's formats when `listing_feeds`
    names them ("tag", "author"); otherwise their families have no formats:
    they are only pages (an entry's page links its tags and authors).
    """

    def family(
        folder: str, heading: str, description: str, page: str, members: Sequence[Entry], kind: str = ""
    ) -> Family:
        title = f"{site.title}: {heading}" if folder else site.title
        updated = max((e.updated for e in members), default=now)
        formats = site.formats if not kind or kind in listing_feeds else ()
        return Family(folder, heading, title, description, page, tuple(members), updated, formats)

    def tag(group: Group) -> Family:
        description = f"Entries tagged “{group.name}” on {site.title}."
        return family(group.folder, f"Tagged “{group.name}”", description, group.url, group.entries, "tag")

    def author(group: Group) -> Family:
        description = f"Entries by {group.name} on {site.title}."
        return family(group.folder, group.name, description, group.url, group.entries, "author")

    return [
        *(tag(group) for group in catalog.tags),
        *(author(group) for group in catalog.authors),
        family("", site.title, site.description, site.url, entries),
    ]


def render_feeds(
    feed_families: Sequence[Family],
    site: Site,
    size: int,
    keys: Keys,
    kept: Mapping[str, str],
    premade: Premade | None = None,
    written: Written | None = None,
) -> Iterator[tuple[str, str, Chunks | None]]:
    """(path, key, chunks) of every feed file: format by format, archive pages first, then the subscription
    feeds they back. Only families with formats have feed files, in the site's formats.

    `kept` maps the paths of files still as the last build wrote them to
    their keys; a file whose key is unchanged comes with chunks None: keep it.
    One format at a time, because each entry's part for a format is kept
    until that format is done: holding all three at once cost a
    10,000-entry build 150 MB. An unchanged part is taken from the file as
    the last build wrote it, when `written` knows where it lies there (see
    parts.py), and `written` is told where the parts lie in each file
    rendered now. The parts a worker made (`premade`) are taken instead of
    making them (they come in all three formats at once, so that the worker
    can end: premade.py).
    """
    docs = [doc for family in feed_families if family.formats for doc in plan(family, size)]
    docs.sort(key=lambda doc: doc.kind is not Kind.ARCHIVE)
    keyed = [(doc, doc_key(doc, keys)) for doc in docs]
    items = FeedItems()
    entries = FeedEntries(items)
    premade = premade or Premade()
    for fmt in site.formats:  # no local holds a format's parts: they go before the next format's come
        make = part_maker(fmt, items, entries)
        yield from _files(fmt, keyed, site, kept, _parts(fmt, make, premade, keys), written)


def _files(
    fmt: Format,
    keyed: list[tuple[FeedDoc, str]],
    site: Site,
    kept: Mapping[str, str],
    parts: Parts,
    written: Written | None,
) -> Iterator[tuple[str, str, Chunks | None]]:
    """The documents' files in one format; its parts are let go once they are done (see `render_feeds`).

    The largest document rendered takes its parts from its last version
    first: the site feed holds every part its tags' and authors' feeds hold,
    and those files need not be read then.
    """
    rendered = [doc for doc, key in keyed if kept.get(doc.path(fmt)) != key]
    if written and rendered:
        largest = max(rendered, key=lambda doc: len(doc.entries))
        parts.fetch(largest.entries, partial(written.parts_in, largest.path(fmt)))
    for doc, key in keyed:
        path = doc.path(fmt)
        if kept.get(path) == key:
            yield path, key, None
            continue
        parts.fetch(doc.entries, partial(written.parts_in, path) if written else None)
        data = RENDER[fmt](doc, site, parts)
        if written:
            written.wrote(path, parts.spans(doc.entries, data))
        yield path, key, data


RENDER: dict[Format, Callable[[FeedDoc, Site, PartOf | None], Chunks]] = {
    Format.JSON: render_json,
    Format.ATOM: render_atom,
    Format.RSS: render_rss,
}


def _parts(fmt: Format, make: MakePart, premade: Premade, keys: Keys) -> Parts:
    """The build's parts in `fmt`: from the files as last written, made by the worker (`premade`), or made here."""
    return Parts(fmt.name, _taking(premade.parts(fmt), make), keys.entry_key, None)


def _taking(made: dict[str, bytes | memoryview], make: MakePart) -> PartOf:
    """`make`, but an entry's part in `made` is taken from it (and dropped there: `Parts` keeps it now)."""

    def part(entry: Entry) -> bytes | memoryview:
        found = made.pop(entry.id, None)
        return make(entry) if found is None else found

    return part


def doc_key(doc: FeedDoc, keys: Keys) -> str:
    """The key of a document (in any format): its family, its place in the archive chain, its entries."""
    family = doc.family
    head = ("feed", family.folder, family.title, family.description, family.page_url)
    place = (doc.kind.value, doc.page, doc.prev_page, doc.next_page, doc.updated.isoformat())
    return keys.key((head, place), doc.entries)


def kept_part_keys(
    feed_families: Sequence[Family], site: Site, size: int, written: Written | None
) -> set[str]:
    """The keys of the parts the site's feed files hold as last written (in its first format): every entry
    shows in them, so an entry whose part key is not there has no part kept anywhere (see premade.py)."""
    if written is None:
        return set()
    fmt = site.formats[0]
    return written.part_keys(
        doc.path(fmt) for family in feed_families if not family.folder for doc in plan(family, size)
    )


def topics(feed_families: Sequence[Family]) -> list[str]:
    """The subscription feeds' paths: what a WebSub hub is told about when they change."""
    return [family.folder + fmt.filename for family in feed_families for fmt in family.formats]
