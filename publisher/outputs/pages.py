"""Web pages: the index, one page per entry, and one per tag and per author, so every link resolves."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from jinja2 import Environment, Template
from markupsafe import Markup

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
    item = ListItems(env.get_template("entry-item.html"), site)
    for family in listings:
        path = family.folder + INDEX
        heading = (family.folder, family.heading, family.title, family.description, family.page_url)
        key = keys.key(("listing", heading), family.entries)
        page = None if kept.get(path) == key else listing.render(site=site, feed=family, list_item=item)
        yield path, key, page.encode() if page is not None else None
    key = keys.key("index", ordered)
    index = env.get_template("index.html")
    page = None if kept.get(INDEX) == key else index.render(site=site, entries=ordered, list_item=item)
    yield INDEX, key, page.encode() if page is not None else None


@dataclass
class ListItems:
    """Each entry's item in a list of entries (`entry-item.html`), rendered once per build.

    An entry is listed on the index, on each of its tags' pages and on its
    author's: the same HTML four times or more. Listing templates call
    `list_item(entry)`; one that still includes `entry-item.html` itself
    gets the same HTML, rendered again.
    """

    template: Template
    site: Site
    made: dict[str, Markup] = field(default_factory=dict)

    def __call__(self, entry: Entry) -> Markup:
        item = self.made.get(entry.id)
        if item is None:
            item = self.made[entry.id] = Markup(self.template.render(site=self.site, entry=entry))
        return item
