"""Raw text dumps (`.txt`): several pieces per file, no metadata, one paragraph a line.

Paragraphs are lines, or blocks of hard-wrapped lines between blank lines.
A piece ends after a paragraph cut off mid-sentence (a teaser excerpt), after
an author bio, at a separator line (`---`, `***`, `* * *`), or at the end of
the file. An optional front-matter header gives every piece in the file its
defaults.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..extract.bylines import bio_authors
from ..extract.sentences import is_cut
from .frontmatter import split_front_matter
from .piece import Paragraph, Piece

DUMP_KEYS = frozenset({"date", "author", "link", "tags"})
WRAP_WIDTH = 100
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|\*{3,}|(?:\*\s+){2,}\*|_{3,})\s*$")


def read_dump(text: str, source: str, path: Path) -> list[Piece]:
    """Split one dump into pieces; `source` is its seeds-relative name."""
    meta, body, first_line = split_front_matter(text, path, DUMP_KEYS)
    pieces: list[Piece] = []
    current: list[Paragraph] = []

    def close() -> None:
        if current:
            pieces.append(Piece(source, current[0].line, tuple(current), meta))
            current.clear()

    for item in _paragraphs(body, first_line):
        if item is None:
            close()
            continue
        current.append(item)
        if is_cut(item.text) or (len(current) > 1 and bio_authors(item.text)):
            close()
    close()
    return pieces


def _paragraphs(body: str, first_line: int) -> list[Paragraph | None]:
    """Paragraphs in order, with None standing for a separator line."""
    out: list[Paragraph | None] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        out.extend(_block_paragraphs(block, wrapped))
        block.clear()

    lines = body.split("\n")
    # Only a file that uses blank lines between paragraphs can be hard-wrapped.
    wrapped = any(not line.strip() for line in "\n".join(lines).strip().split("\n"))
    for offset, raw in enumerate(lines):
        line = raw.strip()
        if _SEPARATOR.match(line):
            flush()
            out.append(None)
        elif not line:
            flush()
        else:
            block.append((first_line + offset, line))
    flush()
    return out


def _block_paragraphs(block: list[tuple[int, str]], wrapped: bool) -> list[Paragraph]:
    """In a file with blank lines, a block is one hard-wrapped paragraph when
    every line but its last is short; otherwise each line is a paragraph of its
    own (the dump style, and always so in a file without blank lines).
    """
    if not block:
        return []
    if wrapped and len(block) > 1 and all(len(text) <= WRAP_WIDTH for _, text in block[:-1]):
        return [Paragraph(" ".join(text for _, text in block), block[0][0])]
    return [Paragraph(text, number) for number, text in block]
