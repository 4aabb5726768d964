"""Shared pieces of the command line: the session every command runs in, options,
logging, output helpers.

Every command that works on a project is decorated with :func:`session`: it adds the
options all of them share (--project, --json, -v, -q, and --as-of/--days where there is a
clock), locates and loads the project once, reads the clock once and hands the command
a :class:`Session`. Options that have a twin in digest.toml (--days, --language,
--template, --esp) take their defaults from it through click's ``default_map`` (command
line > DIGEST_* environment variable > digest.toml > built-in default), and the overrides
are resolved into the frozen Project once (:class:`digest.session.Overrides`).
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import click

from ..clock import parse_as_of
from ..config import Project, load_project
from ..errors import DigestError
from ..models import FeedReport, Fetched, FetchStatus
from ..records import feed_record
from ..session import Overrides

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


# Options with a twin in digest.toml: parameter name -> the project's value (default_map).
SETTINGS: dict[str, Callable[[Project], Any]] = {
    "days": lambda p: p.window_days,
    "language": lambda p: p.language,
    "template": lambda p: p.template,
    "esp": lambda p: p.esp.name,
}
_PROJECT = "digest.project"  # ctx.meta key: the project, once loaded


@dataclass(frozen=True)
class Output:
    """How the command reports: --json, -q, -v."""

    as_json: bool = False
    quiet: bool = False
    verbose: int = 0

    @property
    def human(self) -> bool:
        """Text for a person (neither --json nor -q)."""
        return not (self.as_json or self.quiet)

    def emit(self, data: Any) -> None:
        """The command's one JSON document (--json)."""
        emit_json(data)


class Session:
    """One command's run: the project (located and loaded once, the command line's
    overrides resolved into it), the clock (read once) and the output settings."""

    def __init__(
        self,
        root: Path,
        output: Output,
        *,
        as_of: str | None = None,
        overrides: Overrides | None = None,
        loaded: Project | None = None,
    ) -> None:
        self.root = root
        self.output = output
        self.as_of = as_of
        self.overrides = overrides or Overrides()
        self._loaded = loaded

    @cached_property
    def project(self) -> Project:
        return self.overrides.apply(self._loaded or load_project(self.root))

    @cached_property
    def now(self) -> datetime:
        """The run's clock: --as-of (in the project's time zone), else now."""
        return parse_as_of(self.as_of, self.project, datetime.now(UTC))  # the one wall-clock read


def _root(ctx: click.Context, project_dir: Path | None) -> Path:
    obj = ctx.find_root().obj or {}
    return Path(project_dir or obj.get("project_dir") or Path.cwd())


def _loaded(ctx: click.Context) -> Project:
    """The project as digest.toml says (no override), loaded once per command."""
    if _PROJECT not in ctx.meta:
        params = ctx.params  # -v/-q/--json come first, so they are known by now
        setup_logging(
            params.get("verbose", 0), params.get("quiet", False), params.get("as_json", False)
        )
        ctx.meta[_PROJECT] = load_project(_root(ctx, params.get("project_dir")))
    project: Project = ctx.meta[_PROJECT]
    return project


def _default_map(
    names: tuple[str, ...],
) -> Callable[[click.Context, click.Parameter, Path | None], Path | None]:
    """The eager --project callback: digest.toml's values become the defaults of `names`,
    read when click first needs one (so `--help` and given options never load it)."""

    def callback(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        def setting(name: str) -> Any:
            return SETTINGS[name](_loaded(ctx))

        if names:
            lazy = {n: functools.partial(setting, n) for n in names}
            ctx.default_map = {**(ctx.default_map or {}), **lazy}
        return value

    return callback


def session(
    *,
    clock: bool = False,
    settings: tuple[str, ...] = (),
    load: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a command body `f(s: Session, **its own options)`. Adds --project, --json, -v
    and -q (and --as-of/--days with `clock`), takes the defaults of `settings` (names in
    SETTINGS) from digest.toml, loads the project (unless `load` is False: then on first
    use) and reads the clock before the body runs."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            output = Output(kwargs.pop("as_json"), kwargs.pop("quiet"), kwargs.pop("verbose"))
            setup_logging(output.verbose, output.quiet, output.as_json)
            root = _root(ctx, kwargs.pop("project_dir"))
            overrides = Overrides(
                days=kwargs.pop("days", None),
                template=kwargs.pop("template", None),
                esp=kwargs.pop("esp", None),
            )
            s = Session(
                root,
                output,
                as_of=kwargs.pop("as_of", None),
                overrides=overrides,
                loaded=ctx.meta.get(_PROJECT),
            )
            if load:
                s.project  # noqa: B018 - a broken digest.toml stops the run here
            if clock:
                s.now  # noqa: B018 - so does a bad --as-of
            return func(s, *args, **kwargs)

        if clock:
            run = clock_options(run)
        return project_options(run, callback=_default_map(settings))

    return decorate


def project_options(
    func: F, callback: Callable[[click.Context, click.Parameter, Any], Any] | None = None
) -> F:
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
        is_eager=True,
        callback=callback,
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


def issue_id_param(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback for --issue-id: the library's rule (digest.ids), as a usage error."""
    from ..ids import ISSUE_ID_RULE, is_issue_id

    if value is not None and not is_issue_id(value):
        raise click.BadParameter(ISSUE_ID_RULE, param_hint="--issue-id")
    return value


def force_clock_option(func: F) -> F:
    """--force-clock: run even though the clock is earlier than the store's last fetch."""
    return click.option(
        "--force-clock",
        is_flag=True,
        help="Run even though the clock (or --as-of) is earlier than the store's last "
        "fetch; by default digest refuses, so a wrong clock cannot date entries in the past.",
    )(func)


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
