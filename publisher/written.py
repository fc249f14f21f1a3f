"""What the last build wrote, to take unchanged feed parts from: a feed file's bytes, and where each part lies.

A site feed of ten thousand entries is 60 MB joined from their parts (see
outputs/parts.py), and the file the last build wrote holds every unchanged
one. Where each part lies in it (its spans) is kept in the state store with
what the manifest says those bytes are (their SHA-256, or the feed's output
key: see `publish.Row`). A file's spans are used only when the file is still
as the manifest says (size and modification time, as for a kept page), the
manifest's word for its bytes is theirs and they are whole (as many
keys as offsets and sizes, none negative: see `Spans.unpacked`); otherwise
its parts are made again.

The file is mapped, not read: reading a 60 MB feed into memory took as long
as reading its parts from the store (the copy's fresh pages). The parts are
handed on as views of the mapping, and the kernel copies them from it into
the new file (see `publish.Data`): they are never copied into memory of the
process's own (the mapped pages still count in its RSS). The old
file stays mapped until then; the publisher never writes a file in place (a
new one replaces it), so the mapping holds what the spans describe.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .outputs.parts import Spans
from .publish import Manifest, safe_relative
from .state import State


@dataclass
class LastWritten:
    """One build's view of the feed files the last one wrote (see `outputs.parts.Written`)."""

    out: Path
    manifest: Manifest  # the last build's
    intact: set[str]  # the files of `manifest` still as it says
    state: State
    spans: dict[str, Spans] = field(default_factory=dict)  # this build's, by path
    read: dict[str, Spans | None] = field(default_factory=dict)  # the last build's, by path, once read

    def parts_in(self, path: str) -> Mapping[str, bytes | memoryview]:
        """Part key → the part's bytes in the file at `path`, mapped; empty unless its spans hold."""
        known = self._spans(path)
        if known is None:
            return {}
        try:
            with (self.out / safe_relative(path)).open("rb") as file:
                data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # gone or emptied since the survey: its parts are made again
            return {}
        return known.parts_in(data)

    def part_keys(self, paths: Iterable[str]) -> set[str]:
        """The keys of the parts `parts_in` would give for the files at `paths` (without reading the files)."""
        return {key for path in paths if (known := self._spans(path)) for key in known.keys}

    def _spans(self, path: str) -> Spans | None:
        """The spans of the file at `path` as last written, if it is still so and they are as `save` writes
        them; read from the store once per build."""
        if path not in self.read:
            self.read[path] = self._stored_spans(path)
        return self.read[path]

    def _stored_spans(self, path: str) -> Spans | None:
        known = self.state.spans(self.out, path) if path in self.intact else None
        if known is None or known[0] != self.manifest[path][0]:
            return None
        return Spans.unpacked(known[1])

    def wrote(self, path: str, spans: Spans | None) -> None:
        if spans is not None:
            self.spans[path] = spans

    def save(self, manifest: Manifest) -> None:
        """Keep the spans of the files now published (`manifest`, after the commit), under what the manifest
        says their bytes are."""
        self.state.save_spans(
            self.out,
            {
                path: (manifest[path][0], packed)
                for path, spans in self.spans.items()
                if path in manifest and (packed := spans.packed()) is not None
            },
            manifest.keys(),
        )
