"""The digest to send by email: the excerpts that are new since the last digest marked as sent.

`publisher build` writes the web copy (`digest.html`, `digest.txt`: the
newest excerpts, whatever was sent). This module decides what the *emailed*
digest holds, and remembers what went out:

- "New" is measured with `Entry.first_seen`, the moment a build first
  published the piece, not with `published`. An editor who adds today a piece
  dated last week wants readers to get it in the next digest; with
  `published` it would fall before the window and never be mailed. A piece
  whose text names a later date is not held back either.
- Only entries a build has recorded in the state store count, so every link
  in the digest resolves to a page already on the site; a piece added since
  the last build waits for the next digest (its first-seen time comes later).
- Marking a digest as sent is explicit (`publisher digest --mark-sent`, or
  `publisher send` once every recipient has it), never a side effect of
  building it; the next window starts after its newest first-seen time.
- Once sending has started, the exact message is kept in the state store and
  is the digest to send until it is marked: a re-run after a crash resumes
  that message (same bytes, same Message-ID) even if the seeds changed in
  between, so nobody gets two versions of one digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from email import message_from_bytes

from . import clock
from .api import site_lock
from .config import Settings
from .entry import Entry
from .errors import InputError, PublisherError
from .outputs.digest import select_digest
from .outputs.environment import make_environment, template_errors
from .outputs.mail import mail_policy, render_message
from .outputs.site import DIGEST_MAIL, Site
from .outputs.templates import longdate
from .pipeline import parse_cache, settle_seeds
from .publish import publish_file, withdraw_file
from .state import State, open_state


@dataclass(frozen=True, slots=True)
class Mailing:
    """One emailed digest: its message and the window it closes."""

    message_id: str
    message: bytes
    until: datetime  # newest first-seen time in it: the next digest starts after this
    subject: str
    excerpts: int  # how many excerpts it covers (shown, or counted in "N more on the site")
    resumed: bool = False  # a partly sent digest taken from the state store

    @classmethod
    def from_message(cls, message: bytes, until: datetime, excerpts: int, resumed: bool) -> Mailing:
        msg = message_from_bytes(message, policy=mail_policy())
        return cls(str(msg["Message-ID"]), message, until, str(msg["Subject"]), excerpts, resumed)


@dataclass(frozen=True, slots=True)
class DigestResult:
    """What `publisher digest` did, for the CLI to report."""

    mailing: Mailing | None  # None: nothing new in the window
    window: str  # "since …", in words
    served: int = 0  # recipients who already have it (a partly sent digest)
    written: bool = False  # dist/digest.eml changed (written, or removed: the window is empty)
    marked: bool = False


def prepare_digest(
    settings: Settings,
    *,
    since: datetime | str | None = None,
    mark: bool = False,
    wait: float = 0.0,
    encoding: str = "utf-8",
) -> DigestResult:
    """Build the digest to send into `dist/digest.eml`, and mark it as sent when asked to.

    `since` (a datetime, or the text of `--since`) replaces the window "new
    since the last digest marked as sent".
    """
    since = resolve_since(since, settings.tz)
    with open_state(settings.state) as state:
        window_text = describe_window(state, since, settings.tz)
        mailing = digest_to_send(settings, state, since, encoding=encoding)
        if mailing is None:
            return DigestResult(None, window_text, written=withdraw_digest(settings, wait))
        served = len(state.served(mailing.message_id))
        written = write_digest(settings, mailing, wait)
        if mark:
            mark_sent(state, mailing)
        return DigestResult(mailing, window_text, served, written, mark)


def digest_to_send(
    settings: Settings, state: State, since: datetime | None = None, *, encoding: str = "utf-8"
) -> Mailing | None:
    """The partly sent digest if there is one, else the excerpts new in the window; None when empty.

    The window is "first seen at or after `since`" when given, else "first
    seen after the last digest marked as sent" (everything, the first time).
    """
    pending = state.open_mailing()
    if pending:
        if since is not None:
            raise PublisherError(
                f"digest {pending[0]} is partly sent; finish it with `publisher send`, or end it with "
                "`publisher digest --mark-sent`, before building another with --since"
            )
        return Mailing.from_message(pending[2], pending[1], 0, resumed=True)
    excerpts = window(settings, state, since, encoding)
    if not excerpts:
        return None
    site = Site.from_settings(settings)
    env = make_environment(settings.templates, settings.tz)
    unsubscribe = settings.mail.unsubscribe_link
    digest = select_digest(excerpts, site, settings.digest_size, settings.mail.subject, unsubscribe)
    assert digest is not None  # there are excerpts
    until = max(e.first_seen for e in excerpts)
    with template_errors():
        message = render_message(env, digest, site, settings.mail, settings.host, until).as_bytes()
    return Mailing.from_message(message, until, len(excerpts), resumed=False)


def window(settings: Settings, state: State, since: datetime | None, encoding: str = "utf-8") -> list[Entry]:
    """The published excerpts first seen in the window (see `digest_to_send`)."""
    known = state.known_entries()
    last = state.last_digest()
    entries = settle_seeds(
        settings, known, encoding, cached=parse_cache(state, encoding), texts=state
    ).entries

    def inside(entry: Entry) -> bool:
        if since is not None:
            return entry.first_seen >= since
        return last is None or entry.first_seen > last

    return [e for e in entries if e.is_excerpt and e.id in known and inside(e)]


def write_digest(settings: Settings, mailing: Mailing, wait: float = 0.0) -> bool:
    """Write `dist/digest.eml`; False when it already held these bytes."""
    with site_lock(settings, wait):
        return publish_file(settings.out, DIGEST_MAIL, mailing.message)


def withdraw_digest(settings: Settings, wait: float = 0.0) -> bool:
    """Remove a `dist/digest.eml` left from an earlier window, so no one sends it again by mistake."""
    with site_lock(settings, wait):
        return withdraw_file(settings.out, DIGEST_MAIL)


def mark_sent(state: State, mailing: Mailing) -> None:
    """Record the digest as sent: the next one holds only excerpts first seen after it."""
    state.mark_digest(mailing.until, clock.now())


def describe_window(state: State, since: datetime | None, tz: tzinfo) -> str:
    """ "since 2 January 2026 14:05" / "since the last digest (…)" / "so far", for one-line reports."""
    if since is not None:
        return f"since {_moment(since, tz)}"
    last = state.last_digest()
    return f"since the last digest ({_moment(last, tz)})" if last else "so far (no digest sent yet)"


def resolve_since(value: datetime | str | None, tz: tzinfo) -> datetime | None:
    """A window start given as a datetime or as `--since` text (see `parse_since`)."""
    return parse_since(value, tz) if isinstance(value, str) else value


def parse_since(value: str, tz: tzinfo) -> datetime:
    """A `--since` value: a day (midnight in the site's time zone) or an ISO 8601 date and time."""
    try:
        if len(value.strip()) == 10:
            return datetime.combine(date.fromisoformat(value.strip()), time(), tz)
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError("--since", None, f"not a date (YYYY-MM-DD) or date and time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _moment(value: datetime, tz: tzinfo) -> str:
    return f"{longdate(value, tz)} {value.astimezone(tz):%H:%M}"
