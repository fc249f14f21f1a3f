"""Every feed file a build writes: JSON Feed 1.1, tag and author feeds, RFC 5005 archives, clean content."""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import html5lib
import pytest

from publisher import BuildResult, Settings, build, check
from publisher.entry import Entry
from publisher.outputs.catalog import make_catalog
from publisher.outputs.feeditem import feed_item
from publisher.outputs.feedplan import Format, plan
from publisher.outputs.feeds import _feed_entry, _generator, render_atom, render_rss
from publisher.outputs.site import Site
from publisher.outputs.syndication import families
from publisher.pipeline import output_keys, render_outputs
from publisher.state import open_state

from .conftest import EPOCH, joined
from .feedsite import ATOM, PIECES, feed_files, history, make_site, url_of, xml

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
TAG_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|&[a-z]+;|&#")
H = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def site(project: Path) -> Settings:
    return make_site(project)


@pytest.fixture
def built(site: Settings) -> BuildResult:
    return build(site)


def by_title(result: BuildResult, start: str) -> Entry:
    return next(e for e in result.entries if e.title.startswith(start))


def test_every_atom_and_rss_file_parses_cleanly(site: Settings, built: BuildResult) -> None:
    files = feed_files(site.out, "atom.xml") + feed_files(site.out, "rss.xml")
    assert len(files) >= 20
    for path in files:
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert [link.href for link in feed.feed.links if link.rel == "self"] == [url_of(site, path)]


def test_json_feeds_follow_the_1_1_spec(site: Settings, built: BuildResult) -> None:
    files = feed_files(site.out, "feed.json")
    assert len(files) >= 10
    for path in files:
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert isinstance(feed["title"], str) and feed["title"]
        # Archive pages are pages of one feed, identified by the subscription feed's URL.
        assert feed["feed_url"] == re.sub(r"archive/\d+/", "", url_of(site, path))
        assert feed["home_page_url"].startswith(site.base_url)
        assert feed["language"] == "en"
        assert all(isinstance(a["name"], str) for a in feed["authors"])
        assert isinstance(feed["items"], list)
        atom = xml(path.with_name("atom.xml"))
        assert [i["id"] for i in feed["items"]] == [
            e.findtext(f"{{{ATOM}}}id") for e in atom.iter(f"{{{ATOM}}}entry")
        ]
        for item in feed["items"]:
            check_json_item(item)


def check_json_item(item: dict[str, Any]) -> None:
    """One item against the spec: a string id, some content, RFC 3339 dates, HTML only in content_html."""
    assert isinstance(item["id"], str) and item["id"]
    assert item["url"].startswith("https://")
    assert ("content_html" in item) != ("content_text" in item)
    for key in ("title", "summary", "content_text"):
        if key in item:
            assert isinstance(item[key], str) and not TAG_MARKUP.search(item[key]), item[key]
    for key in ("date_published", "date_modified"):
        assert RFC3339.match(item[key]), item[key]
        assert datetime.fromisoformat(item[key]).tzinfo is not None
    assert all(isinstance(a["name"], str) for a in item.get("authors", []))
    assert all(isinstance(t, str) for t in item.get("tags", []))


def test_joined_entry_parts_are_the_bytes_feedgen_writes(site: Settings, built: BuildResult) -> None:
    """Entries are serialized once and joined into each document: every document must be what feedgen
    writes when it builds the whole thing (markup and entities in titles, bylines, tags, excerpts)."""
    view = Site.from_settings(site)
    catalog = make_catalog(built.entries, site.base_url)
    checked = 0
    for family in families(built.entries, view, catalog, datetime.fromtimestamp(int(EPOCH)).astimezone()):
        for doc in plan(family, site.feed_size):
            atom, rss = _generator(doc, view, Format.ATOM), _generator(doc, view, Format.RSS)
            for entry in doc.entries:
                atom.add_entry(_feed_entry(feed_item(entry)), order="append")
                rss.add_entry(_feed_entry(feed_item(entry)), order="append")
            assert joined(render_atom(doc, view)) == atom.atom_str(pretty=True)
            assert joined(render_rss(doc, view)) == rss.rss_str(pretty=True)
            checked += len(doc.entries)
    assert checked > len(built.entries)  # entries shown in several documents, archives included


def test_excerpts_are_summary_plus_content_text_in_json(site: Settings, built: BuildResult) -> None:
    items = {i["id"]: i for i in json.loads((site.out / "archive/1/feed.json").read_text())["items"]}
    items |= {
        i["id"]: i for p in feed_files(site.out, "feed.json") for i in json.loads(p.read_text())["items"]
    }
    for entry in built.entries:
        item = items[entry.id]
        if entry.is_excerpt or not entry.content_html:
            assert item["content_text"] == item["summary"] == entry.summary
        else:
            assert item["content_html"].startswith("<p>")


