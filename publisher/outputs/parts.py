"""Entries' parts: what each entry contributes to every output that shows it, made once and kept across builds.

An entry shows in the site's feeds, its tags' and its author's (an Atom
entry, an RSS item, a JSON item in each), and in the lists of entries on the
index and on those tags' and author's pages (a list item). Each part is made
once per build and joined into every document that needs it; the state
store keeps it, so after one edit the feeds and the index, which show every
entry, are joined from ten thousand stored parts and one new one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import InitVar, dataclass, field
from typing import Protocol

from ..entry import Entry
from .feeditem import PartOf


class PartStore(Protocol):
    """Where the entries' parts of an earlier build are kept (the state store): a build makes only new ones."""

    def part_keys(self, kind: str) -> dict[str, str]:
        """Entry id → key of each part of this kind the store holds."""

    def stored_parts(self, kind: str, entries: list[str]) -> dict[str, bytes]:
        """The stored parts of these entries of one kind."""

    def save_parts(self, kind: str, parts: list[tuple[str, str, bytes]]) -> None:
        """Keep (entry id, key, part) rows for later builds."""


@dataclass
class Parts:
    """One kind of entry part for one build: each made once, or taken from the store when its key is unchanged.

    The key covers everything the part is made from (see `Keys`), so a part
    is never stale: after an edit, the site's feed is the one new part and
    ten thousand stored ones.
    """

    kind: str
    make: PartOf
    key_of: Callable[[Entry], str]
    store: PartStore | None
    stored: dict[str, str] = field(default_factory=dict)
    made: dict[str, bytes] = field(default_factory=dict)
    new: list[tuple[str, str, bytes]] = field(default_factory=list)
    known: InitVar[dict[str, str] | None] = None  # the store's keys of this kind, when the caller has them

    def __post_init__(self, known: dict[str, str] | None) -> None:
        if known is not None:
            self.stored = known
        elif self.store is not None:
            self.stored = self.store.part_keys(self.kind)

    def __call__(self, entry: Entry) -> bytes:
        part = self.made.get(entry.id)
        if part is None:
            key = self.key_of(entry)
            part = self.made[entry.id] = self.make(entry)
            self.new.append((entry.id, key, part))
        return part

    def fetch(self, entries: Sequence[Entry]) -> None:
        """Take the stored parts of a document's entries whose key is unchanged, in one query."""
        wanted = [e.id for e in entries if e.id not in self.made and self.stored.get(e.id) == self.key_of(e)]
        if self.store is not None and wanted:
            self.made.update(self.store.stored_parts(self.kind, wanted))

    def save(self) -> None:
        """Hand the parts made in this build to the store."""
        if self.store is not None and self.new:
            self.store.save_parts(self.kind, self.new)
