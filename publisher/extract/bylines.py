"""Author bios: "<Name> is <role> at <org>." closes an op-ed and names its author.

The rule is deliberately narrow. A bio is short, opens with a personal name
(two to four capitalised words, or two such names joined by "and"), then
"is"/"are" and a role that mentions where the person works. "Taiwan is a
country at risk" and "The ministry is …" do not qualify.
"""

from __future__ import annotations

import re

_WORD = r"(?:[A-Z][\w'’\-]*\.?|[A-Z]\.)"
_PARTICLE = r"(?:de|da|del|der|van|von|bin|al|la|le|di|du)"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_WORD}){{1,3}}"
_BIO = re.compile(
    rf"^(?P<names>{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s+and\s+{_NAME})?)\s+(?P<verb>is|are|was|were|writes|teaches)\b(?P<rest>.+)$",
    re.DOTALL,
)
_ROLE = re.compile(
    r"\b(at|of|for|with|in)\b.*\b[A-Z]|\b(author|editor|writer|journalist|reporter|columnist|"
    r"correspondent|fellow|professor|researcher|analyst|director|founder|contributor|"
    r"scholar|student|lecturer|economist|historian|member)\b",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
        "A",
        "An",
        "Our",
        "Their",
        "His",
        "Her",
        "Last",
        "Next",
        "Every",
        "Each",
        "Some",
        "Such",
    ]
)
MAX_BIO_LENGTH = 400


def bio_authors(paragraph: str) -> tuple[str, ...]:
    """The names a bio paragraph introduces, or () when it is not a bio."""
    text = paragraph.strip()
    if len(text) > MAX_BIO_LENGTH or not text.endswith((".", ".”", ".)")):
        return ()
    match = _BIO.match(text)
    if not match or not _ROLE.search(match.group("rest")):
        return ()
    names = [n.strip() for n in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", match.group("names"))]
    if any(not n or n.split()[0] in _NOT_NAMES for n in names):
        return ()
    plural = match.group("verb") in ("are", "were")
    if plural != (len(names) > 1):
        return ()
    return tuple(names)
