"""Property-based tests (hypothesis): thousands of generated inputs through the text rules.

Each property says what must hold for any input: no exception but the
documented input error, and output that is well-formed (a slug that is a safe
file name, a feed that parses). Examples hypothesis found are kept as
`@example`s, so they run every time.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
from hypothesis import example, given, settings
from hypothesis import strategies as st

from publisher.config import Settings
from publisher.errors import InputError
from publisher.extract.bylines import MAX_BIO_LENGTH, bio_authors
from publisher.extract.dates import find_mentions, parse_date_value, strong_date, text_date
from publisher.extract.entries import file_drafts
from publisher.extract.identity import settle
from publisher.extract.ids import MAX_SLUG, slugify
from publisher.extract.titles import MAX_TITLE, derive_title
from publisher.outputs.catalog import make_catalog
from publisher.outputs.keys import Keys
from publisher.outputs.site import Site, page_path
from publisher.outputs.syndication import families, render_feeds
from publisher.publish import RESERVED_NAMES, safe_relative
from publisher.sources.decode import decode
from publisher.sources.textdump import read_dump

from .conftest import joined

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
WORDS = ["Jan.", "January", "2", "2026-01-02", "Friday", "Mr.", "is", "an", "editor", "at", "Reuters", "U.S."]
# Text shaped like the seeds: words, dates, names, punctuation, separators, blank lines, control characters.
DUMPISH = st.lists(
    st.one_of(
        st.sampled_from([*WORDS, "---", "* * *", "…", "...", ".", "!", "?", "”", "\n", "\n\n", "\r\n", " "]),
        st.text(min_size=1, max_size=12),
    ),
    max_size=60,
).map(" ".join)
SLUG = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$")
FEW = settings(max_examples=300, deadline=None)
MANY = settings(max_examples=600, deadline=None)


@MANY
@given(DUMPISH)
@example("---\n")
@example("a\n---\nb: [\n---\n")
def test_text_dump_parser_loses_no_line(text: str) -> None:
    try:
        pieces = read_dump(text, "dump.txt", Path("dump.txt"))
    except InputError:
        return  # front matter it could not read: the documented error
    count = len(text.split("\n"))
    for piece in pieces:
        assert piece.paragraphs
        for paragraph in piece.paragraphs:
            assert paragraph.text and "\n" not in paragraph.text and 1 <= paragraph.line <= count
    if not text.lstrip(" ").startswith("---"):
        published = " ".join(p.text for piece in pieces for p in piece.paragraphs)
        for line in text.split("\n"):
            if line.strip() and not re.fullmatch(r"\s*(?:-{3,}|\*{3,}|(?:\*\s+){2,}\*|_{3,})\s*", line):
                assert line.strip() in published


@MANY
@given(DUMPISH, st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_date_finder_finds_only_real_past_dates(text: str, reference: date) -> None:
    today = NOW.date()
    mentions = find_mentions(text)
    for mention in mentions:
        assert 1 <= mention.month <= 12 and 1 <= mention.day <= 31
        strong = strong_date(mention, today)
        assert strong is None or strong <= today
    found = text_date(mentions, reference, today)
    assert found is None or found <= max(today, reference)


@FEW
@given(st.text(max_size=40))
@example("2026-02-30")
@example("99999999999999999999")
def test_metadata_dates_parse_or_raise_value_error(value: str) -> None:
    try:
        parsed = parse_date_value(value, UTC)
    except ValueError as error:
        assert str(error)
    else:
        assert parsed.tzinfo is not None


@MANY
@given(DUMPISH)
@example("A" * 500 + ". B.")
@example("…")
@example(
    "2026-01-02 2026-01-02 2026-01-02 --- … \n\n \n\n 00 000 000 000 0000000 00000000 0000000000 000000000000"
)
def test_titles_are_short_single_lines(paragraph: str) -> None:
    title = derive_title(paragraph.replace("\n", " "))
    assert len(title) <= MAX_TITLE and "\n" not in title
    assert title == title.strip()


@MANY
@given(DUMPISH)
@example("Jane Doe and John Roe are editors at Reuters.")
@example("Taiwan is a country at risk.")
def test_bio_rule_names_only_people_in_the_paragraph(paragraph: str) -> None:
    names = bio_authors(paragraph)
    if len(paragraph.strip()) > MAX_BIO_LENGTH:
        assert names == ()
    for name in names:
        assert name and name in paragraph and name.split()[0][0].isupper()


@MANY
@given(st.text(max_size=300))
@example("CON")
@example("../" * 50)
@example("\x00")
def test_slugs_are_safe_file_names(title: str) -> None:
    slug = slugify(title)
    assert SLUG.match(slug) and len(slug) <= MAX_SLUG + len("-entry")
    assert slug not in RESERVED_NAMES and slugify(slug) == slug
    if slug:
        assert safe_relative(page_path(slug)).parts[0] == "posts"


@FEW
@given(st.text(max_size=400))
@example("\x00\x01\ufffe\uffff")
@example("a\r\nb\rc\x0b")
@example("퀀")
def test_any_text_dump_makes_feeds_that_parse(text: str) -> None:
    try:
        content, _ = decode(text.encode("utf-8", "surrogatepass"), "d.txt")  # a lone surrogate: an error
        pieces = read_dump(content, "d.txt", Path("/seeds/d.txt"))
        drafts, _ = file_drafts(pieces, "d.txt", Path("/seeds"), UTC, NOW)
    except InputError:
        return
    site = Site.from_settings(Settings())
    entries, _ = settle(drafts, {}, NOW, "example.org", UTC, lambda s: site.url + page_path(s))
    feeds = families(entries, site, make_catalog(entries, site.url), NOW)
    for path, _, chunks in render_feeds(feeds, site, 50, Keys.for_build(Settings(), ""), {}):
        assert chunks is not None and safe_relative(path)
        data = joined(chunks)
        if path.endswith(".json"):
            assert len(json.loads(data)["items"]) <= len(entries)
            continue
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.bozo_exception
        assert len(parsed.entries) <= len(entries)
