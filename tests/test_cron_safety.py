"""Cron safety with real processes: no-op rebuilds, stable identity, kill -9, concurrent builds."""

from __future__ import annotations

import json
import logging
import mmap
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

import feedparser
import html5lib
import pytest
from jinja2.bccache import bc_magic

from publisher import Settings, build, check, publish
from publisher.entry import DateSource
from publisher.errors import StateError
from publisher.outputs.environment import CompiledTemplates, make_environment
from publisher.outputs.site import page_path
from publisher.publish import IOV_MAX, TEMP_PREFIX, commit, stage
from publisher.state import PAGE_BYTES, open_state

from .conftest import EPOCH, ROOT, run_cli, snapshot

Write = Callable[[str, str | bytes], Path]
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
WORDS = [
    "the",
    "river",
    "rose",
    "after",
    "rain",
    "and",
    "the",
    "town",
    "met",
    "to",
    "decide",
    "what",
    "walls",
    "to",
    "build",
    "first",
]


def changed(before: dict[str, tuple[bytes, int]], after: dict[str, tuple[bytes, int]]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def test_rebuild_with_no_change_touches_nothing(settings: Settings) -> None:
    build(settings)
    before = snapshot(settings.out)
    time.sleep(0.01)
    # A full (not short-cut) rebuild: the seed file's mtime moved, its bytes did not.
    os.utime(settings.seeds / "taiwan-china-dump.txt")
    result = build(settings)
    assert not result.unchanged and result.written == []
    assert snapshot(settings.out) == before


def test_editing_one_piece_changes_only_what_shows_it(settings: Settings) -> None:
    first = {e.source_line: e for e in build(settings).entries}
    before = snapshot(settings.out)
    dump = settings.seeds / "taiwan-china-dump.txt"
    dump.write_text(
        dump.read_text(encoding="utf-8").replace("Siemens Mobility", "Siemens Mobility AG"), encoding="utf-8"
    )
    second = {e.source_line: e for e in build(settings).entries}
    edited, other = second[13], second[14]
    assert edited.id == first[13].id and edited.link == first[13].link
    assert edited.published == first[13].published
    assert edited.updated > first[13].updated
    assert other.updated == first[14].updated
    page = f"posts/{edited.slug}.html"
    assert changed(before, snapshot(settings.out)) == {
        page,
        "index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "digest.html",
        "digest.txt",
    }


def test_renaming_or_moving_a_file_keeps_every_id(settings: Settings) -> None:
    ids = {e.id for e in build(settings).entries}
    (settings.seeds / "archive").mkdir()
    (settings.seeds / "taiwan-china-dump.txt").rename(settings.seeds / "archive" / "renamed.txt")
    result = build(settings)
    assert {e.id for e in result.entries} == ids
    assert all(e.source_file == "archive/renamed.txt" for e in result.entries)


def test_a_removed_piece_leaves_and_its_page_goes_but_foreign_files_stay(
    settings: Settings, write_seed: Write
) -> None:
    write_seed("extra.txt", "An extra teaser that stops in the\n")
    entry = next(e for e in build(settings).entries if e.source_file == "extra.txt")
    (settings.out / "robots.txt").write_text("User-agent: *\n")
    (settings.seeds / "extra.txt").unlink()
    result = build(settings)
    assert f"posts/{entry.slug}.html" in result.removed
    assert not (settings.out / "posts" / f"{entry.slug}.html").exists()
    assert entry.id not in (settings.out / "atom.xml").read_text(encoding="utf-8")
    assert (settings.out / "robots.txt").read_text() == "User-agent: *\n"


def test_first_seen_dates_survive_restarts_and_follow_source_date_epoch(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = {e.id: e.published for e in build(settings).entries}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86400))
    assert {e.id: e.published for e in check(settings).entries} == first
    os.utime(settings.seeds / "taiwan-china-dump.txt")
    assert {e.id: e.published for e in build(settings).entries} == first


