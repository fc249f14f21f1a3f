"""Markdown pieces (`.md`): one piece per file, YAML front matter, a Markdown body."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..html import render_markdown
from .frontmatter import split_front_matter
from .piece import Paragraph, Piece

MARKDOWN_KEYS = frozenset({"title", "date", "updated", "author", "summary", "tags", "link", "id", "draft"})


def read_markdown(text: str, source: str, path: Path) -> list[Piece]:
    """One piece, or none for a draft; a piece with no text at all is an error."""
    meta, body, body_line = split_front_matter(text, path, MARKDOWN_KEYS)
    if meta.get("draft") is True:
        return []
    html, paragraphs = render_markdown(body)
    if not paragraphs and not meta.get("summary"):
        raise InputError(path, body_line, "the piece has no text (an empty body and no summary)")
    lines = tuple(Paragraph(text, body_line + line - 1) for line, text in paragraphs)
    return [Piece(source, lines[0].line if lines else body_line, lines, meta, html=html)]
