"""Tags and authors: who and what the site's entries are about, and where each one's page lives.

A tag (or an author) gets a folder with its page and its feeds:
`tags/<slug>/index.html`, `tags/<slug>/atom.xml`, … (`authors/<slug>/…` for
authors). Names are compared case-insensitively ("Taiwan" and "taiwan" are
one tag). The slug is the name's slug; a name that has no ASCII slug
("台灣") or that shares one with another name ("C" and "C#") gets a suffix
from a hash of the name instead, so a slug depends on the name alone and
never on which other names exist or in what order they were met.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..entry import Entry, newest_first
from ..extract.ids import slugify

TAGS = "tags"
AUTHORS = "authors"


@dataclass(frozen=True, slots=True)
class Group:
    """The entries sharing one tag, or one author."""

    name: str
    folder: str
    url: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every tag and author group, and the page URL of any tag or author name."""

    tags: tuple[Group, ...]
    authors: tuple[Group, ...]
    urls: Mapping[tuple[str, str], str]

    def tag_url(self, name: str) -> str:
        return self.urls[TAGS, name_key(name)]

    def author_url(self, name: str) -> str:
        return self.urls[AUTHORS, name_key(name)]


def make_catalog(entries: Sequence[Entry], base_url: str) -> Catalog:
    tags = _groups(entries, lambda e: e.tags, TAGS, base_url)
    authors = _groups(entries, lambda e: e.authors, AUTHORS, base_url)
    urls = {
        (kind, name_key(g.name)): g.url for kind, groups in ((TAGS, tags), (AUTHORS, authors)) for g in groups
    }
    return Catalog(tags, authors, urls)


def name_key(name: str) -> str:
    """What makes two spellings the same name: Unicode normalization and case folding."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


def _groups(
    entries: Sequence[Entry], names_of: Callable[[Entry], Iterable[str]], kind: str, base_url: str
) -> tuple[Group, ...]:
    members: dict[str, dict[str, Entry]] = {}
    spellings: dict[str, set[str]] = {}
    for entry in entries:
        for name in names_of(entry):
            key = name_key(name)
            members.setdefault(key, {})[entry.id] = entry
            spellings.setdefault(key, set()).add(name)
    slugs = _slugs(members, kind)
    groups = []
    for key in sorted(members, key=lambda k: slugs[k]):
        folder = f"{kind}/{slugs[key]}/"
        groups.append(
            Group(
                min(spellings[key]),
                folder,
                base_url + folder,
                tuple(newest_first(list(members[key].values()))),
            )
        )
    return tuple(groups)


def _slugs(keys: Iterable[str], kind: str) -> dict[str, str]:
    """Each name's slug; an empty or shared one gets a hash of the name ("tag-1f2e3d4c", "c-9a8b7c6d")."""
    plain = {key: slugify(key) for key in keys}
    used = Counter(plain.values())
    return {
        key: slug if slug and used[slug] == 1 else f"{slug or kind[:-1]}-{_hash(key)}"
        for key, slug in plain.items()
    }


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]
