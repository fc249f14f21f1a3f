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
    """What the state store remembers of one entry.

    `text` (what rule 3 of identity.py compares) is None when it was not
    read: the store reads an entry's text only when a build compares it, and
    keeps the one it has when a record comes without (see `State.save_entries`).
    """

    id: str
    fingerprint: str
    text: str | None
    slug: str
    first_seen: datetime
    published: datetime
    updated: datetime
    source: str = ""
    recent: bool = True
