"""A straightforward site script, the yardstick beside publisher, Hugo and Pelican: `python3 -m benchmarks.script SEEDS OUT`.

The issue that set the targets measured such a script ("feedgen +
Jinja pages", with a C CommonMark renderer) at about 0.6 of Hugo's time on
its machine. This one writes what the Hugo site of tools.py writes, in one
process, with the libraries publisher uses: each piece's front matter
(PyYAML's C loader) and body (cmark-gfm), a Jinja page per piece, an index
of them all, and one Atom and one RSS feed of every piece in full (feedgen,
the whole document at once). It does none of what publisher guarantees: no
sanitizing, no dates or titles read from the text, no stable ids across
edits, no state, no incremental rebuild, no atomic publish. Built in the
same run as the others, it shows what the machine gives Python for these
outputs that day, and what publisher's guarantees cost on top. Its time,
not its memory: cmarkgfm's `github_flavored_markdown_to_html`, which a
straightforward script calls, never frees about 25 KB a piece (see
publisher/cmark.py), and it keeps every entry for feedgen to the end.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import cmarkgfm
import jinja2
import yaml
from feedgen.feed import FeedGenerator

from .tools import BASE_URL

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ meta.title }}</title></head>
<body><article><h1>{{ meta.title }}</h1><p>{{ meta.author }} · <time>{{ meta.date.strftime("%-d %B %Y") }}</time></p>
{{ html | safe }}</article></body></html>
"""
INDEX = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title></head>
<body><ul>{% for meta, slug in pages %}<li><a href="/posts/{{ slug }}/">{{ meta.title }}</a></li>{% endfor %}</ul></body></html>
"""
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def build(seeds: Path, out: Path) -> int:
    """Write the site of the Markdown pieces under `seeds` into `out`; the number of pieces."""
    env = jinja2.Environment(autoescape=True)
    page = env.from_string(PAGE)
    feed = FeedGenerator()
    feed.id(BASE_URL)
    feed.title("Bench")
    feed.link(href=BASE_URL, rel="alternate")
    feed.description("Bench")
    feed.language("en")
    pages = []
    for path in sorted(seeds.glob("**/*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.load(head, Loader=yaml.CSafeLoader)
        html = cmarkgfm.github_flavored_markdown_to_html(body)
        slug = path.stem
        folder = out / "posts" / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(page.render(meta=meta, html=html), encoding="utf-8")
        pages.append((meta, slug))
        _add_entry(feed, meta, html, f"{BASE_URL}posts/{slug}/")
    (out / "index.html").write_text(env.from_string(INDEX).render(pages=pages), encoding="utf-8")
    feed.atom_file(str(out / "atom.xml"))
    feed.rss_file(str(out / "rss.xml"))
    return len(pages)


def _add_entry(feed: FeedGenerator, meta: dict[str, Any], html: str, url: str) -> None:
    entry = feed.add_entry(order="append")
    entry.id(url)
    entry.title(str(meta["title"]))
    entry.link(href=url)
    entry.published(meta["date"])
    entry.updated(meta["date"])
    entry.author({"name": str(meta["author"])})
    first = _FIRST_PARAGRAPH.search(html)
    entry.summary(_TAG.sub("", first.group(1)) if first else "")
    entry.content(html, type="html")
    for tag in meta.get("tags") or []:
        entry.category(term=str(tag))


if __name__ == "__main__":
    seeds, out = Path(sys.argv[1]), Path(sys.argv[2])
    print(f"{build(seeds, out)} pieces", file=sys.stderr)
