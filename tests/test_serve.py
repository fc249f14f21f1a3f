"""`publisher serve` as a real process: media types over HTTP, rebuilds on seed, template and config changes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import ROOT
from .feedsite import make_site

PATIENCE = 30.0  # seconds a rebuild may take on a slow machine; the tests wait for a result, not a time


class Preview:
    """A running `publisher serve --port 0` and the URL it printed."""

    def __init__(self, project: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "publisher", "serve", "--port", "0"],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.errors: list[str] = []
        threading.Thread(target=self.errors.extend, args=(self.process.stderr,), daemon=True).start()
        lines = iter(self.process.stdout.readline, "")
        found = next(
            filter(None, (re.search(r"at (http://127\.0\.0\.1:\d+/)", line) for line in lines)), None
        )
        assert found, "".join(self.errors)
        self.url = found.group(1)

    def get(self, path: str, accept: str = "*/*") -> tuple[str, str]:
        """(Content-Type, body) of one request."""
        request = urllib.request.Request(self.url + path, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers["Content-Type"], response.read().decode()

    def until(self, path: str, test: Callable[[str], bool]) -> str:
        """The body of `path` once `test` accepts it (the rebuild has happened)."""
        return wait_for(lambda: self.get(path)[1], test)

    def error(self) -> str:
        """The first error line the preview printed, once it has."""
        return wait_for(lambda: "".join(self.errors), lambda text: "publisher: error:" in text)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=PATIENCE)


def wait_for(get: Callable[[], str], test: Callable[[str], bool]) -> str:
    """Poll `get` until `test` accepts its value; fails after PATIENCE seconds."""
    deadline = time.monotonic() + PATIENCE
    while not test(value := get()):
        assert time.monotonic() < deadline, f"gave up waiting; last value: {value[:300]!r}"
        time.sleep(0.2)
    return value


@pytest.fixture
def preview(project: Path) -> Iterator[Preview]:
    make_site(project, 'base_url = "https://example.org/blog/"\nfeed_size = 2\ntemplates = "mine"\n')
    (project / "mine").mkdir()
    running = Preview(project)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


@pytest.mark.slow
def test_serve_answers_with_each_files_media_type(preview: Preview) -> None:
    expected = {
        "atom.xml": "application/atom+xml; charset=utf-8",
        "rss.xml": "application/rss+xml; charset=utf-8",
        "feed.json": "application/feed+json; charset=utf-8",
        "tags/food/atom.xml": "application/atom+xml; charset=utf-8",
        "authors/bo-chen/feed.json": "application/feed+json; charset=utf-8",
        "archive/1/rss.xml": "application/rss+xml; charset=utf-8",
        "index.html": "text/html; charset=utf-8",
        "tags/food/": "text/html; charset=utf-8",
        "feed.xsl": "text/xsl; charset=utf-8",
        "style.css": "text/css; charset=utf-8",
    }
    for path, media_type in expected.items():
        assert preview.get(path, "application/atom+xml, application/rss+xml, */*")[0] == media_type, path
    # A browser asks for HTML: it gets an XML type it applies the feed's stylesheet to.
    assert (
        preview.get("atom.xml", "text/html,application/xhtml+xml,*/*;q=0.8")[0]
        == "application/xml; charset=utf-8"
    )
    assert preview.stop() == 0


@pytest.mark.slow
def test_serve_rebuilds_when_seeds_templates_or_config_change(preview: Preview, project: Path) -> None:
    (project / "seeds" / "new.md").write_text("---\ntitle: Brand new\ndate: 2026-01-04\n---\nFresh.\n")
    preview.until("index.html", lambda body: "Brand new" in body)
    assert "Fresh." in preview.get("posts/brand-new.html")[1]

    (project / "mine" / "style.css").write_text("body { color: teal; }\n")
    assert preview.until("style.css", lambda body: "teal" in body) == "body { color: teal; }\n"

    config = project / "publisher.toml"
    config.write_text(config.read_text() + 'title = "Renamed"\n')
    preview.until("feed.json", lambda body: '"title": "Renamed"' in body)

    (project / "seeds" / "broken.md").write_text("---\ntitle: never closed\n")
    error = preview.error()
    assert "broken.md:1" in error and "Traceback" not in error
    assert "Brand new" in preview.get("index.html")[1]  # the last good build stays up
    assert preview.stop() == 0
