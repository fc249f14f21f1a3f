"""Sentence, title and byline rules, one behaviour per test."""

from __future__ import annotations

import pytest

from publisher.extract.bylines import bio_authors
from publisher.extract.sentences import first_sentence, is_cut
from publisher.extract.titles import derive_title, excerpt_summary, shorten


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Jan. 1 marks a decade since China repealed its one-child policy. Just 10 days",
            "Jan. 1 marks a decade since China repealed its one-child policy.",
        ),
        ("Mr. Smith went to Washington. He stayed.", "Mr. Smith went to Washington."),
        ("J. R. R. Tolkien wrote books. Many.", "J. R. R. Tolkien wrote books."),
        ("The U.S. Senate voted. It passed.", "The U.S. Senate voted."),
        ("“Is this it?” she asked. Nobody answered.", "“Is this it?” she asked."),
        ("Prices rose 3.5 percent in May. Wages did not.", "Prices rose 3.5 percent in May."),
        ("No full stop at all", "No full stop at all"),
    ],
)
def test_first_sentence_keeps_abbreviations_whole(paragraph: str, expected: str) -> None:
    assert first_sentence(paragraph) == expected


def test_a_sentence_ends_after_its_closing_quote_before_a_number() -> None:
    assert first_sentence('He said "go." Then 2026 began. Done!') == 'He said "go."'
    assert first_sentence('"Then 2026 began." Done!') == '"Then 2026 began."'


@pytest.mark.parametrize(
    ("paragraph", "cut"),
    [
        ("as a means of avoiding the", True),
        ("It ended here.", False),
        ("“It ended,” he said.", False),
        ("Did it end?", False),
        ("(It ended.)", False),
        ("and the story goes on…", True),
        ("and the story goes on...", True),
        ("", False),
    ],
)
def test_a_paragraph_is_cut_when_it_stops_mid_sentence(paragraph: str, cut: bool) -> None:
    assert is_cut(paragraph) is cut


def test_short_first_sentence_is_the_title() -> None:
    assert derive_title("Is it? Yes it is.") == "Is it?"


def test_long_first_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    sentence = "A recent piece of international news has drawn surprisingly little attention, yet it deserves far closer scrutiny."
    title = derive_title(sentence)
    assert (
        title
        == "A recent piece of international news has drawn surprisingly little attention, yet it deserves far…"
    )
    assert len(title) <= 100


def test_a_short_cut_teaser_title_gets_an_ellipsis() -> None:
    assert derive_title("The minister said the") == "The minister said the…"


def test_shorten_never_splits_a_word() -> None:
    assert shorten("alpha beta gamma", 12) == "alpha beta"


def test_excerpt_summary_ends_in_exactly_one_ellipsis() -> None:
    assert excerpt_summary(["placed in"]) == "placed in…"
    assert excerpt_summary(["placed in..."]) == "placed in…"
    assert excerpt_summary(["placed in,"]) == "placed in…"


@pytest.mark.parametrize(
    ("paragraph", "names"),
    [
        (
            "Michael Mazza is senior director for research at the Institute for Indo-Pacific Security "
            "(formerly the Project 2049 Institute) and a senior non-resident fellow at the Global Taiwan Institute.",
            ("Michael Mazza",),
        ),
        ("Jane Doe and John Roe are researchers at the Example Institute.", ("Jane Doe", "John Roe")),
        ("Ursula von der Leyen is a columnist for The Daily Example.", ("Ursula von der Leyen",)),
        ("María José García is a professor of history at Universidad de Chile.", ("María José García",)),
        ("J. K. Example is the editor of Example Weekly.", ("J. K. Example",)),
        ("Taiwan is a country at the edge of the Pacific.", ()),
        ("The Chinese Ministry of Foreign Affairs is a body of the State Council.", ()),
        ("Jane Doe are researchers at the Institute.", ()),
        ("Jane Doe is senior director for research at the Institute, and " + "x" * 400 + ".", ()),
    ],
)
def test_bio_names_its_authors(paragraph: str, names: tuple[str, ...]) -> None:
    assert bio_authors(paragraph) == names
