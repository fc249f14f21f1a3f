"""The builders under test, each set up in its own folder: publisher, Hugo, Pelican and the yardstick script.

A tool knows how to lay out a site for a corpus, how to wipe what a build
leaves (outputs, state, caches) for a cold build, and the command that
builds. Hugo and Pelican build the same Markdown pieces as publisher, with
their feeds carrying every entry in full (no item limit), as publisher's
`feed_size` is set to do here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import Corpus

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / "benchmarks" / ".venv"
EPOCH = "1767614400"  # 2026-01-05 12:00 UTC, as in the tests: a fixed "now" keeps rebuilds no-ops
BASE_URL = "https://bench.example.org/"


@dataclass(frozen=True, slots=True)
class Tool:
    """One builder configuration: a name for the table, and how to run it in `home`."""

    name: str
    kind: str  # publisher, hugo, pelican, script
    home: Path
    corpus: Corpus
    options: dict[str, str] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        """Pieces built: the Markdown corpus, plus as many dump pieces for the mixed variant."""
        return self.corpus.size * (2 if self.options.get("seeds") == "mixed" else 1)

    @property
    def out(self) -> Path:
        return self.home / "out"

    def command(self) -> list[str]:
        if self.kind == "publisher":
            return [sys.executable, "-m", "publisher", "build", "--config", "publisher.toml"]
        if self.kind == "hugo":
            return ["hugo", "--quiet", "--source", str(self.home), "--destination", str(self.out)]
        if self.kind == "script":
            return [sys.executable, "-m", "benchmarks.script", str(self.corpus.markdown), str(self.out)]
        return [str(VENV / "bin" / "pelican"), "--quiet", "-s", "pelicanconf.py"]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, PYTHONPATH=str(REPO), TZ="UTC")
        env.pop("CI", None)
        return env

    def clean(self) -> None:
        """Everything a build left behind, so that the next build is a cold one."""
        for leftover in ("out", "state", "resources", "cache", "__pycache__", ".hugo_build.lock"):
            path = self.home / leftover
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def prepare(self) -> None:
        """Write the site's configuration (and templates) into `home`."""
        self.home.mkdir(parents=True, exist_ok=True)
        writer = {
            "publisher": _publisher_site,
            "hugo": _hugo_site,
            "pelican": _pelican_site,
            "script": _script_site,
        }[self.kind]
        for name, text in writer(self).items():
            target = self.home / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def _publisher_site(tool: Tool) -> dict[str, str]:
    """`seeds` and `feed_size` options are the variant's; any other option is a setting, its value TOML."""
    seeds = tool.corpus.root if tool.options.get("seeds") == "mixed" else tool.corpus.markdown
    feed_size = tool.options.get("feed_size", str(max(tool.entries, 1)))
    settings = "".join(
        f"{key} = {value}\n" for key, value in tool.options.items() if key not in ("seeds", "feed_size")
    )
    return {
        "publisher.toml": (
            f'title = "Bench"\nbase_url = "{BASE_URL}"\nfeed_size = {feed_size}\n'
            f'seeds = "{seeds}"\nout = "out"\nstate = "state/state.db"\n{settings}'
        )
    }


