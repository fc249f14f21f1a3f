"""`python3 -m benchmarks`: build one corpus with publisher, Hugo, Pelican and a plain script; print the table.

    python3 -m benchmarks                      # N = 1,000 and 10,000, all tools, tmpfs and disk
    python3 -m benchmarks --sizes 100000 --tools publisher --where shm
    python3 -m benchmarks --profile --sizes 10000   # where a publisher build's time goes
    python3 -m benchmarks --smoke              # N = 200, publisher and the script only: what CI runs

Every build is a separate process, timed from outside; the tools take turns
(A B A B …) after one warm-up build each, so a slow minute of the machine
hurts them all alike. Results are merged into benchmarks/results.json and
drawn into benchmarks/results.png.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from . import report
from .corpus import generate
from .profile import profile_build
from .scenarios import Plan, measure_digest, run_plan
from .tools import VENV, ensure_hugo, ensure_venv

HERE = Path(__file__).resolve().parent
SHM = Path("/dev/shm")
TOOLS = (
    "publisher",
    "publisher-feed50",
    "publisher-mixed",
    "publisher-hugo-outputs",
    "hugo",
    "pelican",
    "script",
)
SMOKE = ("publisher", "script")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.smoke:
        args.sizes, args.tools, args.where, args.runs = [200], list(SMOKE), ["shm"], 1
    if args.profile:  # publisher alone, in this process: nothing to install
        for size in args.sizes:
            corpus = generate(_scratch(args, "shm") / f"corpus-{size}", size)
            print(profile_build(corpus, _scratch(args, "shm") / f"profile-{size}"))
        return 0
    skipped: list[str] = []
    tools = _available(args.tools, skipped)
    rows: list[report.Row] = []
    for size in args.sizes:
        corpus = generate(_scratch(args, "shm") / f"corpus-{size}", size)
        for where in args.where:
            plan = Plan(corpus, tools, _scratch(args, where) / f"sites-{size}", where, args.runs)
            rows += run_plan(plan, log=_log)
    rows += measure_digest(_scratch(args, "shm") / "digest", runs=max(args.runs, 5) * 4)
    if args.smoke:
        skipped += [
            f"{tool}: not run with --smoke (CI builds publisher and the script only)"
            for tool in TOOLS
            if tool not in SMOKE
        ]
    merged = report.merge(HERE / "results.json", rows) if not args.smoke else None  # kept before printing
    print(report.table(rows))
    print()
    print(report.targets(rows))
    for note in skipped:
        print(f"skipped: {note}")
    if merged:
        print(_chart(merged))
    return 0


def _available(wanted: list[str], skipped: list[str]) -> list[str]:
    """The wanted tools that can run here, installing Hugo and the venv where possible."""
    reasons = {"hugo": ensure_hugo() if "hugo" in wanted else None}
    reasons["pelican"] = ensure_venv() if "pelican" in wanted else None
    for tool, reason in reasons.items():
        if reason:
            skipped.append(f"{tool}: {reason}")
    return [tool for tool in wanted if not reasons.get(tool)]


def _chart(results: Path) -> str:
    python = VENV / "bin" / "python"
    if not python.exists():
        return "chart: skipped (no benchmark venv with matplotlib)"
    done = subprocess.run(
        [str(python), "-m", "benchmarks.chart", str(results), str(HERE / "results.png")],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or f"chart failed: {done.stderr.strip()[-300:]}"


def _scratch(args: argparse.Namespace, where: str) -> Path:
    if where == "shm":
        root = args.shm_root or (
            SHM / "publisher-bench" if SHM.is_dir() else Path(tempfile.gettempdir()) / "pb"
        )
    else:
        root = args.disk_root
    root.mkdir(parents=True, exist_ok=True)
    return Path(root)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(n) for n in s.split(",")], default=[1000, 10000])
    parser.add_argument("--tools", type=lambda s: s.split(","), default=list(TOOLS))
    parser.add_argument("--where", type=lambda s: s.split(","), default=["shm", "disk"])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per scenario, after a warm-up")
    parser.add_argument(
        "--profile", action="store_true", help="print where a cold publisher build's time goes"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="N = 200, publisher and the script, one run: the CI check"
    )
    parser.add_argument("--shm-root", type=Path, default=None, help="tmpfs scratch folder")
    parser.add_argument("--disk-root", type=Path, default=HERE / "out", help="on-disk scratch folder")
    return parser


if __name__ == "__main__":
    sys.exit(main())