def test_deleting_the_state_keeps_every_id_dated_by_text_or_metadata(
    settings: Settings, write_seed: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_seed("2025-06-01-notes.md", "---\ntitle: Notes\n---\nShort notes.\n")
    first = {e.id: e for e in build(settings).entries}
    for path in settings.state.parent.iterdir():
        path.unlink()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86400))
    second = {e.id: e for e in build(settings).entries}
    dated = {i for i, e in first.items() if e.date_source != DateSource.FIRST_SEEN}
    assert len(dated) == 3 and dated <= second.keys()
    # What the README says a lost memory costs: undated pieces are first seen again, a day later here.
    undated = [e for e in second.values() if e.date_source == DateSource.FIRST_SEEN]
    assert len(undated) == 3 and all(e.published.day == 6 and e.id not in first for e in undated)


def test_a_corrupt_state_file_is_a_clear_error_never_a_reset(settings: Settings) -> None:
    build(settings)
    for extra in settings.state.parent.glob("state.db-*"):
        extra.unlink()
    settings.state.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError) as caught:
        build(settings)
    message = str(caught.value)
    assert message.startswith(f"{settings.state}: the state store is unreadable")
    assert f"mv {settings.state} {settings.state}.broken" in message
    assert settings.state.read_bytes().startswith(b"this is not a database")


def test_a_damaged_page_stops_a_build_before_it_writes_to_the_store(
    settings: Settings, write_seed: Write
) -> None:
    build(settings)
    with open_state(settings.state) as state:  # give a table no build reads a page of its own
        for n in range(200):
            state.record_delivery(f"<m{n}@example.org>", f"r{n}@example.org", "served", "250 ok", NOW)
    with sqlite3.connect(settings.state) as db:
        page = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'deliveries'").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    damaged = bytearray(settings.state.read_bytes())  # the last connection closed: no WAL left
    damaged[(page - 1) * size : page * size] = b"\xff" * size
    settings.state.write_bytes(bytes(damaged))

    assert build(settings).unchanged  # nothing to do reads only the build key and the manifest
    write_seed("new.md", "---\ntitle: New\n---\nA new piece.\n")
    with pytest.raises(StateError) as caught:
        build(settings)
    assert str(caught.value).startswith(f"{settings.state}: the state store is unreadable")
    assert settings.state.read_bytes() == bytes(damaged)


def test_the_store_check_run_ahead_stops_the_first_write_and_ends_with_the_store(
    settings: Settings, write_seed: Write
) -> None:
    """The check a build starts ahead (`State.check_ahead`) still comes before any write, and leaves nothing open."""
    build(settings)
    with open_state(settings.state) as state:  # a table no build reads a page of: only the check sees it
        for n in range(200):
            state.record_delivery(f"<m{n}@example.org>", f"r{n}@example.org", "served", "250 ok", NOW)
    with closing(sqlite3.connect(settings.state)) as db:
        page = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'deliveries'").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    damaged = bytearray(settings.state.read_bytes())
    damaged[(page - 1) * size : page * size] = b"\xff" * size
    settings.state.write_bytes(bytes(damaged))

    with open_state(settings.state) as state:
        state.check_ahead()
        assert state.get("build") == "1"  # reads go on meanwhile
        with pytest.raises(StateError, match="the state store is unreadable"):
            state.put("a key", "a value")
        state.check_ahead()  # once is enough: the verdict stands
    with open_state(settings.state) as state:
        state.check_ahead()  # and closed under way
    assert not [path for path in _open_files() if path.startswith(str(settings.state))]
    assert settings.state.read_bytes() == bytes(damaged)


def test_a_new_store_has_large_pages_and_one_with_small_pages_keeps_them(
    settings: Settings, tmp_path: Path
) -> None:
    """A new store is made with 64 KiB pages (see `PAGE_BYTES`); one an older publisher made with SQLite's
    default pages is used as it is, for the same outputs, rebuilds and all."""
    build(settings)
    with closing(sqlite3.connect(settings.state)) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == PAGE_BYTES
    old = replace(settings, out=tmp_path / "old-out", state=tmp_path / "old" / "state.db")
    old.state.parent.mkdir()
    with closing(sqlite3.connect(old.state)) as db:
        db.execute("PRAGMA journal_mode=WAL")  # writes the header: the page size is SQLite's default
        small = db.execute("PRAGMA page_size").fetchone()[0]
    assert small < PAGE_BYTES
    build(old)
    assert build(old).unchanged
    with closing(sqlite3.connect(old.state)) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == small
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert {name: data for name, (data, _) in snapshot(old.out).items()} == {
        name: data for name, (data, _) in snapshot(settings.out).items()
    }


