"""Titles and summaries for pieces that do not state them."""

from __future__ import annotations

from .sentences import ELLIPSES, first_sentence, is_cut

MAX_TITLE = 100
ELLIPSIS = "…"


def derive_title(paragraph: str) -> str:
    """The first sentence when it is short; otherwise its start, cut at a word, with "…".

    A first sentence that is itself cut off (a short teaser) also gets "…", so
    a title never looks complete when it is not.
    """
    sentence = first_sentence(paragraph)
    if not is_cut(sentence) and len(sentence) <= MAX_TITLE:
        return sentence
    return with_ellipsis(shorten(sentence, MAX_TITLE - 1))  # room for the "…", even on a cut sentence


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at the last word boundary before the limit."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else text[:limit]).rstrip()


def with_ellipsis(text: str) -> str:
    """`text` ending in exactly one "…" (trailing punctuation that would clash dropped)."""
    text = text.rstrip()
    for mark in ELLIPSES:
        if text.endswith(mark):
            text = text[: -len(mark)]
    return text.rstrip(" ,;:—–-") + ELLIPSIS


def excerpt_summary(paragraphs: list[str]) -> str:
    """The teaser as readers will see it: its text, visibly cut off."""
    return with_ellipsis(" ".join(paragraphs))
