"""Pieces → drafts: everything about an entry that the text itself can tell.

What only memory can tell (when an undated piece was first seen, whether a
changed piece is an edit of a known one) is settled afterwards by the state
store; `Draft.finish` then makes the `Entry`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, tzinfo
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..entry import DateSource, Entry, decoded_on_use
from ..errors import InputError
from ..framing import values_digest
from ..html import paragraphs_html, plain_text
from ..sources.piece import Piece
from ..urls import is_http_url
from .bylines import bio_authors
from .dates import (
    filename_date,
    find_mentions,
    parse_date_value,
    start_of_day,
    strong_date,
    text_date,
)
from .ids import fingerprint, is_uri, normalize_text, slugify, tag_id
from .record import Record
from .sentences import is_cut
from .titles import derive_title, excerpt_summary


@dataclass(frozen=True, slots=True)
class Draft:
    """An entry before its identity is settled: id, slug and first-seen come from state.

    `digest` covers every field its entry takes from it (`SHARED`), made
    when the draft is (by the parse workers, on a cold build) and kept in the
    draft cache, so that output keys need not hash every entry's content on
    every build (see outputs/keys.py). A draft made without one gets it here.
    `text` is None for a draft from the draft cache: it is read from there
    only when identity.py compares it (see `TextStore`). Its content is held
    as the cache's bytes, and passed on to its entry so, until it is read
    (see `entry.decoded_on_use`).
    """

    source: str
    line: int
    title: str
    authors: tuple[str, ...]
    summary: str
    content_html: str | None
    is_excerpt: bool
    tags: tuple[str, ...]
    published: datetime | None
    date_source: DateSource
    updated: datetime | None
    explicit_id: str | None
    source_url: str | None
    fingerprint: str
    text: str | None
    base_slug: str
    digest: str = ""

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", values_digest(_shared(self)))

    def __reduce__(self) -> tuple[type[Draft], tuple[Any, ...]]:
        """Pickled as its field values, as `Entry` is: the parse workers send back ten thousand drafts."""
        return Draft, _draft_values(self)

    def finish(self, record: Record, link: str) -> Entry:
        return Entry(
            id=record.id,
            slug=record.slug,
            title=self.title,
            authors=self.authors,
            published=record.published,
            updated=max(record.updated, record.published),
            first_seen=record.first_seen,
            date_source=self.date_source,
            summary=self.summary,
            content_html=_CONTENT.raw(self),
            is_excerpt=self.is_excerpt,
            tags=self.tags,
            link=link,
            source_file=self.source,
            source_line=self.line,
            fingerprint=self.fingerprint,
            source_url=self.source_url,
            draft_digest=self.digest,
        )

    def entry_id(self, host: str, day: date, slug: str) -> str:
        return self.explicit_id or tag_id(host, day, slug)


SHARED = (
    "title",
    "authors",
    "date_source",
    "summary",
    "content_html",
    "is_excerpt",
    "tags",
    "source",
    "line",
    "fingerprint",
    "source_url",
)
"""The fields of a draft its entry takes as they are (see `Draft.finish`): what `Draft.digest` covers."""
_CONTENT = decoded_on_use(Draft, "content_html")
_shared = attrgetter(*SHARED)
_draft_values = attrgetter(*(f.name for f in fields(Draft)))


def _stop(error: InputError) -> None:
    raise error


def file_drafts(
    group: list[Piece],
    source: str,
    seeds: Path,
    tz: tzinfo,
    now: datetime,
    on_error: Callable[[InputError], None] = _stop,
) -> tuple[list[Draft], bool]:
    """The drafts of one file's pieces, and whether every piece made one (nothing went to `on_error`).

    The pieces of one file are dated together (see dates.py). A bad piece
    (or a file whose shared date is bad) goes to `on_error`, which raises by
    default; when it returns, the piece is left out.
    """
    if not group:  # an empty file
        return [], True
    try:
        reference = _reference_date(group, source, seeds, tz, now)
    except InputError as error:
        on_error(error)
        return [], False
    drafts: list[Draft] = []
    for piece in group:
        try:
            drafts.append(_draft(piece, seeds / source, reference, tz, now))
        except InputError as error:
            on_error(error)
    return drafts, len(drafts) == len(group)


def depends_on_day(drafts: list[Draft]) -> bool:
    """Whether the drafts could come out differently on another day (in the configured zone).

    Only dates read from the text resolve against today (a year-less date, a
    date not yet past), and only pieces with no date in their front matter
    or the file name are dated from their text.
    """
    return any(d.date_source in (DateSource.TEXT, DateSource.FIRST_SEEN) for d in drafts)


def _reference_date(group: list[Piece], source: str, seeds: Path, tz: tzinfo, now: datetime) -> date:
    """The best date known for a whole file: its own date, else its pieces' firmest dates, else now."""
    meta = group[0].meta
    if "date" in meta:
        return _meta_date(meta, "date", seeds / source, tz).date()
    named = filename_date(Path(source).name)
    if named:
        return named
    today = now.astimezone(tz).date()
    firm = [d for p in group for m in find_mentions(p.text) if (d := strong_date(m, today))]
    return max(firm) if firm else today


