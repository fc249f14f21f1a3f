"""JSON Feed 1.1 documents (https://jsonfeed.org/version/1.1); a plan in, bytes out, no I/O.

Items carry the same `id` as the Atom entry and the RSS guid, so a reader
that follows more than one of our feeds sees one entry, not three. Only
`content_html` holds HTML: titles, summaries and `content_text` are plain
text. An excerpt has no full text, so it is `summary` plus `content_text`
(the spec requires one of the two content fields).

JSON Feed has no archives, only paging: `next_url` leads from the
subscription feed to the newest archive page and from each page to the one
before it, the same chain as RFC 5005's `prev-archive` in Atom and RSS.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..entry import Entry
from .feeditem import Chunks, FeedItem, ItemOf, PartOf, feed_item, xml_safe
from .feedplan import FeedDoc, Format, Kind
from .site import Site

VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class JsonItems:
    """Serializes an entry's JSON Feed item on its own, as a part of every document showing it.

    Each item is `json.dumps` output, and so is the document around them, so
    the joined result is the same text `json.dumps` gives for the whole document.
    """

    item_of: ItemOf = feed_item

    def __call__(self, entry: Entry) -> bytes:
        # UTF-8 bytes: half the memory of a str with curly quotes, and what the document is joined from.
        return _dumps(_item(self.item_of(entry))).encode()


def render_json(doc: FeedDoc, site: Site, part_of: PartOf | None = None) -> Chunks:
    family = doc.family
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": xml_safe(family.title),
        "home_page_url": family.page_url,
        "feed_url": site.absolute(doc.path(Format.JSON, 0)),
        "description": xml_safe(family.description),
        "language": site.language,
        "authors": [{"name": xml_safe(site.author)}],
    }
    if site.hub and doc.kind is not Kind.ARCHIVE:
        feed["hubs"] = [{"type": "WebSub", "url": site.hub}]
    if doc.prev_page:
        feed["next_url"] = site.absolute(doc.path(Format.JSON, doc.prev_page))
    item_of = part_of or JsonItems()
    head = _dumps(feed)[:-1].encode()  # the object without its closing brace; "items" comes last
    return [head, b', "items": [', *_separated(item_of(entry) for entry in doc.entries), b"]}\n"]


def _separated(items: Iterable[bytes | memoryview]) -> Iterator[bytes | memoryview]:
    """The items with ", " between them."""
    for at, item in enumerate(items):
        if at:
            yield b", "
        yield item


def _dumps(data: dict[str, Any]) -> str:
    # One line: with `indent`, json.dumps falls back to its pure-Python encoder (1.8× slower measured here).
    return json.dumps(data, ensure_ascii=False)


def _item(item: FeedItem) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.id, "url": item.url}
    if item.external_url:
        data["external_url"] = item.external_url
    data["title"] = item.title
    if item.content_html is not None:
        data["content_html"] = item.content_html
    else:
        data["content_text"] = item.summary
    data["summary"] = item.summary
    data["date_published"] = item.published.isoformat()
    data["date_modified"] = item.updated.isoformat()
    if item.authors:
        data["authors"] = [{"name": name} for name in item.authors]
    if item.tags:
        data["tags"] = list(item.tags)
    return data
