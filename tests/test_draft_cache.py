"""The draft cache: an unchanged seed file's drafts come from the state store, never stale."""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.tz import tzoffset

from publisher import Settings, build
from publisher.api import BuildResult
from publisher.entry import ENTRY_CONTENT, DateSource, Entry
from publisher.errors import InputError, StateError
from publisher.extract.entries import Draft, file_drafts
from publisher.extract.record import Record
from publisher.extract.stored import draft_rows, drafts_from_rows, keeps_pieces
from publisher.sources.piece import Paragraph, Piece
from publisher.state import EntryChanges, open_state
from publisher.uptodate import BUILD_KEY

Write = Callable[[str, str | bytes], Path]
DAY = 86400

DATED = """---
title: Dated by its front matter
date: 2025-12-01T08:30:00+05:30
---

A harbour reopened after the storm.
"""
NAIVE = """---
title: Dated without a zone
date: 2025-12-02 08:00
---

The council met in the evening.
"""
NAMED = "A piece dated by its file name, about a bridge.\n"
# January 6, 2026 is after the pinned clock's day (January 5): ignored today, the piece's date tomorrow.
UNDATED = "The ministry said on January 6, 2026 that talks would resume. More followed.\n"


@pytest.fixture
def seeded(settings: Settings, write_seed: Write) -> Settings:
    write_seed("dated.md", DATED)
    write_seed("naive.md", NAIVE)
    write_seed("2025-11-30-bridge.txt", NAMED)
    write_seed("undated.txt", UNDATED)
    return settings


def _exact(entries: list[Entry]) -> list[str]:
    """Entries as their reprs: datetimes with their zones (and fold), not only the instant."""
    return [repr(e) for e in sorted(entries, key=lambda e: e.id)]


def _rebuild(settings: Settings) -> BuildResult:
    """A build that cannot stop at 'nothing to do'."""
    with open_state(settings.state) as state:
        state.put(BUILD_KEY, "")
    return build(settings)


def _drafts(settings: Settings) -> dict[str, tuple[int, str, str]]:
    """Seed file → (rowid, zone, day) of its first cached draft."""
    with sqlite3.connect(settings.state) as db:
        rows = db.execute("SELECT source, rowid, zone, day FROM drafts WHERE position = 0").fetchall()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def _forget_drafts(settings: Settings) -> None:
    with sqlite3.connect(settings.state) as db:
        db.execute("DELETE FROM drafts")


def _entry(entries: list[Entry], source: str) -> Entry:
    return next(e for e in entries if e.source_file == source)


def test_cached_drafts_give_the_entries_a_fresh_build_gives(seeded: Settings) -> None:
    build(seeded)
    stored = _drafts(seeded)
    assert {"dated.md", "naive.md", "2025-11-30-bridge.txt", "undated.txt"} <= set(stored)
    cached = _rebuild(seeded).entries
    assert _drafts(seeded) == stored  # read, not made and written again
    _forget_drafts(seeded)
    fresh = _rebuild(seeded).entries
    assert _exact(cached) == _exact(fresh)
    published = _entry(cached, "dated.md").published
    assert published.isoformat() == "2025-12-01T08:30:00+05:30"
    assert _entry(cached, "naive.md").published.tzinfo is ZoneInfo("UTC")


def test_dates_round_trip_exactly() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    moments = [
        datetime(2025, 10, 26, 2, 30, tzinfo=berlin, fold=1),  # the second 02:30 of the night clocks go back
        datetime(2026, 3, 29, 2, 30, tzinfo=berlin),  # a time that does not exist there
        datetime(2025, 12, 1, 8, 30, 0, 250, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2025, 12, 1, tzinfo=UTC),
    ]
    drafts = [a_draft(published=m, updated=m) for m in moments] + [a_draft(published=None, updated=None)]
    rows = draft_rows(drafts)
    assert rows is not None
    back = list(drafts_from_rows(rows))
    assert [repr(d) for d in back] == [repr(d) for d in drafts]
    for old, new in zip(drafts, back, strict=True):
        if old.published and new.published:
            assert (
                new.published.tzinfo is old.published.tzinfo or new.published.tzinfo == old.published.tzinfo
            )
            assert (new.published.fold, new.published.utcoffset()) == (
                old.published.fold,
                old.published.utcoffset(),
            )
    # a row stored without its digest (by a store's older code) makes it again, the same
    assert list(drafts_from_rows((*row[:-1], None) for row in rows)) == back
    unstorable = [a_draft(published=datetime(2025, 12, 1, tzinfo=tzoffset(None, 3600)))]
    assert draft_rows(unstorable) is None
    # such a file's pieces are kept instead, so it is dated again from them, never parsed again
    assert keeps_pieces(unstorable, complete=True) and not keeps_pieces(drafts[:4], complete=True)