HUGO_CONFIG = f"""baseURL = "{BASE_URL}"
title = "Bench"
disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404", "section"]
rssLimit = -1
[outputs]
home = ["HTML", "RSS", "Atom"]
[outputFormats.Atom]
mediaType = "application/atom+xml"
baseName = "atom"
[mediaTypes."application/atom+xml"]
suffixes = ["xml"]
"""
HUGO_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><article><h1>{{ .Title }}</h1><p>{{ .Params.author }} · <time>{{ .Date.Format "2 January 2006" }}</time></p>
{{ .Content }}</article></body></html>
"""
HUGO_INDEX = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><ul>{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
"""
HUGO_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{{ .Site.Title }}</title><link>{{ .Permalink }}</link><description>Bench</description>
{{ range .Site.RegularPages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate><description>{{ .Summary | html }}</description>
<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">{{ .Content | html }}</content:encoded></item>
{{ end }}</channel></rss>
"""
HUGO_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{{ .Site.Title }}</title><id>{{ .Permalink }}</id>
<updated>{{ now.Format "2006-01-02T15:04:05Z07:00" }}</updated>
{{ range .Site.RegularPages }}<entry><title>{{ .Title }}</title><id>{{ .Permalink }}</id><link href="{{ .Permalink }}"/>
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" }}</updated><author><name>{{ .Params.author }}</name></author>
<summary type="html">{{ .Summary | html }}</summary><content type="html">{{ .Content | html }}</content></entry>
{{ end }}</feed>
"""


def _hugo_site(tool: Tool) -> dict[str, str]:
    return {
        "config.toml": f'contentDir = "{tool.corpus.markdown}"\n{HUGO_CONFIG}',
        "layouts/_default/single.html": HUGO_PAGE,
        "layouts/index.html": HUGO_INDEX,
        "layouts/index.rss.xml": HUGO_RSS,
        "layouts/index.atom.xml": HUGO_ATOM,
    }


def _pelican_site(tool: Tool) -> dict[str, str]:
    return {
        "pelicanconf.py": f"""SITENAME = "Bench"
SITEURL = "{BASE_URL.rstrip("/")}"
FEED_DOMAIN = SITEURL
PATH = "{pelican_corpus(tool.corpus)}"
OUTPUT_PATH = "out"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
FEED_MAX_ITEMS = None
RSS_FEED_SUMMARY_ONLY = False
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
DIRECT_TEMPLATES = ["index"]
TAG_SAVE_AS = CATEGORY_SAVE_AS = AUTHOR_SAVE_AS = ""
TAGS_SAVE_AS = CATEGORIES_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
"""
    }


def _script_site(tool: Tool) -> dict[str, str]:
    """benchmarks/script.py takes the corpus and the output folder on its command line: no files."""
    return {}


def pelican_corpus(corpus: Corpus) -> Path:
    """The Markdown pieces with Pelican's own metadata header (it does not read YAML front matter)."""
    target = corpus.root.with_name(corpus.root.name + "-pelican")
    done = target / ".complete"
    if done.is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted((corpus.markdown / "posts").glob("*.md")):
        (target / source.name).write_text(
            _pelican_header(source.read_text(encoding="utf-8")), encoding="utf-8"
        )
    done.write_text(str(corpus.size))
    return target


def _pelican_header(text: str) -> str:
    _, head, body = text.split("---\n", 2)
    lines = []
    for line in head.splitlines():
        key, _, value = line.partition(": ")
        value = value.strip()
        if key == "tags":
            value = value.strip("[]")
        elif key == "title":
            value = value[1:-1]
        lines.append(f"{key.capitalize()}: {value}")
    lines.append("Category: bench")  # the default theme's article template needs one
    return "\n".join(lines) + "\n" + body


def ensure_hugo() -> str | None:
    """None when Hugo can run; otherwise why it is skipped. Installs Debian's package when root."""
    if shutil.which("hugo"):
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "Hugo is not installed and this is not root with apt-get: apt-get install hugo"
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "hugo"]):
        if subprocess.run(step, capture_output=True, check=False).returncode != 0:
            return f"`{' '.join(step)}` failed"
    return None if shutil.which("hugo") else "apt-get installed no hugo binary"


def ensure_venv() -> str | None:
    """None when the benchmark venv has Pelican and matplotlib; otherwise why not (after trying to install)."""
    python = VENV / "bin" / "python"
    probe = [str(python), "-c", "import pelican, markdown, matplotlib"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return None
    steps = [
        [sys.executable, "-m", "venv", str(VENV)],
        [str(python), "-m", "pip", "install", "-q", "pelican", "markdown", "matplotlib"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"`{' '.join(step)}` failed: {done.stderr.strip().splitlines()[-1:]}"
    return None
