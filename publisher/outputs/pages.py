"""Web pages: the index, one page per entry, and one per tag and per author, so every link resolves."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from jinja2 import Environment

from ..entry import Entry, newest_first
from ..html import absolute_links
from .catalog import Catalog
from .feedplan import Family
from .keys import Keys
from .site import INDEX, Site, page_path


def render_pages(
    env: Environment,
    entries: Sequence[Entry],
    site: Site,
    links: Catalog,
    listings: Sequence[Family],
    keys: Keys,
    kept: Mapping[str, str],
) -> Iterator[tuple[str, str, bytes | None]]:
    """(path, key, bytes) for every entry page, then each tag's and author's page, then the index.

    Every page has a key (see keys.py): an entry page's covers its entry
    (tag and author URLs depend on the name only), a listing's covers its
    heading and every entry it lists, in order. A page whose key is in
    `kept` comes with bytes None, to be kept: after an edit, only the
    listings that show the edited entry are rendered again.
    Entry content gets absolute links here too, exactly as in the feeds, so a
    relative link means the same thing wherever the piece is read.
    """
    template = env.get_template("entry.html")
    ordered = newest_first(entries)
    for entry in ordered:
        path = page_path(entry.slug)
        key = keys.key("page", [entry])
        if kept.get(path) == key:
            yield path, key, None
            continue
        content = absolute_links(entry.content_html, entry.link) if entry.content_html is not None else ""
        yield path, key, template.render(site=site, entry=entry, content=content, links=links).encode()
    listing = env.get_template("listing.html")
    for family in listings:
        path = family.folder + INDEX
        heading = (family.folder, family.heading, family.title, family.description, family.page_url)
        key = keys.key(("listing", heading), family.entries)
        yield path, key, None if kept.get(path) == key else listing.render(site=site, feed=family).encode()
    key = keys.key("index", ordered)
    index = (
        None if kept.get(INDEX) == key else env.get_template("index.html").render(site=site, entries=ordered)
    )
    yield INDEX, key, index.encode() if index is not None else None
