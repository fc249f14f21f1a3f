"""The results table, and results.json: every row ever measured, newest per (tool, N, where, scenario)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
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
    scenarios = ("cold", "no-op", "edit-one", "digest-50")
    return (scenarios.index(row.scenario), row.tool)
