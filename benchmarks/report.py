"""The results table, and results.json: every row ever measured, newest per (tool, N, where, scenario)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from .measure import Summary

BASELINE = "publisher"


@dataclass(frozen=True, slots=True)
class Row:
    """One scenario of one tool at one corpus size."""

    tool: str
    size: int
    entries: int
    where: str  # shm, disk, or memory (in-process)
    scenario: str  # cold, no-op, edit-one, digest-50
    summary: Summary

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.tool, self.size, self.where, self.scenario)


def table(rows: list[Row]) -> str:
    """A Markdown table; ratios are against publisher's cold build at the same N and place.

    "peak RSS" is the largest single process; "all processes" the sampled
    sum over the process tree (a build's workers run beside it).
    """
    base = {(r.size, r.where): r.summary for r in rows if r.tool == BASELINE and r.scenario == "cold"}
    lines = [
        "| tool | N | output | scenario | runs | median wall | peak RSS | all processes | entries/s | wall × publisher"
        " | RSS × publisher |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(rows, key=lambda r: (r.size, r.where, _order(r))):
        s = row.summary
        ref = base.get((row.size, row.where))
        wall = f"{s.wall * 1000:.0f} ms" if s.wall < 1 else f"{s.wall:.2f} s"
        rss = f"{s.rss_mib:.0f} MiB" if s.rss_mib else "–"
        tree = f"{s.tree_mib:.0f} MiB" if s.tree_mib else "–"
        rate = f"{row.entries / s.wall:,.0f}" if row.scenario != "digest-50" else "–"
        ratio = f"{s.wall / ref.wall:.2f}" if ref and row.scenario != "digest-50" else "–"
        mem = f"{s.rss_mib / ref.rss_mib:.2f}" if ref and s.rss_mib and row.scenario != "digest-50" else "–"
        lines.append(
            f"| {row.tool} | {row.size:,} | {row.where} | {row.scenario} | {s.runs} | {wall} | {rss} | {tree} | {rate}"
            f" | {ratio} | {mem} |"
        )
    return "\n".join(lines)


TARGET_SIZE = 10_000
LIKE_HUGO = "publisher-hugo-outputs"


def beside(site: str) -> str:
    """The scenario of Hugo's cold builds taken in turns with `site`'s edit-one rebuilds (see scenarios.py)."""
    return f"cold, between {site} edits"


def targets(rows: list[Row]) -> str:
    """The issue's targets at N = 10,000, each as measured in this run, per place: met or missed.

    Times are against Hugo's cold build, which writes pages and one Atom
    and one RSS feed of every entry: the default site (three feed formats,
    tag and author feeds) and `LIKE_HUGO` (what Hugo writes) are both given.
    A target with a tool missing from the run is left out.
    """
    found = {r.key: r.summary for r in rows if r.size == TARGET_SIZE}
    lines = ["| output | target | measured | result |", "|---|---|---|---|"]
    for where in sorted({r.where for r in rows if r.size == TARGET_SIZE and r.scenario == "cold"}):
        for target, measured, met in _targets(partial(_summary, found, where)):
            lines.append(f"| {where} | {target} | {measured} | {'met' if met else 'missed'} |")
    digest = next((r.summary.wall for r in rows if r.scenario == "digest-50"), None)
    if digest is not None:
        lines.append(
            f"| memory | digest of 50 teasers ≤ 150 ms | {digest * 1000:.0f} ms | {'met' if digest <= 0.15 else 'missed'} |"
        )
    return "\n".join(lines)


def _summary(
    found: dict[tuple[str, int, str, str], Summary], where: str, tool: str, scenario: str
) -> Summary | None:
    return found.get((tool, TARGET_SIZE, where, scenario))


def _targets(get: Callable[[str, str], Summary | None]) -> Iterator[tuple[str, str, bool]]:
    hugo, pelican = get("hugo", "cold"), get("pelican", "cold")
    for site in (BASELINE, LIKE_HUGO):
        cold = get(site, "cold")
        if hugo and cold:
            yield f"{site} cold ≤ 0.7× Hugo", _ratio(cold.wall, hugo.wall), cold.wall <= 0.7 * hugo.wall
            for scenario, most in (("no-op", 0.05), ("edit-one", 0.2)):
                rebuild = get(site, scenario)
                # An edit is held against Hugo's builds taken in turns with it, when there are some.
                between = get("hugo", beside(site)) if scenario == "edit-one" else None
                if rebuild:
                    yield (
                        f"{site} {scenario} ≤ {most}× Hugo's build",
                        _ratio(rebuild.wall, (between or hugo).wall)
                        + (" (Hugo built between the edits)" if between else ""),
                        rebuild.wall <= most * (between or hugo).wall,
                    )
            yield (
                f"{site} peak memory ≤ ½ Hugo's",
                f"largest process {_ratio(cold.rss_mib, hugo.rss_mib, 'MiB')}; "
                f"all processes {_ratio(cold.tree_mib, hugo.tree_mib, 'MiB')}",
                max(cold.rss_mib, cold.tree_mib) <= 0.5 * hugo.rss_mib,
            )
        if pelican and cold:
            yield (
                f"{site} ≥ 10× faster than Pelican",
                f"{pelican.wall / cold.wall:.2f}× faster",
                pelican.wall >= 10 * cold.wall,
            )


def _ratio(ours: float, theirs: float, unit: str = "s") -> str:
    if unit == "s":
        return f"{ours:.2f} s ÷ {theirs:.2f} s = {ours / theirs:.3f}×"
    return f"{ours:.0f} ÷ {theirs:.0f} {unit} = {ours / theirs:.2f}×"


def merge(path: Path, rows: list[Row]) -> Path:
    """Add `rows` to the results file, replacing earlier rows with the same key; returns the path."""
    kept = {}
    if path.is_file():
        for raw in json.loads(path.read_text(encoding="utf-8")):
            old = _row(raw)
            kept[old.key] = (old, raw.get("date", ""))
    for row in rows:
        kept[row.key] = (row, date.today().isoformat())
    out = [{**asdict(row), "date": day} for row, day in sorted(kept.values(), key=lambda p: p[0].key)]
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> list[Row]:
    return [_row(raw) for raw in json.loads(path.read_text(encoding="utf-8"))]


def _row(raw: dict[str, Any]) -> Row:
    fields = {k: v for k, v in raw.items() if k != "date"}
    fields["summary"] = Summary(**raw["summary"])
    return Row(**fields)


def _order(row: Row) -> tuple[int, str]:
    """Cold builds, no-op and edit-one rebuilds (Hugo's builds between the edits with them), the digest."""
    scenarios = ("cold", "no-op", "edit-one", "digest-50")
    scenario = row.scenario if row.scenario in scenarios else "edit-one"  # Hugo's builds between the edits
    return (scenarios.index(scenario), row.tool)
