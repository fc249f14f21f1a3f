"""The `publisher` command: click commands only, each a thin layer over the library.

Exit status: 0 ok · 1 bad input (the message names the file and line) ·
2 usage · 75 another build holds the lock (cron: just try again later).
Under cron (stdout not a terminal) a build that went well prints nothing.
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
from .config import CONFIG_NAME, Settings, load_settings
from .errors import ConfigError, PublisherError
from .outputs.templates import longdate
from .serve import serve, watched

EXIT_CODES = """\b
Exit status:
  0   success
  1   bad input: the message names the file and line
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
            click.echo(f"publisher: error: {exc}", err=True)
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
    func = click.option("--encoding", default="utf-8", show_default=True, help="Encoding of seed files.")(
        func
    )
    func = click.option("-v", "--verbose", is_flag=True, help="Log each step with a timestamp on stderr.")(
        func
    )
    return func


def _settings(config: Path | None, seeds: Path | None, out: Path | None, verbose: bool) -> Settings:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
        force=True,
    )
    cwd = Path.cwd()
    return load_settings(
        config,
        overrides={"seeds": seeds and cwd / seeds, "out": out and cwd / out},
    )


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
    result = build(settings, wait=wait, encoding=encoding, ping=ping, track=track)
    _warn(result)
    if sys.stdout.isatty():
        click.echo(_summary(result))


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
    config_file = Path.cwd() / (config or CONFIG_NAME)
    serve(
        lambda: _settings(config, seeds, out, verbose),
        lambda settings: watched(settings, config_file),
        port,
        lambda line: click.echo(line, err=line.startswith("publisher:")),
        encoding,
    )


@main.command("check", epilog=EXIT_CODES)
@site_options
@reports_errors
def check_command(
    config: Path | None, seeds: Path | None, out: Path | None, encoding: str, verbose: bool
) -> None:
    """Parse every piece and show what it becomes, writing nothing.

    One row per entry: date and where the date came from, kind (full piece or
    excerpt), author, title.
    """
    settings = _settings(config, seeds, out, verbose)
    result = check(settings, encoding=encoding)
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
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    click.echo(f"{len(result.entries)} entries, {len(result.warnings)} warnings")
    _warn(result)


def progress_bar(label: str, length: int, items: Iterable[T]) -> Iterator[T]:
    """A progress bar on stderr for steps long enough to wonder about; short ones stay silent."""
    if length < PROGRESS_FROM:
        yield from items
        return
    with click.progressbar(items, length=length, label=label.ljust(9), file=sys.stderr) as bar:
        yield from bar


def _warn(result: BuildResult) -> None:
    for warning in result.warnings:
        click.echo(f"publisher: warning: {warning}", err=True)


def _summary(result: BuildResult) -> str:
    pinged = f" Told the WebSub hub about {len(result.pinged)} feeds." if result.pinged else ""
    if result.unchanged:
        return "Nothing changed; no file written." + pinged
    return (
        f"{len(result.entries)} entries; wrote {len(result.written)} files, removed {len(result.removed)}."
        + pinged
    )


def _parse_day(value: str) -> datetime:
    return datetime.fromisoformat(value)
