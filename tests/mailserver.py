"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, on a free port, that misbehaves on cue.

Faults are real protocol events, not mocks: a reply code the handler
returns, a connection the server closes in the middle of DATA, a client
process the server kills at the moment its next transaction starts.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER, PASSWORD = "editor", "s3cret-Pa55word-never-shown"


class Inbox:
    """The server's handler: what it accepted, and the faults to play next."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []  # (recipient, message as received)
        self.rcpt_replies: dict[str, list[str]] = {}  # address -> replies for its next RCPTs instead of 250
        self.mail_replies: dict[int, str] = {}  # n -> reply to the n-th MAIL command instead of 250
        self.drop_data: set[int] = set()  # cut the connection in the middle of the n-th DATA
        self.kill_at_mail: tuple[int, int] | None = None  # (pid, n): SIGKILL pid at the n-th MAIL
        self.mails = 0
        self.datas = 0
        self.connections = 0
        self.port = 0

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.mails += 1
        if self.kill_at_mail and self.mails == self.kill_at_mail[1]:
            os.kill(self.kill_at_mail[0], signal.SIGKILL)
        if self.mails in self.mail_replies:
            return self.mail_replies[self.mails]
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.rcpt_replies.get(address):
            return self.rcpt_replies[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for recipient in envelope.rcpt_tos:
            self.received.append((recipient, bytes(envelope.original_content)))
        return f"250 2.0.0 Ok: queued as {len(self.received)}"

    def recipients(self) -> list[str]:
        return [recipient for recipient, _ in self.received]

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(data, policy=policy.default) for _, data in self.received]  # type: ignore[misc]


class _FaultySMTP(SMTP):
    def connection_made(self, transport: Any) -> None:
        self.event_handler.connections += 1
        super().connection_made(transport)

    async def smtp_DATA(self, arg: str) -> None:
        inbox = self.event_handler
        inbox.datas += 1
        if inbox.datas in inbox.drop_data and self.envelope is not None and self.envelope.rcpt_tos:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readuntil(b"\r\n")
            self.transport.close()  # the connection dies in the middle of the message
            return
        await super().smtp_DATA(arg)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _FaultySMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]  # bound to port 0: the kernel chose
        super()._trigger_server()


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd replies 535


@contextmanager
def smtp_server(tls: str = "none", cert: tuple[Path, Path] | None = None) -> Iterator[Inbox]:
    """Run a server for the block: tls "none", "starttls" (login required) or "tls" (implicit)."""
    inbox = Inbox()
    kwargs: dict[str, Any] = {}
    if tls != "none":
        assert cert is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert[0]), str(cert[1]))
        kwargs = {"authenticator": _authenticate, "auth_require_tls": True}
        if tls == "starttls":
            kwargs |= {"tls_context": context, "require_starttls": True}
        else:  # aiosmtpd does not count implicit TLS as TLS for auth_require_tls
            kwargs |= {"ssl_context": context, "auth_require_tls": False}
    controller = _Controller(inbox, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    inbox.port = controller.port
    inbox.connections = 0  # not the controller's own start-up probe
    try:
        yield inbox
    finally:
        controller.stop()


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections (bound, never listening) for the block."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key