def a_draft(published: datetime | None, updated: datetime | None = None) -> Draft:
    """A draft of a made-up piece, dated as given."""
    return Draft(
        source="a.md",
        line=1,
        title="A title",
        authors=("Ana", "Bo"),
        summary="A summary.",
        content_html="<p>Text</p>",
        is_excerpt=False,
        tags=("x",),
        published=published,
        date_source=DateSource.METADATA,
        updated=updated,
        explicit_id=None,
        source_url=None,
        fingerprint="f",
        text="Text",
        base_slug="a-title",
    )


def test_a_new_day_re_dates_only_the_files_that_depend_on_it(
    seeded: Settings, monkeypatch: pytest.MonkeyPatch, pinned_clock: int
) -> None:
    first = build(seeded).entries
    assert _entry(first, "undated.txt").date_source is DateSource.FIRST_SEEN
    before = _drafts(seeded)
    assert before["undated.txt"][2] == "2026-01-05" and before["dated.md"][2] == ""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(pinned_clock + DAY))
    entries = build(seeded).entries
    undated = _entry(entries, "undated.txt")
    assert (undated.date_source, undated.published.date().isoformat()) == (DateSource.TEXT, "2026-01-06")
    after = _drafts(seeded)
    assert after["undated.txt"][2] == "2026-01-06"
    for dated in ("dated.md", "naive.md", "2025-11-30-bridge.txt"):
        assert after[dated] == before[dated]


def test_a_new_time_zone_re_dates_every_file(seeded: Settings) -> None:
    build(seeded)
    tokyo = replace(seeded, timezone="Asia/Tokyo")
    entries = build(tokyo).entries
    assert {zone for _, zone, _ in _drafts(tokyo).values()} == {"Asia/Tokyo"}
    assert _entry(entries, "naive.md").published.isoformat() == "2025-12-02T08:00:00+09:00"
    assert _entry(entries, "2025-11-30-bridge.txt").published.isoformat() == "2025-11-30T00:00:00+09:00"
    _forget_drafts(tokyo)
    assert _exact(_rebuild(tokyo).entries) == _exact(entries)


def test_an_edited_file_is_dated_again(seeded: Settings, write_seed: Write) -> None:
    build(seeded)
    write_seed("dated.md", DATED.replace("2025-12-01T08:30:00+05:30", "2025-12-03T10:00:00-04:00"))
    entries = build(seeded).entries
    assert _entry(entries, "dated.md").published.isoformat() == "2025-12-03T10:00:00-04:00"
    assert _exact(entries) == _exact(_rebuild(seeded).entries)


def test_a_cached_file_that_now_fails_reports_its_error(
    seeded: Settings, write_seed: Write, tmp_path: Path
) -> None:
    build(seeded)
    bad = DATED.replace("2025-12-01T08:30:00+05:30", "the day after the storm")
    write_seed("dated.md", bad)
    with pytest.raises(InputError) as cached:
        build(seeded)
    fresh_state = replace(seeded, state=tmp_path / "fresh" / "state.db", out=tmp_path / "fresh" / "out")
    with pytest.raises(InputError) as fresh:
        build(fresh_state)
    assert str(cached.value) == str(fresh.value)
    assert "dated.md:3" in str(cached.value)
    with pytest.raises(InputError) as again:  # the old drafts of the file are never used for it
        build(seeded)
    assert str(again.value) == str(cached.value)


