"""Feed parts made by a worker process while the pages render: the same bytes as made here, and nothing leaked.

The threshold is lowered with `Cores(share_entries=1)`, so a real worker
(`python -m publisher.processes`) runs on any machine for a few entries.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import pytest

from publisher import build, clock
from publisher.config import Settings
from publisher.entry import Entry
from publisher.outputs.catalog import make_catalog
from publisher.outputs.feedplan import Format
from publisher.outputs.keys import Keys
from publisher.outputs.premade import make_parts, premaking
from publisher.outputs.site import Site
from publisher.outputs.syndication import families, kept_part_keys
from publisher.pipeline import render_outputs, settle_seeds
from publisher.processes import Cores
from publisher.publish import intact
from publisher.state import open_state
from publisher.written import LastWritten

from .conftest import joined
from .workers import FAILING_WORKERS

HERE = Cores(usable=1)
WORKER = Cores(usable=2, share_entries=1, chunk_entries=3)  # a worker for any number of entries, anywhere
Rendered = list[tuple[str, str, bytes | None]]  # the files' bytes joined


@pytest.fixture
def entries(settings: Settings, write_seed: Callable[[str, str], Path]) -> list[Entry]:
    for n in range(1, 9):
        body = f"The body of piece {n} has a [relative link](notes/{n}.html) and “curly quotes”.\n"
        write_seed(f"p{n}.md", f"---\ntitle: Piece {n}\ndate: 2025-12-{n:02d}\ntags: [t{n % 3}]\n---\n{body}")
    return settle_seeds(settings, {}).entries


def rendered(entries: list[Entry], settings: Settings, cores: Cores) -> Rendered:
    return [
        (name, key, None if data is None else joined(data))
        for name, key, data in render_outputs(entries, settings, clock.now(), {}, None, cores)
    ]


def test_a_worker_makes_the_feed_parts_this_process_would(entries: list[Entry], settings: Settings) -> None:
    keys = Keys.for_build(settings, "")
    with premaking(entries, keys, (), WORKER) as premade:
        assert premade.worker is not None and premade.answers == -(-len(entries) // 3) > 1  # chunks of 3
        from_worker = [premade.parts(fmt) for fmt in Format]
    (here,) = make_parts([entries])  # all at once, in this process
    assert from_worker == list(here)
    assert all(len(parts) == len(entries) for parts in from_worker)
    first = next(entry for entry in entries if entry.title == "Piece 1")
    assert urljoin(first.link, "notes/1.html").encode() in bytes(
        from_worker[0][first.id]
    )  # links absolute too


def test_a_build_with_a_worker_writes_the_bytes_of_one_without(
    entries: list[Entry], settings: Settings
) -> None:
    assert rendered(entries, settings, WORKER) == rendered(entries, settings, HERE)


def test_a_worker_makes_only_the_formats_written(entries: list[Entry], settings: Settings) -> None:
    chosen = replace(settings, formats=("rss", "json"), listing_feeds=())
    with premaking(entries, Keys.for_build(chosen, ""), (), WORKER, (Format.RSS, Format.JSON)) as premade:
        from_worker = {fmt: premade.parts(fmt) for fmt in Format}
    assert not from_worker[Format.ATOM]
    assert all(len(from_worker[fmt]) == len(entries) for fmt in (Format.RSS, Format.JSON))
    with_worker = rendered(entries, chosen, WORKER)
    assert with_worker == rendered(entries, chosen, HERE)
    assert not [
        name for name, _, _ in with_worker if name.endswith("atom.xml") or name.startswith("tags/t1/r")
    ]


A_BAD_CHUNK = (  # parts that are not bytes, under the entries' own ids: joining them would fail
    "import pickle, sys; from publisher.processes import read_frame, write_frame; "
    "task, args = read_frame(sys.stdin.buffer); entries = read_frame(sys.stdin.buffer); "
    "write_frame(1, pickle.dumps(({entry.id: 1 for entry in entries}, {}, {})))"
)


PAST_THE_END = """
import pickle, sys
from publisher.processes import read_frame, write_frame
task, args = read_frame(sys.stdin.buffer)
while True:  # every chunk answered: where its parts lie, though the worker wrote none of them
    try:
        entries = read_frame(sys.stdin.buffer)
    except EOFError:
        break
    write_frame(1, pickle.dumps(({entry.id: (0, 10) for entry in entries}, {}, {})))
"""


@pytest.mark.parametrize(
    ("worker", "why"),
    [
        *FAILING_WORKERS,
        ((sys.executable, "-c", A_BAD_CHUNK), "not a chunk of parts"),
        ((sys.executable, "-c", PAST_THE_END), "points past the parts it wrote"),
    ],
)
def test_a_worker_that_fails_has_its_parts_made_here(
    entries: list[Entry],
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    worker: tuple[str, ...],
    why: str,
) -> None:
    failing = Cores(usable=2, share_entries=1, chunk_entries=3, worker=worker, patience=0.5)
    with caplog.at_level(logging.WARNING, "publisher"):
        made = rendered(entries, settings, failing)
    assert made == rendered(entries, settings, HERE)
    (record,) = caplog.records
    assert "a rendering worker failed" in record.getMessage() and why in record.getMessage()


def test_no_worker_for_parts_the_feed_files_hold_or_too_few_entries(settings: Settings) -> None:
    """The site's feed files as last written hold every entry's part: a build with all of them there starts
    no worker, nor one for fewer entries than pay for it, nor on one CPU."""
    built = build(settings).entries
    keys = Keys.for_build(settings, "")
    with open_state(settings.state) as state:
        manifest = state.outputs(settings.out)
        written = LastWritten(settings.out, manifest, intact(settings.out, manifest), state)
        site = Site.from_settings(settings)
        feeds = families(
            built, site, make_catalog(built, settings.base_url), clock.now(), settings.listing_feeds
        )
        kept = kept_part_keys(feeds, site, settings.feed_size, written)
    assert kept == {keys.entry_key(entry) for entry in built}
    with premaking(built, keys, kept, WORKER) as premade:
        assert premade.worker is None
    with premaking(built, keys, kept - {keys.entry_key(built[0])}, WORKER) as premade:
        assert premade.worker is not None  # one entry's part to make, and a worker for one pays here
        assert list(premade.parts(Format.ATOM)) == [built[0].id]
    with premaking(built, keys, (), Cores(usable=2, share_entries=len(built) + 1)) as premade:
        assert premade.worker is None
    with premaking(built, keys, (), Cores(usable=1, share_entries=1)) as premade:
        assert premade.worker is None  # one CPU