def test_tag_and_author_feeds_hold_exactly_their_entries(site: Settings, built: BuildResult) -> None:
    food = {e.id for e in built.entries if "food" in {t.casefold() for t in e.tags}}
    by_bo = {e.id for e in built.entries if "Bo Chen" in e.authors}
    for folder, expected in (("tags/food/", food), ("authors/bo-chen/", by_bo)):
        for name in ("atom.xml", "rss.xml"):
            feed = feedparser.parse((site.out / folder / name).read_bytes())
            assert {e.id for e in feed.entries} == expected
        items = json.loads((site.out / folder / "feed.json").read_text())["items"]
        assert {i["id"] for i in items} == expected
    assert len(food) == 2 and len(by_bo) == 2


def test_tag_and_author_pages_link_their_feeds_with_autodiscovery(site: Settings, built: BuildResult) -> None:
    fish = by_title(built, "Fish")
    page = html5lib.parse((site.out / "posts" / f"{fish.slug}.html").read_bytes(), treebuilder="etree")
    linked = {a.get("href") for a in page.iter(f"{H}a") if a.get("rel") in ("tag", "author")}
    assert site.url("tags/food/") in linked and site.url("authors/ana-lima/") in linked
    assert len(linked) == 4
    for url in linked:
        folder = url.removeprefix(site.base_url)
        listing = html5lib.parse((site.out / folder / "index.html").read_bytes(), treebuilder="etree")
        alternates = [
            (link.get("type"), link.get("href"))
            for link in listing.iter(f"{H}link")
            if link.get("rel") == "alternate"
        ]
        assert alternates[:3] == [
            ("application/atom+xml", url + "atom.xml"),
            ("application/rss+xml", url + "rss.xml"),
            ("application/feed+json", url + "feed.json"),
        ]
        assert (site.out / folder / "atom.xml").is_file()


def test_a_feed_that_holds_everything_says_so(site: Settings, built: BuildResult) -> None:
    for name in ("atom.xml", "rss.xml"):
        markers, links = history(site.out / "tags/food" / name)
        assert markers == {"complete"}
        assert not {"prev-archive", "next-archive", "current"} & links.keys()
    assert "next_url" not in json.loads((site.out / "tags/food/feed.json").read_text())


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_subscription_feed_and_archives_form_an_rfc_5005_chain(
    site: Settings, built: BuildResult, name: str
) -> None:
    markers, links = history(site.out / name)
    assert markers == set()
    assert len(feedparser.parse((site.out / name).read_bytes()).entries) == 2
    seen: list[str] = []
    url, newer = links["prev-archive"], None
    while url:
        path = site.out / url.removeprefix(site.base_url)
        markers, links = history(path)
        assert markers == {"archive"}
        assert links["self"] == url and links["current"] == site.url(name)
        assert links.get("next-archive") == newer
        seen += [e.id for e in feedparser.parse(path.read_bytes()).entries]
        url, newer = links.get("prev-archive"), url
    assert newer == site.url(f"archive/1/{name}")
    assert sorted(seen) == sorted(e.id for e in built.entries)


def test_full_archives_never_change_when_entries_arrive(
    site: Settings, built: BuildResult, write_seed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = [p for p in site.out.rglob("archive/*/*") if len(feedparser.parse(p.read_bytes()).entries) == 2]
    full += [p.with_name("feed.json") for p in full if p.name == "atom.xml"]
    assert len(full) >= 9
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in full}
    write_seed("late.md", "---\ntitle: Late but old\ndate: 2024-03-01\n---\nAn old piece added late.\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 600))
    result = build(site)
    assert by_title(result, "Late but old") and result.written
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in full} == before
    names = {p.relative_to(site.out).as_posix() for p in full}
    assert not names & set(result.written)


def test_full_archives_are_not_rendered_again(site: Settings, built: BuildResult, write_seed: Any) -> None:
    with open_state(site.state) as state:
        keys = json.loads(state.get(output_keys(site)) or "{}")
    full = {name for name in keys if "archive/" in name and name.split("/")[1] in ("1", "2")}
    assert len(full) == 6
    write_seed("late.md", "---\ntitle: Late\ndate: 2024-03-01\n---\nAn old piece added late.\n")
    entries = check(site).entries
    later = [
        replace(e, first_seen=e.first_seen + timedelta(minutes=1)) if e.title == "Late" else e
        for e in entries
    ]
    rendered = {name: data for name, _, data in render_outputs(later, site, kept=keys)}
    assert all(rendered[name] is None for name in full)
    # Only the last page takes the new piece; its newest two unchanged, the subscription feed is kept too.
    assert rendered["archive/5/atom.xml"] and rendered["archive/4/atom.xml"] is None
    assert rendered["atom.xml"] is None and rendered["archive/5/feed.json"]


