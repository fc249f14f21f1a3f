"""Teaser entries for the digest benchmark, made by publisher's own pipeline from generated pieces."""

from __future__ import annotations

import random
from pathlib import Path

from publisher import check
from publisher.config import Settings
from publisher.entry import Entry

from .corpus import TEASER_EVERY, markdown_piece


def teasers(home: Path, count: int) -> list[Entry]:
    """`count` teaser entries (one-paragraph pieces cut mid-sentence), parsed and dated by `check()`."""
    seeds = home / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    rng = random.Random("publisher-bench-digest")
    for number in range(count):
        index = number * TEASER_EVERY  # every TEASER_EVERY-th piece is a teaser
        (seeds / f"t{number:03d}.md").write_text(markdown_piece(rng, index), encoding="utf-8")
    entries = check(Settings(seeds=seeds, state=home / "none.db")).entries
    return [entry for entry in entries if entry.is_excerpt]
