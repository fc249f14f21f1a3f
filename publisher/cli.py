"""The `publisher` command: click commands only, each a thin layer over the library.

Exit status: 0 ok · 1 bad input (the message names the file and line) ·
2 usage · 75 another build holds the lock (cron: just try again later).
Under cron (stdout not a terminal) a build that went well prints nothing.
Everything printed goes through `redact`: no password or URL token ever
reaches a terminal, a log or cron's mail.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .build import BuildResult, build, check, untracked
from .config import Settings, load_settings
from .errors import PublisherError
from .outputs.templates import longdate
from .redact import RedactingFormatter, env_secrets, redact
from .sources.decode import check_encoding

EXIT_CODES = """\b
Exit status:
  0   success
  1   bad input: the message names the file and line
      (with --keep-going: some pieces were skipped, the rest published)
  2   usage error
  75  another build holds the lock (EX_TEMPFAIL): try again later
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
        "--keep-going",
        is_flag=True,
        help="Skip bad pieces, listing each with its reason; do the rest, still exit 1.",
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


def say(text: str, err: bool = False, names: tuple[str, ...] = ()) -> None:
    """Print one line with every secret masked (see redact.py); the only way this module prints."""
    click.echo(redact(text, env_secrets(names=names)), err=err)


def _settings(config: Path | None, seeds: Path | None, out: Path | None, verbose: bool) -> Settings:
    _log_to_stderr(verbose, ())
    cwd = Path.cwd()
    settings = load_settings(
        config,
        overrides={"seeds": seeds and cwd / seeds, "out": out and cwd / out},
    )
    _log_to_stderr(verbose, (settings.mail.password_env,))
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
    """


@main.command(epilog=EXIT_CODES)
@site_options
@click.option(
    "--wait",
    type=float,
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another build to finish.",
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
) -> None:
    """Build the output folder from the seeds.

    Safe to run from cron every few minutes: a rebuild with nothing changed
    touches no file, every file is replaced atomically, and only one build
    runs at a time.
    """
    track = progress_bar if sys.stderr.isatty() and not verbose else untracked
    settings = _settings(config, seeds, out, verbose)
    result = build(settings, wait=wait, encoding=encoding, keep_going=keep_going, track=track)
    _warn(result, settings)
    if sys.stdout.isatty():
        say(_summary(result))
    _exit_if_skipped(result, settings, "published")


main.add_command(build_command, "build")


@main.command("check", epilog=EXIT_CODES)
@site_options
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
    _warn(result, settings)
    _exit_if_skipped(result, settings, "checked")


def progress_bar(label: str, length: int, items: Iterable[T]) -> Iterator[T]:
    """A progress bar on stderr for steps long enough to wonder about; short ones stay silent."""
    if length < PROGRESS_FROM:
        yield from items
        return
    with click.progressbar(items, length=length, label=label.ljust(9), file=sys.stderr) as bar:
        yield from bar


def _warn(result: BuildResult, settings: Settings) -> None:
    for warning in result.warnings:
        say(f"publisher: warning: {warning}", err=True, names=(settings.mail.password_env,))


def _exit_if_skipped(result: BuildResult, settings: Settings, done: str) -> None:
    """Under --keep-going: every skipped piece with its reason, then exit 1 (something still needs fixing)."""
    if not result.skipped:
        return
    names = (settings.mail.password_env,)
    for reason in result.skipped:
        say(f"publisher: skipped: {reason}", err=True, names=names)
    say(f"publisher: error: {len(result.skipped)} skipped (listed above); the rest was {done}", err=True)
    sys.exit(1)


def _summary(result: BuildResult) -> str:
    if result.unchanged:
        return "Nothing changed; no file written."
    return f"{len(result.entries)} entries; wrote {len(result.written)} files, removed {len(result.removed)}."


def _parse_day(value: str) -> datetime:
    return datetime.fromisoformat(value)
