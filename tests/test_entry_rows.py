"""The entries table after each build: what a build writes of its entries, and what it leaves.

A build writes only new and changed rows; the entries it saw must still be
told apart from the others (they are "recent", the ones an edited piece may
be matched to): theirs is the store's build number, and only theirs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from publisher import Settings, build
from publisher.extract.record import Record
from publisher.outputs.feedplan import Format
from publisher.pipeline import output_keys
from publisher.state import EntryChanges, open_state

PIECE = (
    "---\ntitle: {title}\ndate: 2025-12-{day}\n---\n"
    "The body of {title} runs to a few sentences, so that an edit reads as an edit. "
    "It says what happened, where and when, and who said what about it afterwards.\n"
)
WHEN = datetime(2025, 12, 1, 9, tzinfo=UTC)
MINE = ["a.md", "b.md", "c.md", "d.md"]


def rows(settings: Settings) -> dict[str, tuple[int, str]]:
    """Source file -> (rowid, text) of every remembered entry: a row written again gets a new rowid."""
    with sqlite3.connect(settings.state) as db:
        return {row[0]: row[1:] for row in db.execute("SELECT source, rowid, text FROM entries")}


def recent(settings: Settings) -> dict[str, bool]:
    """Source file -> whether the last build saw its entry."""
    with open_state(settings.state) as state:
        return {r.source: r.recent for r in state.known_entries().values() if r.source in MINE}


def three_pieces(write_seed: Callable[[str, str], Path]) -> tuple[Path, Path]:
    """a.md, b.md and c.md, one piece each: the second to be edited, the third to be removed."""
    write_seed("a.md", PIECE.format(title="Alpha", day=10))
    return (
        write_seed("b.md", PIECE.format(title="Beta", day=11)),
        write_seed("c.md", PIECE.format(title="Gamma", day=12)),
    )


def test_a_build_writes_only_new_and_changed_entries_and_knows_which_it_saw(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    edited, gone = three_pieces(write_seed)
    first = build(settings)
    before = rows(settings)
    assert recent(settings) == dict.fromkeys(MINE[:3], True)

    edited.write_text(PIECE.format(title="Beta", day=11) + "\nA new line.\n", encoding="utf-8")
    gone.unlink()
    second = build(settings)
    after = rows(settings)
    assert after["a.md"] == before["a.md"]  # not written again
    assert after["b.md"][1].endswith("A new line.")
    assert recent(settings) == {"a.md": True, "b.md": True, "c.md": False}
    assert {e.id for e in second.entries} < {e.id for e in first.entries}  # the edit kept its id

    gone.write_text(PIECE.format(title="Gamma", day=12), encoding="utf-8")
    write_seed("d.md", PIECE.format(title="Delta", day=13))
    build(settings)
    assert recent(settings) == dict.fromkeys(MINE, True)
    assert rows(settings)["c.md"][1] == before["c.md"][1]


def test_a_store_numbered_by_an_older_publisher_is_read_and_kept_as_it_means(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    """An older publisher gave the entries of each build that build's number: 7 here, one gone since 5."""
    write_seed("a.md", PIECE.format(title="Alpha", day=10))
    write_seed("b.md", PIECE.format(title="Beta", day=11))
    (gone := write_seed("c.md", PIECE.format(title="Gamma", day=12)))
    build(settings)
    gone.unlink()
    with sqlite3.connect(settings.state) as db:
        db.execute("UPDATE entries SET build = CASE source WHEN 'c.md' THEN 5 ELSE 7 END")
        db.execute("UPDATE meta SET value = '7' WHERE key = 'build'")
    assert recent(settings) == {"a.md": True, "b.md": True, "c.md": False}

    write_seed("d.md", PIECE.format(title="Delta", day=13))
    build(settings)

    assert recent(settings) == {"a.md": True, "b.md": True, "c.md": False, "d.md": True}


def record(entry: str, published: datetime = WHEN, *, recent: bool = True) -> Record:
    return Record(entry, "f", "the text", entry, WHEN, published, published, f"{entry}.md", recent=recent)


def test_only_new_and_changed_records_are_written_in_full() -> None:
    """Compared as stored: the same instant in another time zone is written again, as it was before."""
    known = {
        "same": record("same"),
        "zone": record("zone"),
        "stale": record("stale", recent=False),
        "left": record("left"),
        "long-gone": record("long-gone", recent=False),
    }
    moved = WHEN.astimezone(timezone(timedelta(hours=9)))
    made = [record("same"), record("zone", moved), record("stale"), record("new")]

    changes = EntryChanges.between(made, known)

    assert [r.id for r in changes.changed] == ["zone", "stale", "new"]
    assert changes.left == ["left"]


def test_the_manifest_is_what_the_output_folder_holds_and_only_its_changed_rows_are_written(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    edited, gone = three_pieces(write_seed)
    build(settings)
    before = _manifest_rows(settings)
    edited.write_text(PIECE.format(title="Beta", day=11) + "\nA new line.\n", encoding="utf-8")
    gone.unlink()
    second = build(settings)
    after = _manifest_rows(settings)
    with open_state(settings.state) as state:
        manifest = state.outputs(settings.out)
        keys = json.loads(state.get(output_keys(settings)) or "{}")
    on_disk = {
        str(path.relative_to(settings.out)): path
        for path in settings.out.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }
    assert manifest.keys() == on_disk.keys() == after.keys()
    feeds = {name for name in on_disk if name.rpartition("/")[2] in {fmt.filename for fmt in Format}}
    assert feeds and feeds < on_disk.keys()
    for name, path in on_disk.items():
        digest, size, mtime_ns = manifest[name]
        stat = path.stat()
        # a feed is written as chunks, and known by its output key; any other file by its bytes' SHA-256
        bytes_are = f"key:{keys[name]}" if name in feeds else hashlib.sha256(path.read_bytes()).hexdigest()
        assert (digest, size, mtime_ns) == (bytes_are, stat.st_size, stat.st_mtime_ns)
    assert second.removed and not set(second.removed) & after.keys()
    rewritten = {name for name in after if after[name] != before.get(name)}
    assert rewritten == set(second.written)  # a row kept as it was is not written again


def _manifest_rows(settings: Settings) -> dict[str, int]:
    """Output path -> rowid of its manifest row: a row written again gets a new rowid."""
    with sqlite3.connect(settings.state) as db:
        return dict(db.execute("SELECT path, rowid FROM outputs"))