def _open_files() -> list[str]:
    """What this process has open, by path."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, closed by now
            continue
    return found


def test_a_build_with_nothing_to_do_still_heals_outputs_and_notices_every_input(
    settings: Settings, write_seed: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The short cut (uptodate.py) stats every output and keys every input the outputs are made from."""
    entry = build(settings).entries[0]
    page = settings.out / page_path(entry.slug)
    original = page.read_bytes()
    page.write_bytes(b"defaced")
    (settings.out / "atom.xml").unlink()
    assert sorted(build(settings).written) == ["atom.xml", page_path(entry.slug)]
    assert page.read_bytes() == original and build(settings).unchanged

    themed = replace(settings, templates=settings.seeds.parent / "my-templates")
    assert themed.templates is not None
    themed.templates.mkdir()
    style = themed.templates / "style.css"
    style.write_text("body { color: black }\n", encoding="utf-8")
    assert not build(themed).unchanged  # a setting
    changes = {
        "a template": lambda: style.write_text("body { color: navy }\n", encoding="utf-8"),
        "a seed's time": lambda: os.utime(settings.seeds / "taiwan-china-dump.txt", (1, 1)),
        "a new seed": lambda: write_seed("new.md", "---\ntitle: New\n---\nA new piece.\n"),
        "the day": lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86400)),
    }
    for what, change in changes.items():
        assert build(themed).unchanged, what
        change()
        assert not build(themed).unchanged, what


# -- real processes ------------------------------------------------------------------------


@pytest.fixture
def corpus(project: Path) -> Path:
    """400 Markdown pieces: enough for a build to take a second, so kills land inside it."""
    write_corpus(project / "seeds", variant=0)
    return project


def test_a_build_with_nothing_to_do_does_not_load_the_pipeline(corpus: Path) -> None:
    """Cron's usual run must not pay for importing the renderers and their libraries (see api.py)."""
    profile = {"PYTHONPROFILEIMPORTTIME": "1"}
    heavy = {
        "publisher.pipeline",
        "jinja2",
        "feedgen",
        "lxml",
        "premailer",
        "yaml",
        "cmarkgfm",
        "nh3",
        "dateutil",
    }
    first = run_cli("build", cwd=corpus, env=profile)
    again = run_cli("build", cwd=corpus, env=profile)
    assert (first.returncode, again.returncode) == (0, 0)
    assert heavy <= imported(first.stderr)
    assert not heavy & imported(again.stderr) and "publisher.uptodate" in imported(again.stderr)


