"""Settings: embedded defaults, overridden by `publisher.toml`, then by the CLI.

Settings are frozen and typed, and an unknown key is an error rather than
something silently ignored: a misspelt `feed_sise = 10` must not build a feed
of 50 entries without a word. Templates get their own context objects; the
settings are never passed to them as a loose dict.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .urls import is_http_url

CONFIG_NAME = "publisher.toml"


SUBJECT_FIELDS = {"site": "Site", "date": "1 January 2026", "count": 1}
STANDARD_PORTS = {"starttls": 587, "tls": 465, "none": 25}
UNSUBSCRIBE_SCHEMES = ("https", "http", "mailto")  # the order a visible link is picked in
FORMATS = ("atom", "rss", "json")  # the feed formats, in the order they are written and linked
LISTINGS = ("tag", "author")  # the listing pages that may have feeds of their own
DEFAULT_SENDER = "Publisher <digest@example.org>"


@dataclass(frozen=True, slots=True)
class MailSettings:
    """How the digest is addressed and sent by email (the `[mail]` table; see README).

    There is no password setting on purpose: the password is read only from
    the environment variable named by `password_env`, so it is never in a
    file that gets committed, copied or shown.
    """

    sender: str = DEFAULT_SENDER
    subject: str = "{site} — {date}"
    list_id: str = ""
    unsubscribe: str = ""
    smtp_host: str = "localhost"
    smtp_port: int = 0
    smtp_user: str = ""
    smtp_security: str = "starttls"
    password_env: str = "PUBLISHER_SMTP_PASSWORD"

    @property
    def port(self) -> int:
        """`smtp_port`, or the standard port of `smtp_security` when it is 0."""
        return self.smtp_port or STANDARD_PORTS[self.smtp_security]

    @property
    def unsubscribe_uris(self) -> tuple[str, ...]:
        """The unsubscribe URIs (https and/or mailto), separated by spaces or commas in the setting."""
        return tuple(self.unsubscribe.replace(",", " ").split())

    @property
    def unsubscribe_link(self) -> str:
        """The one link readers see: a web page when there is one, else the mailto; "" when none."""
        uris = sorted(self.unsubscribe_uris, key=lambda uri: UNSUBSCRIBE_SCHEMES.index(_scheme(uri)))
        return uris[0] if uris else ""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a build needs to know that is not in the seeds themselves."""

    title: str = "Publisher"
    description: str = "Articles and excerpts."
    base_url: str = "http://localhost:8000/"
    author: str = "The Editors"
    author_email: str = ""
    language: str = "en"
    timezone: str = "UTC"
    feed_size: int = 50
    formats: tuple[str, ...] = FORMATS
    listing_feeds: tuple[str, ...] = LISTINGS
    digest_size: int = 20
    hub: str = ""
    seeds: Path = Path("seeds")
    out: Path = Path("dist")
    state: Path = Path(".publisher/state.db")
    templates: Path | None = None
    mail: MailSettings = field(default_factory=MailSettings)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def host(self) -> str:
        """The host name of `base_url`, the authority in entry ids (RFC 4151 tag URIs)."""
        return urlsplit(self.base_url).hostname or "localhost"

    def url(self, path: str) -> str:
        """An absolute URL for a path under `base_url`; every link we emit goes through here."""
        return self.base_url + path.lstrip("/")


