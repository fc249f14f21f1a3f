"""The digest as an email message (`dist/digest.eml`): built with the stdlib `email` API, bytes out, no I/O.

The message is `multipart/alternative`, the plain text first and the HTML
second (clients show the last part they can), both UTF-8 in quoted-printable
so the whole message is 7-bit clean for any relay.

It is byte-for-byte reproducible, so a rebuild with nothing changed changes
nothing and a digest keeps one identity while it is being sent:
- the Message-ID and the MIME boundary are derived from a hash of the
  content (subject, sender, list headers, both parts), not from the clock or
  a random number as `make_msgid()` and the generator would;
- the Date header is the caller's `dated` (the digest uses the moment its
  newest entry was first seen); the sender stamps the real hand-over time
  when it sends (see `mailer.py`).

Gmail clips a message whose HTML is over about 102 KB and hides the rest
behind "[Message clipped]", unsubscribe link included. The teasers are
already capped by `digest_size`; when the HTML part would still be too big
(long teasers, a large `digest_size`), fewer teasers are shown and the rest
folded into the "N more on the site" link until it fits.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment

from ..config import MailSettings
from .digest import Digest, render_digest_html, render_digest_text
from .site import Site

HTML_LIMIT = 102_000  # bytes of the encoded HTML part; Gmail clips at about 102 KB
_PHRASE_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


class _UriListHeader(UnstructuredHeader, BaseHeader):
    """A header holding `<URI>, <URI>` (List-Unsubscribe): folded between URIs, never encoded.

    The stdlib folds a long unstructured header by turning over-long words
    into RFC 2047 encoded-words, which would break a long unsubscribe URL.
    """

    def fold(self, *, policy: EmailPolicy[EmailMessage]) -> str:  # type: ignore[override]
        return f"{self.name}: " + f",{policy.linesep} ".join(str(self).split(", ")) + policy.linesep


def mail_policy() -> EmailPolicy[EmailMessage]:
    """`policy.SMTP` (CRLF, folded at 78) with List-Unsubscribe folded safely."""
    registry = HeaderRegistry()
    registry.map_to_type("list-unsubscribe", _UriListHeader)
    return SMTP.clone(header_factory=registry)


def render_message(
    env: Environment, digest: Digest, site: Site, mail: MailSettings, host: str, dated: datetime
) -> EmailMessage:
    """The digest as a message without a To header (each recipient gets their own at sending)."""
    digest, html = fit_digest(env, digest, site)
    text = render_digest_text(env, digest, site)
    msg = EmailMessage(policy=mail_policy())
    msg["Subject"] = digest.subject
    msg["From"] = mail.sender
    msg["Date"] = format_datetime(dated.astimezone(ZoneInfo(site.timezone)))
    msg["List-Id"] = f"{_phrase(site.title)} <{mail.list_id or 'digest.' + host}>"
    if mail.unsubscribe_uris:
        msg["List-Unsubscribe"] = ", ".join(f"<{uri}>" for uri in mail.unsubscribe_uris)
        if any(uri.lower().startswith("https:") for uri in mail.unsubscribe_uris):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058 one-click
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():
        del part["MIME-Version"]  # add_alternative() copies it into the part; it belongs on top only
    content = _content_hash(msg)
    msg["Message-ID"] = f"<{content[:32]}@{host}>"
    msg.set_boundary(f"=_{content[32:64]}")  # "=_" never occurs in quoted-printable text
    return msg


def fit_digest(env: Environment, digest: Digest, site: Site) -> tuple[Digest, str]:
    """The digest with as many of its teasers as keep the HTML part under HTML_LIMIT, and that HTML."""
    count = len(digest.entries)
    while True:
        html = render_digest_html(env, digest.first(count), site)
        size = html_part_size(html)
        if size < HTML_LIMIT or count == 0:
            return digest.first(count), html
        count = min(count - 1, count * HTML_LIMIT // size)


def html_part_size(html: str) -> int:
    """Bytes the HTML takes as a quoted-printable MIME part, headers included."""
    part = EmailMessage(policy=SMTP)
    part.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return len(part.as_bytes())


def _content_hash(msg: EmailMessage) -> str:
    digest = hashlib.sha256()
    for name in ("Subject", "From", "List-Id", "List-Unsubscribe"):
        digest.update(f"{name}: {msg.get(name, '')}\n".encode())
    for part in msg.iter_parts():
        digest.update(part.get_content().encode() + b"\0")
    return digest.hexdigest()


def _phrase(text: str) -> str:
    """`text` as an RFC 5322 display phrase, quoted when it holds special characters."""
    if not _PHRASE_SPECIALS.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
