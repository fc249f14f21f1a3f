"""Headless Chromium for tests: the DOM a real browser builds from a URL on 127.0.0.1.

When the browser is missing the test is skipped, except under CI=true, where
it fails: a CI run must never pass by not looking.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

from publisher.serve import PreviewHandler

from .conftest import require

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser() -> str:
    """The Chromium binary; skips the test (fails it under CI=true) when there is none."""
    return require(CHROMIUM if os.access(CHROMIUM, os.X_OK) else "chromium", "headless Chromium")


def dump_dom(url: str, *extra: str) -> str:
    """The serialized DOM after Chromium has loaded `url` (and applied any XSL stylesheet).

    `extra` flags go to Chromium too (e.g. --virtual-time-budget=MS to let timers and load events run).
    """
    binary = browser()
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *extra, "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=90,
            check=True,
        )
    return done.stdout


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1 with the preview server's handler, for the browser; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(PreviewHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
