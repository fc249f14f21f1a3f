"""The bundled seed becomes the five entries an editor would expect."""

from __future__ import annotations

from datetime import UTC, datetime

from publisher import DateSource, Settings, check


def test_seed_gives_five_entries_in_file_order_of_kind(settings: Settings) -> None:
    entries = sorted(check(settings).entries, key=lambda e: e.source_line)
    assert [e.source_line for e in entries] == [1, 11, 12, 13, 14]
    assert [e.is_excerpt for e in entries] == [False, True, True, True, True]


def test_titles_survive_abbreviations_and_are_cut_at_a_word(settings: Settings) -> None:
    titles = [e.title for e in sorted(check(settings).entries, key=lambda e: e.source_line)]
    assert titles[0] == "Is a new foreign partner for Taiwan emerging in the Middle East?"
    assert titles[1] == "Jan. 1 marks a decade since China repealed its one-child policy."
    for title in titles[2:]:
        assert title.endswith("…") and len(title) <= 100
        assert not title[:-1].endswith(" ")


def test_author_comes_from_the_bio_which_stays_in_the_content(settings: Settings) -> None:
    op_ed = next(e for e in check(settings).entries if not e.is_excerpt)
    assert op_ed.author == "Michael Mazza"
    assert op_ed.content_html is not None
    assert op_ed.content_html.rstrip().endswith("Global Taiwan Institute.</p>")
    assert op_ed.summary.startswith("Is a new foreign partner")
    assert all(e.author is None for e in check(settings).entries if e.is_excerpt)


def test_excerpts_have_no_content_and_a_visible_cut(settings: Settings) -> None:
    for entry in check(settings).entries:
        if entry.is_excerpt:
            assert entry.content_html is None
            assert entry.summary.endswith("…")


def test_dates_and_their_provenance(settings: Settings) -> None:
    by_line = {e.source_line: e for e in check(settings).entries}
    assert by_line[12].published == datetime(2026, 1, 2, tzinfo=UTC)
    assert by_line[12].date_source is DateSource.TEXT
    assert by_line[11].published == datetime(2026, 1, 1, tzinfo=UTC)
    assert by_line[11].date_source is DateSource.TEXT
    now = datetime(2026, 1, 5, 12, tzinfo=UTC)
    for line in (1, 13, 14):
        assert by_line[line].date_source is DateSource.FIRST_SEEN
        assert now - by_line[line].published < (now - now.replace(hour=11))


def test_ids_are_unique_tag_uris_and_links_absolute(settings: Settings) -> None:
    entries = check(settings).entries
    assert len({e.id for e in entries}) == 5
    assert len({e.updated for e in entries}) == 5
    for entry in entries:
        assert entry.id.startswith("tag:localhost,20")
        assert entry.link == f"http://localhost:8000/posts/{entry.slug}.html"
