"""Entries' parts kept across builds: an edit re-makes one entry's feed items and list item, not every entry's.

The parts (an Atom entry, an RSS item, a JSON item, an item in the lists of
entries) are kept under a key of everything they are made from: list items
in the state store, feed parts in the feed files as last written. These
tests plant a marker in stored parts, or change a written file, to see which
parts a rebuild takes and which it makes anew.
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import feedparser
import pytest

from publisher import Settings, build
from publisher.api import BuildResult
from publisher.entry import Entry
from publisher.errors import StateError
from publisher.outputs.feedplan import Format
from publisher.outputs.keys import Keys
from publisher.outputs.parts import Parts, Spans
from publisher.outputs.premade import make_parts
from publisher.state import open_state

MARKER = b"<!-- kept from an earlier build -->"
FEEDS = ("atom.xml", "rss.xml", "feed.json")
PIECE = (
    "---\ntitle: {title}\ndate: 2025-12-{day}\nauthor: Ana Lima\n---\n"
    "The body of {title} runs to a few sentences, so that an edit reads as an edit. "
    "It says what happened, where and when, and who said what about it afterwards.\n"
)


def parts(settings: Settings) -> dict[tuple[str, str], bytes]:
    with sqlite3.connect(settings.state) as db:
        return {(row[0], row[1]): bytes(row[2]) for row in db.execute("SELECT entry, kind, part FROM parts")}


def two_pieces(settings: Settings, write_seed: Callable[[str, str], Path]) -> tuple[Path, BuildResult]:
    """Pieces One and Two, built: Two's file (to edit) and the build."""
    write_seed("one.md", PIECE.format(title="One", day=10))
    edited = write_seed("two.md", PIECE.format(title="Two", day=11))
    return edited, build(settings)


def edit(piece: Path) -> None:
    """Add a paragraph to Two (see `two_pieces`)."""
    piece.write_text(PIECE.format(title="Two", day=11) + "\nA new paragraph.\n", encoding="utf-8")


def feed_files(settings: Settings) -> list[Path]:
    """Every feed file: the site's and its author's, in every format."""
    return sorted(path for path in settings.out.rglob("*") if path.name in FEEDS)


def _feed_entries(text: bytes, path: Path) -> list[object]:
    """The feed's entries as a client reads them (feedparser reads no JSON Feed)."""
    return list(json.loads(text)["items"] if path.suffix == ".json" else feedparser.parse(text).entries)


def _parts_of(settings: Settings, path: Path, entry: Entry) -> bytes:
    """`entry`'s part in the feed file at `path`, as its spans (see written.py) say."""
    with sqlite3.connect(settings.state) as db:
        (stored,) = db.execute(
            "SELECT spans FROM packed_spans WHERE path = ?", (str(path.relative_to(settings.out)),)
        ).fetchone()
    spans = Spans.unpacked(stored)
    assert spans is not None
    at = spans.keys.index(Keys.for_build(settings, "").entry_key(entry))
    return path.read_bytes()[spans.offsets[at] : spans.offsets[at] + spans.sizes[at]]


def plant(settings: Settings, entry: str) -> None:
    """Append the marker to every stored part of `entry` (as if an earlier build had made it so)."""
    with sqlite3.connect(settings.state) as db:
        db.execute("UPDATE parts SET part = CAST(part || ? AS BLOB) WHERE entry = ?", (MARKER, entry))


