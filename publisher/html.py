"""HTML in and out: Markdown rendering, sanitizing, plain text, absolute links.

Every piece of HTML that reaches a feed, a page or the digest comes through
`render_markdown` or `paragraphs_html`, and both pass it through one
allowlist sanitizer (ammonia, via nh3): content from many hands must never
carry a script into a reader's browser or mail client.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

_CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_SOURCEPOS | Options.CMARK_OPT_SMART
_TAGS = nh3.ALLOWED_TAGS - {"center", "acronym", "tt", "strike", "map", "area"}
_URL_SCHEMES = {"http", "https", "mailto"}
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK = re.compile(r'<p data-sourcepos="(\d+):[^"]*">(.*?)</p>', re.DOTALL)
_URL_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def render_markdown(markdown: str) -> tuple[str, list[tuple[int, str]]]:
    """Render Markdown (GitHub flavour, C cmark) and sanitize it.

    Returns the HTML and the plain-text paragraphs with their line numbers
    (relative to the body), which the extractor needs for titles, summaries
    and dates.
    """
    raw = cmarkgfm.github_flavored_markdown_to_html(markdown, options=_CMARK_OPTIONS)
    paragraphs = [(int(line), plain_text(inner)) for line, inner in _BLOCK.findall(raw)]
    return sanitize(raw), [(line, text) for line, text in paragraphs if text]


def sanitize(fragment: str) -> str:
    """Keep only harmless markup: no scripts, handlers, styles, frames, forms or js: URLs."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_text(fragment: str) -> str:
    """Text of an inline HTML fragment: tags dropped, line breaks as spaces, entities decoded."""
    return " ".join(html.unescape(_TAG.sub("", _BREAK.sub(" ", fragment))).split())


def paragraphs_html(paragraphs: list[str]) -> str:
    """Plain-text paragraphs as escaped `<p>` elements."""
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def absolute_links(fragment: str, base: str) -> str:
    """Make every href/src absolute: feed readers ignore xml:base and relative links break.

    A URL that names its scheme is already absolute and is left exactly as
    written; only the others go through `urljoin` (slow, and most links in
    real writing are absolute).
    """
    return _URL_ATTR.sub(lambda m: _absolute_attr(m, base), fragment)


def _absolute_attr(match: re.Match[str], base: str) -> str:
    url = match.group(2)
    if _HAS_SCHEME.match(url):
        return match.group(0)
    return match.group(1) + html.escape(urljoin(base, html.unescape(url))) + match.group(3)
