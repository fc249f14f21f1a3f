"""Finding an entry's date: metadata, file name, text, or when it was first seen.

dateutil is applied only to short candidate spans that look like dates
("January 2", "Jan. 1, 2026", "2 March 2025", "2026-01-02"), never with
`fuzzy=True` over a paragraph: that turns "at the age of 96" into 1996 and
"Project 2049" into 2049. Bare years, month-and-year ("October 2023") and
relative phrases ("last week") are not dates of a piece.

A year-less date is accepted only when something fixes its year: a weekday
next to it that matches ("Friday night (January 2)" is 2026-01-02 only if that
was a Friday), or a reference date shortly after it (the best date known for
the dump it was captured in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from dateutil import parser as dateparser

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}
SHORTLY_BEFORE = timedelta(days=31)
RECENT = timedelta(days=366)  # a year-less date with a weekday names a day of the past year
WEEKDAY_REACH = 24  # characters before a date in which a weekday counts as its own

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = [
    re.compile(
        rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:%|percent|million|billion|\d))(?:,?\s+{_YEAR}\b)?", re.IGNORECASE
    ),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b(?:,?\s+{_YEAR}\b)?", re.IGNORECASE),
    re.compile(r"\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b"),
]
_WEEKDAY = re.compile(r"\b(" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_FILENAME_DATE = re.compile(r"^((?:19|20)\d\d)-([01]\d)-([0-3]\d)(?:[-_. ]|$)")


@dataclass(frozen=True, slots=True)
class Mention:
    """A date-like span in the text: a full date, or month and day with maybe a weekday."""

    month: int
    day: int
    year: int | None
    weekday: int | None
    offset: int


def find_mentions(text: str) -> list[Mention]:
    """Every candidate date span in `text`, in order of appearance."""
    found: dict[int, Mention] = {}
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            mention = _mention(match, text)
            if mention and match.start() not in found:
                found[match.start()] = mention
    return [found[k] for k in sorted(found)]


def _mention(match: re.Match[str], text: str) -> Mention | None:
    groups = match.groupdict()
    span = match.group(0)
    try:
        parsed = dateparser.parse(span, default=datetime(2000, 1, 1), fuzzy=False)
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    has_year = bool(groups.get("year") or groups.get("iso"))
    before = text[max(0, match.start() - WEEKDAY_REACH) : match.start()]
    weekdays = _WEEKDAY.findall(before)
    weekday = WEEKDAYS[weekdays[-1].lower()] if weekdays else None
    return Mention(parsed.month, parsed.day, parsed.year if has_year else None, weekday, match.start())


def strong_date(mention: Mention, now: date) -> date | None:
    """A date that needs no reference: a full date, or one whose weekday fixes the year.

    A full date after `now` is a plan, not the piece's date, and is ignored.
    A year-less date with a weekday is taken in the past year, and only when
    the weekday matches: writers drop the year only for recent days, and
    within one year a day and weekday pick exactly one date.
    """
    if mention.year is not None:
        candidate = _make(mention.year, mention.month, mention.day)
        if (
            candidate
            and candidate <= now
            and (mention.weekday is None or candidate.weekday() == mention.weekday)
        ):
            return candidate
        return None
    if mention.weekday is None:
        return None
    for year in (now.year, now.year - 1):
        candidate = _make(year, mention.month, mention.day)
        if candidate and timedelta(0) <= now - candidate <= RECENT and candidate.weekday() == mention.weekday:
            return candidate
    return None


def resolve(mention: Mention, reference: date, now: date) -> date | None:
    """The mention's date given the dump's reference date, or None if nothing fixes it."""
    strong = strong_date(mention, now)
    if strong or mention.year is not None or mention.weekday is not None:
        return strong
    for year in (reference.year, reference.year - 1):
        candidate = _make(year, mention.month, mention.day)
        if candidate and timedelta(0) <= reference - candidate <= SHORTLY_BEFORE:
            return candidate
    return None


def text_date(mentions: list[Mention], reference: date, now: date) -> date | None:
    """The latest date the text establishes: a piece is written after what it reports."""
    dates = [d for d in (resolve(m, reference, now) for m in mentions) if d]
    return max(dates) if dates else None


def filename_date(name: str) -> date | None:
    """`2026-01-02-some-title.md` → 2026-01-02 (the Jekyll convention)."""
    match = _FILENAME_DATE.match(name)
    return _make(int(match[1]), int(match[2]), int(match[3])) if match else None


def parse_date_value(value: str, tz: tzinfo) -> datetime:
    """A metadata date ("2026-01-02", "2026-01-02 08:30", RFC 3339, "2 Jan 2026"), zone-aware.

    Naive values are in the configured time zone. Raises ValueError with a
    message fit for the user when the value is not a date.
    """
    text = str(value).strip()
    try:
        parsed = dateparser.parse(text, fuzzy=False)
    except (ValueError, OverflowError):
        raise ValueError(f"{text!r} is not a date (try 2026-01-02 or 2026-01-02T08:30:00+01:00)") from None
    if parsed is None:
        raise ValueError(f"{text!r} is not a date")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def start_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
