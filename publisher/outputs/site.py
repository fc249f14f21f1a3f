"""What templates and feed writers are told about the site: a small, explicit view.

Templates never see the settings object itself: a template can only use what
is named here, and renaming a setting cannot silently blank a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from .feedplan import Format

XSL = "feed.xsl"
INDEX = "index.html"
DIGEST_HTML = "digest.html"
DIGEST_TEXT = "digest.txt"
DIGEST_MAIL = "digest.eml"
STYLE = "style.css"
# Languages written right to left (primary subtags); `dir` on the digest's <html> follows the site language.
RTL_LANGUAGES = frozenset({"ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})


def page_path(slug: str) -> str:
    """Where an entry's page lives under the output folder."""
    return f"posts/{slug}.html"


@dataclass(frozen=True, slots=True)
class Site:
    """The site as templates see it. `formats` are the feed formats written, in the order pages link them;
    `atom_url`, `rss_url` and `json_url` are the site's feeds for templates that name them one by one, ""
    for a format that is not written."""

    title: str
    description: str
    url: str
    author: str
    author_email: str
    language: str
    atom_url: str
    rss_url: str
    json_url: str
    digest_url: str
    style_url: str
    timezone: str
    hub: str = ""
    formats: tuple[Format, ...] = tuple(Format)

    def absolute(self, path: str) -> str:
        """The URL of an output file, from its path under the output folder."""
        return self.url + path

    @property
    def direction(self) -> str:
        """ "rtl" or "ltr", for `dir` on pages whose readers' clients may not infer it."""
        return "rtl" if self.language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"

    @classmethod
    def from_settings(cls, settings: Settings) -> Site:
        formats = Format.named(settings.formats)

        def feed_url(fmt: Format) -> str:
            return settings.url(fmt.filename) if fmt in formats else ""

        return cls(
            title=settings.title,
            description=settings.description,
            url=settings.base_url,
            author=settings.author,
            author_email=settings.author_email,
            language=settings.language,
            atom_url=feed_url(Format.ATOM),
            rss_url=feed_url(Format.RSS),
            json_url=feed_url(Format.JSON),
            digest_url=settings.url(DIGEST_HTML),
            style_url=settings.url(STYLE),
            timezone=settings.timezone,
            hub=settings.hub,
            formats=formats,
        )
