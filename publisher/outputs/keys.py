"""Output keys: a hash of everything an output file's bytes are made from.

A build renders a file only when its key differs from the one the file on
disk was written with (and the file is still as written): that is what keeps
a rebuild after one edit from re-rendering ten thousand pages, and a full
RFC 5005 archive page from ever being rendered twice. A key covers the code
that writes the bytes, the settings, the templates and every field of every
entry the file shows; anything else a file depends on goes into its `parts`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from importlib.metadata import version

from .. import __version__
from ..entry import Entry

# The code that writes the bytes: a new feedgen, lxml or Jinja may serialize differently.
WRITERS = f"publisher {__version__}, feedgen {version('feedgen')}, lxml {version('lxml')}, jinja2 {version('jinja2')}"
ENTRY_FIELDS = tuple(f.name for f in fields(Entry))


@dataclass
class Keys:
    """One build's key maker: each entry's digest is made once, though an entry shows in a dozen files."""

    base: str
    entries: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def for_build(cls, settings: object, templates: str) -> Keys:
        """`settings` by its repr (every field) and `templates` as a digest of the template files."""
        return cls(repr((WRITERS, repr(settings), templates)))

    def key(self, parts: object, entries: Iterable[Entry]) -> str:
        digest = hashlib.sha256(repr((self.base, parts)).encode())
        for entry in entries:
            digest.update(self._entry(entry))
        return digest.hexdigest()

    def entry_key(self, entry: Entry) -> str:
        """The key of an entry's feed parts: its every field and the code that serializes them, not the settings."""
        return hashlib.sha256(WRITERS.encode() + self._entry(entry)).hexdigest()

    def _entry(self, entry: Entry) -> bytes:
        made = self.entries.get(entry.id)
        if made is None:
            text = repr(tuple(_stable(getattr(entry, name)) for name in ENTRY_FIELDS))
            made = self.entries[entry.id] = hashlib.sha256(text.encode()).digest()
        return made


def _stable(value: object) -> object:
    """A datetime as the text outputs print: a date read back from the state store has another tzinfo object."""
    return value.isoformat() if isinstance(value, datetime) else value
