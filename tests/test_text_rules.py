"""Sentence, title and byline rules, one behaviour per test."""

from __future__ import annotations

import html.entities

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from publisher import whitespace
from publisher.extract.bylines import bio_authors
from publisher.extract.sentences import first_sentence, is_cut
from publisher.extract.titles import derive_title, excerpt_summary, shorten
from publisher.html import absolute_links, plain_text, render_markdown, xml_safe
from publisher.sources.decode import XML_FORBIDDEN, has_forbidden


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


BASE = "https://example.org/blog/posts/one/"


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ('<a href="../about/">a</a>', '<a href="https://example.org/blog/posts/about/">a</a>'),
        ('<img src="img/x.png" alt="">', '<img src="https://example.org/blog/posts/one/img/x.png" alt="">'),
        # a relative link after absolute ones is still found
        (
            '<a href="https://a.example/">a</a> <a href="mailto:x@y.example">m</a> <a href="/root">r</a>',
            '<a href="https://a.example/">a</a> <a href="mailto:x@y.example">m</a> '
            '<a href="https://example.org/root">r</a>',
        ),
        # an entity in a relative link is decoded before joining, and the result escaped again
        ('<a href="&#47;x?a=1&amp;b=2">x</a>', '<a href="https://example.org/x?a=1&amp;b=2">x</a>'),
        # a scheme spelled with an entity is still a scheme
        ('<a href="http&#58;//a.example/">a</a>', '<a href="http&#58;//a.example/">a</a>'),
    ],
)
def test_relative_links_are_made_absolute(fragment: str, expected: str) -> None:
    assert absolute_links(fragment, BASE) == expected


def test_a_fragment_with_only_absolute_links_is_returned_as_it_is() -> None:
    fragment = '<p><a href="https://a.example/x">a</a> and <img src="http://b.example/y.png" alt=""></p>'
    assert absolute_links(fragment, BASE) is fragment


def test_each_paragraph_comes_with_its_line_and_text() -> None:
    html, paragraphs = render_markdown("First *one*\nstill first.\n\n- a list\n\nThird `</p>` <b>x</b>\n")
    assert paragraphs == [(1, "First one still first."), (6, "Third </p> x")]
    assert html.count("<p>") == 2  # a tight list item is no paragraph


def test_the_characters_xml_forbids_are_exactly_those_outside_its_char_production() -> None:
    """XML 1.0's Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]."""
    allowed = [(0x9, 0x9), (0xA, 0xA), (0xD, 0xD), (0x20, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x10FFFF)]
    every = "".join(map(chr, range(0x110000)))
    forbidden = {ord(c) for c in XML_FORBIDDEN.findall(every)}
    assert forbidden == {c for c in range(0x110000) if not any(lo <= c <= hi for lo, hi in allowed)}
    assert len(forbidden) == 2048 + 29 + 2  # surrogates, C0 controls but tab and newlines, U+FFFE and U+FFFF


def test_white_space_is_every_character_split_splits_at() -> None:
    every = "".join(map(chr, range(0x110000)))
    assert "".join(c for c in every if c.isspace()) == whitespace.SPACES
    assert all(len(f"a{c}b".split()) == 2 for c in whitespace.SPACES)


def test_printable_text_holds_no_white_space_but_spaces_nor_a_character_xml_forbids() -> None:
    """What the fast checks of `whitespace.fold` and `has_forbidden` stand on: `str.isprintable()` is false for
    every white space character but " ", and for every character XML forbids (and for tab and newlines)."""
    every = "".join(map(chr, range(0x110000)))
    assert [c for c in whitespace.SPACES if c.isprintable()] == [" "]
    assert not [c for c in XML_FORBIDDEN.findall(every) if c.isprintable()]
    assert not any(c.isprintable() for c in "\t\n\r")


@given(
    st.text(alphabet=st.sampled_from(["a", "é", "“", " ", "\n", "\t", "\x01", "\ud800", "\uffff", "\xa0"]))
)
@example("a\tb")
@example("line\nline")
@example("a\x0bb")
def test_the_fast_check_for_characters_xml_forbids_is_the_search(text: str) -> None:
    assert has_forbidden(text) == (XML_FORBIDDEN.search(text) is not None)
    assert xml_safe(text) == XML_FORBIDDEN.sub("", text)


@given(st.text(alphabet=st.sampled_from([*whitespace.SPACES, "a", "é", "吳", "“", "\x01"]), max_size=40))
@example("a\n b")
@example("a\u3000b")
@example(" a")
@example("a\n")
def test_folding_is_exactly_split_and_join(text: str) -> None:
    assert whitespace.fold(text) == " ".join(text.split())


def test_no_entity_decodes_to_a_character_xml_forbids_but_white_space() -> None:
    """Why a paragraph of XML-safe HTML needs no check after its entities are decoded and its space folded."""
    references = [f"&#{n};" for n in range(0x110001)] + [f"&{name}" for name in html.entities.html5]
    decoded = {c for reference in references for c in html.unescape(reference)}
    assert {c for c in decoded if XML_FORBIDDEN.match(c)} <= set(whitespace.SPACES)
    assert plain_text("a&#12;b &#1; c") == "a b c"
