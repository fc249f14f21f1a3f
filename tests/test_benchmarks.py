"""The benchmark harness in smoke mode (N = 200, publisher only), so that it cannot rot.

No timing is asserted here (speed belongs in benchmarks/RESULTS.md): only
that every scenario ran and printed a row, and that the benchmarked build
made real feeds of every piece.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser

from benchmarks.corpus import Corpus
from benchmarks.scenarios import VARIANTS, Plan
from publisher import load_settings

from .conftest import ROOT


def test_smoke_run_measures_every_scenario_and_builds_real_feeds(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--shm-root", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split("|") for line in done.stdout.splitlines() if line.startswith("| publisher |")]
    assert sorted(row[4].strip() for row in rows) == ["cold", "digest-50", "edit-one", "no-op"]
    cold = next(row for row in rows if row[4].strip() == "cold")
    assert float(cold[8].removesuffix(" MiB ")) > 10  # the process tree's memory was sampled
    assert "skipped: hugo: not run with --smoke" in done.stdout
    feed = feedparser.parse((tmp_path / "sites-200" / "publisher" / "out" / "atom.xml").read_bytes())
    assert feed.bozo == 0
    assert len(feed.entries) == 200
    assert any("’" in entry.title or "“" in entry.title for entry in feed.entries)


def test_every_publisher_variant_is_a_valid_configuration(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus", 10)
    chosen = {}
    for name in ("publisher", *VARIANTS):
        tool = Plan(corpus, [name], tmp_path / "sites", "shm", 1).tool(name)
        tool.prepare()
        chosen[name] = load_settings(tool.home / "publisher.toml")
    assert chosen["publisher"].formats == ("atom", "rss", "json")
    assert chosen["publisher"].listing_feeds == ("tag", "author")
    like_hugo = chosen["publisher-hugo-outputs"]
    assert (like_hugo.formats, like_hugo.listing_feeds, like_hugo.feed_size) == (("atom", "rss"), (), 10)
