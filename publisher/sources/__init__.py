"""Sources: the files in `seeds/`, read into pieces.

Which reader handles a file is decided by its suffix alone. Hidden files
(editor swap files, `.DS_Store`) are skipped silently; any other unknown file
gets a warning, since a misnamed `.markdown` file must not vanish unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .decode import decode
from .markdown import read_markdown
from .piece import Paragraph, Piece
from .textdump import read_dump

__all__ = ["READERS", "Paragraph", "Piece", "SeedFile", "find_seed_files", "read_seed_file"]

MAX_FILE_BYTES = 16 * 2**20
"""Memory grows with a file's size (a 10 MiB dump of 100,000 teasers peaks near 700 MB): refuse, don't thrash."""

Reader = Callable[[str, str, Path], list[Piece]]
READERS: dict[str, Reader] = {".txt": read_dump, ".md": read_markdown, ".markdown": read_markdown}


@dataclass(frozen=True, slots=True)
class SeedFile:
    """A seed file found on disk, with what the state store needs to skip it next time."""

    path: Path
    source: str
    size: int
    mtime_ns: int


def find_seed_files(seeds: Path) -> tuple[list[SeedFile], list[str]]:
    """All readable seed files under `seeds`, sorted by name, and warnings for the rest."""
    if not seeds.is_dir():
        raise InputError(seeds, None, "the seeds folder does not exist")
    files: list[SeedFile] = []
    warnings: list[str] = []
    for path in sorted(seeds.rglob("*")):
        relative = path.relative_to(seeds)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.suffix.lower() not in READERS:
            warnings.append(f"{path}: skipped, not a seed file type (.txt, .md)")
            continue
        stat = path.stat()
        files.append(SeedFile(path, relative.as_posix(), stat.st_size, stat.st_mtime_ns))
    return files, warnings


def read_seed_file(seed: SeedFile, encoding: str = "utf-8") -> tuple[list[Piece], list[str]]:
    """Decode one file and split it into pieces with the reader for its type; also its warnings."""
    if seed.size > MAX_FILE_BYTES:
        raise InputError(
            seed.path,
            None,
            f"the file holds {seed.size:,} bytes, more than the {MAX_FILE_BYTES // 2**20} MiB "
            "a seed file may hold; split it into several files",
        )
    text, warnings = decode(seed.path.read_bytes(), seed.path, encoding)
    return READERS[seed.path.suffix.lower()](text, seed.source, seed.path), warnings
