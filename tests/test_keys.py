"""Output keys (outputs/keys.py): two different entries, or two different files' contents, never share a key.

A shared key would make a build keep a page or a feed part that no longer
shows what the entry says, so the scheme must be unambiguous: every field
counts, a field's text cannot spill into the next one, None is not "", and
("a, b",) is not ("a", "b").
"""

from __future__ import annotations

import pickle
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.entry import DateSource, Entry
from publisher.extract.entries import SHARED
from publisher.extract.record import Record
from publisher.outputs.keys import SETTLED, Keys

from .test_draft_cache import a_draft

WHEN = datetime(2026, 1, 5, 12, tzinfo=UTC)
ENTRY = Entry(
    id="tag:example.org,2026-01-05:a",
    slug="a",
    title="A title",
    authors=("Ann Author",),
    published=WHEN,
    updated=WHEN,
    date_source=DateSource.METADATA,
    summary="A summary.",
    content_html="<p>A summary.</p>",
    is_excerpt=False,
    tags=("news",),
    link="https://example.org/a.html",
    source_file="a.md",
    source_line=1,
    first_seen=WHEN,
    fingerprint="f1",
    source_url=None,
)
# For each field, a value that differs from ENTRY's.
OTHER = {
    "id": "tag:example.org,2026-01-05:b",
    "slug": "b",
    "title": "A title!",
    "authors": ("Ann", "Author"),
    "published": WHEN + timedelta(seconds=1),
    "updated": WHEN.astimezone(timezone(timedelta(hours=1))),  # the same instant, printed otherwise
    "date_source": DateSource.TEXT,
    "summary": "",
    "content_html": None,
    "is_excerpt": True,
    "tags": (),
    "link": "https://example.org/b.html",
    "source_file": "b.md",
    "source_line": 2,
    "first_seen": WHEN - timedelta(days=1),
    "fingerprint": "f2",
    "source_url": "",
    "draft_digest": "d",
}


def key(entry: Entry, parts: object = "page") -> str:
    return Keys("base").key(parts, [entry])


def test_every_field_of_an_entry_is_in_its_key() -> None:
    assert set(OTHER) == {f.name for f in fields(Entry)}  # a new field needs a case here
    assert len(
        {key(ENTRY), *(key(replace(ENTRY, **{name: value})) for name, value in OTHER.items())}
    ) == 1 + len(OTHER)


def test_a_field_cannot_spill_into_the_next() -> None:
    pairs = [
        ({"title": "ab", "authors": ()}, {"title": "a", "authors": ("b",)}),
        ({"authors": ("a, b",)}, {"authors": ("a", "b")}),
        ({"authors": ("ab",)}, {"authors": ("a", "b")}),
        ({"authors": ("a",), "tags": ("b",)}, {"authors": ("a", "b"), "tags": ()}),
        ({"content_html": None}, {"content_html": ""}),
        ({"content_html": "n"}, {"content_html": None}),
        ({"source_url": None, "source_line": 1}, {"source_url": "1", "source_line": 1}),
        ({"summary": "1:s"}, {"summary": "", "content_html": "1:s"}),
    ]
    for one, other in pairs:
        assert key(replace(ENTRY, **one)) != key(replace(ENTRY, **other)), (one, other)


def test_parts_entries_and_their_order_are_in_the_key() -> None:
    other = replace(ENTRY, id="b")
    keys = Keys("base")
    made = [
        keys.key("page", []),
        keys.key("pag", []),
        keys.key(("page", 1), []),
        keys.key("page", [ENTRY]),
        keys.key("page", [other]),
        keys.key("page", [ENTRY, other]),
        keys.key("page", [other, ENTRY]),
        Keys("base2").key("page", []),
    ]
    assert len(set(made)) == len(made)
    assert keys.entry_key(ENTRY) != keys.entry_key(other)


def test_a_lone_surrogate_is_keyed_too() -> None:
    """A YAML escape can put one in a title; it must neither crash the build nor share a key."""
    assert key(replace(ENTRY, title="\ud800")) != key(replace(ENTRY, title="\ufffd"))


TEXT = st.text(max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(TEXT, TEXT, st.lists(TEXT, max_size=3), st.none() | TEXT),
    st.tuples(TEXT, TEXT, st.lists(TEXT, max_size=3), st.none() | TEXT),
)
def test_entries_share_a_key_only_when_equal(
    one: tuple[str, str, list[str], str | None], other: tuple[str, str, list[str], str | None]
) -> None:
    def entry(values: tuple[str, str, list[str], str | None]) -> Entry:
        title, summary, authors, content = values
        return replace(ENTRY, title=title, summary=summary, authors=tuple(authors), content_html=content)

    assert (key(entry(one)) == key(entry(other))) == (entry(one) == entry(other))


DRAFT = a_draft(WHEN)
RECORD = Record(ENTRY.id, "f", "Text", "a", WHEN, WHEN, WHEN)
# An entry field made from a draft field of another name.
AS_DRAFT = {"source_file": "source", "source_line": "line"}


def test_an_entry_field_comes_from_its_draft_or_from_its_record() -> None:
    """A field neither covered by the draft's digest nor settled by the record would be left out of the key."""
    from_draft = {name for name in (f.name for f in fields(Entry)) if AS_DRAFT.get(name, name) in SHARED}
    assert from_draft | set(SETTLED) | {"draft_digest"} == {f.name for f in fields(Entry)}
    assert not from_draft & set(SETTLED)


def test_every_field_an_entry_takes_from_its_draft_is_in_the_digest() -> None:
    made = DRAFT.finish(RECORD, ENTRY.link)
    assert made.draft_digest == DRAFT.digest != ""
    drafted = [name for name in OTHER if name not in {*SETTLED, "draft_digest"}]
    changed = [replace(DRAFT, digest="", **{AS_DRAFT.get(name, name): OTHER[name]}) for name in drafted]
    digests = {DRAFT.digest, *(draft.digest for draft in changed)}
    assert len(digests) == 1 + len(changed) == 1 + len(SHARED)


def test_an_entry_with_its_drafts_digest_is_keyed_by_it_and_its_settled_fields() -> None:
    made = DRAFT.finish(RECORD, ENTRY.link)
    settled = [key(replace(made, **{name: OTHER[name]})) for name in SETTLED]
    assert len({key(made), *settled}) == 1 + len(SETTLED)
    assert key(replace(made, draft_digest="other")) != key(made)
    # the digest stands for the fields it covers: it is made with them, never changed apart from them
    assert key(replace(made, title="Not what was drafted")) == key(made)
    assert key(made) != key(replace(made, draft_digest=""))  # the field-by-field text of the same entry


def test_an_entry_and_a_draft_cross_to_a_worker_whole() -> None:
    """They are pickled as their field values (see `Entry.__reduce__`): every field comes back, digests too."""
    made = DRAFT.finish(RECORD, ENTRY.link)
    for value in (made, DRAFT, ENTRY):
        back = pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(value)
        assert [getattr(back, f.name) for f in fields(value)] == [
            getattr(value, f.name) for f in fields(value)
        ]
    assert key(pickle.loads(pickle.dumps(made))) == key(made)
