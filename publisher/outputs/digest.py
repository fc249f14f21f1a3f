"""The email digest of teaser excerpts: Jinja renders it, premailer inlines its CSS.

premailer is configured deliberately: it never fetches anything
(`allow_network=False`), keeps the `<style>` block so that media queries
(small screens, dark mode) survive and, marked `!important`, still beat the
inlined styles; it adds no presentational attributes (`bgcolor`, `width`,
`align`...: obsolete HTML, and `height="auto"` on images is plainly invalid),
so the result passes the Nu Html Checker; cssutils' warnings are silenced
rather than printed on stderr under cron.

A build writes the digest beside the pages, under a key (see keys.py) of
every teaser it shows and everything else it says: inlining costs about
0.1 s (importing premailer most of it), so a rebuild that leaves the teasers
alone neither inlines nor imports premailer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.metadata import version
from zoneinfo import ZoneInfo

from jinja2 import Environment

from ..entry import Entry, newest_first
from .keys import Keys
from .site import DIGEST_HTML, DIGEST_TEXT, Site
from .templates import longdate

# What premailer would copy from CSS into attributes; all obsolete or invalid in HTML.
_NO_ATTRIBUTES = ["align", "valign", "bgcolor", "width", "height"]
# The code that inlines the CSS: a new premailer or cssutils may write other bytes.
INLINER = f"premailer {version('premailer')}, cssutils {version('cssutils')}"


@dataclass(frozen=True, slots=True)
class Digest:
    """What the digest template shows."""

    subject: str
    date: datetime
    entries: tuple[Entry, ...]
    total: int
    web_url: str
    unsubscribe: str

    @property
    def more(self) -> int:
        """How many teasers are not shown: "N more on the site"."""
        return self.total - len(self.entries)

    @property
    def preheader(self) -> str:
        """The inbox preview line: the first shown titles (derived, so a shortened digest names only what it shows)."""
        return " · ".join(e.title for e in self.entries[:3])

    def first(self, count: int) -> Digest:
        """The same digest showing only its first `count` teasers; the rest become "N more on the site"."""
        return replace(self, entries=self.entries[: max(count, 0)])


def select_digest(
    entries: Sequence[Entry], site: Site, limit: int, subject: str, unsubscribe: str = ""
) -> Digest | None:
    """The newest excerpts (at most `limit`) and how many more there are; None when there are none."""
    teasers = newest_first([e for e in entries if e.is_excerpt])
    if not teasers:
        return None
    shown = tuple(teasers[:limit])
    date = max(e.published for e in teasers)
    return Digest(
        subject=subject.format(
            site=site.title, date=longdate(date, ZoneInfo(site.timezone)), count=len(teasers)
        ),
        date=date,
        entries=shown,
        total=len(teasers),
        web_url=site.digest_url,
        unsubscribe=unsubscribe,
    )


def render_digest_files(
    env: Environment, digest: Digest, site: Site, keys: Keys, kept: Mapping[str, str]
) -> Iterator[tuple[str, str, bytes | None]]:
    """(path, key, bytes) of the digest's HTML and text; bytes None (keep the file) when its key is in `kept`."""
    head = (digest.subject, digest.date.isoformat(), digest.total, digest.web_url, digest.unsubscribe)
    key = keys.key(("digest", INLINER, head), digest.entries)
    for path, render in ((DIGEST_HTML, render_digest_html), (DIGEST_TEXT, render_digest_text)):
        yield path, key, None if kept.get(path) == key else render(env, digest, site).encode()


def render_digest_html(env: Environment, digest: Digest, site: Site) -> str:
    html = env.get_template("digest.html").render(site=site, digest=digest)
    return inline_css(html)


def render_digest_text(env: Environment, digest: Digest, site: Site) -> str:
    return env.get_template("digest.txt").render(site=site, digest=digest)


def inline_css(html: str) -> str:
    """Inline the `<style>` rules into style attributes, for mail clients that drop `<style>`."""
    from premailer import Premailer  # here: a rebuild that keeps the digest need not import it (see above)

    inlined = Premailer(
        html,
        allow_network=False,
        keep_style_tags=True,
        strip_important=False,
        disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
        remove_unset_properties=True,
        disable_basic_attributes=_NO_ATTRIBUTES,
    ).transform(pretty_print=False)
    return str(inlined)