def load_settings(
    config: Path | None = None,
    *,
    root: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Read the configuration file (if any) and apply command-line overrides.

    With no `config`, `publisher.toml` in `root` (default: the current
    directory) is used when it exists; otherwise the embedded defaults apply.
    Relative paths in the file are taken from the file's own folder, so cron
    can run the build from anywhere.
    """
    root = root or Path.cwd()
    data: dict[str, Any] = {}
    base = root
    if config is None and (root / CONFIG_NAME).is_file():
        config = root / CONFIG_NAME
    if config is not None:
        data = _read_toml(config)
        base = config.parent
    settings = _build(Settings, data, str(config or "defaults"), "")
    settings = _resolve_paths(settings, base)
    if overrides:
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    _validate(settings, str(config or "defaults"))
    return _in_order(settings, str(config or "defaults"))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(path, None, "configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        reason = str(exc).split(" (at line")[0]
        raise ConfigError(path, line, f"not valid TOML: {reason}") from None


def _build(cls: type[Any], data: dict[str, Any], source: str, prefix: str) -> Any:
    """Make a settings object from a TOML table, rejecting unknown keys and wrong types."""
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        names = ", ".join(prefix + k for k in unknown)
        raise ConfigError(source, None, f"unknown setting {names} (known: {', '.join(known)})")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in data.items():
        kind = hints[name]
        if dataclasses.is_dataclass(kind):
            if not isinstance(value, dict):
                raise ConfigError(source, None, f"[{prefix}{name}] must be a table")
            values[name] = _build(kind, value, source, f"{prefix}{name}.")  # type: ignore[arg-type]
        else:
            values[name] = _coerce(value, kind, source, prefix + name)
    return cls(**values)


_KINDS: dict[Any, str] = {
    int: "a whole number",
    str: "text",
    Path: "a path",
    tuple[str, ...]: "a list of names",
}


def _coerce(value: Any, kind: Any, source: str, name: str) -> Any:
    allowed = typing.get_args(kind) if isinstance(kind, types.UnionType) else (kind,)
    for option in allowed:
        if option == tuple[str, ...] and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        if option is Path and isinstance(value, str):
            return Path(value)
        if option is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if option is str and isinstance(value, str):
            return value
    wanted = " or ".join(_KINDS.get(a, str(a)) for a in allowed if a is not type(None))
    raise ConfigError(source, None, f"{name} must be {wanted}, not {value!r}")


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def absolute(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    templates = absolute(settings.templates) if settings.templates else None
    return replace(
        settings,
        seeds=absolute(settings.seeds),
        out=absolute(settings.out),
        state=absolute(settings.state),
        templates=templates,
    )


def _validate(settings: Settings, source: str) -> None:
    if not is_http_url(settings.base_url):
        raise ConfigError(
            source, None, f"base_url must be an absolute http(s) URL, not {settings.base_url!r}"
        )
    if not settings.base_url.endswith("/"):
        raise ConfigError(source, None, f"base_url must end with '/': {settings.base_url!r}")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(source, None, f"unknown timezone {settings.timezone!r}") from None
    for name in ("feed_size", "digest_size"):
        if getattr(settings, name) < 1:
            raise ConfigError(source, None, f"{name} must be at least 1")
    if settings.hub and not is_http_url(settings.hub):
        raise ConfigError(source, None, f"hub must be an absolute http(s) URL, not {settings.hub!r}")
    _validate_mail(settings.mail, source)
    _validate_folders(settings, source)
    if not settings.language or not settings.language.replace("-", "").isalnum():
        raise ConfigError(
            source, None, f"language must be a language tag like 'en' or 'zh-TW', not {settings.language!r}"
        )


def _in_order(settings: Settings, source: str) -> Settings:
    """`formats` and `listing_feeds` checked, and put in their canonical order, so that
    `["rss", "atom"]` and `["atom", "rss"]` are one configuration (one repr, one set of output keys)."""
    formats = _names(settings.formats, FORMATS, "formats", source)
    if not formats:
        raise ConfigError(source, None, f"formats must name at least one of {', '.join(FORMATS)}")
    return replace(
        settings,
        formats=formats,
        listing_feeds=_names(settings.listing_feeds, LISTINGS, "listing_feeds", source),
    )


def _names(given: tuple[str, ...], known: tuple[str, ...], name: str, source: str) -> tuple[str, ...]:
    """`given` in the order of `known`; a name not in `known`, or named twice, is an error."""
    for value in given:
        if value not in known:
            raise ConfigError(source, None, f"{name}: unknown {value!r} (known: {', '.join(known)})")
        if given.count(value) > 1:
            raise ConfigError(source, None, f"{name}: {value!r} is named twice")
    return tuple(value for value in known if value in given)


def _validate_folders(settings: Settings, source: str) -> None:
    """The output folder is rewritten and pruned by every build: it must hold no seeds and no state."""
    out = settings.out.resolve()
    for name in ("seeds", "state"):
        other = getattr(settings, name).resolve()
        if out == other or out in other.parents or (name == "seeds" and other in out.parents):
            raise ConfigError(source, None, f"out ({settings.out}) and {name} ({other}) must not overlap")


def _address(sender: str) -> str:
    """The address part of a sender such as 'Name <a@example.org>', as mail software reads it.

    `email.utils` is imported here, for a sender other than the default: it
    takes 10 ms, and settings are loaded by every run, a cron run with nothing
    to do too.
    """
    import email.utils

    return email.utils.parseaddr(sender)[1]


def _validate_mail(mail: MailSettings, source: str) -> None:
    if mail.smtp_security not in STANDARD_PORTS:
        raise ConfigError(source, None, "mail.smtp_security must be starttls, tls or none")
    if not 0 <= mail.smtp_port <= 65535:
        raise ConfigError(
            source, None, f"mail.smtp_port must be a TCP port (0: the standard one), not {mail.smtp_port}"
        )
    if mail.sender != DEFAULT_SENDER and "@" not in _address(mail.sender):
        raise ConfigError(
            source, None, f"mail.sender must be an address like 'Name <a@example.org>', not {mail.sender!r}"
        )
    try:
        mail.subject.format(**SUBJECT_FIELDS)
    except (KeyError, IndexError, ValueError) as exc:
        known = ", ".join("{" + name + "}" for name in SUBJECT_FIELDS)
        raise ConfigError(source, None, f"mail.subject: bad placeholder {exc} (known: {known})") from None
    for uri in mail.unsubscribe_uris:
        if not _is_unsubscribe_uri(uri):
            raise ConfigError(
                source, None, f"mail.unsubscribe: {uri!r} is not an https://, http:// or mailto: URI"
            )


def _is_unsubscribe_uri(uri: str) -> bool:
    """An http(s) URL with a host (the same test as base_url's), or a mailto: with an address."""
    if _scheme(uri) == "mailto":
        return "@" in uri
    return is_http_url(uri)


def _scheme(uri: str) -> str:
    """The URI's scheme, lower-cased; not `urlsplit`, which raises on some bad URLs (`http://[::1`)."""
    scheme, colon, _ = uri.partition(":")
    return scheme.lower() if colon else ""