def imported(stderr: str) -> set[str]:
    """The modules a process imported, from its `-X importtime` lines on stderr."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def write_corpus(seeds: Path, variant: int) -> None:
    for i in range(400):
        body = "\n\n".join(
            " ".join(WORDS[(i + j + k) % len(WORDS)] for k in range(50)).capitalize() + "." for j in range(8)
        )
        text = f"---\ntitle: Piece {i}\ndate: 2025-{1 + i % 12:02d}-{1 + i % 28:02d}\n---\n{body}\n\nVersion {variant}.\n"
        (seeds / f"piece-{i:03d}.md").write_text(text, encoding="utf-8")


def assert_well_formed(out: Path) -> None:
    """Every output file is whole: feeds parse cleanly, pages parse and end where they should."""
    for path in out.rglob("*"):
        if not path.is_file() or path.name.startswith(TEMP_PREFIX):
            continue
        data = path.read_bytes()
        if path.suffix == ".xml":
            assert feedparser.parse(data).bozo == 0, path
            assert data.rstrip().endswith((b"</feed>", b"</rss>")), path
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
            html5lib.parse(data)
        else:
            assert data, path


def start_build(cwd: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", "build", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_kill_9_at_many_points_leaves_only_whole_files(corpus: Path) -> None:
    assert run_cli("build", cwd=corpus).returncode == 0
    for attempt, delay in enumerate([0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.8, 0.95, 1.1]):
        write_corpus(corpus / "seeds", variant=attempt + 1)
        process = start_build(corpus)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        assert_well_formed(corpus / "dist")
    finished = run_cli("build", cwd=corpus)
    assert finished.returncode == 0, finished.stderr
    assert not list((corpus / "dist").rglob(f"{TEMP_PREFIX}*"))
    assert_well_formed(corpus / "dist")
    assert "Version 10." in (corpus / "dist" / "posts" / "piece-0.html").read_text(encoding="utf-8")


def test_two_builds_at_once_one_waits_or_steps_aside(corpus: Path) -> None:
    first, second = start_build(corpus), start_build(corpus)
    results = sorted([(p.wait(), p.communicate()[1]) for p in (first, second)])
    assert [code for code, _ in results] == [0, 75]
    assert "another build is running" in results[1][1]
    write_corpus(corpus / "seeds", variant=1)
    waiting = [start_build(corpus, "--wait", "60") for _ in range(2)]
    assert [p.wait() for p in waiting] == [0, 0]
    assert_well_formed(corpus / "dist")


def test_kept_pages_are_re_rendered_when_templates_change_or_a_file_was_touched(settings: Settings) -> None:
    """Pages are skipped by key on rebuilds; what the key cannot see (a hand edit) must still heal."""
    entry = build(settings).entries[0]
    page = settings.out / "posts" / f"{entry.slug}.html"
    page.write_text("defaced", encoding="utf-8")
    os.utime(settings.seeds / "taiwan-china-dump.txt")
    assert build(settings).written == [f"posts/{entry.slug}.html"]
    assert entry.title.split()[0] in page.read_text(encoding="utf-8")
    listing = settings.out / "authors" / "michael-mazza" / "index.html"
    listing.write_text("defaced", encoding="utf-8")
    os.utime(settings.seeds / "taiwan-china-dump.txt")
    assert build(settings).written == ["authors/michael-mazza/index.html"]
    assert "Michael Mazza" in listing.read_text(encoding="utf-8")
    custom = settings.seeds.parent / "my-templates"
    custom.mkdir()
    bundled = (ROOT / "templates" / "entry.html").read_text(encoding="utf-8")
    (custom / "entry.html").write_text(bundled.replace("{% block main %}", "{% block main %}<!-- custom -->"))
    rebuilt = build(replace(settings, templates=custom))
    assert f"posts/{entry.slug}.html" in rebuilt.written
    assert "<!-- custom -->" in page.read_text(encoding="utf-8")


def test_a_build_that_fails_while_rendering_leaves_the_output_as_it_was(settings: Settings) -> None:
    """Files are staged as they are rendered; a failure half way must take every staged file back."""
    build(settings)
    before = snapshot(settings.out)
    dump = settings.seeds / "taiwan-china-dump.txt"
    dump.write_text(
        dump.read_text(encoding="utf-8").replace("Siemens Mobility", "Siemens AG"), encoding="utf-8"
    )
    custom = settings.seeds.parent / "broken-templates"
    custom.mkdir()
    (custom / "listing.html").write_text("{{ no_such_thing() }}", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_thing"):
        build(replace(settings, templates=custom))
    assert snapshot(settings.out) == before
    assert not list(settings.out.rglob(f"{TEMP_PREFIX}*"))
    pages = [settings.out / "posts" / f"{e.slug}.html" for e in build(settings).entries]
    assert any("Siemens AG" in page.read_text(encoding="utf-8") for page in pages)


def test_the_parse_cache_stores_what_changed_and_forgets_what_went(
    settings: Settings, write_seed: Write
) -> None:
    write_seed("extra.txt", "An extra teaser that stops in the\n")
    build(settings)
    with open_state(settings.state) as state:
        first = state.cached_files()
    assert set(first) == {"taiwan-china-dump.txt", "extra.txt"}
    write_seed("extra.txt", "Another teaser, edited, that stops in the\n")
    write_seed("late.txt", "A late teaser that\n")
    build(settings)
    with open_state(settings.state) as state:
        second = state.cached_files()
        late = json.loads(state.cached_pieces("late.txt"))
    assert second["taiwan-china-dump.txt"] == first["taiwan-china-dump.txt"]
    assert second["extra.txt"] != first["extra.txt"]
    assert [p["paragraphs"] for p in late] == [[["A late teaser that", 1]]]
    (settings.seeds / "late.txt").unlink()
    write_seed("extra.txt", "A teaser with a control \x01 character\n")  # read with a warning: not cached
    result = build(settings)
    assert any("extra.txt" in warning for warning in result.warnings)
    with open_state(settings.state) as state:
        assert set(state.cached_files()) == {"taiwan-china-dump.txt"}


def test_templates_compiled_by_one_build_serve_the_next_until_they_change(settings: Settings) -> None:
    """The state store keeps each template as compiled; a template edited in place (same name, same file)
    must still be compiled anew, and a damaged stored copy must not stop the build."""

    def compiled() -> dict[str, bytes]:
        with closing(sqlite3.connect(settings.state)) as db:
            return dict(db.execute("SELECT name, code FROM templates").fetchall())

    custom = settings.seeds.parent / "my-templates"
    custom.mkdir()
    bundled = (ROOT / "templates" / "entry.html").read_text(encoding="utf-8")
    (custom / "entry.html").write_text(bundled.replace("{% block main %}", "{% block main %}<!-- one -->"))
    themed = replace(settings, templates=custom)
    entry = build(themed).entries[0]
    page = settings.out / page_path(entry.slug)
    first = compiled()
    assert {"base.html", "entry.html", "index.html", "listing.html", "entry-item.html"} <= set(first)
    (custom / "entry.html").write_text(bundled.replace("{% block main %}", "{% block main %}<!-- two -->"))
    assert page_path(entry.slug) in build(themed).written
    assert "<!-- two -->" in page.read_text(encoding="utf-8")
    second = compiled()
    assert second["entry.html"] != first["entry.html"]  # one row per template, replaced
    assert {name: code for name, code in second.items() if name != "entry.html"} == {
        name: code for name, code in first.items() if name != "entry.html"
    }
    with open_state(settings.state) as state:  # the stored copies are what a build's environment takes
        served = CompiledTemplates(state.compiled_templates())
    env = make_environment(custom, UTC, served)
    assert env.get_template("entry.html").render  # loaded, not compiled: nothing for the store to keep
    assert served.new() == []
    with closing(sqlite3.connect(settings.state)) as db, db:  # Jinja's header, then bytes pickle cannot read
        db.execute("UPDATE templates SET code = ? WHERE name = 'entry.html'", (bc_magic + b"\x00damaged",))
    (custom / "entry.html").write_text(bundled.replace("{% block main %}", "{% block main %}<!-- three -->"))
    assert page_path(entry.slug) in build(themed).written
    assert "<!-- three -->" in page.read_text(encoding="utf-8")


def test_listing_templates_that_include_the_item_template_themselves_still_work(settings: Settings) -> None:
    """Bundled listings call `list_item(entry)` (each item rendered once a build); a user's older index or
    listing template that includes `entry-item.html` itself must give the same pages, and so must a custom
    `entry-item.html` both ways."""
    build(settings)
    bundled = {
        name: (settings.out / name).read_bytes()
        for name in ("index.html", "authors/michael-mazza/index.html")
    }
    older = settings.seeds.parent / "older-templates"
    older.mkdir()
    for name in ("index.html", "listing.html"):
        text = (ROOT / "templates" / name).read_text(encoding="utf-8")
        assert "{{ list_item(entry) }}" in text
        (older / name).write_text(text.replace("{{ list_item(entry) }}", '{% include "entry-item.html" %}\n'))
    build(replace(settings, templates=older))
    assert {name: (settings.out / name).read_bytes() for name in bundled} == bundled
    item = (ROOT / "templates" / "entry-item.html").read_text(encoding="utf-8")
    for folder in (older, settings.seeds.parent / "item-only"):
        folder.mkdir(exist_ok=True)
        (folder / "entry-item.html").write_text(item.replace("<li>", '<li class="mine">'), encoding="utf-8")
        result = build(replace(settings, templates=folder))
        index = (settings.out / "index.html").read_text(encoding="utf-8")
        assert index.count('<li class="mine">') == len(result.entries) > 0


@pytest.mark.parametrize("blocked", [b"never written", b"a large file never written " * 4000])
def test_a_file_that_cannot_be_written_takes_back_every_file_staged_around_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocked: bytes
) -> None:
    """Large files are written by threads while the next render, small ones in place: a failure among them,
    in place or in a thread, loses none of their temps."""
    monkeypatch.setattr(publish, "LARGE", 50_000)
    out = tmp_path / "out"
    out.mkdir()
    (out / "blocked").write_text("a file where a folder should be")
    files = [
        *((f"p{n:02d}.html", bytes([n]) * (100_000 if n % 2 else 1_000)) for n in range(20)),
        ("blocked/page.html", blocked),
        *((f"q{n:02d}.html", b"never staged") for n in range(20)),
    ]
    with pytest.raises(OSError):
        stage(out, iter(files), {})
    assert [path.name for path in out.iterdir()] == ["blocked"]


def test_files_written_in_place_and_by_writer_threads_are_staged_and_committed_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`-v` says how many files were staged and how long the build waited for the writer threads."""
    monkeypatch.setattr(publish, "LARGE", 30_000)
    out = tmp_path / "out"
    files = [(f"f{n:03d}.txt", str(n).encode() * (n * 997 if n % 2 else 40)) for n in range(60)]
    assert {len(data) >= publish.LARGE for _, data in files} == {True, False}
    with caplog.at_level(logging.INFO, "publisher"):
        staged = stage(out, iter(files), {})
    assert [r.getMessage() for r in caplog.records] == [
        f"staged 60 new files, {staged.waited:.1f} s of it waiting for writer threads"
    ]
    assert staged.waited >= 0
    assert [name for name, _, _ in staged.moves] == [name for name, _ in files]
    assert list(staged.manifest) == [name for name, _ in files]
    published = commit(staged)
    assert published.written == [name for name, _ in files]
    assert all((out / name).read_bytes() == data for name, data in files)


