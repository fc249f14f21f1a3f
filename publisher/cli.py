"""The `publisher` command: click commands only, each a thin layer over the library.

Exit status: 0 ok · 1 bad input (the message names the file and line) ·
2 usage · 75 another build holds the lock (cron: just try again later).
Under cron (stdout not a terminal) a build that went well prints nothing.
Everything printed goes through `redact`: no password or URL token ever
reaches a terminal, a log or cron's mail.

`publisher build` runs from cron every few minutes and nearly always finds
nothing to do, which takes less time than importing the email, preview
server and rendering code. So this module imports at its top only what the
build command needs (itself cheap: see api.py), and the digest, send and
serve commands import their own modules in their first line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .api import BuildResult, build, check, untracked
from .config import CONFIG_NAME, Settings, load_settings
from .errors import EX_REFUSED, EX_TEMPFAIL, ConfigError, PublisherError
from .outputs.templates import longdate
from .redact import RedactingFormatter, env_secrets, redact
from .sources.decode import check_encoding

if TYPE_CHECKING:
    from .digest import DigestResult
    from .mailer import SendReport

EXIT_CODES = """\b
Exit status:
  0   success
  1   bad input: the message names the file and line
      (with --keep-going: some pieces were skipped, the rest published)
  2   usage error
  75  another build holds the lock (EX_TEMPFAIL): try again later
"""

SEND_EXIT_CODES = """\b
Exit status:
  0   every recipient has the digest (or there was nothing new to send);
      the digest is then marked as sent
  1   bad input or configuration (the message says what), or the server
      refused the login or TLS
  2   usage error
  3   the server refused some recipients for good (5xx); everyone else has
      it. Running send again tries only those; remove them from the list,
      or end this digest with `publisher digest --mark-sent`
  75  temporary failure (server unreachable, connection lost, 4xx replies
      after every retry, another send running): run send again later; only
      recipients who do not have the digest yet get it
"""

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
PROGRESS_FROM = 500
"""Steps with fewer items than this finish too fast for a progress bar to help."""


def reports_errors(func: F) -> F:
    """Turn a PublisherError into one line on stderr and its exit status; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PublisherError as exc:
            say(f"publisher: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def site_options(func: F) -> F:
    """The options every command shares: where the seeds, outputs and configuration are."""
    func = click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Configuration file (default: ./publisher.toml if present).",
    )(func)
    func = click.option(
        "--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: dist/)."
    )(func)
    func = click.option(
        "--seeds", type=click.Path(file_okay=False, path_type=Path), help="Seeds folder (default: seeds/)."
    )(func)
    func = click.option(
        "--encoding",
        default="utf-8",
        show_default=True,
        callback=_known_encoding,
        help="Encoding of seed files (e.g. cp1252).",
    )(func)
    func = click.option("-v", "--verbose", is_flag=True, help="Log each step with a timestamp on stderr.")(
        func
    )
    return func


def _known_encoding(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        return check_encoding(value)
    except PublisherError as exc:
        raise click.BadParameter(str(exc).removeprefix("--encoding: ")) from None


SECRET_NAMES = "publisher.secret_names"
"""Where a command keeps the configured password variable's name (`mail.password_env`): in click's
per-invocation `Context.meta`, so every line printed after the settings are read masks its value."""


def say(text: str, err: bool = False) -> None:
    """Print one line with every secret masked (see redact.py); the only way this module prints."""
    context = click.get_current_context(silent=True)
    names = tuple(context.meta.get(SECRET_NAMES, ())) if context else ()
    click.echo(redact(text, env_secrets(names=names)), err=err)


def _settings(config: Path | None, seeds: Path | None, out: Path | None, verbose: bool) -> Settings:
    _log_to_stderr(verbose, ())
    cwd = Path.cwd()
    settings = load_settings(
        config,
        overrides={"seeds": seeds and cwd / seeds, "out": out and cwd / out},
    )
    _log_to_stderr(verbose, (settings.mail.password_env,))
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[SECRET_NAMES] = (settings.mail.password_env,)
    return settings


def _log_to_stderr(verbose: bool, secret_names: tuple[str, ...]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(message)s", env_secrets(names=secret_names))
    )
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)


