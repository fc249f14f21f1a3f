"""Web pages: the index, one page per entry, and one per tag and per author, so every link resolves."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from jinja2 import Environment
from markupsafe import Markup

from ..entry import Entry, newest_first
from ..html import absolute_links
from .catalog import Catalog
from .feedplan import Family
from .keys import Keys
from .parts import Parts, PartStore
from .site import INDEX, Site, page_path

LIST_ITEM = "LIST_ITEM"
"""The kind of part (see parts.py) of an entry's item in a list of entries: the one kind the state store keeps."""


def render_pages(
    env: Environment,
    entries: Sequence[Entry],
    site: Site,
    links: Catalog,
    listings: Sequence[Family],
    keys: Keys,
    kept: Mapping[str, str],
    store: PartStore | None = None,
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
    items = list_items(env, site, keys, store)
    item = _markup(items)
    for family in listings:
        path = family.folder + INDEX
        heading = (family.folder, family.heading, family.title, family.description, family.page_url)
        key = keys.key(("listing", heading), family.entries)
        if kept.get(path) == key:
            yield path, key, None
            continue
        items.fetch(family.entries)
        yield path, key, listing.render(site=site, feed=family, list_item=item).encode()
    key = keys.key("index", ordered)
    if kept.get(INDEX) == key:
        yield INDEX, key, None
    else:
        items.fetch(ordered)
        yield (
            INDEX,
            key,
            env.get_template("index.html").render(site=site, entries=ordered, list_item=item).encode(),
        )
    items.save()


def list_items(env: Environment, site: Site, keys: Keys, store: PartStore | None) -> Parts:
    """Each entry's item in a list of entries (`entry-item.html`), rendered once, or taken from `store`.

    An entry is listed on the index, on each of its tags' pages and on its
    author's: the same HTML four times or more, and after one edit the
    index lists ten thousand unchanged items. Listing templates call
    `list_item(entry)`; one that still includes `entry-item.html` itself
    gets the same HTML, rendered again.
    """
    template = env.get_template("entry-item.html")
    return Parts(
        LIST_ITEM,
        lambda entry: template.render(site=site, entry=entry).encode(),
        lambda entry: keys.key("list item", [entry]),
        store,
    )


def _markup(parts: Parts) -> Callable[[Entry], Markup]:
    """`list_item` as templates call it: the item's HTML, marked safe."""
    return lambda entry: Markup(str(parts(entry), "utf-8"))
