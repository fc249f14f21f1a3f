"""The email digest of teaser excerpts: Jinja renders it, premailer inlines its CSS.

premailer is configured deliberately: it never fetches anything
(`allow_network=False`), keeps the `<style>` block so that media queries
(small screens, dark mode) survive and, marked `!important`, still beat the
inlined styles; it adds no presentational attributes (`bgcolor`, `width`,
`align`...: obsolete HTML, and `height="auto"` on images is plainly invalid),
so the result passes the Nu Html Checker; cssutils' warnings are silenced
rather than printed on stderr under cron.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment
from premailer import Premailer

from ..entry import Entry, newest_first
from .site import Site
from .templates import longdate

# What premailer would copy from CSS into attributes; all obsolete or invalid in HTML.
_NO_ATTRIBUTES = ["align", "valign", "bgcolor", "width", "height"]


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


def render_digest_html(env: Environment, digest: Digest, site: Site) -> str:
    html = env.get_template("digest.html").render(site=site, digest=digest)
    return inline_css(html)


def render_digest_text(env: Environment, digest: Digest, site: Site) -> str:
    return env.get_template("digest.txt").render(site=site, digest=digest)


def inline_css(html: str) -> str:
    """Inline the `<style>` rules into style attributes, for mail clients that drop `<style>`."""
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
