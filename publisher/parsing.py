"""Seed files → pieces, reusing the parse cache.

A file whose size and mtime (or, failing that, content hash) match the parse
cache is not parsed again; it is read once, for both its hash and its parse.
The cache holds each file's pieces as a JSON list of plain arrays (see
`encode`/`decode`): cheap to write and to read back into `Piece`s, where the
dataclass-to-dict conversion it replaces took seconds at 10,000 pieces. Only
rows that changed are written back.

Files are parsed in this one process. A pool of workers was tried: on a
shared 2-core machine it gained nothing measurable, and a worker outliving a
`kill -9`ed build kept the build's pipes open (see tests/test_cron_safety.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from . import __version__
from .sources import Paragraph, Piece, SeedFile, read_seed_file
from .state import CachedFile, State

CACHE_FORMAT = "2"


def read_pieces(files: Iterable[SeedFile], state: State, encoding: str) -> list[Piece]:
    """Pieces of every file, in order, parsing only files not in the cache (see module doc)."""
    parser = f"{__version__}:{CACHE_FORMAT}:{encoding}"
    stored = state.cached_files()
    cached = stored if state.get("parser") == parser else {}
    fresh: dict[str, CachedFile] = {}
    for seed in files:
        hit = cached.get(seed.source)
        if hit and hit[:2] == (seed.size, seed.mtime_ns):
            fresh[seed.source] = hit
            continue
        fresh[seed.source] = parse_file(seed, hit, encoding)
    if fresh != stored:
        state.save_files(fresh, stored)
        state.put("parser", parser)
    return [piece for row in fresh.values() for piece in decode(row[3])]


def parse_file(seed: SeedFile, known: CachedFile | None, encoding: str) -> CachedFile:
    """Hash one file and parse it, unless its hash is the `known` one (only its mtime changed)."""
    data = seed.path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if known and known[2] == sha:
        return (seed.size, seed.mtime_ns, sha, known[3])
    return (seed.size, seed.mtime_ns, sha, encode(read_seed_file(seed, encoding, data)))


def encode(pieces: list[Piece]) -> str:
    """Pieces as the cache stores them: [source, line, [[text, line], …], meta, html] each."""
    rows = [[p.source, p.line, [[q.text, q.line] for q in p.paragraphs], p.meta, p.html] for p in pieces]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def decode(encoded: str) -> list[Piece]:
    """The inverse of `encode`."""
    return [
        Piece(source, line, tuple(Paragraph(text, at) for text, at in paragraphs), meta, html)
        for source, line, paragraphs, meta, html in json.loads(encoded)
    ]
