"""Sentence rules: where a sentence ends, and whether a paragraph was cut off.

A full stop after "Jan", "Mr" or an initial does not end a sentence; the
seed's "Jan. 1 marks a decade since…" must not get the title "Jan.".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

ABBREVIATIONS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "gen",
        "lt",
        "col",
        "capt",
        "sgt",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "no",
        "nos",
        "vol",
        "vols",
        "p",
        "pp",
        "fig",
        "figs",
        "ed",
        "eds",
        "est",
        "approx",
        "dept",
        "univ",
        "inc",
        "corp",
        "co",
        "ltd",
        "bros",
        "vs",
        "etc",
        "al",
        "cf",
        "ca",
    ]
)

CLOSERS = "\"'”’»)]"
TERMINALS = ".!?"
ELLIPSES = ("…", "...")
WORD_REACH = 64
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)$")

_BOUNDARY = re.compile(
    r"[.!?]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u4e00-\u9fff])"
)


def is_cut(paragraph: str) -> bool:
    """True when a paragraph stops mid-sentence, as a teaser excerpt does.

    It is cut when it does not end with sentence punctuation (optionally
    followed by closing quotes or brackets), or when it ends with an ellipsis,
    the usual mark of a truncated excerpt.
    """
    text = paragraph.rstrip()
    if not text or text.endswith(ELLIPSES):
        return bool(text)
    return text.rstrip(CLOSERS)[-1:] not in TERMINALS


def first_sentence(paragraph: str) -> str:
    """The first sentence, found without splitting the rest (a paragraph may be megabytes long)."""
    return next(_sentences(paragraph), "")


def _sentences(paragraph: str) -> Iterator[str]:
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        if match.group().startswith(".") and _is_abbreviation(paragraph, match.start()):
            continue
        yield paragraph[start : match.end()].strip()
        start = match.end()
    rest = paragraph[start:].strip()
    if rest:
        yield rest


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the word before the full stop at `dot` an abbreviation or an initial?

    Only the last WORD_REACH characters are looked at: searching all the
    text before every full stop made a long paragraph take quadratic time.
    """
    word = _LAST_WORD.search(text, max(0, dot - WORD_REACH), dot)
    if not word:
        return False
    token = word.group(1)
    if "." in token:  # "U.S", "e.g": internal stops mean an abbreviation
        return True
    return token.lower() in ABBREVIATIONS or (len(token) == 1 and token.isupper())
