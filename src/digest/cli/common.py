"""Shared pieces of the command line: options, logging, the clock, output helpers."""

from __future__ import annotations

import importlib
import json
import logging
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import pipeline
from ..config import Project, load_project
from ..errors import DigestError
from ..models import FeedReport, Fetched, FetchStatus
from ..records import feed_record

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("digest")

EXIT_CODES_HELP = """
\b
Exit codes:
  0  a draft was written ("status": "written")
  1  nothing could be published (see the error)
  2  usage or configuration error
  3  no new draft: nothing in the window ("empty"; see --allow-empty), or the
     issue exists with no new entry and no edit ("unchanged": nothing rewritten),
     or new entries arrived and the draft was kept as it is ("kept": they are
     named; --force takes them in)
  4  a draft was written but some feeds failed (named on stderr)
  75 another digest run holds the project lock (try again later)
"""


class Group(click.Group):
    """Turns DigestError into a message and an exit code. Commands are imported lazily
    (name -> "module:attribute"), so `digest fetch` from cron does not load the renderer,
    the SMTP client or the preview server."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module, _, attribute = self.lazy[name].partition(":")
            command = getattr(importlib.import_module(module, "digest.cli"), attribute)
            self.add_command(command, name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DigestError as e:
            log.debug("details", exc_info=True)
            click.echo(f"digest: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("digest: interrupted", err=True)
            ctx.exit(130)


def setup_logging(verbose: int, quiet: bool, as_json: bool) -> None:
    level = logging.WARNING
    if quiet or as_json:
        level = logging.ERROR
    if verbose:
        level = logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("digest: %(levelname)s: %(message)s"))
    root = logging.getLogger("digest")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    logging.captureWarnings(True)


def project_options(func: F) -> F:
    """Options every command honours: --project, --json, -v, -q."""
    func = click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")(func)
    func = click.option(
        "-v", "--verbose", count=True, help="Say more (-v: progress details, -vv: debug)."
    )(func)
    func = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print one machine-readable JSON document on stdout.",
    )(func)
    func = click.option(
        "--project",
        "-p",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="DIGEST_PROJECT",
        show_envvar=True,
        default=None,
        help="Newsletter project folder (default: the current directory).",
    )(func)
    return func


def clock_options(func: F) -> F:
    """--as-of (the clock) and --days (the issue window)."""
    func = click.option(
        "--days",
        type=click.IntRange(1, 3660),
        envvar="DIGEST_DAYS",
        show_envvar=True,
        default=None,
        help="Issue window in days (default: window_days in digest.toml).",
    )(func)
    func = click.option(
        "--as-of",
        "as_of",
        envvar="DIGEST_AS_OF",
        show_envvar=True,
        metavar="DATE",
        help="Run as if it were this date or time (YYYY-MM-DD = end of that "
        "day, in the project's time zone). Default: now.",
    )(func)
    return func


def language_tag(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback for --language: a BCP 47 tag (en, en-GB, fr-CA, es, pt-BR, ar)."""
    from .. import lang

    if value is None:
        return None
    try:
        tag = lang.normalise(value)
    except lang.LanguageError as e:
        raise click.BadParameter(str(e)) from None
    if not lang.is_known(tag.tag):
        raise click.BadParameter(
            f"unknown language {value!r}; use a BCP 47 tag such as en, en-GB, fr, es or ar"
        )
    if tag.note:
        click.echo(f"digest: warning: --language: {tag.note}", err=True)
    return tag.tag


def force_clock_option(func: F) -> F:
    """--force-clock: run even though the clock is earlier than the store's last fetch."""
    return click.option(
        "--force-clock",
        is_flag=True,
        help="Run even though the clock (or --as-of) is earlier than the store's last "
        "fetch; by default digest refuses, so a wrong clock cannot date entries in the past.",
    )(func)


def load(ctx: click.Context, project_dir: Path | None, days: int | None = None) -> Project:
    root = project_dir or ctx.obj.get("project_dir") or Path.cwd()
    return load_project(Path(root), window_days=days)


def clock(project: Project, as_of: str | None) -> datetime:
    """The command's clock, read here once (a test send is stamped when it happens)."""
    return pipeline.parse_as_of(as_of, project, datetime.now(UTC))


def emit_json(data: Any) -> None:
    """One JSON document on one line (cron mail and `jq` both like that)."""
    click.echo(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


@contextmanager
def progress(enabled: bool, total: int) -> Iterator[Callable[[Fetched], None] | None]:
    """A progress bar on a terminal (stderr); yields the per-feed callback, or None."""
    if not enabled or total == 0 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(
        length=total,
        label="Fetching feeds",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda s: s,
    ) as bar:
        yield lambda result: bar.update(1, result.source.name)


def fetch_record(f: FeedReport) -> dict[str, Any]:
    oldest = f.oldest.isoformat(timespec="seconds") if f.oldest else None
    return {**feed_record(f), "new": f.new, "updated": f.updated, "oldest_entry": oldest}


def rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


MARKS = {
    FetchStatus.OK: "✓",
    FetchStatus.NOT_MODIFIED: "·",
    FetchStatus.SKIPPED: "-",
    FetchStatus.FAILED: "✗",
}


def print_fetch(reports: tuple[FeedReport, ...]) -> None:
    if not reports:
        return
    width = max(len(r.name) for r in reports)
    for r in reports:
        if r.status is FetchStatus.OK:
            detail = f"{r.entries} entries, {r.new} new"
            if r.updated:
                detail += f", {r.updated} updated"
        elif r.status is FetchStatus.NOT_MODIFIED:
            detail = "not modified"
        else:
            detail = f"{r.status}: {r.error}"
        click.echo(f"{MARKS.get(r.status, '?')} {r.name.ljust(width)}  {detail}")


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns
