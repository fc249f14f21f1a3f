"""The benchmark harness in smoke mode (N = 200, publisher and the yardstick script), so that it cannot rot.

No timing is asserted here (speed belongs in benchmarks/RESULTS.md): only
that every scenario ran and printed a row, and that the benchmarked build
made real feeds of every piece.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from benchmarks.corpus import Corpus
from benchmarks.measure import Summary
from benchmarks.report import TARGET_SIZE, Row, beside, table, targets
from benchmarks.scenarios import VARIANTS, Plan
from publisher import load_settings

from .conftest import ROOT


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """One smoke run for this module's tests: what it printed, and its scratch folder."""
    scratch = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--shm-root", str(scratch)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, scratch


def test_smoke_run_measures_every_scenario_and_builds_real_feeds(smoke: tuple[str, Path]) -> None:
    printed, scratch = smoke
    rows = [line.split("|") for line in printed.splitlines() if line.startswith("| publisher |")]
    assert sorted(row[4].strip() for row in rows) == ["cold", "digest-50", "edit-one", "no-op"]
    cold = next(row for row in rows if row[4].strip() == "cold")
    assert float(cold[8].removesuffix(" MiB ")) > 10  # the process tree's memory was sampled
    assert "skipped: hugo: not run with --smoke" in printed
    feed = feedparser.parse((scratch / "sites-200" / "publisher" / "out" / "atom.xml").read_bytes())
    assert feed.bozo == 0
    assert len(feed.entries) == 200
    assert any("’" in entry.title or "“" in entry.title for entry in feed.entries)


def test_smoke_run_builds_the_yardstick_script_site(smoke: tuple[str, Path]) -> None:
    """The script's row is there, and it built what Hugo's site holds: a page per piece and full feeds."""
    printed, scratch = smoke
    assert any(line.startswith("| script | 200 | shm | cold | 1 |") for line in printed.splitlines())
    out = scratch / "sites-200" / "script" / "out"
    assert len(list((out / "posts").glob("*/index.html"))) == 200
    for name in ("atom.xml", "rss.xml"):
        feed = feedparser.parse((out / name).read_bytes())
        assert feed.bozo == 0, name
        assert len(feed.entries) == 200
        assert all(entry.content[0].value.startswith("<") for entry in feed.entries)


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


def test_targets_are_judged_against_hugo_and_pelican_of_the_same_run() -> None:
    def row(tool: str, scenario: str, wall: float, rss: float = 0.0) -> Row:
        return Row(tool, TARGET_SIZE, TARGET_SIZE, "shm", scenario, Summary(5, wall, rss, 0.1, rss))

    rows = [
        row("hugo", "cold", 6.0, 1700),
        row("pelican", "cold", 36.0, 250),
        row("publisher", "cold", 12.0, 700),
        row("publisher", "no-op", 0.2, 40),
        row("publisher", "edit-one", 2.0, 400),
        row("publisher-hugo-outputs", "cold", 4.0, 900),
        row("publisher-hugo-outputs", "edit-one", 1.0, 400),
    ]
    judged = {
        line.split("|")[2].strip(): line.split("|")[4].strip() for line in targets(rows).splitlines()[2:]
    }
    assert judged == {
        "publisher cold ≤ 0.7× Hugo": "missed",
        "publisher no-op ≤ 0.05× Hugo's build": "met",
        "publisher edit-one ≤ 0.2× Hugo's build": "missed",
        "publisher peak memory ≤ ½ Hugo's": "met",
        "publisher ≥ 10× faster than Pelican": "missed",
        "publisher-hugo-outputs cold ≤ 0.7× Hugo": "met",
        "publisher-hugo-outputs edit-one ≤ 0.2× Hugo's build": "met",
        "publisher-hugo-outputs peak memory ≤ ½ Hugo's": "missed",
        "publisher-hugo-outputs ≥ 10× faster than Pelican": "missed",
    }
    # Hugo's builds taken in turns with the default site's edits, in a slower minute, are what its edit meets.
    with_between = [*rows, row("hugo", beside("publisher"), 10.5)]
    between = targets(with_between)
    assert "| hugo | 10,000 | shm | cold, between publisher edits |" in table(with_between)
    assert (
        "publisher edit-one ≤ 0.2× Hugo's build | 2.00 s ÷ 10.50 s = 0.190× (Hugo built between the edits) | met"
        in between
    )
    assert "publisher-hugo-outputs edit-one ≤ 0.2× Hugo's build | 1.00 s ÷ 6.00 s = 0.167× | met" in between
