"""WebSub publishing: tell the hub which subscription feeds changed, so it can push them to subscribers.

The request is the de-facto publish ping every hub accepts (WebSub leaves it
to the hub): a form-encoded POST of `hub.mode=publish` and `hub.url=<feed
URL>`, one request per feed. Only feeds whose bytes changed are announced; a
ping that fails is remembered by the caller and tried again next time, since
the next build, finding nothing changed, would otherwise never announce it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from urllib.parse import urlencode

from . import __version__

TIMEOUT = 10.0


def ping(hub: str, feed_urls: Iterable[str], timeout: float = TIMEOUT) -> dict[str, str]:
    """Announce each feed URL to the hub; returns {url: reason} for those the hub did not accept."""
    failed: dict[str, str] = {}
    for url in feed_urls:
        reason = _publish(hub, url, timeout)
        if reason:
            failed[url] = reason
    return failed


def _publish(hub: str, url: str, timeout: float) -> str:
    """One publish ping; an empty string when the hub answered 2xx, else why not."""
    body = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": f"publisher/{__version__} (WebSub publisher)",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return ""
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return str(reason)