@click.group(epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="publisher")
def main() -> None:
    """Publish a folder of articles and teaser excerpts as Atom and RSS feeds,
    an HTML email digest and web pages.

    \b
    Put pieces in seeds/ (.txt dumps, .md with front matter), then:
      publisher check     see what each piece becomes, write nothing
      publisher build     write dist/ (feeds, pages, digest)
      publisher serve     preview dist/ on 127.0.0.1, rebuilding on changes
      publisher digest    build the email digest to send: dist/digest.eml
      publisher send      email it to the recipients who do not have it yet
    """


def wait_option(func: F) -> F:
    """--wait, shared by the commands that take the build lock (build, digest)."""
    return click.option(
        "--wait",
        type=float,
        default=0.0,
        show_default=True,
        metavar="SECONDS",
        help="Wait this long for another build to finish.",
    )(func)


def keep_going_option(func: F) -> F:
    """--keep-going, for the commands that read every piece (build, check)."""
    return click.option(
        "--keep-going",
        is_flag=True,
        help="Skip bad pieces, listing each with its reason; do the rest, still exit 1.",
    )(func)


def since_option(func: F) -> F:
    """--since, shared by digest and send so both see the same window."""
    return click.option(
        "--since",
        metavar="DATE",
        help="Take the excerpts first seen since DATE (YYYY-MM-DD, or an ISO date and time) "
        "instead of those new since the last digest marked as sent.",
    )(func)


@main.command(epilog=EXIT_CODES)
@site_options
@keep_going_option
@wait_option
@click.option(
    "--ping",
    is_flag=True,
    help="Tell the WebSub hub (the `hub` setting) which subscription feeds changed.",
)
@reports_errors
def build_command(
    config: Path | None,
    seeds: Path | None,
    out: Path | None,
    encoding: str,
    keep_going: bool,
    verbose: bool,
    wait: float,
    ping: bool,
) -> None:
    """Build the output folder from the seeds.

    Safe to run from cron every few minutes: a rebuild with nothing changed
    touches no file, every file is replaced atomically, and only one build
    runs at a time. With --ping, the hub hears only about feeds whose bytes
    changed (a ping the hub refused is retried on the next --ping).
    """
    settings = _settings(config, seeds, out, verbose)
    if ping and not settings.hub:
        raise ConfigError(config or CONFIG_NAME, None, '--ping needs a hub: set hub = "https://…"')
    track = progress_bar if sys.stderr.isatty() and not verbose else untracked
    result = build(settings, wait=wait, encoding=encoding, keep_going=keep_going, ping=ping, track=track)
    _warn(result)
    if sys.stdout.isatty():
        say(_summary(result))
    _exit_if_skipped(result, "published")


main.add_command(build_command, "build")


@main.command("serve", epilog=EXIT_CODES)
@site_options
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (default: base_url's port if it is local, else 8000; 0: any free port).",
)
@reports_errors
def serve_command(
    config: Path | None, seeds: Path | None, out: Path | None, encoding: str, verbose: bool, port: int | None
) -> None:
    """Preview the site: build, serve the output folder on 127.0.0.1, and
    rebuild whenever seeds/, the templates or the configuration change.
    """
    from .serve import serve, watched  # see the module docstring

    config_file = Path.cwd() / (config or CONFIG_NAME)
    serve(
        lambda: _settings(config, seeds, out, verbose),
        lambda settings: watched(settings, config_file),
        port,
        lambda line: say(line, err=line.startswith("publisher:")),
        encoding,
    )


