"""The editor's choice of feeds (`formats`, `listing_feeds`): only what is chosen is written, linked and announced."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import feedparser
import html5lib
import pytest

from publisher import Settings, build, clock, load_settings
from publisher.outputs.keys import Keys
from publisher.uptodate import build_key

from .conftest import EPOCH, run_cli
from .feedsite import BASE, CONFIG, feed_files, history, local_path, make_site, site_links
from .test_websub import Hub, hub  # noqa: F401  (the fixture)

H = "{http://www.w3.org/1999/xhtml}"
ATOM_AND_RSS = CONFIG + 'formats = ["atom", "rss"]\nlisting_feeds = []\n'
LISTINGS = ("tags/food/", "tags/travel/", "authors/ana-lima/", "authors/bo-chen/")


def configure(project: Path, config: str) -> Settings:
    (project / "publisher.toml").write_text(config, encoding="utf-8")
    return load_settings(root=project)


def outputs(settings: Settings) -> dict[str, bytes]:
    return {
        p.relative_to(settings.out).as_posix(): p.read_bytes() for p in settings.out.rglob("*") if p.is_file()
    }


def alternates(settings: Settings, path: str) -> list[tuple[str, str]]:
    page = html5lib.parse((settings.out / path).read_bytes(), treebuilder="etree")
    return [
        (link.get("type"), link.get("href"))
        for link in page.iter(f"{H}link")
        if link.get("rel") == "alternate"
    ]


def lead(settings: Settings, path: str) -> str:
    page = html5lib.parse((settings.out / path).read_bytes(), treebuilder="etree")
    (paragraph,) = [p for p in page.iter(f"{H}p") if p.get("class") == "lead"]
    return "".join(paragraph.itertext())


def nav(settings: Settings, path: str) -> list[tuple[str, str]]:
    page = html5lib.parse((settings.out / path).read_bytes(), treebuilder="etree")
    (bar,) = page.iter(f"{H}nav")
    return [(a.text or "", a.get("href")) for a in bar.iter(f"{H}a")]


@pytest.mark.parametrize(
    "config",
    [
        CONFIG,
        ATOM_AND_RSS,
        CONFIG + 'formats = ["json"]\nlisting_feeds = ["author"]\n',
        CONFIG + 'formats = ["rss"]\nlisting_feeds = ["tag"]\n',
    ],
    ids=["defaults", "atom-rss-no-listing-feeds", "json-author-feeds", "rss-tag-feeds"],
)
def test_every_link_in_every_output_resolves(project: Path, config: str) -> None:
    settings = make_site(project, config)
    build(settings)
    links = site_links(settings)
    assert len(links) >= 20 and sum(map(len, links.values())) >= 100
    for source, urls in links.items():
        for url in urls:
            assert local_path(settings, url).is_file(), (source, url)


def test_atom_and_rss_without_listing_feeds(project: Path) -> None:
    settings = make_site(project, ATOM_AND_RSS)
    result = build(settings)
    assert not feed_files(settings.out, "feed.json")
    feeds = feed_files(settings.out, "atom.xml") + feed_files(settings.out, "rss.xml")
    assert {p.parent for p in feeds} == {settings.out} | {p.parent for p in settings.out.glob("archive/*/*")}
    seen: set[str] = set()
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        seen |= {entry.id for entry in feed.entries}
    assert seen == {entry.id for entry in result.entries}
    markers, links = history(settings.out / "rss.xml")
    assert links["prev-archive"].endswith("/rss.xml") and not markers
    for folder in LISTINGS:  # the pages stay: entry pages link them
        assert (settings.out / folder / "index.html").is_file()
        assert alternates(settings, folder + "index.html") == [
            ("application/atom+xml", BASE + "atom.xml"),
            ("application/rss+xml", BASE + "rss.xml"),
        ]
        assert "Follow just these" not in lead(settings, folder + "index.html")
    assert "Follow along with the Atom or RSS feed." in lead(settings, "index.html")
    assert nav(settings, "index.html") == [
        ("Atom", BASE + "atom.xml"),
        ("RSS", BASE + "rss.xml"),
        ("Digest", BASE + "digest.html"),
    ]


def test_listing_pages_name_only_the_feeds_they_have(project: Path) -> None:
    settings = make_site(project, CONFIG + 'formats = ["rss", "json"]\nlisting_feeds = ["tag"]\n')
    build(settings)
    assert alternates(settings, "tags/food/index.html") == [
        ("application/rss+xml", BASE + "tags/food/rss.xml"),
        ("application/feed+json", BASE + "tags/food/feed.json"),
        ("application/rss+xml", BASE + "rss.xml"),
        ("application/feed+json", BASE + "feed.json"),
    ]
    assert lead(settings, "tags/food/index.html").endswith("Follow just these with the RSS or JSON feed.")
    assert not (settings.out / "tags/food/atom.xml").exists()
    assert not list((settings.out / "authors").rglob("*.xml")) and not list(
        (settings.out / "authors").rglob("*.json")
    )
    assert "Follow just these" not in lead(settings, "authors/bo-chen/index.html")
    assert alternates(settings, "authors/bo-chen/index.html") == alternates(settings, "index.html")
    next_url = json.loads((settings.out / "feed.json").read_text())["next_url"]
    assert next_url.startswith(BASE + "archive/") and next_url.endswith("/feed.json")


def test_turning_feeds_off_removes_their_files_and_on_brings_them_back(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_site(project)
    build(settings)
    everything = outputs(settings)
    json_files = {name for name in everything if name.endswith("feed.json")}
    assert (
        len(json_files) >= 10
        and "feed.xsl" in everything
        and any(n.startswith("archive/") for n in json_files)
    )

    fewer = configure(project, CONFIG + 'formats = ["atom"]\nlisting_feeds = ["tag"]\n')
    result = build(fewer)
    left = outputs(fewer)
    gone = {
        name
        for name in everything
        if name.endswith(("feed.json", "rss.xml")) or (name.startswith("authors/") and name.endswith(".xml"))
    }
    assert set(everything) - set(left) == gone
    assert gone <= {str(name) for name in result.removed}
    assert "tags/food/atom.xml" in left and "authors/bo-chen/index.html" in left

    only_json = configure(project, CONFIG + 'formats = ["json"]\n')
    build(only_json)
    left = outputs(only_json)
    assert "feed.xsl" not in left and not [name for name in left if name.endswith(".xml")]
    assert "tags/food/feed.json" in left

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 600))
    build(configure(project, CONFIG))
    assert (
        outputs(settings) == everything
    )  # the same bytes: the feeds depend on the entries, not the build time


def test_the_settings_are_in_every_output_key_and_the_build_key(settings: Settings) -> None:
    variants = [
        settings,
        replace(settings, formats=("atom", "rss")),
        replace(settings, listing_feeds=("tag",)),
        replace(settings, listing_feeds=()),
    ]
    keys = {Keys.for_build(variant, "templates").key("index", []) for variant in variants}
    builds = {build_key(variant, [], clock.now(), "utf-8") for variant in variants}
    assert len(keys) == len(builds) == len(variants)


def test_only_the_feeds_written_are_announced(project: Path, hub: Hub) -> None:  # noqa: F811
    settings = configure(
        project, CONFIG + f'hub = "{hub.url}"\nformats = ["atom"]\nlisting_feeds = ["author"]\n'
    )
    build(settings, ping=True)
    authors = ("ana-lima", "bo-chen", "michael-mazza")
    assert hub.take() == {BASE + "atom.xml", *(f"{BASE}authors/{name}/atom.xml" for name in authors)}


def test_a_bad_choice_is_one_line_naming_the_file_and_the_key(project: Path) -> None:
    config = project / "publisher.toml"
    config.write_text('formats = ["atom", "jsonfeed"]\n', encoding="utf-8")
    done = run_cli("build", cwd=project)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"publisher: error: {config}: formats: unknown 'jsonfeed' (known: atom, rss, json)\n"
    )
    assert not (project / "dist").exists()
