"""`Record`: what the state store remembers of one entry.

In a module of its own, importing nothing else of the pipeline, because the
state store reads and writes records and every build opens the store, one
with nothing to do too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Record:
    """What the state store remembers of one entry."""

    id: str
    fingerprint: str
    text: str
    slug: str
    first_seen: datetime
    published: datetime
    updated: datetime
    source: str = ""
    recent: bool = True
