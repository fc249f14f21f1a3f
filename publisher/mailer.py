"""Sending the digest by SMTP, exactly once per recipient, however often cron retries.

Every recipient the server accepts is committed to the state store (with the
server's reply) before the next one is tried, keyed by the digest's
Message-ID; a re-run after a crash, a kill or a partial failure skips them
and sends only to the recipients not yet served. The one window no client
can close is a crash between the server's "250 accepted" and that commit:
that recipient would get the digest again.

- One connection carries every recipient; each gets their own transaction
  (MAIL, RCPT, DATA) and their own To header, so one refusal cannot stop
  the others and no one sees the list.
- A 4xx reply or a lost connection is retried with exponential backoff
  (`Retry`), reconnecting when needed; what still fails is left for the next
  run. A 5xx reply for one recipient is recorded as refused and reported;
  the others go on. Nothing is retried blindly after a 5xx within a run.
- The digest is marked as sent only when every recipient given has it.
- The password comes only from the environment variable named in the
  settings; it is not stored in any object's repr, log line or message.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import smtplib
import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from . import clock
from .config import MailSettings, Settings
from .digest import Mailing, describe_window, digest_to_send, mark_sent, resolve_since
from .errors import EX_REFUSED, EX_TEMPFAIL, ConfigError, InputError, PublisherError
from .outputs.mail import mail_policy
from .publish import build_lock
from .state import DEFERRED, REFUSED, SERVED, State, open_state

log = logging.getLogger("publisher")


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str  # the addr-spec, domain in lower case: the key in the state store
    header: str  # what the To header says (with the display name, if one was given)


@dataclass(frozen=True, slots=True)
class Server:
    """Where and how to connect. The password is kept out of repr() and so out of tracebacks."""

    host: str
    port: int
    security: str
    user: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_settings(
        cls, mail: MailSettings, environ: Mapping[str, str], **overrides: str | int | None
    ) -> Server:
        """The `[mail]` settings with command-line overrides; the password from the environment."""
        chosen = {k: v for k, v in overrides.items() if v not in (None, "")}
        security = str(chosen.get("security", mail.smtp_security))
        host = str(chosen.get("host", mail.smtp_host))
        user = str(chosen.get("user", mail.smtp_user))
        port = int(chosen.get("port") or mail.smtp_port or MailSettings(smtp_security=security).port)
        password = environ.get(mail.password_env, "") if user else ""
        if user and not password:
            raise ConfigError(
                "mail.smtp_user", None, f"set, but the environment variable {mail.password_env} is empty"
            )
        if user and security == "none" and not _is_loopback(host):
            raise ConfigError(
                "mail.smtp_security", None, f"refusing to send the SMTP password unencrypted to {host}"
            )
        return cls(host, port, security, user, password)


@dataclass(frozen=True, slots=True)
class Retry:
    """How hard to try one recipient (or one connection) before leaving it for the next run."""

    attempts: int = 4
    wait: float = 5.0  # seconds before the second try; doubled before each further one

    def pauses(self) -> Iterator[float]:
        """0 before the first try, then the backoff before each retry."""
        yield 0.0
        for n in range(self.attempts - 1):
            yield self.wait * 2**n


@dataclass
class SendReport:
    """What a send did (or, in a dry run, would do), for the CLI to print and tests to check."""

    mailing: Mailing | None  # None: nothing new to send
    window: str  # "since …", in words
    served: list[str] = field(default_factory=list)  # in this run
    already: dict[str, str] = field(default_factory=dict)  # address -> when, before this run
    refused: dict[str, str] = field(default_factory=dict)  # address -> the server's 5xx reply
    deferred: dict[str, str] = field(default_factory=dict)  # address -> why it is left for later
    to_send: list[str] = field(default_factory=list)  # who gets it this run (or would, in a dry run)
    finished: bool = False  # everyone has it: the digest is marked as sent

    def record(self, address: str, status: str, reply: str) -> None:
        if status == SERVED:
            self.served.append(address)
        else:
            (self.refused if status == REFUSED else self.deferred)[address] = reply

    @property
    def exit_code(self) -> int:
        """0 everyone served · 75 some left for a re-run (temporary) · 3 some refused for good."""
        if self.deferred:
            return EX_TEMPFAIL
        return EX_REFUSED if self.refused else 0


def send(
    settings: Settings,
    to: Sequence[str],
    to_file: Path | None = None,
    *,
    dry_run: bool = False,
    since: datetime | str | None = None,
    retry: Retry | None = None,
    environ: Mapping[str, str] = os.environ,
    encoding: str = "utf-8",
    **overrides: str | int | None,
) -> SendReport:
    """`publisher send` as one call: parse the recipients and find the server, then `send_digest`.

    The server comes from the settings with `overrides` (host, port, user,
    security) on top, and its password from `environ` only.
    """
    recipients = unique([parse_recipient(a) for a in to] + (read_recipients(to_file) if to_file else []))
    server = None if dry_run else Server.from_settings(settings.mail, environ, **overrides)
    return send_digest(settings, recipients, server, since=since, retry=retry, encoding=encoding)


def send_digest(
    settings: Settings,
    recipients: list[Recipient],
    server: Server | None,
    *,
    since: datetime | str | None = None,
    retry: Retry | None = None,
    encoding: str = "utf-8",
) -> SendReport:
    """Send the digest to every recipient not yet served (`server` None: a dry run, nothing is sent).

    Holds its own lock (one send at a time: two senders would both see a
    recipient as not yet served); the build lock is not held, so cron builds
    go on while a long send runs.
    """
    lock = build_lock(settings.state.with_suffix(".send.lock"), 0.0, "send")
    since = resolve_since(since, settings.tz)
    with lock, open_state(settings.state, durable=True) as state:
        mailing = digest_to_send(settings, state, since, encoding=encoding)
        report = _plan(state, mailing, describe_window(state, since, settings.tz), recipients)
        if mailing is None:
            return report
        if server is not None:
            _send_all(state, report, recipients, server, retry or Retry(), settings.mail.sender)
        return report


def _plan(state: State, mailing: Mailing | None, window: str, recipients: list[Recipient]) -> SendReport:
    report = SendReport(mailing, window)
    served = state.served(mailing.message_id) if mailing else {}
    for recipient in recipients:
        if recipient.address in served:
            report.already[recipient.address] = served[recipient.address].isoformat()
        else:
            report.to_send.append(recipient.address)
    return report


def _send_all(
    state: State, report: SendReport, recipients: list[Recipient], server: Server, retry: Retry, sender: str
) -> None:
    mailing = report.mailing
    assert mailing is not None
    wanted = set(report.to_send)
    todo = [r for r in recipients if r.address in wanted]
    if todo:
        message = message_from_bytes(mailing.message, policy=mail_policy())
        envelope = parseaddr(sender)[1]
        with _Session(server, retry) as session:
            # The mailing is opened (its bytes frozen for every re-run) only once the server took us in:
            # a configuration error or a server that cannot be reached leaves nothing half begun.
            if session.connect():
                state.open_new_mailing(mailing.message_id, mailing.until, mailing.message, clock.now())
            for recipient in todo:
                if session.unreachable:
                    report.deferred[recipient.address] = session.unreachable
                    continue
                status, reply = session.deliver(envelope, recipient.address, _letter(message, recipient))
                state.record_delivery(mailing.message_id, recipient.address, status, reply, clock.now())
                log.info("%s: %s (%s)", recipient.address, status, reply)
                report.record(recipient.address, status, reply)
    if not report.refused and not report.deferred:
        mark_sent(state, mailing)
        report.finished = True


def _letter(message: EmailMessage, recipient: Recipient) -> bytes:
    """The stored message (parsed once per run) with this recipient's To header and the hand-over time as Date."""
    del message["To"]
    message["To"] = recipient.header
    message.replace_header("Date", format_datetime(clock.now()))
    return message.as_bytes()


