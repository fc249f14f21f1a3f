"""What is measured: cold builds (tools taking turns), no-op and edit-one rebuilds, and the digest.

Hugo and Pelican have no incremental build outside their development
servers, so for them a rebuild is a full build: their no-op and edit-one
figures would repeat the cold ones, and the targets compare publisher's
rebuilds with Hugo's full build anyway. So that an edit-one figure and the
Hugo build it is held against come from the same minutes of a noisy
machine, Hugo builds the site again before each edit-one rebuild (`BESIDE`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import measure
from .corpus import Corpus, edited
from .report import Row, beside
from .tools import Tool

Log = Callable[[str], None]
VARIANTS = {
    "publisher-feed50": {"feed_size": "50"},  # the shipped default: feeds of the 50 newest entries
    "publisher-mixed": {"seeds": "mixed"},  # Markdown and as many text-dump pieces
    # What the Hugo site writes (pages, the index, one Atom and one RSS feed of every entry), like for like:
    # no JSON Feed, no tag or author feeds (the tag and author pages and the digest are still written).
    "publisher-hugo-outputs": {"formats": '["atom", "rss"]', "listing_feeds": "[]"},
}
REBUILT = ("publisher", "publisher-hugo-outputs")
"""The sites whose no-op and edit-one rebuilds are measured: the default one, and the one like Hugo's."""


@dataclass(frozen=True, slots=True)
class Plan:
    """One corpus, the tools to build it with, where their outputs go, and how many runs."""

    corpus: Corpus
    tools: list[str]
    home: Path
    where: str  # shm or disk
    runs: int

    def tool(self, name: str) -> Tool:
        kind = name.split("-")[0]
        return Tool(name, kind, self.home / name, self.corpus, VARIANTS.get(name, {}))


def run_plan(plan: Plan, log: Log) -> list[Row]:
    """Cold builds of every tool in turn, then the no-op and edit-one rebuilds of each site in `REBUILT`."""
    tools = [plan.tool(name) for name in plan.tools]
    for tool in tools:
        tool.prepare()
    samples: dict[str, list[measure.Sample]] = {tool.name: [] for tool in tools}
    for run in range(plan.runs + 1):  # run 0 is the warm-up: caches, imports, first-touch of the corpus
        for tool in tools:
            tool.clean()
            sample = measure.run(tool.command(), tool.home, tool.environment())
            log(f"N={plan.corpus.size} {plan.where} {tool.name} cold run {run}: {sample.wall:.2f} s")
            if run:
                samples[tool.name].append(sample)
    rows = [_row(tool, plan, "cold", samples[tool.name]) for tool in tools]
    hugo = plan.tool("hugo") if "hugo" in plan.tools else None
    for name in REBUILT:
        if name in plan.tools:
            rows += _rebuilds(plan.tool(name), plan, log, hugo)
    return rows


def _rebuilds(tool: Tool, plan: Plan, log: Log, hugo: Tool | None) -> list[Row]:
    """No-op rebuilds, then rebuilds after editing one piece (a different edit each run), each after a cold
    build of `hugo` when it is measured too (see the module docstring)."""
    measure.run(
        tool.command(), tool.home, tool.environment()
    )  # state and outputs as a cold build leaves them
    noop = [measure.run(tool.command(), tool.home, tool.environment()) for _ in range(plan.runs + 1)][1:]
    target = plan.corpus.edit_target()
    original = target.read_text(encoding="utf-8")
    edits, hugo_builds = [], []
    try:
        for run in range(plan.runs + 1):
            if hugo:
                hugo.clean()
                hugo_builds.append(measure.run(hugo.command(), hugo.home, hugo.environment()))
            target.write_text(edited(original, run), encoding="utf-8")
            edits.append(measure.run(tool.command(), tool.home, tool.environment()))
    finally:
        target.write_text(original, encoding="utf-8")  # the corpus is reused by later invocations
    log(
        f"N={plan.corpus.size} {plan.where} {tool.name} no-op {noop[0].wall:.2f} s, edit-one {edits[1].wall:.2f} s"
    )
    rows = [_row(tool, plan, "no-op", noop), _row(tool, plan, "edit-one", edits[1:])]
    if hugo:
        rows.append(_row(hugo, plan, beside(tool.name), hugo_builds[1:]))
    return rows


def _row(tool: Tool, plan: Plan, scenario: str, samples: list[measure.Sample]) -> Row:
    summary = measure.Summary.of(samples)
    return Row(tool.name, plan.corpus.size, tool.entries, plan.where, scenario, summary)


def measure_digest(home: Path, runs: int) -> list[Row]:
    """`render_digest_html` (Jinja + premailer inlining) of 50 teasers, in process, median of `runs`."""
    from publisher.config import Settings
    from publisher.entry import Entry
    from publisher.outputs.digest import render_digest_html, select_digest
    from publisher.outputs.environment import make_environment
    from publisher.outputs.site import Site

    from .digest import teasers

    settings = Settings(base_url="https://bench.example.org/", digest_size=50)
    site = Site.from_settings(settings)
    entries: list[Entry] = teasers(home, 50)
    digest = select_digest(entries, site, 50, settings.mail.subject)
    assert digest is not None and len(digest.entries) == 50
    env = make_environment(None, settings.tz)
    render_digest_html(env, digest, site)  # warm-up: imports, template compilation
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        render_digest_html(env, digest, site)
        samples.append(measure.Sample(time.perf_counter() - started, 0.0))  # in process: no RSS of its own
    summary = measure.Summary.of(samples)
    return [Row("publisher", 50, 50, "memory", "digest-50", summary)]
