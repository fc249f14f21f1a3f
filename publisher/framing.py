"""Field values as one unambiguous text, and its digest: what output keys and draft digests are made of.

Two sequences of values give the same text only if they agree value for
value: each value's type is written as a letter (None is not "", nor True
"1"), then the values' texts framed by their lengths ("a, b" is not "a",
"b"). Hashing that text is as unambiguous as hashing a `repr`, at a fraction
of the cost (`repr` escaped every piece's full content first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from .entry import DateSource


def values_text(values: Sequence[Any]) -> str:
    """The values' types (see `_TYPES`), then their texts framed (see `framed`).

    Most values are strings, taken as they are; the loops over values run
    in C (`map`), as this runs for every entry of every build.
    """
    texts = [value if type(value) is str else _TEXT[type(value)](value) for value in values]
    return "".join(map(_TYPES.__getitem__, map(type, values))) + framed(texts)


def values_digest(values: Sequence[Any]) -> str:
    """The SHA-256 of `values_text`, in hex."""
    return hashlib.sha256(encoded(values_text(values))).hexdigest()


def framed(texts: Sequence[str]) -> str:
    """The texts' lengths, then the texts: "1,0,2;abc" is ("a", "", "bc"), and no other sequence gives it."""
    return ",".join(map(str, map(len, texts))) + ";" + "".join(texts)


def encoded(text: str) -> bytes:
    """UTF-8, lone surrogates too (a YAML escape can make one): encoding is one-to-one, so digests stay unambiguous."""
    return text.encode("utf-8", "surrogatepass")


# Each value's type, as a letter. An unknown type fails (KeyError) rather than be keyed ambiguously.
_TYPES: dict[type, str] = {
    str: "s",
    type(None): "n",
    bool: "b",
    int: "i",
    datetime: "d",
    DateSource: "e",
    tuple: "t",
}
# The text of each value that is not a string. A datetime as the text outputs print: a date read back
# from the state store has another tzinfo object.
_TEXT: dict[type, Callable[[Any], str]] = {
    type(None): lambda value: "",
    bool: lambda value: "1" if value else "0",
    int: str,
    datetime: lambda value: value.isoformat(),
    DateSource: lambda value: value.value,
    tuple: framed,  # authors, tags: strings
}