def test_a_file_given_as_chunks_is_the_bytes_they_join_to_and_unchanged_ones_are_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed comes as its chunks (head, parts mapped from the last file, tail): more than one `writev` takes,
    views and empty chunks among them. It is hashed as written, here a few pages at a time."""
    monkeypatch.setattr(publish, "HASH_WINDOW", mmap.ALLOCATIONGRANULARITY)
    out = tmp_path / "out"
    backing = b"".join(str(n).encode() * 7 for n in range(3000))
    view = memoryview(backing)
    chunks = [b"<head>", *(view[n * 10 : n * 10 + 10] for n in range(3000)), b"", b"</tail>"]
    whole = b"".join(chunks)
    assert len(chunks) > IOV_MAX
    first = commit(stage(out, iter([("feed.xml", chunks), ("copy.xml", whole)]), {}))
    assert (out / "feed.xml").read_bytes() == whole == (out / "copy.xml").read_bytes()
    assert (
        first.manifest["feed.xml"][:2]
        == first.manifest["copy.xml"][:2]
        == (sha256(whole).hexdigest(), len(whole))
    )
    assert len(whole) > 5 * publish.HASH_WINDOW
    again = commit(stage(out, iter([("feed.xml", chunks)]), first.manifest))
    assert again.written == [] and again.manifest["feed.xml"] == first.manifest["feed.xml"]
    unknown = commit(stage(out, iter([("feed.xml", chunks)]), {}))  # no row: the file itself is compared
    assert unknown.written == [] and unknown.manifest["feed.xml"] == first.manifest["feed.xml"]
    changed = [*chunks[:-1], b"</TAIL>"]  # the same size, other bytes
    assert commit(stage(out, iter([("feed.xml", changed)]), first.manifest)).written == ["feed.xml"]
    assert (out / "feed.xml").read_bytes() == b"".join(changed)
    assert not [path for path in out.iterdir() if path.name.startswith(TEMP_PREFIX)]


def test_chunks_with_a_name_for_their_bytes_are_never_hashed_and_kept_when_the_file_holds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed comes with its output key as the name of its bytes (see `publish.stage`): the manifest knows it
    by that name, unhashed. When the file it replaces is as large, the two are compared: the same bytes
    (under another key) keep the file as it is, mtime and all; other bytes replace it."""
    hashed: list[int] = []
    real = publish._written_sha256
    monkeypatch.setattr(publish, "_written_sha256", lambda fd, size: hashed.append(size) or real(fd, size))
    out = tmp_path / "out"
    chunks = [b"<feed>", *(str(n).encode() * 9 for n in range(2000)), b"</feed>"]
    whole = b"".join(chunks)

    first = commit(stage(out, iter([("feed.xml", chunks)]), {}, {"feed.xml": "one"}))
    assert first.manifest["feed.xml"][:2] == ("key:one", len(whole))
    assert (out / "feed.xml").read_bytes() == whole

    longer = [*chunks[:-1], b"<entry/>", b"</feed>"]
    second = commit(stage(out, iter([("feed.xml", longer)]), first.manifest, {"feed.xml": "two"}))
    assert second.written == ["feed.xml"] and second.manifest["feed.xml"][0] == "key:two"

    mtime = (out / "feed.xml").stat().st_mtime_ns
    mapped = memoryview((out / "feed.xml").read_bytes())  # views among the chunks, as a feed's parts are
    views = [mapped[: len(longer[0])], *longer[1:]]
    same = commit(stage(out, iter([("feed.xml", views)]), second.manifest, {"feed.xml": "three"}))
    # another key, the same bytes
    assert same.written == [] and (out / "feed.xml").stat().st_mtime_ns == mtime
    assert same.manifest["feed.xml"] == ("key:three", len(b"".join(longer)), mtime)

    other = [*longer[:-1], b"</FEED>"]  # as large, other bytes
    fourth = commit(stage(out, iter([("feed.xml", other)]), same.manifest, {"feed.xml": "four"}))
    assert fourth.written == ["feed.xml"] and fourth.manifest["feed.xml"][0] == "key:four"
    assert (out / "feed.xml").read_bytes() == b"".join(other)

    changed = bytearray(b"".join(other))
    changed[len(changed) // 2] ^= 1  # the chunks made anew are as the file has them; a view's bytes are not
    in_a_view = [other[0], memoryview(bytes(changed))[len(other[0]) : -len(other[-1])], other[-1]]
    fifth = commit(stage(out, iter([("feed.xml", in_a_view)]), fourth.manifest, {"feed.xml": "five"}))
    assert fifth.written == ["feed.xml"] and (out / "feed.xml").read_bytes() == bytes(changed)
    assert hashed == []
    assert not [path for path in out.iterdir() if path.name.startswith(TEMP_PREFIX)]


def test_published_files_are_readable_by_the_web_server_whatever_the_umask(settings: Settings) -> None:
    """cron may run with a strict umask; the files it publishes are rw-r--r-- all the same, folders made too."""
    old = os.umask(0o077)
    try:
        build(settings)
    finally:
        os.umask(old)
    files = [path for path in settings.out.rglob("*") if path.is_file()]
    folders = [settings.out, *(path for path in settings.out.rglob("*") if path.is_dir())]
    assert len(files) > 10 and len(folders) > 3
    assert {path.stat().st_mode & 0o777 for path in files} == {0o644}
    assert {path.stat().st_mode & 0o777 for path in folders} == {0o755}
