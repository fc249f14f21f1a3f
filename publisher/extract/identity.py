"""Which known entry is this draft? The rule that keeps ids, URLs and dates stable.

A draft is the same entry as a remembered one when, in this order:
1. its front matter names the id;
2. its fingerprint is one already known (the file was renamed, moved, or
   other pieces were added or reordered: none of that changes a fingerprint);
3. its words are at least 90% the same as those of an entry seen in the
   previous build that has no match this time and that came from the same
   file or had the same title (a typo fix, a reworded sentence).
Anything else is a new entry. A matched entry keeps its id, its slug (so its
URL) and its first-seen time; its `updated` moves only when its fingerprint
changed. This module decides; `state.py` remembers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from difflib import SequenceMatcher
from typing import Protocol

from ..entry import Entry
from .entries import Draft
from .record import Record

SIMILAR = 0.9
MAX_CANDIDATES = 8
SAMPLE_WORDS = 2000


class TextStore(Protocol):
    """Where the texts are kept that remembered records and cached drafts come without (the state store).

    A text is only compared (rule 3) and stored: after one edit of ten
    thousand pieces, the build needs the edited piece's alone. Reading all of
    them, twice (remembered and cached), was a tenth of such a build.
    """

    def entry_texts(self, ids: Collection[str]) -> dict[str, str]:
        """Entry id → its remembered text."""

    def draft_texts(self, source: str) -> dict[int, str]:
        """Line → text of each cached draft of the seed file `source`."""


def settle(
    drafts: list[Draft],
    known: dict[str, Record],
    now: datetime,
    host: str,
    tz: tzinfo,
    link_for: Callable[[str], str],
    texts: TextStore | None = None,
) -> tuple[list[Entry], list[Record]]:
    """Match drafts to remembered entries, then make every entry and its new record.

    Records and drafts without their text (None) get it from `texts` when
    it is needed: when a draft matches no remembered entry by id or
    fingerprint. A record made from a draft without its text keeps None: the
    store keeps its text as it is (see `State.save_entries`).
    """
    matches = _match_known(drafts, known)  # by id(draft): `drafts` stays alive, so no id is reused
    ready = _with_texts(drafts, matches, texts)
    _match_similar(ready, known, matches, texts)
    taken = {r.slug for r in matches.values()}
    new = [d for d in ready if id(d) not in matches]
    slugs = _new_slugs(new, taken | {r.slug for r in known.values()})
    for offset, draft in enumerate(new):
        # Pieces first seen together get times a second apart (file order, first newest),
        # so no two entries ever share a timestamp and order stays deterministic.
        matches[id(draft)] = _new_record(draft, slugs[id(draft)], now - timedelta(seconds=offset), host, tz)
    records = _distinct_updates([_advance(matches[id(d)], d, now) for d in ready], known)
    entries = [d.finish(r, link_for(r.slug)) for d, r in zip(ready, records, strict=True)]
    return entries, records


def _distinct_updates(records: list[Record], known: dict[str, Record]) -> list[Record]:
    """No two entries may share an `updated` time (feed readers and the W3C validator flag it).

    Times already remembered are kept as they are; a time new in this build
    (a new entry, an edit, or several pieces sharing one metadata date) moves
    a second later until it is free. Order is (time, id), so the result does
    not depend on file order, and once remembered it never moves again.
    """
    used: set[datetime] = set()
    kept: set[str] = set()  # ids; a set, as a list made a rebuild of many entries quadratic
    for record in sorted(records, key=lambda r: (r.updated, r.id)):
        if record.id in known and known[record.id].updated == record.updated not in used:
            kept.add(record.id)
            used.add(record.updated)
    moved: dict[str, Record] = {}
    for record in sorted((r for r in records if r.id not in kept), key=lambda r: (r.updated, r.id)):
        updated = record.updated
        while updated in used:
            updated += timedelta(seconds=1)
        used.add(updated)
        if updated != record.updated:  # most are free already: `replace` took half of settling a cold build
            moved[record.id] = replace(record, updated=updated)
    return [moved.get(r.id, r) for r in records]


def _match_known(drafts: list[Draft], known: dict[str, Record]) -> dict[int, Record]:
    """Rules 1 and 2: the drafts whose front matter names a known id, then those with a known fingerprint."""
    matches: dict[int, Record] = {}
    claimed: set[str] = set()
    by_fingerprint: dict[str, Record] = {}
    for remembered in sorted(known.values(), key=lambda r: r.id):
        by_fingerprint.setdefault(remembered.fingerprint, remembered)
    for draft in drafts:
        explicit = known.get(draft.explicit_id or "")
        if explicit:
            matches[id(draft)] = explicit
            claimed.add(explicit.id)
    for draft in drafts:
        same = by_fingerprint.get(draft.fingerprint)
        if id(draft) not in matches and same and same.id not in claimed and not draft.explicit_id:
            matches[id(draft)] = same
            claimed.add(same.id)
    return matches


def _match_similar(
    drafts: list[Draft], known: dict[str, Record], matches: dict[int, Record], texts: TextStore | None
) -> None:
    """Rule 3, into `matches`: each draft left, in file order, claims the most similar vanished entry."""
    claimed = {r.id for r in matches.values()}
    left = [d for d in drafts if id(d) not in matches and not d.explicit_id]
    vanished = [r for r in known.values() if r.recent and r.id not in claimed]
    pools = {id(d): [r for r in vanished if _could_be(d, r)] for d in left} if vanished else {}
    read = _record_texts((r for pool in pools.values() for r in pool), texts)
    for draft in left:
        pool = [read.get(r.id, r) for r in pools.get(id(draft), ()) if r.id not in claimed]
        best = _most_similar(draft, _candidates(draft, pool))
        if best:
            matches[id(draft)] = best
            claimed.add(best.id)


def _could_be(draft: Draft, record: Record) -> bool:
    """Whether a vanished entry is a candidate for an edit of `draft`: from the same file, or the same title."""
    return record.source == draft.source or record.slug.startswith(draft.base_slug or "\0")


def _candidates(draft: Draft, pool: list[Record]) -> list[Record]:
    """The few of `pool` closest in length to the draft.

    Bounded, so that a build where every piece changed stays linear rather
    than comparing every piece with every other.
    """
    return sorted(pool, key=lambda r: (abs(len(_text(r)) - len(_text(draft))), r.id))[:MAX_CANDIDATES]


def _with_texts(drafts: list[Draft], matches: dict[int, Record], texts: TextStore | None) -> list[Draft]:
    """The drafts, those that matched no known entry by id or fingerprint with their texts (a cached one
    comes without), read once per seed file."""
    read: dict[str, dict[int, str]] = {}

    def text_of(draft: Draft) -> str:
        assert texts is not None, "a cached draft comes with the store its text is in"
        if draft.source not in read:
            read[draft.source] = texts.draft_texts(draft.source)
        return read[draft.source][draft.line]

    return [d if d.text is not None or id(d) in matches else replace(d, text=text_of(d)) for d in drafts]


def _record_texts(records: Iterable[Record], texts: TextStore | None) -> dict[str, Record]:
    """Id → the record with its text, of those of `records` that came without it."""
    wanted = {r.id: r for r in records if r.text is None}
    if not wanted:
        return {}
    assert texts is not None, "a remembered record comes with the store its text is in"
    return {entry: replace(wanted[entry], text=text) for entry, text in texts.entry_texts(wanted).items()}


def _text(item: Draft | Record) -> str:
    assert item.text is not None, "texts are read before they are compared"
    return item.text


def _most_similar(draft: Draft, candidates: list[Record]) -> Record | None:
    """The candidate whose words are at least 90% the same as the draft's, if any.

    With no candidates (every draft of a cold build) the draft's text is not even split into words.
    """
    if not candidates:
        return None
    words = _sample(_text(draft).split())
    best, best_ratio = None, SIMILAR
    for record in candidates:
        matcher = SequenceMatcher(None, words, _sample(_text(record).split()), autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio >= best_ratio:
            best, best_ratio = record, ratio
    return best


def _sample(words: list[str]) -> list[str]:
    """A long text's first and last SAMPLE_WORDS words: enough to recognise an edit.

    SequenceMatcher takes quadratic time in the worst case; on a piece of
    megabytes a rebuild after an edit would never finish.
    """
    return words if len(words) <= 2 * SAMPLE_WORDS else words[:SAMPLE_WORDS] + words[-SAMPLE_WORDS:]


def _new_slugs(new: list[Draft], taken: set[str]) -> dict[int, str]:
    """Plain slugs where free; where two new pieces (or a known one) share one, a content suffix for each new one.

    Both colliding new pieces get a suffix, so which one is "first" never
    depends on file order.
    """
    counts: dict[str, int] = {}
    for draft in new:
        counts[draft.base_slug] = counts.get(draft.base_slug, 0) + 1
    slugs = {}
    for draft in new:
        base = draft.base_slug or "entry"
        clash = not draft.base_slug or counts[draft.base_slug] > 1 or base in taken
        slugs[id(draft)] = f"{base}-{draft.fingerprint[:8]}" if clash else base
    return slugs


def _new_record(draft: Draft, slug: str, seen: datetime, host: str, tz: tzinfo) -> Record:
    published = draft.published or seen
    entry_id = draft.entry_id(host, published.astimezone(tz).date(), slug)
    return Record(
        entry_id,
        draft.fingerprint,
        draft.text,
        slug,
        seen,
        published,
        draft.updated or published,
        draft.source,
    )


def _advance(record: Record, draft: Draft, now: datetime) -> Record:
    """The record after this build: dates from the text win; `updated` moves only on change."""
    published = draft.published or record.first_seen
    if draft.updated:
        updated = draft.updated
    elif draft.fingerprint != record.fingerprint:
        updated = now
    else:
        updated = record.updated
    return Record(
        record.id,
        draft.fingerprint,
        draft.text,
        record.slug,
        record.first_seen,
        published,
        updated,
        draft.source,
    )