def test_the_caches_are_written_after_the_pages_and_before_the_feeds(seeded: Settings) -> None:
    """The new rows wait until the pages are rendered (see `CacheWrite`), and are written before the build
    ends: the next build takes every file from them."""
    from publisher.outputs.site import page_path
    from publisher.pipeline import render_outputs

    entries = build(seeded).entries
    order: list[str] = []
    for name, _, _ in render_outputs(entries, seeded, after_pages=lambda: order.append("caches")):
        order.append(name)
    at = order.index("caches")
    assert {page_path(e.slug) for e in entries} <= set(order[:at])
    assert order[at + 1 :] and all(name.endswith((".xml", ".json")) for name in order[at + 1 :])
    assert {"dated.md", "naive.md", "2025-11-30-bridge.txt", "undated.txt"} <= set(_drafts(seeded))


def test_a_build_whose_rendering_fails_still_caches_what_it_parsed(seeded: Settings, project: Path) -> None:
    """Rendering stopped before the feeds (a broken template): the rows are written all the same, so the
    build after the fix need not parse every file again."""
    custom = project / "custom"
    custom.mkdir()
    (custom / "entry.html").write_text("{{ entry.title | no_such_filter }}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"entry\.html"):
        build(replace(seeded, templates=custom))
    with open_state(seeded.state) as state:
        assert {"dated.md", "naive.md", "2025-11-30-bridge.txt", "undated.txt"} <= set(state.cached_files())
    assert {"dated.md", "naive.md", "2025-11-30-bridge.txt"} <= set(_drafts(seeded))


def test_files_that_warn_are_not_cached(seeded: Settings, write_seed: Write) -> None:
    write_seed("odd.txt", "A teaser with a control \x01 character that stops in the\n")
    first = build(seeded)
    assert any("odd.txt" in warning for warning in first.warnings)
    assert "odd.txt" not in _drafts(seeded)
    again = _rebuild(seeded)
    assert any("odd.txt" in warning for warning in again.warnings)
    assert any(e.source_file == "odd.txt" for e in again.entries)
    with open_state(seeded.state) as state:
        assert "odd.txt" not in state.cached_files()


def test_a_file_skipped_under_keep_going_is_skipped_again_not_served_its_old_drafts(
    seeded: Settings, write_seed: Write
) -> None:
    build(seeded)
    write_seed("dated.md", DATED.replace("2025-12-01T08:30:00+05:30", "the day after the storm"))
    for _ in range(2):  # the second build finds the file unchanged since the first
        result = _rebuild_keep_going(seeded)
        assert [reason for reason in result.skipped if "dated.md:3" in reason]
        assert not any(e.source_file == "dated.md" for e in result.entries)


def _rebuild_keep_going(settings: Settings) -> BuildResult:
    with open_state(settings.state) as state:
        state.put(BUILD_KEY, "")
    return build(settings, keep_going=True)


LONG = (
    "The harbour master said on Tuesday that the eastern quay would reopen to fishing boats within a week, "
    "once divers had checked the pilings that the storm surge had loosened, and that the ferry would keep "
    "its winter timetable until the breakwater lights were mended.\n"
)


def _texts(settings: Settings) -> dict[str, str]:
    """Entry id → the text the entries table remembers."""
    with sqlite3.connect(settings.state) as db:
        return dict(db.execute("SELECT id, text FROM entries").fetchall())


def _fail_rendering(settings: Settings) -> None:
    """A build that stops while rendering, after the draft cache has learned the edited files' drafts."""
    broken = settings.seeds.parent / "broken-templates"
    broken.mkdir(exist_ok=True)
    (broken / "listing.html").write_text("{{ no_such_thing() }}", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_thing"):
        build(replace(settings, templates=broken))


def test_drafts_and_entries_cached_without_their_texts_still_match_an_edit_and_store_its_text(
    seeded: Settings, write_seed: Write
) -> None:
    """A cached draft and a remembered entry come without their texts, read only when compared (identity
    rule 3). A build that fails after the draft cache learned of an edit leaves a cached draft the store's
    entries do not know: the next build must still match it to the entry it was, and store its text."""
    write_seed("harbour.txt", LONG)
    write_seed("2025-11-29-ferry.txt", "The ferry ran late all week, the harbour office said.\n")
    before = {e.source_file: e for e in build(seeded).entries}
    edited = LONG.replace("within a week", "within ten days")
    write_seed("harbour.txt", edited)
    write_seed("new.txt", "A new teaser about the lighthouse keeper, who said that the")
    _fail_rendering(seeded)
    with sqlite3.connect(seeded.state) as db:  # the failed build cached the edited draft and the new one
        cached = dict(db.execute("SELECT source, text FROM drafts").fetchall())
    assert "within ten days" in cached["harbour.txt"] and "new.txt" in cached
    assert (
        before["harbour.txt"].id in _texts(seeded)
        and "within ten days" not in _texts(seeded)[before["harbour.txt"].id]
    )

    after = {e.source_file: e for e in _rebuild(seeded).entries}
    assert after["harbour.txt"].id == before["harbour.txt"].id  # an edit, not a new entry
    assert after["harbour.txt"].updated > before["harbour.txt"].updated
    texts = _texts(seeded)
    assert texts[after["harbour.txt"].id] == cached["harbour.txt"]
    assert texts[after["new.txt"].id] == cached["new.txt"]
    assert texts[after["2025-11-29-ferry.txt"].id].startswith("The ferry ran late")  # untouched, kept


def test_a_record_saved_without_its_text_keeps_the_stored_one_and_must_have_a_row(tmp_path: Path) -> None:
    when = datetime(2026, 1, 5, tzinfo=UTC)
    record = Record("tag:a", "f1", "the words", "a", when, when, when, "a.md")
    with open_state(tmp_path / "state.db") as state:
        state.save_entries(EntryChanges([record], []))
        moved = replace(record, text=None, fingerprint="f2", updated=when + timedelta(days=1))
        state.save_entries(EntryChanges([moved], []))
        (known,) = state.known_entries().values()
        assert (known.text, known.fingerprint, known.updated) == (None, "f2", moved.updated)
        assert state.entry_texts(["tag:a", "tag:none"]) == {"tag:a": "the words"}
        with pytest.raises(StateError, match="row went missing"):
            state.save_entries(EntryChanges([replace(moved, id="tag:b")], []))
        assert list(state.known_entries()) == ["tag:a"]  # the failed save wrote nothing


def test_cached_contents_are_decoded_only_when_read_and_read_as_the_text(
    seeded: Settings, write_seed: Write
) -> None:
    """After an edit, an unchanged entry's content stays the draft cache's bytes: no output read it."""
    write_seed("harbour.txt", LONG)
    fresh = {e.source_file: e for e in build(seeded).entries}
    write_seed("harbour.txt", LONG.replace("within a week", "within ten days"))
    after = {e.source_file: e for e in build(seeded).entries}
    held = {source: ENTRY_CONTENT.raw(entry) for source, entry in after.items()}
    assert isinstance(held["harbour.txt"], str)  # drafted now
    unread = [source for source, value in held.items() if isinstance(value, bytes)]
    assert {"dated.md", "naive.md", "2025-11-30-bridge.txt"} <= set(unread)
    for source in unread:
        entry = after[source]
        assert pickle.loads(pickle.dumps(entry)) == entry  # pickled as the text (to a worker)
        assert entry.content_html == fresh[source].content_html and entry == fresh[source]
        assert isinstance(ENTRY_CONTENT.raw(entry), str)  # decoded once, kept


def test_a_cached_draft_without_its_digest_makes_the_same_one_from_undecoded_content() -> None:
    (draft,) = file_drafts(
        [
            Piece(
                "a.md", 1, (Paragraph("A piece about “quotes” — and dashes.", 5),), {}, "<p>“quotes” — ½</p>"
            )
        ],
        "a.md",
        Path("/seeds"),
        UTC,
        datetime(2026, 1, 5, tzinfo=UTC),
    )[0]
    (row,) = draft_rows([draft]) or []
    stored = (*row[:6], row[6].encode(), *row[7:-1], None)  # as `cached_drafts` reads it, with no digest row
    (cached,) = drafts_from_rows([stored])
    assert cached.digest == draft.digest and cached.content_html == "<p>“quotes” — ½</p>"
