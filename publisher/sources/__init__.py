"""Sources: the files in `seeds/`, read into pieces.

Which reader handles a file is decided by its suffix alone. Hidden files
(editor swap files, `.DS_Store`) are skipped silently; any other unknown file
gets a warning, since a misnamed `.markdown` file must not vanish unnoticed.

Finding the files is here and imports little: every build lists the seeds,
one with nothing to do included. Reading them is `sources/read.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .piece import Paragraph, Piece

__all__ = ["SEED_SUFFIXES", "Paragraph", "Piece", "SeedFile", "find_seed_files"]

SEED_SUFFIXES = (".txt", ".md", ".markdown")
"""The file types a reader takes (see READERS in read.py), lower-cased."""


@dataclass(frozen=True, slots=True)
class SeedFile:
    """A seed file found on disk, with what the state store needs to skip it next time."""

    seeds: Path
    source: str  # its path under `seeds`, with "/" separators
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        """Made when a file is read, not for every file listed: most builds read few or none."""
        return self.seeds / self.source


def find_seed_files(seeds: Path) -> tuple[list[SeedFile], list[str]]:
    """All readable seed files under `seeds`, sorted by name, and warnings for the rest."""
    if not seeds.is_dir():
        raise InputError(seeds, None, "the seeds folder does not exist")
    files: list[SeedFile] = []
    warnings: list[str] = []
    for source, entry in _walk(str(seeds), ""):
        if not entry.name.lower().endswith(SEED_SUFFIXES):  # names starting with "." never get here
            warnings.append(f"{entry.path}: skipped, not a seed file type (.txt, .md)")
            continue
        stat = entry.stat()
        files.append(SeedFile(seeds, source, stat.st_size, stat.st_mtime_ns))
    return files, warnings


def _walk(folder: str, prefix: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(relative path, entry) of every file under `folder`, in the order of their sorted paths.

    Hidden names are skipped (with what is inside hidden folders), and so are
    linked folders and folders we may not read. One `scandir` per folder and
    no `Path` per name: this runs on every build, one with nothing to do too.
    """
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except PermissionError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, f"{prefix}{entry.name}/")
        elif entry.is_file():
            yield prefix + entry.name, entry
