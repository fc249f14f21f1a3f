"""Output keys: a hash of everything an output file's bytes are made from.

A build renders a file only when its key differs from the one the file on
disk was written with (and the file is still as written): that is what keeps
a rebuild after one edit from re-rendering ten thousand pages, and a full
RFC 5005 archive page from ever being rendered twice. A key covers the code
that writes the bytes, the settings, the templates and every field of every
entry the file shows; anything else a file depends on goes into its `parts`.

Every build digests every entry (the index and the feeds show them all), so
an entry is hashed as its fields' types and texts, the texts framed by
their lengths (see framing.py), its content by its draft's digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from importlib.metadata import version
from operator import attrgetter
from typing import Any

from .. import __version__
from ..entry import Entry
from ..framing import encoded, framed, values_text

# The code that writes the bytes: a new feedgen, lxml or Jinja may serialize differently.
WRITERS = f"publisher {__version__}, feedgen {version('feedgen')}, lxml {version('lxml')}, jinja2 {version('jinja2')}"
ENTRY_FIELDS = tuple(f.name for f in fields(Entry))


@dataclass
class Keys:
    """One build's key maker: each entry's digest is made once, though an entry shows in a dozen files."""

    base: str
    entries: dict[str, bytes] = field(default_factory=dict)
    feed_keys: dict[str, str] = field(default_factory=dict)  # `entry_key`: the same for all three formats
    head: Any = field(init=False, repr=False)  # the hash of `base`, which every key starts with
    starts: dict[str, Any] = field(default_factory=dict, repr=False)  # the hash of `base` and of each `parts`

    def __post_init__(self) -> None:
        self.head = hashlib.sha256(encoded(framed([self.base])))

    @classmethod
    def for_build(cls, settings: object, templates: str) -> Keys:
        """`settings` by its repr (every field) and `templates` as a digest of the template files."""
        return cls(repr((WRITERS, repr(settings), templates)))

    def key(self, parts: object, entries: Iterable[Entry]) -> str:
        """The base and `parts`, each framed (see framing.py), then each entry's digest, all of one size: unambiguous."""
        text = repr(parts)
        start = self.starts.get(text)
        if start is None:  # ten thousand entry pages share one start
            start = self.starts[text] = self.head.copy()
            start.update(encoded(framed([text])))
        digest = start.copy()
        for entry in entries:
            digest.update(self._entry(entry))
        return str(digest.hexdigest())

    def entry_key(self, entry: Entry) -> str:
        """The key of an entry's feed parts: its every field and the code that serializes them, not the settings."""
        made = self.feed_keys.get(entry.id)
        if made is None:
            made = self.feed_keys[entry.id] = hashlib.sha256(
                WRITERS.encode() + self._entry(entry)
            ).hexdigest()
        return made

    def _entry(self, entry: Entry) -> bytes:
        made = self.entries.get(entry.id)
        if made is None:
            made = self.entries[entry.id] = hashlib.sha256(encoded(entry_text(entry))).digest()
        return made


def entry_text(entry: Entry) -> str:
    """Every field of `entry` as one unambiguous text (see framing.py).

    An entry made by the pipeline carries its draft's digest, which covers
    every field it took from the draft (see `Draft.digest`): only the fields
    its record settled are added to it, so a rebuild after one edit does not
    hash ten thousand entries' content again. Any other entry is written out
    field by field; "#" starts no text of that kind, so the two never meet.
    """
    if entry.draft_digest:
        return "#" + values_text((entry.draft_digest, *_settled(entry)))
    return values_text(_values(entry))


SETTLED = ("id", "slug", "published", "updated", "first_seen", "link")
"""The fields an entry takes from its record (what the state store settled), not from its draft."""
_values = attrgetter(*(name for name in ENTRY_FIELDS if name != "draft_digest"))
_settled = attrgetter(*SETTLED)
