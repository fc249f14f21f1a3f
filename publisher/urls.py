"""Web addresses a reader or a hub must reach: the one rule for every URL configured or given in front matter."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL naming a host, with no white space in it.

    `https:///x` names no host, and `javascript:` or `data:` links are not
    web pages. A URL `urlsplit` cannot take apart (`http://[::1`) is no URL:
    it must fail as bad input, not as a traceback.
    """
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and not any(c.isspace() for c in value)
