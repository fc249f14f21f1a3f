"""The one data model every stage downstream of the parser agrees on.

An `Entry` is a finished, dated piece of writing: everything the feeds, the
digest and the pages need, and nothing they would have to work out again.
It is frozen so that no output can quietly change what another one sees.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any


class DateSource(enum.Enum):
    """Where an entry's `published` date came from, strongest first.

    Kept on the entry so that `publisher check` can show an editor why a piece
    is dated the way it is, and so the weakest kind (first seen) can be
    treated differently when the memory of a build is lost.
    """

    METADATA = "metadata"
    FILENAME = "filename"
    TEXT = "text"
    FIRST_SEEN = "first-seen"


@dataclass(frozen=True, slots=True)
class Entry:
    """A dated piece, ready to publish.

    `first_seen` is when a build first met the piece: the digest window
    ("new since the last digest") is measured with it, not with `published`,
    so a piece dated last week but added today still reaches readers.
    `content_html` is None for an excerpt: a teaser cut off mid-sentence has
    no full text to show, and every output presents it as an excerpt that
    links to the page. `draft_digest` is its draft's (see `Draft.digest`),
    or "" for an entry made by hand: output keys use it in place of the
    fields it covers. An entry from the draft cache holds its content as the
    cache's UTF-8 bytes until it is first read (see `decoded_on_use`).
    """

    id: str
    slug: str
    title: str
    authors: tuple[str, ...]
    published: datetime
    updated: datetime
    date_source: DateSource
    summary: str
    content_html: str | None
    is_excerpt: bool
    tags: tuple[str, ...]
    link: str
    source_file: str
    source_line: int
    first_seen: datetime
    fingerprint: str = field(default="", compare=False)
    source_url: str | None = None
    draft_digest: str = field(default="", compare=False, repr=False)

    def __reduce__(self) -> tuple[type[Entry], tuple[Any, ...]]:
        """Pickled as its field values, made again by `__init__`: a cold build sends ten thousand entries to a
        worker, and the pickling of frozen dataclasses (a `__setstate__` setting field after field) took
        twice as long each way."""
        return Entry, _entry_values(self)

    @property
    def author(self) -> str | None:
        """The byline as one string ("A and B"), or None when the piece has none."""
        if not self.authors:
            return None
        if len(self.authors) == 1:
            return self.authors[0]
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]

    @property
    def sort_key(self) -> tuple[datetime, str]:
        """Order by (published, id) so that every output lists entries the same way."""
        return (self.published, self.id)


class _DecodedOnUse:
    """A slot holding a text, or until it is first read the text's UTF-8 bytes: reading it gives the text.

    After one edit of ten thousand pieces, a build takes every entry's
    content from the draft cache (5 KB or more each) and renders one: the
    cached bytes are decoded only for the entries an output shows the
    content of. Every reader, `==`, `repr` and a template's `entry.content_html`
    included, only ever sees the text.
    """

    def __init__(self, slot: Any) -> None:
        self.slot = slot  # the member descriptor `__slots__` made

    def __get__(self, owner: object, cls: type | None = None) -> Any:
        if owner is None:
            return self
        value = self.slot.__get__(owner, cls)
        if type(value) is bytes:
            value = value.decode()
            self.slot.__set__(owner, value)  # once: the instance is frozen to everyone else
        return value

    def __set__(self, owner: object, value: Any) -> None:
        self.slot.__set__(owner, value)

    def raw(self, owner: object) -> Any:
        """The value as it is held, bytes still undecoded: to hand on without decoding it."""
        return self.slot.__get__(owner, type(owner))


def decoded_on_use(cls: type, name: str) -> _DecodedOnUse:
    """Make field `name` of the slotted dataclass `cls` accept UTF-8 bytes for its text (see `_DecodedOnUse`)."""
    field_of = _DecodedOnUse(getattr(cls, name))
    setattr(cls, name, field_of)
    return field_of


ENTRY_CONTENT = decoded_on_use(Entry, "content_html")
_entry_values = attrgetter(*(f.name for f in fields(Entry)))


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    """Entries newest first, ties broken by id, so output never depends on input order."""
    return sorted(entries, key=lambda e: e.sort_key, reverse=True)
