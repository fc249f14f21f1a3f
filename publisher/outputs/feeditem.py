"""What a feed says about one entry: the entry's text, made safe for every feed format.

Atom, RSS and JSON Feed all take their items from `feed_item()`, so they can
never disagree about a title, a link or a piece of content:
- content HTML has its relative links made absolute (feed readers ignore
  `xml:base`, and a relative link in a reader's window points nowhere);
- every string passes through `xml_safe()`, the last guard before XML: a
  control character that slipped past extraction must cost one character,
  not the whole build (lxml refuses such strings outright).
Titles and summaries are already plain text (extraction makes them so); the
serializers escape them exactly once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..entry import Entry
from ..html import absolute_links, xml_safe

__all__ = ["Chunks", "FeedItem", "FeedItems", "ItemOf", "MakePart", "PartOf", "feed_item", "xml_safe"]


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry as every feed format shows it."""

    id: str
    url: str
    title: str
    summary: str
    content_html: str | None
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    byline: str | None
    tags: tuple[str, ...]
    external_url: str | None

    @property
    def distinct_updated(self) -> datetime:
        """`updated`, moved by a sub-second amount derived from the id.

        Pieces dated by day share midnight, and Atom readers (and the W3C
        validator's DuplicateUpdated rule) take identical `updated` values
        in one feed as a sign of a broken generator. The offset depends on
        the id alone, so it is the same in every feed and every build.
        """
        if self.updated.microsecond:
            return self.updated
        offset = int(hashlib.sha256(self.id.encode()).hexdigest()[:8], 16) % 1_000_000
        return self.updated + timedelta(microseconds=offset)


def feed_item(entry: Entry) -> FeedItem:
    """The entry as feeds show it; an empty body (a Markdown piece with only a summary) is no content."""
    content = absolute_links(entry.content_html, entry.link) if entry.content_html else None
    return FeedItem(
        id=xml_safe(entry.id),
        url=xml_safe(entry.link),
        title=xml_safe(entry.title),
        summary=xml_safe(entry.summary),
        content_html=xml_safe(content) if content is not None else None,
        published=entry.published,
        updated=entry.updated,
        authors=tuple(xml_safe(a) for a in entry.authors),
        byline=xml_safe(entry.author) if entry.author else None,
        tags=tuple(xml_safe(t) for t in entry.tags),
        external_url=xml_safe(entry.source_url) if entry.source_url else None,
    )


ItemOf = Callable[[Entry], FeedItem]
"""How a renderer gets an entry's item: `feed_item` itself, or a build's `FeedItems`."""
PartOf = Callable[[Entry], bytes | memoryview]
"""How a renderer gets an entry's serialized part of a document (an Atom entry, an RSS item, a JSON item):
made now, stored, or as it lies in the file the last build wrote (see parts.py)."""
Chunks = list[bytes | memoryview]
"""A feed document as what it is joined from, in order (its head, each entry's part as `PartOf` gave it, its
tail), not joined: the publish step writes the chunks as they are (see `publish.Data`)."""
MakePart = Callable[[Entry], bytes]
"""What makes a part anew."""


@dataclass
class FeedItems:
    """Each entry's FeedItem, made once per build and shared by every feed file that shows it.

    An entry appears in the site's feed or archive, in each of its tags' and
    its author's, each in three formats: a dozen files. Making its item
    (absolute links, XML-safe strings) once instead of in each of them
    halves the time a cold build spends on feeds.
    """

    made: dict[str, FeedItem] = field(default_factory=dict)

    def __call__(self, entry: Entry) -> FeedItem:
        item = self.made.get(entry.id)
        if item is None:
            item = self.made[entry.id] = feed_item(entry)
        return item
