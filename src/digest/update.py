"""The fetch stage's runner: every feed fetched, parsed and stored (reader's ``_update``).

:func:`run_fetch` wires three parts that each do one thing: :mod:`digest.fetch` does the
I/O, :mod:`digest.isolate` parses each document in a worker as soon as it arrives, and for
each feed the pure :func:`digest.feedupdate.decide` says what changes, which the store
applies as it is, in the feed's own transaction. A feed that fails to fetch or parse is
reported and skipped; the others are stored.

`digest fetch` (often run by cron) imports this module and not :mod:`digest.pipeline`, so
it starts without the curation, composing and rendering stages (tests/test_fetch.py pins
what it loads).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from .clock import check_clock
from .errors import ParseError
from .feedupdate import decide, undated_ids
from .fetch import fetch_feeds
from .isolate import Limits, Outcome, ParserPool
from .models import FeedReport, FeedState, Fetched, FetchStatus

if TYPE_CHECKING:
    from .config import Project
    from .store import Store

log = logging.getLogger(__name__)
__all__ = ["run_fetch"]


def run_fetch(
    project: Project,
    store: Store,
    now: datetime,
    progress: Callable[[Fetched], None] | None = None,
    unconditional: bool = False,
    allow_past_clock: bool = False,
    since: datetime | None = None,
) -> tuple[FeedReport, ...]:
    """Fetch every feed, parse each in a worker as soon as it arrives, then store each
    feed in its own transaction and prune entries past the retention period. A clock
    earlier than the store's last fetch is refused first (ClockError) unless allowed.
    `since` makes it a backfill: every document is asked for whole (`unconditional`),
    and nothing from `since` on is pruned."""
    if not allow_past_clock:
        check_clock(store, now)
    if since is not None:
        unconditional = True
        keep = max(project.retention_days, (now - since).days + 1)
        project = replace(project, retention_days=keep)
    stored = states = store.feed_states()
    if unconditional:  # a backfill: ask for every document whole, whatever we hold
        states = {url: replace(st, etag=None, last_modified=None) for url, st in stored.items()}
    settings = project.fetch
    limits = Limits(
        memory_bytes=settings.parse_memory_mb * 1024 * 1024, cpu_seconds=settings.parse_seconds
    )
    reports: dict[str, FeedReport] = {}
    fetched_by_url: dict[str, Fetched] = {}
    with ParserPool(limits) as pool:
        if any(_expects_body(states.get(f.url)) for f in project.feeds):
            pool.start()

        def store_parsed(outcomes: Iterable[tuple[str, Outcome]]) -> None:
            for url, outcome in outcomes:
                reports[url] = _store_one(store, fetched_by_url[url], outcome, now, stored.get(url))

        def arrived(fetched: Fetched) -> None:
            fetched_by_url[fetched.source.url] = replace(fetched, body=None)
            if fetched.status is FetchStatus.OK:
                pool.submit(fetched, now)
            store_parsed(pool.ready())  # store what is parsed while downloads go on
            if progress is not None:
                progress(fetched)

        results = fetch_feeds(
            project.feeds,
            states,
            root=project.root,
            settings=settings,
            now=now,
            progress=arrived,
            keep_bodies=False,
        )
        store_parsed(pool.collect())
    for fetched in results:
        if fetched.source.url not in reports:
            old = stored.get(fetched.source.url)
            reports[fetched.source.url] = _store_one(store, fetched, None, now, old)
    pruned = store.prune(now, project.retention_days)
    if pruned:
        log.info("pruned %d entries older than %d days", pruned, project.retention_days)
    return tuple(reports[f.source.url] for f in results)


def _expects_body(state: FeedState | None) -> bool:
    """A feed never fetched, or without validators, will send a full document."""
    return state is None or not (state.etag or state.last_modified)


def _store_one(
    store: Store, fetched: Fetched, parsed: Outcome | None, now: datetime, old: FeedState | None
) -> FeedReport:
    """Decide one feed's update (digest.feedupdate), store it, and report it."""
    url = fetched.source.url
    dates = store.stored_dates(url, undated_ids(parsed))  # no query without undated entries
    update = decide(fetched, parsed, old, now, stored_dates=dates)
    counts = store.apply(update)
    if isinstance(parsed, ParseError):
        log.warning("%s", parsed)
    elif update.status is FetchStatus.FAILED:
        log.warning("%s: %s", url, update.error)
    for warning in update.warnings:
        log.info("%s: %s", url, warning)
    return update.report(new=counts.new, updated=counts.updated)
