"""Stable identity: slugs, content fingerprints and entry ids.

An id is a tag URI (RFC 4151), `tag:<host>,<date>:<slug>`, built only from
the piece's date and title: never from a build time, a position or a file
name, so a piece keeps its id when others are added or reordered and when its
file is renamed. The state store (see `state.py`) carries an id across a small
edit that would change the slug.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from ..publish import RESERVED_NAMES
from ..whitespace import fold

MAX_SLUG = 60
_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """ASCII, lowercase, hyphenated, at most 60 characters, cut at a hyphen.

    Only [a-z0-9-] survive, so a slug can never climb out of the output folder
    whatever the title holds; a slug that would be a Windows device name
    ("con", "nul", "com1": reserved even as `con.html`) gets "-entry".
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[: MAX_SLUG + 1]
        slug = slug[: slug.rfind("-")] if "-" in slug[MAX_SLUG // 2 :] else slug[:MAX_SLUG]
    slug = slug.strip("-")
    return f"{slug}-entry" if slug in RESERVED_NAMES else slug


def normalize_text(text: str) -> str:
    """Text compared for identity: NFC, white space folded.

    Most text is already NFC, and checking that is much cheaper than normalizing.
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return fold(text)


def fingerprint(parts: Iterable[str]) -> str:
    """A hash of everything a reader sees of a piece; any change to it is an update."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(normalize_text(part).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()


def tag_id(host: str, day: date, slug: str) -> str:
    return f"tag:{host},{day.isoformat()}:{slug}"


URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")


def is_uri(value: str) -> bool:
    """Atom ids must be IRIs; a front-matter id that is not one would make an invalid feed."""
    return bool(URI.match(value))
