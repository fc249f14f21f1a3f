"""Entries' parts: what each entry contributes to every output that shows it, made once and kept across builds.

An entry shows in the site's feeds, its tags' and its author's (an Atom
entry, an RSS item, a JSON item in each), and in the lists of entries on the
index and on those tags' and author's pages (a list item). Each part is made
once per build and joined into every document that needs it, so after one
edit the feeds and the index, which show every entry, are joined from ten
thousand kept parts and one new one.

A list item is kept in the state store. A feed part is kept only in the
feed files: a feed is joined from its entries' parts as they are, so the
file the last build wrote holds each unchanged part already. Where it lies
in it (its `Spans`) is noted when it is written, and the next build takes it
from there (see written.py). Storing the feed parts as well doubled what a
build wrote: a cold build of ten thousand entries put 300 MB of them in the
state store, beside the same bytes in the feeds. A part whose file is gone
or changed since (an operator emptied the output folder) is made again.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from mmap import mmap
from typing import Protocol

from ..entry import Entry
from .feeditem import Chunks, PartOf


class PartStore(Protocol):
    """Where the entries' parts of an earlier build are kept (the state store): a build makes only new ones."""

    def part_keys(self, kind: str) -> dict[str, str]:
        """Entry id → key of each part of this kind the store holds."""

    def stored_parts(self, kind: str, entries: list[str]) -> dict[str, bytes]:
        """The stored parts of these entries of one kind."""

    def save_parts(self, kind: str, parts: list[tuple[str, str, bytes]]) -> None:
        """Keep (entry id, key, part) rows for later builds."""


@dataclass(frozen=True)
class Spans:
    """Where the entries' parts lie in a document as written: each part's key, offset and length, in order."""

    keys: list[str]
    offsets: list[int]
    sizes: list[int]

    def packed(self) -> bytes | None:
        """The spans as the state store keeps them: their count, the offsets and sizes (8 bytes each, little
        end first), the keys joined by newlines. None when a key holds a newline (it could not be read back).

        A site feed's spans are ten thousand of each; as JSON, writing the
        spans of a cold build's 51 feed files took 0.17 s at its very end.
        """
        if any("\n" in key for key in self.keys):
            return None
        count = len(self.keys)
        return (
            struct.pack(f"<Q{2 * count}q", count, *self.offsets, *self.sizes) + "\n".join(self.keys).encode()
        )

    @classmethod
    def unpacked(cls, stored: object) -> Spans | None:
        """The spans `packed` gave, or None for anything else (a damaged store, an older publisher's JSON)."""
        if not isinstance(stored, bytes) or len(stored) < 8:
            return None
        (count,) = struct.unpack_from("<Q", stored)
        end = 8 + 16 * count
        if end > len(stored):
            return None
        numbers = struct.unpack_from(f"<{2 * count}q", stored, 8)
        try:
            keys = stored[end:].decode().split("\n") if count else []
        except UnicodeDecodeError:
            return None
        if len(keys) != count or (numbers and min(numbers) < 0):
            return None
        return cls(keys, list(numbers[:count]), list(numbers[count:]))

    def parts_in(self, data: bytes | mmap) -> dict[str, memoryview]:
        """Part key → its bytes in `data` (the document these spans were taken from), not copied."""
        view = memoryview(data)
        ends = len(view)
        return {
            key: view[at : at + size]
            for key, at, size in zip(self.keys, self.offsets, self.sizes, strict=True)
            if at + size <= ends
        }


class Written(Protocol):
    """The feed files as the last build wrote them (see written.py): where to take unchanged parts from."""

    def parts_in(self, path: str) -> Mapping[str, bytes | memoryview]:
        """Part key → that part's bytes in the file at `path` as last written; empty when they are not known."""

    def part_keys(self, paths: Iterable[str]) -> set[str]:
        """The keys of the parts `parts_in` would give for the files at `paths`."""

    def wrote(self, path: str, spans: Spans | None) -> None:
        """Note where the parts lie in the bytes this build renders for `path`."""


@dataclass
class Parts:
    """One kind of entry part for one build: each made once, or taken where an earlier build left it under an
    unchanged key: the store (`store`, for list items) or the files as last written (feed parts).

    The key covers everything the part is made from (see `Keys`), so a part
    is never stale: after an edit, the site's feed is the one new part and
    ten thousand kept ones.
    """

    kind: str
    make: PartOf
    key_of: Callable[[Entry], str]
    store: PartStore | None
    stored: dict[str, str] = field(default_factory=dict)
    made: dict[str, bytes | memoryview] = field(default_factory=dict)
    new: list[tuple[str, str, bytes]] = field(default_factory=list)  # made by this build, for `store`
    sought: set[str] = field(default_factory=set)  # entries already looked for in a written file

    def __post_init__(self) -> None:
        if self.store is not None:
            self.stored = self.store.part_keys(self.kind)

    def __call__(self, entry: Entry) -> bytes | memoryview:
        part = self.made.get(entry.id)
        if part is None:
            made = self.made[entry.id] = self.make(entry)
            if self.store is not None:  # feed parts are kept in the files they are joined into
                self.new.append((entry.id, self.key_of(entry), bytes(made)))
            return made
        return part

    def fetch(
        self, entries: Sequence[Entry], written: Callable[[], Mapping[str, bytes | memoryview]] | None = None
    ) -> None:
        """Take the kept parts of a document's entries: from the store in one query, or else from the
        document as last written (`written`, see `Written.parts_in`).

        An entry is looked for in one written file only, the first that can
        be read: the first document rendered in a format is the largest (see
        syndication.py), and holds every other's entries; an edited entry's
        part is in no file, and must not send the build to read every file
        that shows it.
        """
        if self.store is not None:
            wanted = [
                e.id for e in entries if e.id not in self.made and self.stored.get(e.id) == self.key_of(e)
            ]
            if wanted:
                self.made.update(self.store.stored_parts(self.kind, wanted))
            return
        missing = [e for e in entries if e.id not in self.made and e.id not in self.sought]
        if not missing or written is None:
            return
        found = written()
        if not found:  # no such file, or not as written: the next document's own file may hold them
            return
        for entry in missing:
            self.sought.add(entry.id)
            part = found.get(self.key_of(entry))
            if part is not None:
                self.made[entry.id] = part

    def spans(self, entries: Sequence[Entry], chunks: Chunks) -> Spans | None:
        """Where the entries' parts lie in the document joined from `chunks` (see `Written`): each part is
        found as the very object this build made or took for it, so its offset is the length of the chunks
        before it. None unless every part is found so, in order (a renderer that copied a part).
        """
        parts = [self.made[entry.id] for entry in entries]
        offsets: list[int] = []
        at = 0
        for chunk in chunks:
            if len(offsets) < len(parts) and chunk is parts[len(offsets)]:
                offsets.append(at)
            at += len(chunk)
        if len(offsets) != len(parts):
            return None
        return Spans([self.key_of(entry) for entry in entries], offsets, list(map(len, parts)))

    def save(self) -> None:
        """Hand the parts made in this build to the store."""
        if self.store is not None and self.new:
            self.store.save_parts(self.kind, self.new)