def _draft(piece: Piece, path: Path, reference: date, tz: tzinfo, now: datetime) -> Draft:
    meta = piece.meta
    texts = [p.text for p in piece.paragraphs]
    excerpt = _is_excerpt(piece)
    # Titles and summaries are plain text everywhere: markup dropped, entities decoded (escaped once, on output).
    # A text dump's paragraphs are raw, so a pasted "<b>" or "&amp;" must not reach them as markup.
    title = plain_text(
        _text(meta, "title", path) or derive_title(texts[0] if texts else _text(meta, "summary", path))
    )
    authors = _authors(piece, path)
    summary = plain_text(_text(meta, "summary", path)) or plain_text(
        excerpt_summary(texts) if excerpt else texts[0]
    )
    content = None if excerpt else (piece.html if piece.html is not None else paragraphs_html(texts))
    tags = _tags(meta, path)
    published, source = _published(piece, path, reference, tz, now)
    updated = _meta_date(meta, "updated", path, tz) if "updated" in meta else None
    link = _link(meta, path)
    explicit = _text(meta, "id", path) or None
    if explicit and not is_uri(explicit):
        raise InputError(
            path,
            _line(meta, "id"),
            f"id {explicit!r} must be a URI, e.g. tag:example.org,2026:{slugify(explicit) or 'post'}",
        )
    return Draft(
        source=piece.source,
        line=piece.line,
        title=title,
        authors=authors,
        summary=summary,
        content_html=content,
        is_excerpt=excerpt,
        tags=tags,
        published=published,
        date_source=source,
        updated=updated,
        explicit_id=explicit,
        source_url=link,
        fingerprint=fingerprint([title, *authors, summary, content or "", *tags, link or "", str(published)]),
        text=normalize_text(piece.text),
        base_slug=slugify(title),
    )


def _is_excerpt(piece: Piece) -> bool:
    """A text-dump piece whose last paragraph is cut off; a Markdown body that is one cut paragraph."""
    if not piece.paragraphs:
        return False
    if piece.html is not None:
        return (
            len(piece.paragraphs) == 1 and is_cut(piece.paragraphs[0].text) and piece.html.count("<p>") == 1
        )
    return is_cut(piece.paragraphs[-1].text)


def _published(
    piece: Piece, path: Path, reference: date, tz: tzinfo, now: datetime
) -> tuple[datetime | None, DateSource]:
    """Metadata > file name > text > first seen (None here; the state store fills it in)."""
    if "date" in piece.meta:
        return _meta_date(piece.meta, "date", path, tz), DateSource.METADATA
    named = filename_date(path.name)
    if named:
        return start_of_day(named, tz), DateSource.FILENAME
    found = text_date(find_mentions(piece.text), reference, now.astimezone(tz).date())
    if found:
        return start_of_day(found, tz), DateSource.TEXT
    return None, DateSource.FIRST_SEEN


def _authors(piece: Piece, path: Path) -> tuple[str, ...]:
    """A bio paragraph names the author; front matter is the fallback (for dumps, a default)."""
    closing = bio_authors(piece.paragraphs[-1].text) if len(piece.paragraphs) > 1 else ()
    declared = piece.meta.get("author")
    if piece.html is not None and declared:
        return _names(declared, piece, path)
    return closing or (_names(declared, piece, path) if declared else ())


def _names(value: Any, piece: Piece, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise InputError(path, _line(piece.meta, "author"), "author must be a name or a list of names")


def _tags(meta: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    value = meta.get("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise InputError(
            path, _line(meta, "tags"), "tags must be a list of words or a comma-separated string"
        )
    seen: dict[str, str] = {}
    for tag in value:
        if str(tag).strip():
            seen.setdefault(str(tag).strip().casefold(), str(tag).strip())
    return tuple(seen.values())


def _link(meta: Mapping[str, Any], path: Path) -> str | None:
    """The original's URL: http(s) only, since it becomes a link readers click (never `javascript:`)."""
    link = _text(meta, "link", path)
    if link and not is_http_url(link):
        raise InputError(path, _line(meta, "link"), f"link {link!r} must be an http(s) URL")
    return link or None


def _text(meta: Mapping[str, Any], key: str, path: Path) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise InputError(path, _line(meta, key), f"{key} must be text")
    return str(value).strip()


def _meta_date(meta: Mapping[str, Any], key: str, path: Path, tz: tzinfo) -> datetime:
    try:
        return parse_date_value(meta[key], tz)
    except ValueError as exc:
        raise InputError(path, _line(meta, key), f"{key}: {exc}") from None


def _line(meta: Mapping[str, Any], key: str) -> int | None:
    lines = meta.get("__lines__")
    return lines.get(key) if isinstance(lines, dict) else None
