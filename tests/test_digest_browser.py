"""The digest in real headless Chromium, at a phone's width and at the column's: readable, no sideways scrolling.

Headless Chromium will not make a window narrower than 500 px, so the digest
is opened in an iframe of the width under test (media queries follow the
iframe's viewport, as they follow a phone's), served over HTTP on 127.0.0.1
so the page around it may measure inside it. Under CI=true a missing browser
fails the test instead of skipping it.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from publisher import build, load_settings

from .browser import dump_dom, serve_folder
from .mailtools import UNICODE_TEASER

pytestmark = pytest.mark.browser
# A teaser with an unbreakable 120-character word: the usual cause of sideways scrolling on phones.
LONG_WORD = "Supercalifragilistic" * 6 + " is what the harbour master wrote on the form before he…\n"
HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title></head>
<body style="margin:0"><iframe src="digest.html" style="border:0;width:{width}px;height:30000px"></iframe>
<script>
window.addEventListener("load", () => {{
  const frame = document.querySelector("iframe").contentWindow, doc = frame.document;
  const inside = (el, box) => {{ const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= box.left && r.right <= box.right; }};
  const box = {{left: 0, right: doc.documentElement.clientWidth}};
  const teasers = [...doc.querySelectorAll(".teaser")].map(t => {{
    const link = t.querySelector("h2 a"), r = link.getBoundingClientRect();
    const hit = doc.elementFromPoint(r.left + 2, r.top + r.height / 2);
    return {{title: link.textContent, inside: inside(t, box) && inside(link, box),
             shown: frame.getComputedStyle(link).visibility === "visible" && t.contains(hit)}};
  }});
  document.body.dataset.probe = JSON.stringify({{viewport: frame.innerWidth,
    scrollWidth: doc.documentElement.scrollWidth, clientWidth: box.right, teasers}});
}});
</script></body></html>
"""


@pytest.fixture
def served_digest(
    project: Path, write_seed: Callable[[str, str], Path], tmp_path: Path
) -> Iterator[tuple[str, list[str]]]:
    """The built digest.html and the harness on an HTTP server on 127.0.0.1: (base URL, teaser titles)."""
    write_seed("wu.txt", UNICODE_TEASER + "\n---\n" + LONG_WORD)
    result = build(load_settings(root=project))
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(project / "dist" / "digest.html", root / "digest.html")
    for width in (375, 600):
        (root / f"probe-{width}.html").write_text(HARNESS.format(width=width), encoding="utf-8")
    with serve_folder(root) as url:
        yield url, [e.title for e in result.entries if e.is_excerpt]


def probe(url: str) -> dict[str, Any]:
    """Open `url` in headless Chromium and return what the harness measured."""
    page = dump_dom(url, "--window-size=1000,1000")
    found = re.search(r'data-probe="([^"]*)"', page)
    assert found, page[-2000:]
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


@pytest.mark.parametrize("width", [375, 600])
def test_digest_fits_the_screen_and_shows_every_teaser(
    served_digest: tuple[str, list[str]], width: int
) -> None:
    base, titles = served_digest
    seen = probe(f"{base}probe-{width}.html")
    assert seen["viewport"] == width
    assert seen["scrollWidth"] <= seen["clientWidth"], "the digest scrolls sideways"
    assert [t["title"] for t in seen["teasers"]] == titles and len(titles) == 6
    assert all(t["inside"] and t["shown"] for t in seen["teasers"]), seen["teasers"]
