"""Output keys: a hash of everything an output file's bytes are made from.

A build renders a file only when its key differs from the one the file on
disk was written with (and the file is still as written): that is what keeps
a rebuild after one edit from re-rendering ten thousand pages, and a full
RFC 5005 archive page from ever being rendered twice. A key covers the code
that writes the bytes, the settings, the templates and every field of every
entry the file shows; anything else a file depends on goes into its `parts`.

Every build digests every entry (the index and the feeds show them all), so
an entry is hashed as its fields' text, each tagged with its type and
prefixed with its length: as unambiguous as the `repr` it replaces, at half
the cost (`repr` escaped every piece's full content first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from importlib.metadata import version
from operator import attrgetter
from typing import Any

from .. import __version__
from ..entry import DateSource, Entry

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
        """The base and `parts` framed (see `_framed`), then each entry's digest, all of one size: unambiguous."""
        digest = hashlib.sha256(_encoded(_framed((self.base, repr(parts)))))
        for entry in entries:
            digest.update(self._entry(entry))
        return digest.hexdigest()

    def entry_key(self, entry: Entry) -> str:
        """The key of an entry's feed parts: its every field and the code that serializes them, not the settings."""
        return hashlib.sha256(WRITERS.encode() + self._entry(entry)).hexdigest()

    def _entry(self, entry: Entry) -> bytes:
        made = self.entries.get(entry.id)
        if made is None:
            made = self.entries[entry.id] = hashlib.sha256(_encoded(entry_text(entry))).digest()
        return made


def entry_text(entry: Entry) -> str:
    """Every field of `entry` as text (see `_TEXT`), framed: two entries give the same text only if all fields agree."""
    return _framed([_TEXT[type(value)](value) for value in _values(entry)])


def _framed(texts: Iterable[str]) -> str:
    """Each text prefixed with its length, so that where one ends and the next begins is never in doubt."""
    return "".join(f"{len(text)}:{text}" for text in texts)


def _encoded(text: str) -> bytes:
    """UTF-8, lone surrogates too (a YAML escape can make one): encoding is one-to-one, so keys stay unambiguous."""
    return text.encode("utf-8", "surrogatepass")


_values = attrgetter(*ENTRY_FIELDS)
# Each field's value as text, its first character naming its type: None is not "", nor True "1".
# A datetime as the text outputs print: a date read back from the state store has another tzinfo object.
_TEXT: dict[type, Callable[[Any], str]] = {
    str: lambda value: "s" + value,
    type(None): lambda value: "n",
    bool: lambda value: "b1" if value else "b0",
    int: lambda value: f"i{value}",
    datetime: lambda value: "d" + value.isoformat(),
    DateSource: lambda value: "e" + value.value,
    tuple: lambda value: "t" + _framed(value),  # authors, tags: strings
}