def test_a_damaged_full_archive_is_restored(
    site: Settings, built: BuildResult, write_seed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = site.out / "archive/1/atom.xml"
    good = page.read_bytes()
    page.write_bytes(b"damaged")
    write_seed("late.md", "---\ntitle: Late\ndate: 2024-03-01\n---\nAn old piece added late.\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 600))
    build(site)
    assert page.read_bytes() == good


def test_titles_are_plain_text_escaped_once(site: Settings, built: BuildResult) -> None:
    fish = by_title(built, "Fish")
    assert fish.title == 'Fish & Chips <3 — a "review"'
    assert (
        '<title>Fish &amp; Chips &lt;3 — a "review"</title>'
        in (site.out / "atom.xml").read_text()
        + (site.out / "archive/1/atom.xml").read_text()
        + (site.out / "tags/food/atom.xml").read_text()
    )
    for name in ("atom.xml", "rss.xml"):
        titles = [e.title for e in feedparser.parse((site.out / "tags/food" / name).read_bytes()).entries]
        assert fish.title in titles


def test_content_links_are_absolute_and_forbidden_characters_gone(site: Settings, built: BuildResult) -> None:
    fish, control = by_title(built, "Fish"), by_title(built, "Control")
    for name in ("atom.xml", "rss.xml"):
        items = {e.id: e for e in feedparser.parse((site.out / "tags/food" / name).read_bytes()).entries}
        content = items[fish.id].content[0].value
        assert 'href="https://example.org/blog/about/"' in content
        assert 'src="https://example.org/blog/posts/img/x.png"' in content
        assert 'href="https://example.org/root/path?a=1&amp;b=2"' in items[control.id].content[0].value
    for path in site.out.rglob("*"):
        if path.suffix in (".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "\x07" not in text and "\x0b" not in text and "\\u0007" not in text, path


def test_feed_paths_are_stable_across_runs_and_orders(site: Settings, built: BuildResult) -> None:
    first = sorted(p.relative_to(site.out).as_posix() for p in site.out.rglob("*") if p.is_file())
    for name in PIECES:
        path = site.seeds / name
        os.utime(path, (1, 1))
    assert build(site).written == []
    second = sorted(p.relative_to(site.out).as_posix() for p in site.out.rglob("*") if p.is_file())
    assert first == second
    assert {"tags/food/atom.xml", "tags/travel/rss.xml", "authors/ana-lima/feed.json"} <= set(first)


def test_pasted_markup_and_entities_in_a_text_dump_become_plain_text(site: Settings, write_seed: Any) -> None:
    write_seed("pasted.txt", "AT&amp;T and <b>bold</b> news: a &quot;quoted&quot; claim today.\nMore text.\n")
    entry = by_title(build(site), "AT&T")
    assert entry.title == entry.summary == 'AT&T and bold news: a "quoted" claim today.'
    atom = (site.out / "atom.xml").read_text(encoding="utf-8")
    assert '<summary>AT&amp;T and bold news: a "quoted" claim today.</summary>' in atom
    # An RSS description is HTML: the plain-text summary goes in escaped ("AT&T" would be a broken entity).
    rss = (site.out / "rss.xml").read_text(encoding="utf-8")
    assert '<description>AT&amp;amp;T and bold news: a "quoted" claim today.</description>' in rss
    for name in ("atom.xml", "rss.xml"):
        item = next(e for e in feedparser.parse((site.out / name).read_bytes()).entries if e.id == entry.id)
        # RSS descriptions are HTML to feedparser, which gives them back escaped.
        assert item.title == entry.title and html.unescape(item.summary) == entry.summary


def test_rss_plain_text_uses_character_references(project: Path, write_seed: Any) -> None:
    site = make_site(project, 'title = "Tom & Jerry <Blog>"\nbase_url = "https://example.org/blog/"\n')
    write_seed("qa.md", "---\ntitle: 'Q&A: is x <y?'\ndate: 2025-12-01\ntags: [x<y, R&D]\n---\nYes.\n")
    build(site)
    rss = (site.out / "rss.xml").read_text(encoding="utf-8")
    assert "<title>Tom &#x26; Jerry &#x3C;Blog&gt;</title>" in rss
    assert "<title>Q&#x26;A: is x &#x3C;y?</title>" in rss
    assert "<category>x&#x3C;y</category>" in rss and "<category>R&#x26;D</category>" in rss
    feed = feedparser.parse(rss.encode())
    assert feed.bozo == 0 and feed.feed.title == "Tom & Jerry <Blog>"
    item = next(e for e in feed.entries if e.title.startswith("Q&A"))
    assert item.title == "Q&A: is x <y?" and {t.term for t in item.tags} == {"x<y", "R&D"}
