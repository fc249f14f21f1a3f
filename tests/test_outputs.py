"""The built folder as readers see it: feeds through feedparser, pages and the digest through html5lib."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import html5lib
import pytest

from publisher import BuildResult, Settings, build

from .conftest import ROOT

NS = {"h": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def built(settings: Settings) -> BuildResult:
    return build(settings)


def parse_html(path: Path):  # type: ignore[no-untyped-def]
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=True)


def local_file(settings: Settings, url: str) -> Path:
    assert url.startswith(settings.base_url), url
    path = urlsplit(url).path.lstrip("/")
    return settings.out / (path + "index.html" if path.endswith("/") or not path else path)


@pytest.mark.parametrize(("name", "version"), [("atom.xml", "atom10"), ("rss.xml", "rss20")])
def test_feeds_parse_cleanly_newest_first(
    settings: Settings, built: BuildResult, name: str, version: str
) -> None:
    feed = feedparser.parse((settings.out / name).read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.language == "en"
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [settings.url(name)]
    published = [e.published_parsed for e in feed.entries]
    assert published == sorted(published, reverse=True)
    assert [e.id for e in feed.entries] == [e.id for e in built.entries]
    assert [e.title for e in feed.entries] == [e.title for e in built.entries]


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_feed_entries_carry_content_authors_and_excerpts(
    settings: Settings, built: BuildResult, name: str
) -> None:
    feed = feedparser.parse((settings.out / name).read_bytes())
    items = {e.id: e for e in feed.entries}
    for entry in built.entries:
        item = items[entry.id]
        assert item.link == entry.link
        if entry.is_excerpt:
            assert "content" not in item
            assert item.summary.endswith("…")
        else:
            assert "吳志中" in item.content[0].value
            assert "“the development of ‘T-Dome,’" in item.content[0].value
            assert item.author == "Michael Mazza"


def test_feed_date_is_the_newest_entrys_not_the_build_time(settings: Settings, built: BuildResult) -> None:
    atom = feedparser.parse((settings.out / "atom.xml").read_bytes())
    newest = max(e.updated for e in built.entries)
    assert atom.feed.updated == newest.isoformat()


def test_rebuild_with_no_change_is_byte_identical(settings: Settings, built: BuildResult) -> None:
    before = {p: p.read_bytes() for p in settings.out.rglob("*") if p.is_file()}
    settings.state.unlink()  # even a full rebuild from scratch state...
    for wal in settings.state.parent.glob("state.db-*"):
        wal.unlink()
    result = build(settings)
    # ...gives the same ids and dated entries; only first-seen times can move.
    assert {e.id for e in result.entries if e.date_source.value == "text"} == {
        e.id for e in built.entries if e.date_source.value == "text"
    }
    again = build(settings)
    assert again.unchanged
    assert {p: p.read_bytes() for p in settings.out.rglob("*") if p.is_file()}.keys() == before.keys()


def test_a_build_that_lost_its_state_rewrites_no_file_whose_bytes_it_keeps(
    settings: Settings, built: BuildResult
) -> None:
    """With the state goes the manifest: each file is compared with what its target holds (the targets a
    folder's listing lacks are not looked up, see `publish.Listed`), and one whose bytes stay the same keeps
    its mtime, which a web server's ETag comes from."""
    files = [p for p in settings.out.rglob("*") if p.is_file()]
    for path in files:
        os.utime(path, ns=(10**18, 10**18))
    before = {p: p.read_bytes() for p in files}
    settings.state.unlink()
    for wal in settings.state.parent.glob("state.db-*"):
        wal.unlink()
    build(settings)
    same = [p for p in files if p.read_bytes() == before[p]]
    assert len(same) > len(built.entries)  # every entry's page at least
    assert all(p.stat().st_mtime_ns == 10**18 for p in same)


def test_every_link_in_feeds_and_digest_resolves_to_a_file(settings: Settings, built: BuildResult) -> None:
    links = set()
    for name in ("atom.xml", "rss.xml"):
        feed = feedparser.parse((settings.out / name).read_bytes())
        links |= {link.href for e in feed.entries for link in e.links}
    digest = parse_html(settings.out / "digest.html")
    links |= {a.get("href") for a in digest.iterfind(".//h:a", NS)}
    links.discard(None)
    assert len(links) >= 6
    for url in links:
        assert local_file(settings, url).is_file(), url


def test_pages_carry_feed_autodiscovery(settings: Settings, built: BuildResult) -> None:
    pages = [settings.out / "index.html", *(settings.out / "posts").glob("*.html")]
    assert len(pages) == 6
    for page in pages:
        tree = parse_html(page)
        assert tree.get("lang") == "en"
        alternates = {
            (link.get("type"), link.get("href"))
            for link in tree.iterfind(".//h:link", NS)
            if link.get("rel") == "alternate"
        }
        assert alternates == {
            ("application/atom+xml", settings.url("atom.xml")),
            ("application/rss+xml", settings.url("rss.xml")),
            ("application/feed+json", settings.url("feed.json")),
        }


def test_excerpt_pages_say_they_are_excerpts(settings: Settings, built: BuildResult) -> None:
    for entry in built.entries:
        text = (settings.out / "posts" / f"{entry.slug}.html").read_text(encoding="utf-8")
        assert ("Excerpt" in text) is entry.is_excerpt
        assert entry.title.replace("’", "&#8217;") in text or entry.title in text


def test_digest_is_inlined_email_html(settings: Settings, built: BuildResult) -> None:
    tree = parse_html(settings.out / "digest.html")
    assert tree.get("lang") == "en" and tree.get("dir") == "ltr"
    tables = list(tree.iterfind(".//h:table", NS))
    assert tables and all(t.get("role") == "presentation" for t in tables)
    styled = [el for el in tree.iter() if el.get("style")]
    assert len(styled) > 20
    assert all(img.get("alt") is not None for img in tree.iterfind(".//h:img", NS))
    style = "".join(s.text or "" for s in tree.iterfind(".//h:style", NS))
    assert "@media only screen and (max-width: 620px)" in style and "!important" in style
    assert 'height="auto"' not in (settings.out / "digest.html").read_text(encoding="utf-8")
    titles = [a.text for a in tree.iterfind(".//h:h2/h:a", NS)]
    assert titles == [e.title for e in built.entries if e.is_excerpt]
    assert "Read more" in (settings.out / "digest.txt").read_text(encoding="utf-8")


def test_digest_text_keeps_non_ascii(settings: Settings, built: BuildResult) -> None:
    text = (settings.out / "digest.txt").read_text(encoding="utf-8")
    assert "彭珮雲" in text and "China’s" in text


def test_the_digest_is_rendered_again_only_when_what_it_shows_changes(
    settings: Settings, write_seed: Callable[[str, str], Path], project: Path
) -> None:
    """Inlining (premailer) is the digest's cost: a rebuild that leaves the teasers alone does not even import it."""
    article = "---\ntitle: An article\ndate: 2025-12-01\n---\nIts full text.\n"
    teaser = (
        "---\ntitle: A teaser\ndate: 2025-12-02\n---\nThe story opens in a harbour town where the ferry\n"
    )
    write_seed("article.md", article)
    write_seed("teaser.md", teaser)
    build(settings)
    digest = (settings.out / "digest.html").read_bytes()
    assert b"harbour town" in digest and b"style=" in digest  # shown, and inlined

    def rebuild() -> bool:
        """A build in a fresh interpreter; whether it imported premailer."""
        code = "import sys; from publisher import build; from publisher.config import load_settings; "
        code += "build(load_settings()); print('premailer' in sys.modules)"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip() == "True"

    write_seed("article.md", article.replace("full text", "full, edited text"))
    assert not rebuild()
    assert (settings.out / "digest.html").read_bytes() == digest
    write_seed("teaser.md", teaser.replace("harbour town", "mountain town"))
    assert rebuild()
    assert b"mountain town" in (settings.out / "digest.html").read_bytes()


def test_pieces_sharing_a_date_are_updated_a_second_apart_and_keep_those_times(
    settings: Settings, write_seed: Callable[[str, str], Path]
) -> None:
    """Feed readers (and the W3C validator) take equal `updated` times as a broken feed: a time new in a build
    moves a second later until it is free, in (time, id) order; the first keeps its own, and none moves again."""
    for name in ("b", "a", "c"):
        write_seed(
            f"{name}.md", f"---\ntitle: Piece {name}\ndate: 2026-01-02T10:00:00Z\n---\n\nText of {name}.\n"
        )
    shared = datetime(2026, 1, 2, 10, tzinfo=UTC)

    def updated() -> list[tuple[str, datetime]]:
        return sorted((e.id, e.updated) for e in build(settings).entries if e.published == shared)

    first = updated()
    assert [when for _, when in first] == [shared + timedelta(seconds=s) for s in range(3)]
    write_seed("d.md", "---\ntitle: Piece d\ndate: 2026-01-03T10:00:00Z\n---\n\nText of d.\n")
    assert updated() == first  # a build with something to do, the three unchanged
