"""WebSub: hub links in every subscription feed, and `build --ping` against a real hub on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import feedparser
import pytest

from .conftest import run_cli
from .feedsite import BASE, CONFIG, make_site


class Hub:
    """A stand-in hub: records each publish ping; answers with `status`."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.content_types: set[str] = set()
        self.status = 204
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                hub.pings.append(parse_qs(body))
                hub.content_types.add(self.headers["Content-Type"])
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def take(self) -> set[str]:
        """The feed URLs pinged since the last call."""
        assert all(p["hub.mode"] == ["publish"] for p in self.pings)
        urls = {url for p in self.pings for url in p["hub.url"]}
        self.pings.clear()
        return urls


@pytest.fixture
def hub(project: Path) -> Iterator[Hub]:
    hub = Hub()
    thread = threading.Thread(target=hub.server.serve_forever, daemon=True)
    thread.start()
    make_site(project, CONFIG + f'hub = "{hub.url}"\n')
    try:
        yield hub
    finally:
        hub.server.shutdown()
        hub.server.server_close()


def subscription_feeds(*folders: str) -> set[str]:
    return {BASE + folder + name for folder in folders for name in ("atom.xml", "rss.xml", "feed.json")}


def test_subscription_feeds_name_the_hub_and_archives_do_not(project: Path, hub: Hub) -> None:
    assert run_cli("build", cwd=project).returncode == 0
    for path in ("atom.xml", "rss.xml", "tags/food/atom.xml", "authors/bo-chen/rss.xml"):
        links = feedparser.parse((project / "dist" / path).read_bytes()).feed.links
        assert [link.href for link in links if link.rel == "hub"] == [hub.url]
    assert json.loads((project / "dist/feed.json").read_text())["hubs"] == [
        {"type": "WebSub", "url": hub.url}
    ]
    archive = feedparser.parse((project / "dist/archive/1/atom.xml").read_bytes()).feed.links
    assert "hub" not in {link.rel for link in archive}
    assert hub.take() == set()  # no --ping, no request


def test_ping_announces_only_the_feeds_whose_bytes_changed(project: Path, hub: Hub) -> None:
    assert run_cli("build", "--ping", cwd=project).returncode == 0
    everything = subscription_feeds(
        "", "tags/food/", "tags/travel/", "authors/ana-lima/", "authors/bo-chen/", "authors/michael-mazza/"
    )
    pinged = hub.take()
    assert everything <= pinged and len(pinged) == len(everything) + 3  # and the 台灣 tag
    assert hub.content_types == {"application/x-www-form-urlencoded"}

    assert run_cli("build", "--ping", cwd=project).returncode == 0
    assert hub.take() == set()

    control = project / "seeds/control.md"
    control.write_text(control.read_text().replace("A bell", "A brass bell"), encoding="utf-8")
    assert run_cli("build", "--ping", cwd=project).returncode == 0
    # The piece is tagged food and travel, by Bo Chen, and too old for the site's newest two.
    assert hub.take() == subscription_feeds("tags/food/", "tags/travel/", "authors/bo-chen/")


def test_a_refused_ping_is_a_warning_and_is_retried(project: Path, hub: Hub) -> None:
    hub.status = 503
    done = run_cli("build", "--ping", cwd=project)
    assert done.returncode == 0
    assert "did not take" in done.stderr and "HTTP 503" in done.stderr
    refused = hub.take()
    assert len(refused) == 21
    hub.status = 204
    assert run_cli("build", "--ping", cwd=project).returncode == 0
    assert hub.take() == refused
    assert run_cli("build", "--ping", cwd=project).returncode == 0
    assert hub.take() == set()


def test_ping_without_a_hub_is_a_usage_error(project: Path) -> None:
    make_site(project)
    done = run_cli("build", "--ping", cwd=project)
    assert (
        done.returncode == 1 and done.stderr.startswith("publisher: error:") and "needs a hub" in done.stderr
    )
