"""Which outputs a build renders, and which it keeps: every output file has a key.

An output's key is a hash of everything it is rendered from: the publisher
version, the site settings and templates, and the entries it shows (every
field, content included). The output manifest remembers each file's key, so a
build renders only files whose key changed, or whose file is no longer as we
wrote it, and hands the others to publish.py as "keep" (data None). Editing
one piece of 10,000 then renders one page, the index and the feeds (feedgen
renders a feed whole; a feed whose key is unchanged is not rendered). Since a key covers all of an
output's inputs, what an incremental build writes is byte for byte what a
build from scratch writes (tests/test_incremental.py checks that).

Renderers stay pure (entries in, bytes out); the heavy imports they need
(Jinja, premailer) are made only when something is actually rendered, so a
rebuild that changes nothing never pays for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from functools import partial
from typing import TYPE_CHECKING

from . import __version__
from .config import Settings
from .entry import Entry, newest_first
from .outputs.site import ATOM, DIGEST_HTML, DIGEST_TEXT, INDEX, RSS, STYLE, Site, page_path
from .outputs.templates import BUNDLED, templates_digest

if TYPE_CHECKING:
    from jinja2 import Environment

_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))


@dataclass(frozen=True, slots=True)
class Output:
    """One output file: where it goes, the key of its inputs, and its bytes (None: keep the file)."""

    name: str
    key: str
    data: bytes | None


def render_changed(entries: list[Entry], settings: Settings, kept: Mapping[str, str]) -> Iterator[Output]:
    """Every output, pages first and feeds last, rendering only those whose key is not in `kept`.

    `kept` maps output paths to the key of the file now on disk (only files
    still as we wrote them).
    """
    plan = _Plan(settings, kept)
    ordered = newest_first(entries)
    keys = [entry_key(entry, plan.base) for entry in ordered]
    yield plan.output(STYLE, plan.base, lambda: _style(settings))
    for entry, key in zip(ordered, keys, strict=True):
        yield plan.output(page_path(entry.slug), key, partial(plan.page, entry))
    yield plan.output(INDEX, _key(plan.base, *keys), partial(plan.index, ordered))
    yield from plan.digest(ordered)
    newest = ordered[: settings.feed_size]
    feed_key = _key(plan.base, *keys[: len(newest)])
    yield plan.output(ATOM, feed_key, lambda: plan.feed("atom", newest))
    yield plan.output(RSS, feed_key, lambda: plan.feed("rss", newest))


def entry_key(entry: Entry, base: str) -> str:
    """A hash of every field of `entry` (content included) and of the site/templates key `base`."""
    values = tuple(getattr(entry, name) for name in _ENTRY_FIELDS)
    return _key(base, repr(values))


class _Plan:
    """What one build renders with: the site, its key, the kept files, a Jinja environment made on first use."""

    def __init__(self, settings: Settings, kept: Mapping[str, str]) -> None:
        self.settings = settings
        self.kept = kept
        self.site = Site.from_settings(settings)
        self.base = _key(__version__, repr(self.site), templates_digest(settings.templates))
        self._env: Environment | None = None

    def output(self, name: str, key: str, render: Callable[[], bytes]) -> Output:
        return Output(name, key, None if self.kept.get(name) == key else render())

    def environment(self) -> Environment:
        if self._env is None:
            from .outputs.templates import make_environment

            self._env = make_environment(self.settings.templates, self.settings.tz)
        return self._env

    def page(self, entry: Entry) -> bytes:
        from .outputs.pages import render_page

        return render_page(self.environment(), entry, self.site)

    def index(self, ordered: list[Entry]) -> bytes:
        from .outputs.pages import render_index

        return render_index(self.environment(), ordered, self.site)

    def feed(self, kind: str, newest: list[Entry]) -> bytes:
        """The Atom or RSS feed of `newest`, through feedgen (imported only when a feed is rendered)."""
        from .outputs.feeds import render_atom, render_rss

        return (render_atom if kind == "atom" else render_rss)(newest, self.site)

    def digest(self, ordered: list[Entry]) -> Iterator[Output]:
        from .outputs import digest as digest_output

        mail = self.settings.mail
        digest = digest_output.select_digest(
            ordered, self.site, self.settings.digest_size, mail.subject, mail.unsubscribe
        )
        if digest is None:
            return
        key = _key(self.base, repr(digest))
        env, site = self.environment, self.site
        yield self.output(
            DIGEST_HTML, key, lambda: digest_output.render_digest_html(env(), digest, site).encode()
        )
        yield self.output(
            DIGEST_TEXT, key, lambda: digest_output.render_digest_text(env(), digest, site).encode()
        )


def _style(settings: Settings) -> bytes:
    custom = settings.templates / STYLE if settings.templates else None
    return (custom if custom and custom.is_file() else BUNDLED / STYLE).read_bytes()


def _key(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()
