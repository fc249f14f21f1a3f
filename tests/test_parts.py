"""Entries' parts kept across builds: an edit re-makes one entry's feed items and list item, not every entry's.

The parts (an Atom entry, an RSS item, a JSON item, an item in the lists of
entries) live in the state store under a key of everything they are made
from. These tests plant a marker in stored parts to see which parts a
rebuild takes from the store and which it makes anew.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from publisher import Settings, build

MARKER = b"<!-- kept from an earlier build -->"
PIECE = (
    "---\ntitle: {title}\ndate: 2025-12-{day}\nauthor: Ana Lima\n---\n"
    "The body of {title} runs to a few sentences, so that an edit reads as an edit. "
    "It says what happened, where and when, and who said what about it afterwards.\n"
)


def parts(settings: Settings) -> dict[tuple[str, str], bytes]:
    with sqlite3.connect(settings.state) as db:
        return {(row[0], row[1]): bytes(row[2]) for row in db.execute("SELECT entry, kind, part FROM parts")}


def plant(settings: Settings, entry: str) -> None:
    """Append the marker to every stored part of `entry` (as if an earlier build had made it so)."""
    with sqlite3.connect(settings.state) as db:
        db.execute("UPDATE parts SET part = CAST(part || ? AS BLOB) WHERE entry = ?", (MARKER, entry))


def test_a_rebuild_takes_unchanged_entries_parts_from_the_store(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    write_seed("one.md", PIECE.format(title="One", day=10))
    edited = write_seed("two.md", PIECE.format(title="Two", day=11))
    first = build(settings)
    stored = parts(settings)
    assert {kind for _, kind in stored} == {"ATOM", "RSS", "JSON", "LIST_ITEM"}
    assert {entry for entry, _ in stored} == {e.id for e in first.entries}
    one = next(e.id for e in first.entries if e.title == "One")
    two = next(e.id for e in first.entries if e.title == "Two")
    plant(settings, one)
    plant(settings, two)

    edited.write_text(PIECE.format(title="Two", day=11) + "\nA new paragraph.\n", encoding="utf-8")
    build(settings)

    for name in ("atom.xml", "rss.xml", "feed.json", "index.html"):
        text = (settings.out / name).read_bytes()
        assert text.count(MARKER) == 1  # One's planted part was reused; Two's was made anew
        assert (b"A new paragraph." in text) is (name != "index.html")  # the list shows summaries
    assert MARKER not in parts(settings)[(two, "ATOM")]
    assert MARKER not in parts(settings)[(two, "LIST_ITEM")]


def test_parts_of_entries_that_are_gone_are_forgotten(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    gone = write_seed("gone.md", PIECE.format(title="Gone", day=12))
    first = build(settings)
    gone_id = next(e.id for e in first.entries if e.title == "Gone")
    assert (gone_id, "RSS") in parts(settings)
    gone.unlink()
    second = build(settings)
    assert {entry for entry, _ in parts(settings)} == {e.id for e in second.entries}


def test_a_store_from_before_the_parts_index_gains_it_and_keeps_its_parts(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    """`parts_keys` came later: a store an older publisher wrote gets it on open, and its parts are still used."""
    write_seed("one.md", PIECE.format(title="One", day=10))
    first = build(settings)
    with sqlite3.connect(settings.state) as db:
        db.execute("DROP INDEX parts_keys")
    plant(settings, first.entries[0].id)

    write_seed("two.md", PIECE.format(title="Two", day=11))
    build(settings)

    with sqlite3.connect(settings.state) as db:
        plan = db.execute("EXPLAIN QUERY PLAN SELECT entry, key FROM parts WHERE kind = 'ATOM'").fetchall()
    assert "COVERING INDEX parts_keys" in plan[0][-1]
    for name in ("atom.xml", "rss.xml", "feed.json", "index.html"):
        assert (settings.out / name).read_bytes().count(MARKER) == 1  # One's stored part, found by its key
