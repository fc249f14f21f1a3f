"""What a source reader hands to the extractor: a piece of writing, not yet dated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of plain text and the line of the file where it starts."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Piece:
    """One piece of writing as found in a seed file.

    `source` is the file's path relative to the seeds folder (POSIX style), so
    the same folder checked out elsewhere gives the same pieces. `meta` holds
    front matter: the file's defaults merged under the piece's own values.
    `html` is the rendered, sanitized body of a Markdown piece; a text-dump
    piece has only its paragraphs.
    """

    source: str
    line: int
    paragraphs: tuple[Paragraph, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    html: str | None = None

    @property
    def text(self) -> str:
        """The whole piece as plain text, one paragraph per line."""
        return "\n".join(p.text for p in self.paragraphs)

    def plain(self) -> dict[str, Any]:
        """The piece as JSON-ready data, for the parse cache (`dataclasses.asdict` deep-copies every string)."""
        return {
            "source": self.source,
            "line": self.line,
            "paragraphs": [[p.text, p.line] for p in self.paragraphs],
            "meta": dict(self.meta),
            "html": self.html,
        }

    @classmethod
    def from_plain(cls, raw: dict[str, Any]) -> Piece:
        """The piece `plain()` gave."""
        paragraphs = tuple(Paragraph(text, line) for text, line in raw["paragraphs"])
        return cls(raw["source"], raw["line"], paragraphs, raw["meta"], raw["html"])
