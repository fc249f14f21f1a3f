"""Output keys: a hash of everything an output file's bytes are made from.

A build renders a file only when its key differs from the one the file on
disk was written with (and the file is still as written): that is what keeps
a rebuild after one edit from re-rendering ten thousand pages, and a full
RFC 5005 archive page from ever being rendered twice. A key covers the code
that writes the bytes, the settings, the templates and every field of every
entry the file shows; anything else a file depends on goes into its `parts`.

Every build digests every entry (the index and the feeds show them all), so
an entry is hashed as its fields' types and texts, the texts framed by
their lengths: as unambiguous as the `repr` it replaces, at a fraction of
the cost (`repr` escaped every piece's full content first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
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
    feed_keys: dict[str, str] = field(default_factory=dict)  # `entry_key`: the same for all three formats
    head: Any = field(init=False, repr=False)  # the hash of `base`, which every key starts with

    def __post_init__(self) -> None:
        self.head = hashlib.sha256(_encoded(_framed([self.base])))

    @classmethod
    def for_build(cls, settings: object, templates: str) -> Keys:
        """`settings` by its repr (every field) and `templates` as a digest of the template files."""
        return cls(repr((WRITERS, repr(settings), templates)))

    def key(self, parts: object, entries: Iterable[Entry]) -> str:
        """The base and `parts`, each framed (see `_framed`), then each entry's digest, all of one size: unambiguous."""
        digest = self.head.copy()
        digest.update(_encoded(_framed([repr(parts)])))
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
            made = self.entries[entry.id] = hashlib.sha256(_encoded(entry_text(entry))).digest()
        return made


def entry_text(entry: Entry) -> str:
    """Every field of `entry` as text: the fields' types (see `_TYPES`), then their texts framed (see `_framed`).

    Two entries give the same text only if every field agrees. Most fields
    are strings, taken as they are; the loops over fields run in C (`map`),
    as this runs for every entry of every build.
    """
    values = _values(entry)
    texts = [value if type(value) is str else _TEXT[type(value)](value) for value in values]
    return "".join(map(_TYPES.__getitem__, map(type, values))) + _framed(texts)


def _framed(texts: Sequence[str]) -> str:
    """The texts' lengths, then the texts: "1,0,2;abc" is ("a", "", "bc"), and no other sequence gives it."""
    return ",".join(map(str, map(len, texts))) + ";" + "".join(texts)


def _encoded(text: str) -> bytes:
    """UTF-8, lone surrogates too (a YAML escape can make one): encoding is one-to-one, so keys stay unambiguous."""
    return text.encode("utf-8", "surrogatepass")


_values = attrgetter(*ENTRY_FIELDS)
# Each field's type, as a letter: None is not "", nor True "1". An unknown type fails (KeyError) rather
# than be keyed ambiguously.
_TYPES: dict[type, str] = {
    str: "s",
    type(None): "n",
    bool: "b",
    int: "i",
    datetime: "d",
    DateSource: "e",
    tuple: "t",
}
# The text of each field that is not a string. A datetime as the text outputs print: a date read back
# from the state store has another tzinfo object.
_TEXT: dict[type, Callable[[Any], str]] = {
    type(None): lambda value: "",
    bool: lambda value: "1" if value else "0",
    int: str,
    datetime: lambda value: value.isoformat(),
    DateSource: lambda value: value.value,
    tuple: _framed,  # authors, tags: strings
}
