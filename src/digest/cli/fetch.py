"""`digest fetch`: every feed into the store, without building an issue.

Its own module, so that the command (often run by cron) imports only the fetch stage
(digest.update), never the pipeline, curation or rendering (tests/test_fetch.py pins it).
"""

from __future__ import annotations

import click

from ..clock import parse_since
from ..errors import EXIT_OK, EXIT_PARTIAL
from ..lock import project_lock
from ..store import Store
from ..update import run_fetch
from .common import Session, fetch_record, print_fetch, progress, session


@click.command()
@session(clock=True, settings=("days",))
@click.option(
    "--since",
    metavar="DATE",
    help="Backfill: fetch every feed whole (no "
    "conditional GET), keep entries from DATE on, and say how far back each feed "
    "reaches.",
)
@click.option(
    "--force-clock",
    "--force",
    "force_clock",
    is_flag=True,
    help="Fetch even though the clock (or --as-of) is earlier than the store's last fetch; "
    "by default digest refuses, so a wrong clock cannot date entries in the past.",
)
def fetch(s: Session, since: str | None, force_clock: bool) -> None:
    """Fetch every feed in feeds/feeds.toml into the store, without building an issue.

    Feeds are fetched concurrently, politely (conditional GET, Retry-After) and within
    time and size limits. A broken feed is reported and skipped; the others are stored.

    \b
    Examples:
      digest fetch
      digest fetch --json | jq '.feeds[] | select(.status == "failed")'
      digest fetch --since 2025-01-01      # before a first year-end issue
    """
    project, now = s.project, s.now
    start = parse_since(since, project, now) if since else None
    with (
        progress(s.output.human, len(project.feeds)) as tick,
        project_lock(project.root),
        Store(project.db_path) as store,
    ):
        reports = run_fetch(project, store, now, tick, since=start, allow_past_clock=force_clock)
    failed = [r for r in reports if r.status == "failed"]
    if s.output.as_json:
        s.output.emit(
            {
                "feeds": [fetch_record(r) for r in reports],
                "new": sum(r.new for r in reports),
                "failed": len(failed),
            }
        )
    elif s.output.human:
        print_fetch(reports)
        if since:
            for r in reports:
                if r.status == "ok":
                    reach = f"back to {r.oldest:%Y-%m-%d}" if r.oldest else "no dated entries"
                    click.echo(f"  {r.name}: {reach}")
    click.get_current_context().exit(EXIT_PARTIAL if failed else EXIT_OK)
