"""The fetch stage's runner: every feed fetched, parsed and stored (reader's ``_update``).

:func:`run_fetch` wires three parts that each do one thing: :mod:`digest.fetch` does the
I/O, :mod:`digest.isolate` parses each document in a worker as soon as it arrives, and for
each feed the pure :func:`digest.feedupdate.decide` says what changes, which the store
applies as it is. A feed that fails to fetch or parse is reported and skipped; the others
are stored.

Decided updates are committed in batches (:class:`_Batches`): whole feeds per transaction,
one commit when a batch is :data:`BATCH_SECONDS` old or holds :data:`BATCH_ENTRIES` entries
(checked as each feed is added), and one at the end of the run. One commit per feed cost a
WAL fsync per feed (about 100 of them for a warm run of 100 feeds, all answering 304).
Each commit leaves a consistent store; a run killed between commits loses only the fetch
state of the feeds it had not committed yet, which still hold their previous validators,
so the next run fetches them again. The store keeps ``synchronous=FULL``: fewer commits
cost less than a weaker guarantee.

`digest fetch` (often run by cron) imports this module and not :mod:`digest.pipeline`, so
it starts without the curation, composing and rendering stages (tests/test_fetch.py pins
what it loads).
"""

from __future__ import annotations

import logging
import time
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
    from .feedupdate import FeedUpdate
    from .store import Store, StoredCounts

log = logging.getLogger(__name__)
__all__ = ["run_fetch"]

BATCH_SECONDS = 1.0  # a run killed mid-way redoes at most about this much of its work
BATCH_ENTRIES = 2000  # and never holds more parsed entries than this waiting for a commit


def run_fetch(
    project: Project,
    store: Store,
    now: datetime,
    progress: Callable[[Fetched], None] | None = None,
    unconditional: bool = False,
    allow_past_clock: bool = False,
    since: datetime | None = None,
) -> tuple[FeedReport, ...]:
    """Fetch every feed, parse each in a worker as soon as it arrives, store the feeds in
    batched transactions (whole feeds in each), and prune entries past the retention
    period. A clock earlier than the store's last fetch is refused first (ClockError)
    unless allowed. `since` makes it a backfill: every document is asked for whole
    (`unconditional`), and nothing from `since` on is pruned."""
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
    batches = _Batches(store)
    fetched_by_url: dict[str, Fetched] = {}
    with ParserPool(limits) as pool:
        if any(_expects_body(states.get(f.url)) for f in project.feeds):
            pool.start()

        def store_parsed(outcomes: Iterable[tuple[str, Outcome]]) -> None:
            for url, outcome in outcomes:
                batches.add(_decide(store, fetched_by_url[url], outcome, now, stored.get(url)))

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
        if fetched.source.url not in batches.urls:
            old = stored.get(fetched.source.url)
            batches.add(_decide(store, fetched, None, now, old))
    reports = batches.commit()
    pruned = store.prune(now, project.retention_days)
    if pruned:
        log.info("pruned %d entries older than %d days", pruned, project.retention_days)
    return tuple(reports[f.source.url] for f in results)


def _expects_body(state: FeedState | None) -> bool:
    """A feed never fetched, or without validators, will send a full document."""
    return state is None or not (state.etag or state.last_modified)


def _decide(
    store: Store, fetched: Fetched, parsed: Outcome | None, now: datetime, old: FeedState | None
) -> tuple[FeedUpdate, Outcome | None]:
    """Decide one feed's update (digest.feedupdate) against what the run started with."""
    url = fetched.source.url
    dates = store.stored_dates(url, undated_ids(parsed))  # no query without undated entries
    return decide(fetched, parsed, old, now, stored_dates=dates), parsed


class _Batches:
    """Decided updates waiting for their transaction, committed whole feeds at a time
    (see the module docstring); the reports of all committed feeds, by URL."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.urls: set[str] = set()  # every feed added, committed or not
        self.reports: dict[str, FeedReport] = {}
        self.pending: list[tuple[FeedUpdate, Outcome | None]] = []
        self.entries = 0
        self.started = 0.0

    def add(self, decided: tuple[FeedUpdate, Outcome | None]) -> None:
        if not self.pending:
            self.started = time.monotonic()
        self.pending.append(decided)
        self.urls.add(decided[0].url)
        self.entries += len(decided[0].entries)
        if self.entries >= BATCH_ENTRIES or time.monotonic() - self.started >= BATCH_SECONDS:
            self.commit()

    def commit(self) -> dict[str, FeedReport]:
        """Write what is pending in one transaction, then report on each of its feeds."""
        pending, self.pending, self.entries = self.pending, [], 0
        counts = self.store.apply_all([update for update, _ in pending]) if pending else []
        for (update, parsed), count in zip(pending, counts, strict=True):
            self.reports[update.url] = _report(update, parsed, count)
        return self.reports


def _report(update: FeedUpdate, parsed: Outcome | None, counts: StoredCounts) -> FeedReport:
    """Log what went wrong with one stored feed, and report on it."""
    if isinstance(parsed, ParseError):
        log.warning("%s", parsed)
    elif update.status is FetchStatus.FAILED:
        log.warning("%s: %s", update.url, update.error)
    for warning in update.warnings:
        log.info("%s: %s", update.url, warning)
    return update.report(new=counts.new, updated=counts.updated)