class _Reply(Exception):
    """An SMTP reply that ends one recipient's transaction."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code


CONNECTION_TROUBLE = (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError)
"""What a dropped or refused connection raises (a greeting or EHLO refused is a response exception): worth
another try after a pause, while connecting as while delivering."""


class _Session:
    """One SMTP connection, opened when first needed and reopened after the server drops it."""

    def __init__(self, server: Server, retry: Retry) -> None:
        self.server = server
        self.retry = retry
        self.unreachable = ""  # why the server could not be reached at all (the rest is deferred)
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self._drop(polite=True)

    def connect(self) -> bool:
        """Connect, with the same retries as a delivery; False (and `unreachable` says why) if it never could.

        A configuration error (TLS, STARTTLS missing, login refused) raises, as in `deliver`.
        """
        for pause in self.retry.pauses():
            time.sleep(pause)
            try:
                self._connection()
                return True
            except CONNECTION_TROUBLE as exc:
                self.unreachable = f"cannot connect: {exc}"
                self._drop(polite=False)
        return False

    def deliver(self, sender: str, address: str, data: bytes) -> tuple[str, str]:
        """(status, reply): served, refused (5xx), or deferred after every retry failed."""
        reply = ""
        for pause in self.retry.pauses():
            time.sleep(pause)
            try:
                return SERVED, self._transaction(sender, address, data)
            except _Reply as exc:
                reply = str(exc)
                if 500 <= exc.code < 600:
                    self._reset()
                    return REFUSED, reply
                if exc.code == 421:  # the server is closing the connection
                    self._drop(polite=False)
                else:
                    self._reset()
            except CONNECTION_TROUBLE as exc:
                reply = f"connection lost: {exc}" if self._smtp else f"cannot connect: {exc}"
                self.unreachable = "" if self._smtp else reply
                self._drop(polite=False)
        return DEFERRED, reply

    def _transaction(self, sender: str, address: str, data: bytes) -> str:
        smtp = self._connection()
        code, text = smtp.mail(sender)
        if code != 250:
            raise _Reply(code, _text(text))
        code, text = smtp.rcpt(address)
        if code not in (250, 251):
            raise _Reply(code, _text(text))
        try:
            code, text = smtp.data(data)
        except smtplib.SMTPDataError as exc:
            raise _Reply(exc.smtp_code, _text(exc.smtp_error)) from None
        if code != 250:
            raise _Reply(code, _text(text))
        return f"{code} {_text(text)}"

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = _connect(self.server)
            self.unreachable = ""
        return self._smtp

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop(polite=False)

    def _drop(self, *, polite: bool) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit() if polite else smtp.close()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _connect(server: Server) -> smtplib.SMTP:
    """A connected, greeted, secured and (when configured) logged-in session.

    TLS problems and a refused login are configuration errors: retrying would
    not help, and falling back to plain text would leak the password.
    """
    context = ssl.create_default_context()
    where = f"{server.host}:{server.port}"
    try:
        if server.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=60, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=60)
        smtp.ehlo()
        if server.security == "starttls":
            if not smtp.has_extn("starttls"):
                smtp.close()
                raise PublisherError(f"{where} does not offer STARTTLS; set mail.smtp_security (tls or none)")
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            smtp.login(server.user, server.password)
    except ssl.SSLError as exc:
        raise PublisherError(f"{where}: TLS failed ({exc.reason or exc})") from None
    except smtplib.SMTPAuthenticationError as exc:
        reason = _text(exc.smtp_error)
        raise PublisherError(
            f"{where} refused the login of {server.user!r}: {exc.smtp_code} {reason}"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise PublisherError(
            f"{where} does not offer AUTH; unset mail.smtp_user or use another server"
        ) from None
    return smtp


def read_recipients(path: Path) -> list[Recipient]:
    """A recipients file: one address a line ("a@example.org" or "Name <a@example.org>"); # comments."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(path, None, f"cannot read the recipients file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(path, None, "the recipients file is not UTF-8") from None
    found = [
        parse_recipient(line.strip(), path, number)
        for number, line in enumerate(lines, 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return unique(found)


def parse_recipient(text: str, where: Path | str = "--to", line: int | None = None) -> Recipient:
    """One address; an error naming where it came from when it is not a usable address."""
    name, address = parseaddr(text)
    local, at, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        domain = ""
    usable = at and local and local.isascii() and not any(c.isspace() for c in local)
    if not usable or not ("." in domain or domain == "localhost"):
        raise InputError(where, line, f"not an email address: {text!r}")
    address = f"{local}@{domain}"
    return Recipient(address, f"{name} <{address}>" if name else address)


def unique(recipients: list[Recipient]) -> list[Recipient]:
    """The list without repeats (first one kept): nobody gets a digest twice because they are listed twice."""
    seen: dict[str, Recipient] = {}
    for recipient in recipients:
        seen.setdefault(recipient.address, recipient)
    return list(seen.values())


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
