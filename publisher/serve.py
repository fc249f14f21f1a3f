"""`publisher serve`: build, serve the output folder on 127.0.0.1, rebuild when the inputs change.

A preview for the editor, not a production server: it listens on the
loopback interface only, and finds changes by polling modification times
(no file-watching dependency; a few hundred `stat` calls a second cost
nothing). A failed build (a bad piece, a bad configuration) prints its one
line and the previous output stays up until the input is fixed.

Feeds are served with their registered media types, except to a browser
(a request that accepts text/html): browsers download or print
`application/atom+xml` and `application/rss+xml` as text, while
`application/xml` lets them apply the feed's XSL stylesheet. Feed readers
get the registered types. Production servers do the same by default for
`.xml` files (nginx: text/xml, Apache: application/xml).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .api import build
from .config import Settings
from .errors import PublisherError
from .outputs.feedplan import Format
from .outputs.templates import BUNDLED

log = logging.getLogger("publisher")
POLL_SECONDS = 0.5
DEFAULT_PORT = 8000
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
}
FEED_TYPES = {fmt.filename: f"{fmt.media_type}; charset=utf-8" for fmt in Format}
BROWSER_XML = "application/xml; charset=utf-8"

Snapshot = dict[str, tuple[int, int]]


def media_type(name: str, accept: str) -> str:
    """The Content-Type for an output file, given the request's Accept header."""
    if name in (Format.ATOM.filename, Format.RSS.filename) and "text/html" in accept:
        return BROWSER_XML
    return FEED_TYPES.get(name) or TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


def default_port(settings: Settings) -> int:
    """The port of `base_url` when it points at this machine (so the pages' links work), else 8000."""
    parts = urlsplit(settings.base_url)
    if parts.hostname in ("localhost", "127.0.0.1") and parts.port:
        return parts.port
    return DEFAULT_PORT


class PreviewHandler(SimpleHTTPRequestHandler):
    """Static files with the right media types, never cached (the preview changes under the browser)."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return media_type(os.path.basename(path), self.headers.get("Accept", ""))

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("Vary", "Accept")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def serve(
    load: Callable[[], Settings],
    watch: Callable[[Settings], Iterable[Path]],
    port: int | None,
    say: Callable[[str], None],
    encoding: str = "utf-8",
    stop: threading.Event | None = None,
) -> None:
    """Build, then serve until `stop` is set (or Ctrl-C), rebuilding whenever a watched file changes.

    `load` reads the settings afresh (the configuration may have changed);
    `watch` names the files and folders whose changes call for a rebuild.
    """
    stop = stop or threading.Event()
    settings = load()
    seen = snapshot(watch(settings))  # before building: a change made during the build is not missed
    _rebuild(settings, say, encoding)
    root = {"out": settings.out}
    handler = partial(_handler, root)
    server = ThreadingHTTPServer(("127.0.0.1", default_port(settings) if port is None else port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    say(f"Serving {settings.out} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        while not stop.wait(POLL_SECONDS):
            now = snapshot(watch(settings))
            if now != seen:
                seen = now
                settings = _reload(load, settings, say)
                root["out"] = settings.out
                _rebuild(settings, say, encoding)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """(mtime, size) of every file under the given files and folders; a missing path is just absent."""
    found: Snapshot = {}
    for path in paths:
        candidates = path.rglob("*") if path.is_dir() else [path]
        for file in candidates:
            try:
                stat = file.stat()
            except OSError:
                continue
            found[str(file)] = (stat.st_mtime_ns, stat.st_size)
    return found


def _handler(root: dict[str, Path], *args: Any, **kwargs: Any) -> PreviewHandler:
    return PreviewHandler(*args, directory=str(root["out"]), **kwargs)


def _reload(load: Callable[[], Settings], current: Settings, say: Callable[[str], None]) -> Settings:
    try:
        return load()
    except PublisherError as exc:
        say(f"publisher: error: {exc} (keeping the previous settings)")
        return current


def _rebuild(settings: Settings, say: Callable[[str], None], encoding: str) -> None:
    try:
        result = build(settings, encoding=encoding, wait=30.0)
    except PublisherError as exc:
        say(f"publisher: error: {exc}")
        return
    for warning in result.warnings:
        say(f"publisher: warning: {warning}")
    if not result.unchanged:
        say(
            f"Built {len(result.entries)} entries: wrote {len(result.written)} files, removed {len(result.removed)}."
        )


def watched(settings: Settings, config: Path) -> list[Path]:
    """What a preview watches: the seeds, the templates (the user's and the bundled ones), the configuration."""
    return [p for p in (settings.seeds, settings.templates, BUNDLED, config) if p is not None]
