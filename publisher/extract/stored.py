"""Drafts as rows of the state store's draft cache, and back, exactly.

A cached draft must give the very entry a fresh one would: its dates end up
in feeds, pages and ids. So a date keeps its wall-clock time, its `fold` and
its time zone itself (a named zone by its key, a fixed offset by its size),
not only the instant. A date in any other kind of zone (dateutil's, from an
unusual front-matter value) cannot be written down exactly: such a file's
drafts are simply not cached.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ..entry import DateSource
from .entries import Draft, depends_on_day

DraftRow = tuple[Any, ...]
"""(source, position, line, title, authors, summary, content_html, is_excerpt, tags, published,
date_source, updated, explicit_id, source_url, fingerprint, text, base_slug, digest), as `State.update_files`
stores them (the digest None when a row has none: the draft then makes it again; the text None as
`State.cached_drafts` reads them: see `Draft`)."""
_MICROSECOND = timedelta(microseconds=1)
_SOURCES = {source.value: source for source in DateSource}


def keeps_pieces(drafts: list[Draft], complete: bool) -> bool:
    """Whether the parse cache keeps a file's pieces, not only its drafts: when they cannot all be stored
    as drafts (a piece failed, there are none, or a date's zone cannot be stored exactly), or when
    tomorrow may date them differently."""
    return not (complete and drafts and all(map(_storable, drafts))) or depends_on_day(drafts)


def _storable(draft: Draft) -> bool:
    return all(
        value is None or _where(value.tzinfo) is not None for value in (draft.published, draft.updated)
    )


def draft_rows(drafts: list[Draft]) -> list[DraftRow] | None:
    """The rows of one file's drafts, in order; None when a date's zone cannot be stored exactly."""
    rows = []
    for position, d in enumerate(drafts):
        published, updated = _moment(d.published), _moment(d.updated)
        if published == "" or updated == "":
            return None
        rows.append(
            (
                d.source,
                position,
                d.line,
                d.title,
                json.dumps(d.authors, ensure_ascii=False),
                d.summary,
                d.content_html,
                int(d.is_excerpt),
                json.dumps(d.tags, ensure_ascii=False),
                published,
                d.date_source.value,
                updated,
                d.explicit_id,
                d.source_url,
                d.fingerprint,
                d.text,
                d.base_slug,
                d.digest,
            )
        )
    return rows


def drafts_from_rows(rows: Iterable[DraftRow]) -> Iterator[Draft]:
    """The drafts `draft_rows` stored, in order.

    A build after one edit decodes every cached draft, and ten thousand
    drafts share a few dozen lists of authors and of tags and a zone or two:
    each of those is decoded once (tuples and zones are immutable, so the
    drafts can share them).
    """
    lists: dict[str, tuple[str, ...]] = {}
    zones: dict[str | int, tzinfo] = {}
    for row in rows:
        yield Draft(
            source=row[0],
            line=row[2],
            title=row[3],
            authors=_strings(row[4], lists),
            summary=row[5],
            content_html=row[6],
            is_excerpt=bool(row[7]),
            tags=_strings(row[8], lists),
            published=_from_moment(row[9], zones),
            date_source=_SOURCES[row[10]],
            updated=_from_moment(row[11], zones),
            explicit_id=row[12],
            source_url=row[13],
            fingerprint=row[14],
            text=row[15],
            base_slug=row[16],
            digest=row[17] or "",
        )


def _strings(text: str, seen: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """A JSON list of strings as a tuple, decoded once per text in `seen`."""
    found = seen.get(text)
    if found is None:
        found = seen[text] = tuple(json.loads(text))
    return found


def _moment(value: datetime | None) -> str | None:
    """[wall-clock time, zone key or offset in microseconds, fold] as JSON; "" for a zone we cannot store."""
    if value is None:
        return None
    where = _where(value.tzinfo)
    if where is None:
        return ""
    return json.dumps([value.replace(tzinfo=None).isoformat(), where, value.fold])


def _where(zone: tzinfo | None) -> str | int | None:
    """A zone as stored: its IANA key, or a fixed offset in microseconds; None when it cannot be made again
    exactly from either."""
    if isinstance(zone, ZoneInfo) and zone.key and ZoneInfo(zone.key) is zone:
        return zone.key
    if (
        type(zone) is timezone
        and zone == timezone(offset := zone.utcoffset(None))
        and repr(zone) == repr(timezone(offset))
    ):
        return offset // _MICROSECOND
    return None


def _from_moment(text: str | None, zones: dict[str | int, tzinfo]) -> datetime | None:
    """The date `_moment` wrote; its zone made once per zone key or offset in `zones`."""
    if text is None:
        return None
    wall, where, fold = json.loads(text)
    zone = zones.get(where)
    if zone is None:
        zone = zones[where] = ZoneInfo(where) if isinstance(where, str) else timezone(where * _MICROSECOND)
    return datetime.fromisoformat(wall).replace(tzinfo=zone, fold=fold)
