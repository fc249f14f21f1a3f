"""Secrets out of everything the publisher prints: errors, warnings, `check` output, `--verbose` logs.

A configured URL may carry credentials (`https://user:pass@host/`,
`?token=…`) and the SMTP password lives in an environment variable; cron
mails whatever a job prints to whoever reads root's mail, so nothing printed
may contain either. Redaction is by shape (URL passwords, secret-looking
query parameters) and by value (the environment variables that hold
secrets), applied at the few places that print.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping

MASK = "***"
MIN_SECRET = 4
"""Shorter values are not masked by value: masking "ab" everywhere would garble every message."""

DEFAULT_PASSWORD_ENV = "PUBLISHER_SMTP_PASSWORD"
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY", re.IGNORECASE)
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/\s?#@]+)@")
_SECRET_PARAM = re.compile(
    r"(?P<key>[?&;][^=&#\s]*?(?:token|key|secret|password|passwd|pwd|auth|sig|session|credential)"
    r"[^=&#\s]*=)(?P<value>[^&#\s'\"]+)",
    re.IGNORECASE,
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret value, URL password and secret query parameter masked."""
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(_mask_userinfo, text)
    return _SECRET_PARAM.sub(lambda m: m["key"] + MASK, text)


def env_secrets(environ: Mapping[str, str] | None = None, names: Iterable[str] = ()) -> list[str]:
    """Values of the environment variables that hold secrets.

    Those named in `names` (e.g. the configured `mail.password_env`), the
    default password variable, and any whose name says it is a password,
    token, secret or API key.
    """
    environ = os.environ if environ is None else environ
    wanted = {DEFAULT_PASSWORD_ENV, *names}
    return [value for name, value in environ.items() if name in wanted or _SECRET_NAME.search(name)]


class RedactingFormatter(logging.Formatter):
    """A log formatter that masks secrets in the finished line (message, arguments and traceback)."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def _mask_userinfo(match: re.Match[str]) -> str:
    user, colon, _ = match["userinfo"].partition(":")
    return f"{match['scheme']}{user}:{MASK}@" if colon else f"{match['scheme']}{MASK}@"
