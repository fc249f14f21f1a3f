"""Web pages: the index and one page per entry, so every link in a feed or the digest resolves."""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment

from ..entry import Entry
from .site import Site


def render_page(env: Environment, entry: Entry, site: Site) -> bytes:
    """One entry's page (it lives at `page_path(entry.slug)`)."""
    return env.get_template("entry.html").render(site=site, entry=entry).encode()


def render_index(env: Environment, ordered: Sequence[Entry], site: Site) -> bytes:
    """The front page listing `ordered` (newest first)."""
    return env.get_template("index.html").render(site=site, entries=ordered).encode()
