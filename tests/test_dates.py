"""Date finding: candidate spans only, years fixed by a weekday or a reference date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from publisher.extract.dates import (
    filename_date,
    find_mentions,
    parse_date_value,
    resolve,
    strong_date,
    text_date,
)

NOW = date(2026, 1, 5)


def dates_in(text: str, reference: date = NOW) -> list[date | None]:
    return [resolve(m, reference, NOW) for m in find_mentions(text)]


def test_fuzzy_traps_are_not_dates() -> None:
    text = "Just 10 days before, Peng Peiyun died at the age of 96. The Project 2049 Institute, founded 1979."
    assert find_mentions(text) == []


def test_month_and_year_alone_is_not_a_date() -> None:
    assert find_mentions("the October 2023 assault on Israel") == []


def test_relative_phrases_are_ignored() -> None:
    assert find_mentions("Last week, and two years ago, and yesterday") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on March 3, 2019 the law passed", date(2019, 3, 3)),
        ("on 2 May 2020 they met", date(2020, 5, 2)),
        ("published 2025-12-31 in print", date(2025, 12, 31)),
        ("on Sept. 14th, 2024", date(2024, 9, 14)),
    ],
)
def test_full_dates_need_no_reference(text: str, expected: date) -> None:
    assert dates_in(text) == [expected]


def test_a_full_date_in_the_future_is_a_plan_not_the_pieces_date() -> None:
    assert dates_in("the summit on March 3, 2027") == [None]


def test_weekday_fixes_the_year() -> None:
    (mention,) = find_mentions("before he went to bed Friday night (January 2) was")
    assert strong_date(mention, NOW) == date(2026, 1, 2)


def test_weekday_that_does_not_match_rejects_the_date() -> None:
    assert dates_in("on Tuesday, January 2") == [None]


def test_yearless_date_shortly_before_the_reference() -> None:
    assert dates_in("Jan. 1 marks a decade", reference=date(2026, 1, 2)) == [date(2026, 1, 1)]
    assert dates_in("on December 30 they met", reference=date(2026, 1, 2)) == [date(2025, 12, 30)]


def test_yearless_date_far_from_the_reference_is_not_used() -> None:
    assert dates_in("on June 4 they met", reference=date(2026, 1, 2)) == [None]


def test_numbers_after_a_month_name_that_are_not_days() -> None:
    assert find_mentions("in May 5 percent of voters") == []


def test_text_date_takes_the_latest_established_date() -> None:
    text = "On March 3, 2019 it began; on Friday, January 2 it ended."
    assert text_date(find_mentions(text), NOW, NOW) == date(2026, 1, 2)


def test_filename_dates_follow_the_jekyll_convention() -> None:
    assert filename_date("2026-01-02-hello.md") == date(2026, 1, 2)
    assert filename_date("2026-13-02-hello.md") is None
    assert filename_date("notes-2026-01-02.md") is None


def test_metadata_dates_are_zone_aware() -> None:
    assert parse_date_value("2026-01-02", UTC) == datetime(2026, 1, 2, tzinfo=UTC)
    assert parse_date_value("2026-01-02T08:30:00+01:00", UTC).utcoffset() == timedelta(hours=1)
    with pytest.raises(ValueError, match="is not a date"):
        parse_date_value("next tuesday-ish", UTC)
