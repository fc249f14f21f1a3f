"""Which feed documents exist: subscription feeds, RFC 5005 archives, and where each one lives.

A *family* is one logical feed: the whole site's, one tag's or one author's.
Each family is published in the formats the `formats` setting names (by
default all three: Atom, RSS, JSON Feed) at `<folder>atom.xml`,
`<folder>rss.xml` and `<folder>feed.json`, where the folder is "" for the
site, `tags/<slug>/` or `authors/<slug>/`. Tags and authors have families
only when `listing_feeds` names them; their pages exist either way.

When a family has at most `size` entries, its one document holds them all
and says so (`fh:complete`). Otherwise the subscription document holds the
newest `size` entries (by date) and the family also has archive documents
at `<folder>archive/<n>/atom.xml` (and `rss.xml`, `feed.json`) that hold
every entry, in pages of `size`:

- entries fill pages in the order they arrived: by the time a build first
  saw them, and among those one build met together, by date and id. A piece
  added later, whatever date it carries, lands in the newest page, never in
  an older one;
- page n holds the entries numbered (n-1)*size+1 … n*size in that order;
  pages 1 … floor(total/size) are full, and the last page holds the rest
  (possibly none yet: a full page always has a successor to link to).

So a full archive page never changes when entries are added: its entries,
its `prev-archive` and its `next-archive` link are fixed the moment it fills,
and clients may cache it forever. (Editing or deleting an entry in it does
change it; RFC 5005 asks clients to refresh from the subscription feed.)
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..entry import Entry, newest_first


class Format(enum.Enum):
    """A feed format: its file name inside a feed folder, its media type, and what pages call it
    (`label` in a listing page's link titles, `short` in "the Atom, RSS or JSON feed").

    The `formats` setting names formats in lower case ("atom"); `Format.named` turns those names into these.
    """

    ATOM = ("atom.xml", "application/atom+xml", "Atom", "Atom")
    RSS = ("rss.xml", "application/rss+xml", "RSS", "RSS")
    JSON = ("feed.json", "application/feed+json", "JSON Feed", "JSON")

    def __init__(self, filename: str, media_type: str, label: str, short: str) -> None:
        self.filename = filename
        self.media_type = media_type
        self.label = label
        self.short = short

    @property
    def styled(self) -> bool:
        """Whether documents of this format name the feed stylesheet (`feed.xsl`): the XML ones."""
        return self is not Format.JSON

    @classmethod
    def named(cls, names: Sequence[str]) -> tuple[Format, ...]:
        """The formats a `formats` setting names, in the order given (the settings keep `Format`'s order)."""
        return tuple(cls[name.upper()] for name in names)


class Kind(enum.Enum):
    """RFC 5005's three kinds of feed document (the subscription feed is "current")."""

    COMPLETE = "complete"
    SUBSCRIPTION = "subscription"
    ARCHIVE = "archive"


ARCHIVE = "archive"


@dataclass(frozen=True, slots=True)
class Family:
    """One logical feed: a title, the HTML page it belongs to, all of its entries, and its formats.

    `updated` is the newest entry's `updated`; a family with no entries (an
    empty site) is given the build time, as Atom requires some date.
    """

    folder: str
    heading: str
    title: str
    description: str
    page_url: str
    entries: tuple[Entry, ...]
    updated: datetime
    formats: tuple[Format, ...]  # what its feeds are written in; () for a tag or author page without feeds


@dataclass(frozen=True, slots=True)
class FeedDoc:
    """One feed document of a family (in any format): which entries, and which neighbours it links to."""

    family: Family
    kind: Kind
    entries: tuple[Entry, ...]
    page: int = 0
    pages: int = 0

    def path(self, fmt: Format, page: int | None = None) -> str:
        """Where this document (or archive page `page` of its family; 0 = the subscription feed) lives."""
        number = self.page if page is None else page
        archive = f"{ARCHIVE}/{number}/" if number else ""
        return f"{self.family.folder}{archive}{fmt.filename}"

    @property
    def prev_page(self) -> int | None:
        """The archive page just before this document, for `prev-archive`."""
        if self.kind is Kind.SUBSCRIPTION:
            return self.pages
        return self.page - 1 if self.kind is Kind.ARCHIVE and self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        """The archive page just after this one, for `next-archive`."""
        return self.page + 1 if self.kind is Kind.ARCHIVE and self.page < self.pages else None

    @property
    def updated(self) -> datetime:
        """When anything in this document last changed; for an empty page, its family's newest change."""
        return max((e.updated for e in self.entries), default=self.family.updated)


def plan(family: Family, size: int) -> list[FeedDoc]:
    """The family's documents: archive pages oldest first, then the subscription document."""
    newest = tuple(newest_first(family.entries))
    if len(newest) <= size:
        return [FeedDoc(family, Kind.COMPLETE, newest)]
    pages = archive_pages(family.entries, size)
    docs = [
        FeedDoc(family, Kind.ARCHIVE, tuple(newest_first(page)), number, len(pages))
        for number, page in enumerate(pages, start=1)
    ]
    docs.append(FeedDoc(family, Kind.SUBSCRIPTION, newest[:size], 0, len(pages)))
    return docs


def archive_pages(entries: Sequence[Entry], size: int) -> list[list[Entry]]:
    """Every entry in arrival order, cut into pages of `size`; the last page is never full."""
    ordered = sorted(entries, key=arrival_key)
    return [ordered[start : start + size] for start in range(0, len(ordered) + 1, size)]


def arrival_key(entry: Entry) -> tuple[datetime, datetime, str]:
    """Archive order: when an entry was first seen, then its date, then its id."""
    return (entry.first_seen, entry.published, entry.id)
