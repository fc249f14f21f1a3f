"""Profile mode: where a cold publisher build's time goes, by pipeline step and by kind of work.

The build runs in this process under cProfile (which slows Python code
roughly 1.5×, C code hardly at all); the figures are the cumulative times
of the functions that do each kind of work, so they can be compared with
each other better than with the wall times of the table.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
from pathlib import Path

from .corpus import Corpus
from .tools import EPOCH

Spot = tuple[str, str]  # (file path ending, function name)

STEPS: list[tuple[str, list[Spot]]] = [
    ("reading and parsing seeds (with the parse cache)", [("publisher/pipeline.py", "read_pieces")]),
    ("dating and identity", [("publisher/pipeline.py", "_drafts"), ("publisher/pipeline.py", "_entries")]),
    ("rendering outputs", [("publisher/pipeline.py", "render_outputs")]),
    (
        "saving state (entries, output manifest)",
        [("publisher/state.py", "save_entries"), ("publisher/state.py", "save_outputs")],
    ),
    (
        "writing dist/ (staging, moves)",
        [("publisher/publish.py", "_write_temp"), ("publisher/publish.py", "commit")],
    ),
]
WORK: list[tuple[str, list[Spot]]] = [
    ("front matter (YAML)", [("publisher/sources/frontmatter.py", "split_front_matter")]),
    ("Markdown (cmark-gfm, nh3 sanitizer)", [("publisher/html.py", "render_markdown")]),
    (
        "parse cache (to and from SQLite)",
        [
            ("publisher/state.py", "update_files"),
            ("publisher/state.py", "cached_pieces"),
            ("publisher/state.py", "cached_drafts"),
            ("publisher/extract/stored.py", "drafts_from_rows"),
            ("publisher/sources/piece.py", "from_plain"),
        ],
    ),
    (
        "dating",
        [
            ("publisher/extract/dates.py", n)
            for n in ("find_mentions", "text_date", "parse_date_value", "filename_date")
        ],
    ),
    ("identity (matching, ids, slugs)", [("publisher/extract/identity.py", "settle")]),
    (
        "entries' list items stored (to and from SQLite)",
        [("publisher/state.py", n) for n in ("part_keys", "stored_parts", "save_parts", "forget_parts")],
    ),
    (
        "feedgen (Atom + RSS)",
        [("publisher/outputs/feeds.py", "render_atom"), ("publisher/outputs/feeds.py", "render_rss")],
    ),
    ("JSON Feed", [("publisher/outputs/jsonfeed.py", "render_json")]),
    (
        "templates (Jinja pages, index, digest)",
        [
            ("publisher/outputs/pages.py", "render_pages"),
            ("publisher/outputs/digest.py", "render_digest_text"),
        ],
    ),
    ("inlining (premailer)", [("publisher/outputs/digest.py", "inline_css")]),
    ("writing files", [("publisher/publish.py", "_write_temp")]),
]


def profile_build(corpus: Corpus, home: Path) -> str:
    """Run one cold build of `corpus`'s Markdown pieces (full feeds) under cProfile; the report as text."""
    from publisher import build
    from publisher.config import Settings

    shutil.rmtree(home, ignore_errors=True)
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    settings = Settings(
        base_url="https://bench.example.org/",
        feed_size=corpus.size,
        seeds=corpus.markdown,
        out=home / "out",
        state=home / "state" / "state.db",
    )
    profiler = cProfile.Profile()
    profiler.runcall(build, settings)
    stats = pstats.Stats(profiler)
    total = sum(row[3] for key, row in stats.stats.items() if key[2] == "build")  # type: ignore[attr-defined]
    lines = [f"cold build of {corpus.size:,} Markdown pieces under cProfile: {total:.2f} s", "", "by step:"]
    lines += _section(stats, STEPS, total)
    lines += ["", "by kind of work:"]
    lines += _section(stats, WORK, total)
    return "\n".join(lines)


def _section(stats: pstats.Stats, groups: list[tuple[str, list[Spot]]], total: float) -> list[str]:
    lines = []
    for label, spots in groups:
        seconds = sum(_cumulative(stats, spot) for spot in spots)
        lines.append(f"  {label:<48} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    return lines


def _cumulative(stats: pstats.Stats, spot: Spot) -> float:
    suffix, name = spot
    return sum(
        row[3]
        for (path, _, function), row in stats.stats.items()  # type: ignore[attr-defined]
        if function == name and path.endswith(suffix)
    )
