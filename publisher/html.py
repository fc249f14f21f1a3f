"""HTML in and out: Markdown rendering, sanitizing, plain text, absolute links.

Every piece of HTML that reaches a feed, a page or the digest comes through
`render_markdown` or `paragraphs_html`, and both pass it through one
allowlist sanitizer (ammonia, via nh3): content from many hands must never
carry a script into a reader's browser or mail client. Characters XML 1.0
forbids are removed here too, whatever way they came in (an entity such as
`&#1;` in Markdown decodes to one), because one of them makes the feed writer
fail.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import nh3
from cmarkgfm.cmark import Options

from . import cmark, whitespace
from .sources.decode import XML_FORBIDDEN, has_forbidden

_CMARK_OPTIONS = (
    Options.CMARK_OPT_UNSAFE
    | Options.CMARK_OPT_SOURCEPOS
    | Options.CMARK_OPT_SMART
    | Options.CMARK_OPT_GITHUB_PRE_LANG
)
# GitHub's extensions except `tagfilter`: it escapes <script>, <iframe>, <style>
# into visible text, where the sanitizer removes them (and a script's code) entirely.
_CMARK_EXTENSIONS = ["table", "autolink", "strikethrough", "tasklist"]
# cmark encodes a reference to U+FFFE or U+FFFF as bytes that are not UTF-8.
_NONCHARACTER_REF = re.compile(r"&#(?:[xX]0*[fF]{3}[eEfF]|0*6553[45]);")
_TAGS = nh3.ALLOWED_TAGS - {"center", "acronym", "tt", "strike", "map", "area"}
_URL_SCHEMES = {"http", "https", "mailto"}
# Built once: `nh3.clean()` builds its allowlists anew on every call, a third of its time on a 600-word piece.
_CLEANER = nh3.Cleaner(
    tags=_TAGS, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer", strip_comments=True
)
# Only what looks like a tag or a comment: "a < b" and "I <3 it" are text, not markup.
_TAG = re.compile(r"<!--.*?-->|</?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>", re.DOTALL)
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd"}
    | {"mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"}
)
# A paragraph's text runs to the first "</p>" (cmark nests no block in a <p>), spelled out rather than a lazy
# `.*?`: the regex engine then never retries the tail at each character, 7x faster on a 600-word piece.
_BLOCK = re.compile(r'<p data-sourcepos="(\d+):[^"]*">([^<]*(?:<(?!/p>)[^<]*)*)</p>')
_URL_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def render_markdown(markdown: str) -> tuple[str, list[tuple[int, str]]]:
    """Render Markdown (GitHub flavour, C cmark) and sanitize it.

    Returns the HTML and the plain-text paragraphs with their line numbers
    (relative to the body), which the extractor needs for titles, summaries
    and dates.
    """
    source = _NONCHARACTER_REF.sub("&#xFFFD;", markdown) if "&#" in markdown else markdown
    raw = xml_safe(cmark.to_html(source, _CMARK_OPTIONS, _CMARK_EXTENSIONS))
    # `raw` is XML-safe, so is its text (see `plain_text`): each paragraph need not be checked again.
    paragraphs = [(int(line), _text_of(inner)) for line, inner in _BLOCK.findall(raw)]
    return sanitize(raw), [(line, text) for line, text in paragraphs if text]


def sanitize(fragment: str) -> str:
    """Keep only harmless markup: no scripts, handlers, styles, frames, forms or js: URLs."""
    return _CLEANER.clean(fragment).strip()


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 does not allow (`text` itself when it has none)."""
    return XML_FORBIDDEN.sub("", text) if has_forbidden(text) else text


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment: tags dropped, entities decoded, white space folded.

    An inline tag vanishes ("un<em>believ</em>able" is one word); any other
    tag (`<br>`, `<p>`, `<li>`) separates words.
    """
    return xml_safe(_text_of(fragment)).strip()


def _text_of(fragment: str) -> str:
    """`plain_text` of a fragment with no character XML forbids: nor has its text, since the one such
    character an entity decodes to (`&#12;`, a form feed) is white space, and folded away."""
    return whitespace.fold(html.unescape(_TAG.sub(_tag_gap, fragment)))


def _tag_gap(match: re.Match[str]) -> str:
    return "" if (match.group(1) or "").lower() in _INLINE else " "


def paragraphs_html(paragraphs: list[str]) -> str:
    """Plain-text paragraphs as escaped `<p>` elements."""
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def absolute_links(fragment: str, base: str) -> str:
    """Make every href/src absolute: feed readers ignore xml:base and relative links break.

    A URL that already has a scheme is left as written: most links are, and
    `urljoin` on each of them was the largest single cost of a feed build.
    When every link is absolute already, the fragment itself is returned, not
    a copy: pages and feeds then share one string per entry.
    """

    def absolute(match: re.Match[str]) -> str:
        if _SCHEME.match(html.unescape(match.group(2))):
            return match.group(0)
        return match.group(1) + html.escape(urljoin(base, html.unescape(match.group(2)))) + match.group(3)

    if not _may_be_relative(fragment):
        return fragment
    return _URL_ATTR.sub(absolute, fragment)


def _may_be_relative(fragment: str) -> bool:
    """False when every `href="…"` and `src="…"` in `fragment` starts with a scheme, so no link is relative.

    A plain search for the attribute, then a match at its value: scanning with
    `_URL_ATTR` cost more than all the rest of a page's rendering. A value
    that starts with a scheme still does once its entities are decoded (the
    scheme has no "&"); any other value goes to the full check.
    """
    for attribute in ('href="', 'src="'):
        found = fragment.find(attribute)
        while found != -1:
            value = found + len(attribute)
            if not _SCHEME.match(fragment, value):
                return True
            found = fragment.find(attribute, value)
    return False