@main.command("check", epilog=EXIT_CODES)
@site_options
@keep_going_option
@reports_errors
def check_command(
    config: Path | None, seeds: Path | None, out: Path | None, encoding: str, keep_going: bool, verbose: bool
) -> None:
    """Parse every piece and show what it becomes, writing nothing.

    One row per entry: date and where the date came from, kind (full piece or
    excerpt), author, title.
    """
    settings = _settings(config, seeds, out, verbose)
    result = check(settings, encoding=encoding, keep_going=keep_going)
    rows = [("DATE", "FROM", "KIND", "AUTHOR", "TITLE")]
    rows += [
        (
            longdate(e.published, settings.tz),
            e.date_source.value,
            "excerpt" if e.is_excerpt else "full",
            e.author or "-",
            e.title,
        )
        for e in result.entries
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        say("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    say(f"{len(result.entries)} entries, {len(result.warnings)} warnings")
    _warn(result)
    _exit_if_skipped(result, "checked")


@main.command("digest", epilog=EXIT_CODES)
@site_options
@since_option
@click.option(
    "--mark-sent",
    is_flag=True,
    help="Record this digest as sent (say, you sent it another way): the next one starts after it.",
)
@wait_option
@reports_errors
def digest_command(
    config: Path | None,
    seeds: Path | None,
    out: Path | None,
    encoding: str,
    verbose: bool,
    since: str | None,
    mark_sent: bool,
    wait: float,
) -> None:
    """Build the digest to send by email: dist/digest.eml.

    It holds the excerpts that are new (first seen by a build) since the last
    digest marked as sent, or since --since. Building it never marks it as
    sent: --mark-sent does, and so does `publisher send` once every
    recipient has it. With nothing new it prints one line, removes an older
    digest.eml (already sent) and exits 0. A digest whose sending has started
    stays the digest to send until it is marked.
    """
    from .digest import prepare_digest  # see the module docstring

    settings = _settings(config, seeds, out, verbose)
    say(_digest_summary(prepare_digest(settings, since=since, mark=mark_sent, wait=wait, encoding=encoding)))


@main.command("send", epilog=SEND_EXIT_CODES)
@site_options
@click.option("--to", "to", multiple=True, metavar="ADDR", help="A recipient; repeat for more.")
@click.option(
    "--to-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Recipients, one address a line (a@example.org or Name <a@example.org>); # starts a comment.",
)
@click.option("--dry-run", is_flag=True, help="Print who would get which digest; send nothing.")
@since_option
@click.option("--host", help="SMTP server (default: mail.smtp_host).")
@click.option("--port", type=click.IntRange(1, 65535), help="SMTP port (default: mail.smtp_port).")
@click.option(
    "--user",
    help="SMTP login (default: mail.smtp_user). The password is read only from the environment "
    "variable named by mail.password_env (default PUBLISHER_SMTP_PASSWORD).",
)
@click.option(
    "--security", type=click.Choice(["starttls", "tls", "none"]), help="Default: mail.smtp_security."
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=3,
    show_default=True,
    help="Retries after a 4xx reply or a lost connection.",
)
@click.option(
    "--retry-wait",
    type=click.FloatRange(0),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="Pause before the first retry; doubled before each next one.",
)
@reports_errors
def send_command(
    config: Path | None,
    seeds: Path | None,
    out: Path | None,
    encoding: str,
    verbose: bool,
    to: tuple[str, ...],
    to_file: Path | None,
    dry_run: bool,
    since: str | None,
    host: str | None,
    port: int | None,
    user: str | None,
    security: str | None,
    retries: int,
    retry_wait: float,
) -> None:
    """Email the digest to every recipient who does not have it yet.

    One SMTP connection (STARTTLS, TLS or plain, per mail.smtp_security);
    each recipient the server accepts is recorded in the state store, so a
    re-run after a crash or a failure sends only to the others. The digest is
    marked as sent once every recipient has it. Quiet under cron when all
    went well; problems go to stderr.
    """
    from .mailer import Retry, send  # see the module docstring

    if not to and not to_file:
        raise click.UsageError("give the recipients: --to ADDR (repeatable) or --to-file FILE")
    report = send(
        _settings(config, seeds, out, verbose),
        to,
        to_file,
        dry_run=dry_run,
        since=since,
        retry=Retry(retries + 1, retry_wait),
        encoding=encoding,
        host=host,
        port=port,
        user=user,
        security=security,
    )
    for line in _send_summary(report, dry_run):
        say(line)
    for line in _send_problems(report):
        say(f"publisher: {line}", err=True)
    if report.exit_code:
        sys.exit(report.exit_code)


def _digest_summary(result: DigestResult) -> str:
    mailing = result.mailing
    if mailing is None:
        return f"No new excerpts {result.window}; no digest to send."
    if mailing.resumed:
        what = f"partly sent ({result.served} recipients have it)"
    else:
        what = f"{mailing.excerpts} excerpts first seen {result.window}"
    line = f"digest.eml: {mailing.subject!r}, {what}; Message-ID {mailing.message_id}"
    return line + ("; marked as sent." if result.marked else ".")


def _send_summary(report: SendReport, dry_run: bool) -> list[str]:
    """What went right; printed for a dry run, or on a terminal."""
    if not (dry_run or sys.stdout.isatty()):
        return []
    if report.mailing is None:
        return [f"No new excerpts {report.window}; nothing to send."]
    lines = [f"Digest {report.mailing.message_id}: {report.mailing.subject!r}"]
    if dry_run:
        lines += [f"  would send to {address}" for address in report.to_send]
    else:
        lines += [f"  sent to {address}" for address in report.served]
    lines += [f"  already has it: {address} (since {at})" for address, at in report.already.items()]
    if report.finished:
        lines.append("Everyone has it; marked as sent.")
    return lines


def _send_problems(report: SendReport) -> list[str]:
    """Lines for stderr: each recipient left out, then what to do about it (by `report.exit_code`)."""
    lines = [f"refused: {address}: {reply}" for address, reply in report.refused.items()]
    lines += [f"not sent yet: {address}: {reply}" for address, reply in report.deferred.items()]
    verdict = {
        EX_TEMPFAIL: f"error: {len(report.deferred)} recipients do not have the digest yet (temporary "
        "failure); run send again later: only they will get it",
        EX_REFUSED: f"error: the server refused {len(report.refused)} recipients for good; the others have the "
        "digest. Fix or remove those addresses and run send again, or end this digest with "
        "`publisher digest --mark-sent`",
    }.get(report.exit_code)
    return [*lines, verdict] if verdict else lines


def progress_bar(label: str, length: int, items: Iterable[T], exact: bool = True) -> Iterator[T]:
    """A progress bar on stderr for steps long enough to wonder about; short ones stay silent.

    A step whose count is not known ahead (`exact` False: rendering makes a
    page per entry plus feeds and archives) gets a moving bar and a count.
    """
    if length < PROGRESS_FROM:
        yield from items
        return
    with click.progressbar(
        items, length=length if exact else None, show_pos=not exact, label=label.ljust(9), file=sys.stderr
    ) as bar:
        yield from bar


def _warn(result: BuildResult) -> None:
    for warning in result.warnings:
        say(f"publisher: warning: {warning}", err=True)


def _exit_if_skipped(result: BuildResult, done: str) -> None:
    """Under --keep-going: every skipped piece with its reason, then exit 1 (something still needs fixing)."""
    if not result.skipped:
        return
    for reason in result.skipped:
        say(f"publisher: skipped: {reason}", err=True)
    say(f"publisher: error: {len(result.skipped)} skipped (listed above); the rest was {done}", err=True)
    sys.exit(1)


def _summary(result: BuildResult) -> str:
    pinged = f" Told the WebSub hub about {len(result.pinged)} feeds." if result.pinged else ""
    if result.unchanged:
        return "Nothing changed; no file written." + pinged
    return (
        f"{len(result.entries)} entries; wrote {len(result.written)} files, removed {len(result.removed)}."
        + pinged
    )
