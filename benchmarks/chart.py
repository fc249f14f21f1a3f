"""Draw results.json: wall time and peak memory of a cold build against N, per tool and output place.

Run by the harness with the benchmark venv's Python (matplotlib lives there,
not among publisher's dependencies).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from .report import load


def draw(results: Path, target: Path) -> None:
    rows = [r for r in load(results) if r.scenario == "cold"]
    figure, (walls, memory) = plt.subplots(1, 2, figsize=(12, 5))
    tools = sorted({r.tool for r in rows})
    colour = {tool: plt.get_cmap("tab10")(n % 10) for n, tool in enumerate(tools)}  # a tool's, in both places
    for tool, where in sorted({(r.tool, r.where) for r in rows}):
        mine = sorted((r for r in rows if (r.tool, r.where) == (tool, where)), key=lambda r: r.size)
        sizes = [r.size for r in mine]
        style = "-" if where == "shm" else "--"
        drawn = {"marker": "o", "color": colour[tool], "label": f"{tool} ({where})"}
        walls.plot(sizes, [r.summary.wall for r in mine], style, **drawn)
        memory.plot(sizes, [r.summary.rss_mib for r in mine], style, **drawn)
    for axes, label in ((walls, "median wall time, s"), (memory, "peak RSS, MiB")):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("pieces (N)")
        axes.set_ylabel(label)
        axes.grid(True, which="both", alpha=0.3)
    walls.set_title("Cold build: wall time (newest run of each point)")
    memory.set_title("Cold build: peak memory (solid: tmpfs, dashed: disk)")
    walls.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    print(f"chart: {target}")


if __name__ == "__main__":
    draw(Path(sys.argv[1]), Path(sys.argv[2]))
