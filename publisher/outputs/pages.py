"""Web pages: the index and one page per entry, so every link in a feed or the digest resolves."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from jinja2 import Environment

from ..entry import Entry, newest_first
from .site import INDEX, Site, page_path


def render_pages(env: Environment, entries: Sequence[Entry], site: Site) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) for every entry page, then the index."""
    template = env.get_template("entry.html")
    ordered = newest_first(entries)
    for entry in ordered:
        yield page_path(entry.slug), template.render(site=site, entry=entry).encode()
    yield INDEX, env.get_template("index.html").render(site=site, entries=ordered).encode()
