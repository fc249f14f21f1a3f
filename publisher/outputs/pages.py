"""Web pages: the index, one page per entry, and one per tag and per author, so every link resolves."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from jinja2 import Environment

from ..entry import Entry, newest_first
from ..html import absolute_links
from .catalog import Catalog
from .feedplan import Family
from .site import INDEX, Site, page_path


def render_pages(
    env: Environment, entries: Sequence[Entry], site: Site, links: Catalog, listings: Sequence[Family]
) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) for every entry page, then each tag's and author's page, then the index.

    Entry content gets absolute links here too, exactly as in the feeds, so a
    relative link means the same thing wherever the piece is read.
    """
    template = env.get_template("entry.html")
    ordered = newest_first(entries)
    for entry in ordered:
        content = absolute_links(entry.content_html, entry.link) if entry.content_html is not None else ""
        page = template.render(site=site, entry=entry, content=content, links=links)
        yield page_path(entry.slug), page.encode()
    listing = env.get_template("listing.html")
    for family in listings:
        yield family.folder + INDEX, listing.render(site=site, feed=family).encode()
    yield INDEX, env.get_template("index.html").render(site=site, entries=ordered).encode()
