"""The `digest` command line: parses options, calls the library, reports.

Expected failures are `DigestError`s, turned here into a one-paragraph message on stderr
and an exit code; tracebacks only appear with `-v -v`.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, pipeline
from .config import Project, load_project
from .errors import EXIT_EMPTY, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, DigestError
from .models import Candidate, FeedReport, Fetched
from .publish import feed_record, item_record
from .store import Store

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("digest")

EXIT_CODES_HELP = """
\b
Exit codes:
  0  a draft was written
  1  nothing could be published (see the error)
  2  usage or configuration error
  3  nothing in the window: no draft written (see --allow-empty)
  4  a draft was written but some feeds failed (named on stderr)
"""


class _Group(click.Group):
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


def _setup_logging(verbose: int, quiet: bool, as_json: bool) -> None:
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


def _project(ctx: click.Context, project_dir: Path | None, days: int | None = None) -> Project:
    root = project_dir or ctx.obj.get("project_dir") or Path.cwd()
    return load_project(Path(root), window_days=days)


def _now(project: Project, as_of: str | None) -> datetime:
    return pipeline.parse_as_of(as_of, project, datetime.now(UTC))  # the one wall-clock read


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


def _progress(enabled: bool, total: int) -> tuple[Callable[[Fetched], None] | None, Any]:
    if not enabled or total == 0 or not sys.stderr.isatty():
        return None, None
    bar = click.progressbar(
        length=total,
        label="Fetching feeds",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda s: s,
    )
    bar.__enter__()

    def tick(result: Fetched) -> None:
        bar.update(1, result.source.name)

    return tick, bar


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
@click.option(
    "--project",
    "-p",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Newsletter project folder (default: the current directory).",
)
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None) -> None:
    """digest: turn your organisation's news feeds into a ready-to-send newsletter.

    It fetches RSS/Atom feeds into a local store, ranks good news and year-end messages
    first (saying why), and writes responsive HTML, plain text, an .eml and a manifest
    into out/<issue-id>/.

    \b
    Example:
      digest init my-newsletter --samples
      cd my-newsletter && digest build
    """
    ctx.ensure_object(dict)
    ctx.obj["project_dir"] = project_dir


@cli.command(epilog=EXIT_CODES_HELP)
@project_options
@clock_options
@click.option(
    "--issue-id",
    metavar="ID",
    help="Issue id and folder name (default: the ISO week of --as-of, e.g. 2025-W51).",
)
@click.option("--offline", is_flag=True, help="Do not fetch; build from what the store holds.")
@click.option(
    "--language",
    metavar="LANG",
    help="Build the issue in this language (default: language in digest.toml).",
)
@click.option("--allow-empty", is_flag=True, help="Write a draft even when no entry qualifies.")
@click.pass_context
def build(
    ctx: click.Context,
    project_dir: Path | None,
    as_json: bool,
    verbose: int,
    quiet: bool,
    as_of: str | None,
    days: int | None,
    issue_id: str | None,
    offline: bool,
    language: str | None,
    allow_empty: bool,
) -> None:
    """Fetch feeds, pick the stories and write the issue into out/<issue-id>/.

    Writes newsletter.html (CSS inlined), newsletter.txt, newsletter.eml
    (multipart/alternative, text first) and manifest.json (items, reasons, feed status).

    \b
    Examples:
      digest build
      digest build --as-of 2025-12-19 --days 14
      digest build --offline --issue-id december-special --json
    """
    _setup_logging(verbose, quiet, as_json)
    project = _project(ctx, project_dir, days)
    now = _now(project, as_of)
    issue_id = issue_id or pipeline.default_issue_id(now)
    _check_issue_id(issue_id)
    tick, bar = _progress(not (quiet or as_json or offline), len(project.feeds))
    try:
        result = pipeline.build(
            project,
            now,
            offline=offline,
            issue_id=issue_id,
            language=language,
            progress=tick,
            allow_empty=allow_empty,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    failed = [f for f in result.fetched if f.status == "failed"]
    code = EXIT_OK
    if result.out_dir is None:
        code = EXIT_EMPTY
    elif failed:
        code = EXIT_PARTIAL
    for f in failed:
        click.echo(f"digest: feed failed: {f.name} ({f.url}): {f.error}", err=True)
    if as_json:
        _emit_json(_build_json(project, result, code))
    elif not quiet:
        _print_build(project, result)
    ctx.exit(code)


def _check_issue_id(issue_id: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", issue_id):
        raise click.BadParameter(
            "use letters, digits, '.', '_' or '-' (max 64)", param_hint="--issue-id"
        )


def _build_json(project: Project, result: pipeline.BuildResult, code: int) -> dict[str, Any]:
    out = result.out_dir
    return {
        "status": {EXIT_OK: "written", EXIT_PARTIAL: "written_with_failures", EXIT_EMPTY: "empty"}[
            code
        ],
        "exit_code": code,
        "issue_id": result.issue.issue_id,
        "subject": result.issue.subject,
        "out_dir": str(out) if out else None,
        "files": result.files,
        "items": [item_record(c) for c in result.issue.items],
        "feeds": [_fetch_record(f) for f in result.fetched],
    }


def _fetch_record(f: FeedReport) -> dict[str, Any]:
    return {**feed_record(f), "new": f.new, "updated": f.updated}


def _print_build(project: Project, result: pipeline.BuildResult) -> None:
    _print_fetch(result.fetched)
    issue = result.issue
    if result.out_dir is None:
        click.echo(f"Nothing in the window for issue {issue.issue_id}: no draft written.")
        return
    rel = _rel(result.out_dir, project.root)
    click.echo(
        f"Built issue {issue.issue_id}: {len(issue.items)} items in "
        f"{len(issue.sections)} sections. Subject: {issue.subject}"
    )
    for name, size in result.files.items():
        click.echo(f"  {rel}/{name}  ({_size(size)})")


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


@cli.command()
@project_options
@clock_options
@click.pass_context
def fetch(
    ctx: click.Context,
    project_dir: Path | None,
    as_json: bool,
    verbose: int,
    quiet: bool,
    as_of: str | None,
    days: int | None,
) -> None:
    """Fetch every feed in feeds/feeds.toml into the store, without building an issue.

    Feeds are fetched concurrently, politely (conditional GET, Retry-After) and within
    time and size limits. A broken feed is reported and skipped; the others are stored.

    \b
    Examples:
      digest fetch
      digest fetch --json | jq '.feeds[] | select(.status == "failed")'
    """
    _setup_logging(verbose, quiet, as_json)
    project = _project(ctx, project_dir, days)
    now = _now(project, as_of)
    tick, bar = _progress(not (quiet or as_json), len(project.feeds))
    try:
        with Store(project.db_path) as store:
            reports = pipeline.run_fetch(project, store, now, tick)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    failed = [r for r in reports if r.status == "failed"]
    if as_json:
        _emit_json(
            {
                "feeds": [_fetch_record(r) for r in reports],
                "new": sum(r.new for r in reports),
                "failed": len(failed),
            }
        )
    elif not quiet:
        _print_fetch(reports)
    ctx.exit(EXIT_PARTIAL if failed else EXIT_OK)


_MARKS = {"ok": "✓", "not_modified": "·", "skipped": "-", "failed": "✗"}


def _print_fetch(reports: tuple[FeedReport, ...]) -> None:
    if not reports:
        return
    width = max(len(r.name) for r in reports)
    for r in reports:
        if r.status == "ok":
            detail = f"{r.entries} entries, {r.new} new"
        elif r.status == "not_modified":
            detail = "not modified"
        else:
            detail = f"{r.status}: {r.error}"
        click.echo(f"{_MARKS.get(r.status, '?')} {r.name.ljust(width)}  {detail}")


@cli.command()
@project_options
@clock_options
@click.option(
    "--issue-id",
    metavar="ID",
    help="Rank as for this issue (entries sent in other issues are left out).",
)
@click.option("--language", metavar="LANG", help="Rank for an issue in this language.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Show at most N candidates.")
@click.option(
    "--explain",
    metavar="KEY",
    help="Show the full breakdown for one candidate (its key or the start of it).",
)
@click.pass_context
def rank(
    ctx: click.Context,
    project_dir: Path | None,
    as_json: bool,
    verbose: int,
    quiet: bool,
    as_of: str | None,
    days: int | None,
    issue_id: str | None,
    language: str | None,
    limit: int | None,
    explain: str | None,
) -> None:
    """List every candidate in the window, best first, with where it lands and why.

    Reads the store only (run `digest fetch` or `digest build` first).

    \b
    Examples:
      digest rank --as-of 2025-12-19
      digest rank --limit 10 --json
      digest rank --explain 3f2a9c
    """
    _setup_logging(verbose, quiet, as_json)
    project = _project(ctx, project_dir, days)
    now = _now(project, as_of)
    issue_id = issue_id or pipeline.default_issue_id(now)
    with Store(project.db_path) as store:
        curated = pipeline.gather(project, store, now, issue_id=issue_id, language=language)
    candidates = list(curated.candidates)
    if explain:
        match = [c for c in candidates if c.entry.key.startswith(explain)]
        if len(match) != 1:
            what = "no candidate" if not match else f"{len(match)} candidates"
            raise DigestError(
                f"{what} with a key starting {explain!r} in this window",
                hint="run `digest rank` to see the keys",
            )
        candidates = match
    if limit:
        candidates = candidates[:limit]
    if as_json:
        _emit_json(
            {
                "issue_id": issue_id,
                "as_of": now.isoformat(timespec="seconds"),
                "candidates": [item_record(c) for c in candidates],
            }
        )
    elif explain:
        _print_explain(candidates[0])
    elif not quiet:
        _print_rank(candidates, len(curated.candidates))


def _print_rank(candidates: list[Candidate], total: int) -> None:
    if not candidates:
        click.echo("No entries in the window. Run `digest fetch`, or widen it with --days.")
        return
    term = _terminal_width()
    title_w = max(24, min(60, term - 62))
    click.echo(
        f"{'#':>3}  {'key':<10}  {'section':<10} {'score':>6}  {'title':<{title_w}}  "
        f"{'feed':<16}  why"
    )
    for c in candidates:
        where = c.section or "-"
        title = _clip(c.display_title, title_w)
        why = c.left_out or "; ".join(r.text for r in c.reasons[:2])
        click.echo(
            f"{c.rank:>3}  {c.entry.key:<10}  {where:<10} {c.score:>6.1f}  "
            f"{title:<{title_w}}  {_clip(c.entry.feed_name, 16):<16}  {why}"
        )
    if len(candidates) < total:
        click.echo(f"... {total - len(candidates)} more (use --limit)")


def _print_explain(c: Candidate) -> None:
    e = c.entry
    click.echo(f"{e.title}\n  key {e.key} · {e.feed_name} · {e.published:%Y-%m-%d %H:%M} UTC")
    click.echo(f"  {e.link or '(no link)'}")
    click.echo(f"  kind: {c.kind.replace('_', ' ')}   score: {c.score:.2f}   rank: {c.rank}")
    click.echo(f"  placed in: {c.section}" if c.section else f"  left out: {c.left_out}")
    if len(c.sources) > 1:
        click.echo(f"  sources: {', '.join(c.sources)}")
    click.echo("  score breakdown:")
    for r in c.reasons:
        click.echo(f"    {r.points:+6.2f}  {r.text}  [{r.signal}]")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="My Newsletter", show_default=True, help="Newsletter name.")
@click.option(
    "--sender",
    default="My Organisation <news@example.org>",
    show_default=True,
    help="From address of the issues.",
)
@click.option("--language", default="en", show_default=True, help="Language of the issues.")
@click.option(
    "--samples",
    is_flag=True,
    help="Also copy the bundled sample feeds and list "
    "them, so `digest build --as-of 2025-12-19` works at once.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing digest.toml and feeds.toml.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def init(
    directory: Path, name: str, sender: str, language: str, samples: bool, force: bool, quiet: bool
) -> None:
    """Create a newsletter project in DIRECTORY.

    Writes digest.toml, feeds/feeds.toml, templates/ (copies of the bundled ones to
    edit), out/ and a .gitignore. Refuses to overwrite an existing project without --force.

    \b
    Examples:
      digest init weekly-news --name "Rights Weekly" --sender "Rights <news@rights.example>"
      digest init demo --samples && digest --project demo build --as-of 2025-12-19
    """
    from .scaffold import create_project

    created = create_project(
        directory, name=name, sender=sender, language=language, samples=samples, force=force
    )
    if not quiet:
        click.echo(f"Created a digest project in {directory}:")
        for path in created:
            click.echo(f"  {path}")
        click.echo("Next: list your feeds in feeds/feeds.toml, then run `digest build`.")


def main() -> None:
    try:
        cli.main(prog_name="digest")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (EXIT_USAGE if e.code else EXIT_OK)
        sys.exit(code)
