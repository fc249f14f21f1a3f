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

import pytest

from publisher import Settings, build
from publisher.errors import StateError
from publisher.state import open_state

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


def test_parts_written_aside_are_stored_before_the_store_closes(tmp_path: Path) -> None:
    """`save_parts` writes on a thread of its own; leaving `open_state` waits for it."""
    path = tmp_path / "state.db"
    rows = [(f"entry-{n}", f"key-{n}", bytes([n % 256]) * 50_000) for n in range(400)]
    with open_state(path) as state:
        state.save_parts("ATOM", rows)
        state.put("after", "parts")  # the build's own next write waits for the parts: no lock to fight over
    with sqlite3.connect(path) as db:
        stored = {row[0]: (row[1], bytes(row[2])) for row in db.execute("SELECT entry, key, part FROM parts")}
        assert db.execute("SELECT value FROM meta WHERE key = 'after'").fetchone() == ("parts",)
    assert stored == {entry: (key, part) for entry, key, part in rows}


def test_a_write_aside_that_fails_fails_the_next_write_and_the_close(tmp_path: Path) -> None:
    """A failure on the writer's thread is never lost: the store's own error, at the next write or on closing."""
    path = tmp_path / "state.db"
    bad = [("entry", None, b"part")]  # NOT NULL key: SQLite refuses the row
    with pytest.raises(StateError, match="unreadable"), open_state(path) as state:
        state.save_parts("ATOM", bad)  # type: ignore[list-item]
        state.put("after", "parts")
    with pytest.raises(StateError, match="unreadable"), open_state(path) as state:
        state.save_parts("ATOM", bad)  # type: ignore[list-item]