def test_a_rebuild_takes_unchanged_list_items_from_the_store_and_makes_feed_parts_no_file_holds(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    """The store keeps list items only; a feed file no longer as the last build wrote it has its parts made
    again, the very bytes they had."""
    edited, first = two_pieces(settings, write_seed)
    stored = parts(settings)
    assert {kind for _, kind in stored} == {"LIST_ITEM"}
    assert {entry for entry, _ in stored} == {e.id for e in first.entries}
    one = next(e for e in first.entries if e.title == "One")
    two = next(e.id for e in first.entries if e.title == "Two")
    showing = [path for path in feed_files(settings) if b"The body of One" in path.read_bytes()]
    before = {path: _parts_of(settings, path, one) for path in showing}
    counts = {path: len(_feed_entries(path.read_bytes(), path)) for path in showing}
    plant(settings, one.id)
    plant(settings, two)
    for path in feed_files(settings):  # touched: their spans no longer hold (see written.py)
        os.utime(path, ns=(0, 0))

    edit(edited)
    build(settings)

    text = (settings.out / "index.html").read_bytes()
    assert text.count(MARKER) == 1  # One's planted list item was reused; Two's was made anew
    assert MARKER not in parts(settings)[(two, "LIST_ITEM")]
    for path, part in before.items():
        text = path.read_bytes()
        assert MARKER not in text and b"A new paragraph." in text
        assert (
            part in text and len(_feed_entries(text, path)) == counts[path]
        )  # One's part made again, as it was


def test_a_rebuild_takes_unchanged_entries_feed_parts_from_the_feed_files_as_written(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    """A feed file still as the manifest says holds the unchanged parts: they are copied from it, not made
    again. Proved by a change to One's part in each file (the site's and its author's) that keeps its size
    and time."""
    edited, first = two_pieces(settings, write_seed)
    plant(settings, next(e.id for e in first.entries if e.title == "One"))
    showing = [path for path in feed_files(settings) if b"The body of One" in path.read_bytes()]
    assert len(showing) == 2 * len(FEEDS)  # the site's feeds and Ana Lima's
    counts = {path: len(_feed_entries(path.read_bytes(), path)) for path in showing}
    for path in showing:
        before = path.stat()
        data = path.read_bytes()
        path.write_bytes(data.replace(b"The body of One", b"THE BODY OF ONE"))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    edit(edited)
    build(settings)

    for path in showing:
        text = path.read_bytes()
        assert b"THE BODY OF ONE" in text and b"A new paragraph." in text
        assert MARKER not in text and b"The body of One" not in text
        assert len(_feed_entries(text, path)) == counts[path]  # still a whole feed
    with sqlite3.connect(settings.state) as db:  # the spans of the files now written are kept
        kept = {row[0]: row[1] for row in db.execute("SELECT path, sha256 FROM packed_spans")}
    with open_state(settings.state) as state:
        manifest = {path: row[0] for path, row in state.outputs(settings.out).items()}
    names = {str(path.relative_to(settings.out)) for path in feed_files(settings)}
    assert kept.keys() == names and all(kept[name] == manifest[name] for name in names)
    assert {str(path.relative_to(settings.out)) for path in showing} <= names


def test_parts_of_entries_that_are_gone_are_forgotten(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    gone = write_seed("gone.md", PIECE.format(title="Gone", day=12))
    first = build(settings)
    gone_id = next(e.id for e in first.entries if e.title == "Gone")
    assert (gone_id, "LIST_ITEM") in parts(settings)
    gone.unlink()
    second = build(settings)
    assert {entry for entry, _ in parts(settings)} == {e.id for e in second.entries}


def test_a_store_from_an_older_publisher_gains_the_parts_index_and_loses_its_feed_parts(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    """`parts_keys` and `packed_spans` came later: a store an older publisher wrote gets them on open, and its
    list items are still used. The feed parts it stored are dropped (the feeds, with no spans, make theirs),
    and so are the spans it kept as JSON."""
    write_seed("one.md", PIECE.format(title="One", day=10))
    first = build(settings)
    with sqlite3.connect(settings.state) as db:
        db.execute("DROP INDEX parts_keys")
        db.execute("DROP TABLE packed_spans")
        db.execute("DELETE FROM spans")
        db.execute("INSERT INTO spans VALUES (?, 'atom.xml', 'a hash', '[[], [], []]')", (str(settings.out),))
        db.execute("INSERT INTO parts VALUES (?, 'ATOM', 'an older key', ?)", (first.entries[0].id, MARKER))
    plant(settings, first.entries[0].id)

    write_seed("two.md", PIECE.format(title="Two", day=11))
    build(settings)

    with sqlite3.connect(settings.state) as db:
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT entry, key FROM parts WHERE kind = 'LIST_ITEM'"
        ).fetchall()
    assert "COVERING INDEX parts_keys" in plan[0][-1]
    assert (settings.out / "index.html").read_bytes().count(
        MARKER
    ) == 1  # One's stored item, found by its key
    assert not any(MARKER in (settings.out / name).read_bytes() for name in FEEDS)
    assert {kind for _, kind in parts(settings)} == {"LIST_ITEM"}
    with sqlite3.connect(settings.state) as db:  # spans are kept packed now; an older publisher finds none
        assert db.execute("SELECT count(*) FROM spans").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM packed_spans").fetchone()[0] > 0


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


def test_the_spans_of_every_feed_file_hold_every_part_in_place(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    """The spans (see written.py) are worked out from the chunks a document is joined from: every part of
    every file, in every format, is where its span says."""
    for day in range(10, 22):
        write_seed(f"p{day}.md", PIECE.format(title=f"Piece {day}" + " long" * (day % 5), day=day))
    entries = build(settings).entries
    keys = Keys.for_build(settings, "")  # a part's key covers its entry alone, not the settings
    (chunk,) = make_parts([entries], (Format.ATOM, Format.RSS, Format.JSON))  # as a build makes them
    made = dict(zip(FEEDS, chunk, strict=True))
    part = {(name, keys.entry_key(e)): made[name][e.id] for name in FEEDS for e in entries}
    with sqlite3.connect(settings.state) as db:
        spans = db.execute("SELECT path, spans FROM packed_spans").fetchall()
    assert {path for path, _ in spans} == {str(p.relative_to(settings.out)) for p in feed_files(settings)}
    for path, stored in spans:
        data = (settings.out / path).read_bytes()
        found = Spans.unpacked(stored)
        assert found is not None
        assert len(found.keys) == len(_feed_entries(data, Path(path))) > 0
        for key, at, size in zip(found.keys, found.offsets, found.sizes, strict=True):
            assert data[at : at + size] == part[Path(path).name, key]


def test_spans_are_where_the_parts_were_joined_and_a_copied_part_leaves_none() -> None:
    entries = [SimpleNamespace(id=name) for name in "abcd"]
    made = {"a": b"<a>first</a>", "b": b"<b>2</b>", "c": b"<c>third one</c>", "d": b"<d/>"}
    parts = Parts("ATOM", made.__getitem__, lambda entry: "key-" + entry.id, None, made=dict(made))
    chunks = [b"<head>", made["a"], b", ", made["b"], b",  ", made["c"], made["d"], b"</tail>"]  # uneven gaps
    spans = parts.spans(entries, chunks)
    assert spans is not None and spans.keys == ["key-a", "key-b", "key-c", "key-d"]
    assert [bytes(part) for part in spans.parts_in(b"".join(chunks)).values()] == list(made.values())
    copied = [*chunks[:5], bytes(bytearray(made["c"])), *chunks[6:]]  # equal bytes, not the part itself
    assert parts.spans(entries, copied) is None
    assert parts.spans(entries, chunks[:-2]) is None  # a part left out


DAMAGES: dict[str, Callable[[bytes], object]] = {
    "a count one too many": lambda stored: (
        struct.pack("<Q", struct.unpack_from("<Q", stored)[0] + 1) + stored[8:]
    ),
    "a key too many": lambda stored: stored + b"\nan extra key",
    "cut short in the numbers": lambda stored: stored[:20],
    "negative offsets": lambda stored: stored[:8] + b"\xff" * 8 + stored[16:],
    "keys that are not UTF-8": lambda stored: stored + b"\xff",
    "an older publisher's JSON": lambda stored: '[["key"], [0], [10]]',
    "no count": lambda stored: b"\x01",
}


def test_spans_are_read_back_as_they_were_packed() -> None:
    spans = Spans(["key-a", "key-é", ""], [0, 17, 2**40], [17, 0, 5])
    packed = spans.packed()
    assert packed is not None and Spans.unpacked(packed) == spans
    assert Spans.unpacked(Spans([], [], []).packed()) == Spans([], [], [])
    assert Spans(["two\nlines"], [0], [1]).packed() is None  # it could not be read back as one key


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_spans_that_are_not_as_a_build_writes_them_have_the_parts_made_again(
    settings: Settings,
    write_seed: Callable[[str, str], Path],
    damage: Callable[[bytes], object],
) -> None:
    """Spans a build would not write (a damaged store) are not used: taken as they are, these would give
    another entry's bytes or the wrong ones, or fail the build."""
    edited, first = two_pieces(settings, write_seed)
    one = next(e for e in first.entries if e.title == "One")
    before = {name: _parts_of(settings, settings.out / name, one) for name in FEEDS}
    with sqlite3.connect(settings.state) as db:
        for path, stored in db.execute("SELECT path, spans FROM packed_spans").fetchall():
            db.execute("UPDATE packed_spans SET spans = ? WHERE path = ?", (damage(stored), path))
    edit(edited)
    build(settings)
    for name in FEEDS:
        text = (settings.out / name).read_bytes()
        assert before[name] in text and b"A new paragraph." in text  # One's part made again, as it was
