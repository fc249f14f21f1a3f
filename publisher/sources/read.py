"""Reading one seed file into pieces, with the reader its suffix names.

Kept apart from finding the files (`sources/__init__`): the readers bring
YAML, cmark-gfm and nh3, which a build with nothing to do never needs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from . import SeedFile
from .decode import decode
from .markdown import read_markdown
from .piece import Piece
from .textdump import read_dump

MAX_FILE_BYTES = 16 * 2**20
"""Memory grows with a file's size (a 10 MiB dump of 100,000 teasers peaks near 700 MB): refuse, don't thrash."""

Reader = Callable[[str, str, Path], list[Piece]]
READERS: dict[str, Reader] = {".txt": read_dump, ".md": read_markdown, ".markdown": read_markdown}
"""One per suffix of SEED_SUFFIXES (the finder's list, which must not import the readers)."""


def read_seed_file(seed: SeedFile, encoding: str = "utf-8") -> tuple[list[Piece], list[str], str]:
    """Decode one file and split it into pieces with the reader for its type; also its warnings, and the
    SHA-256 of the very bytes read (what the parse cache stores the pieces under)."""
    path = seed.path  # made once: a new Path per use cost a 10k cold build 0.35 s under cProfile
    if seed.size > MAX_FILE_BYTES:
        raise InputError(
            path,
            None,
            f"the file holds {seed.size:,} bytes, more than the {MAX_FILE_BYTES // 2**20} MiB "
            "a seed file may hold; split it into several files",
        )
    data = path.read_bytes()
    text, warnings = decode(data, path, encoding)
    return READERS[path.suffix.lower()](text, seed.source, path), warnings, hashlib.sha256(data).hexdigest()
