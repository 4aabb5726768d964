"""The feeds table: each feed's state between runs, written only as decided by
digest.feedupdate.decide (:meth:`Feeds.apply`), and its health for `digest feeds list`."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..models import FeedState
from .dbfile import guarded
from .entries import Entries
from .format import dt, iso, parse_time

if TYPE_CHECKING:
    from ..errors import ParseError
    from ..feedupdate import FeedUpdate
    from ..models import Fetched, ParsedFeed


@dataclass(frozen=True)
class StoredCounts:
    new: int
    updated: int
    failures: int = 0  # the feed's consecutive failed runs, this one included


@dataclass(frozen=True)
class FeedHealth:
    """A feed's stored state with how many entries it has and since when. Times are the
    stored ISO 8601 UTC strings, as `digest feeds list --json` prints them."""

    url: str
    entry_count: int = 0
    oldest: str | None = None
    newest: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    failures: int = 0
    next_retry: str | None = None
    gone: bool = False
    redirect_url: str | None = None


class Feeds(Entries):
    """Methods on the feeds table."""

    @guarded
    def newest_fetch(self) -> datetime | None:
        """When digest last fetched a feed into this store (by the clock of that run)."""
        row = self.db.execute("SELECT MAX(last_fetch) FROM feeds").fetchone()
        return parse_time(row[0], self.path, "feeds.last_fetch")

    @guarded
    def feed_states(self) -> dict[str, FeedState]:
        rows = self.db.execute("SELECT * FROM feeds").fetchall()
        return {
            r["url"]: FeedState(
                url=r["url"],
                etag=r["etag"],
                last_modified=r["last_modified"],
                last_success=dt(r["last_success"]),
                last_error=r["last_error"],
                failures=r["failures"] if isinstance(r["failures"], int) else 0,
                next_retry=dt(r["next_retry"]),
                gone=bool(r["gone"]),
                redirect_url=r["redirect_url"],
                last_fetch=dt(r["last_fetch"]),
            )
            for r in rows
        }

    @guarded
    def feed_health(self) -> dict[str, FeedHealth]:
        """Per feed URL: the stored state plus how many entries it has and since when."""
        rows = self.db.execute(
            "SELECT feeds.*, COUNT(entries.key) AS entry_count,"
            " MIN(entries.published) AS oldest, MAX(entries.published) AS newest"
            " FROM feeds LEFT JOIN entries ON entries.feed_url = feeds.url GROUP BY feeds.url"
        )
        return {
            r["url"]: FeedHealth(
                url=r["url"],
                entry_count=r["entry_count"],
                oldest=r["oldest"],
                newest=r["newest"],
                last_success=r["last_success"],
                last_error=r["last_error"],
                failures=r["failures"],
                next_retry=r["next_retry"],
                gone=bool(r["gone"]),
                redirect_url=r["redirect_url"],
            )
            for r in rows
        }

    @guarded
    def reset_feed(self, url: str) -> bool:
        """Forget a feed's failures, backoff and 'gone' mark (and its validators)."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE feeds SET failures = 0, next_retry = NULL, gone = 0, last_error = NULL,"
                " etag = NULL, last_modified = NULL, redirect_url = NULL WHERE url = ?",
                (url,),
            )
            return cur.rowcount > 0

    def apply(self, update: FeedUpdate) -> StoredCounts:
        """Write one feed's update in one transaction (see :meth:`apply_all`)."""
        return self.apply_all((update,))[0]

    @guarded
    def apply_all(self, updates: Sequence[FeedUpdate]) -> list[StoredCounts]:
        """Write several feeds' updates in one transaction: for each, its entries, then its
        state. The transaction holds whole feeds, so every commit leaves each feed either as
        it was or fully updated. Nothing is decided here (see digest.feedupdate); a skipped
        feed writes nothing, and a batch of skipped feeds opens no transaction."""
        if all(u.state is None for u in updates):
            return [StoredCounts(0, 0, u.failures) for u in updates]
        with self.transaction() as db:
            return [self._apply_one(db, u) for u in updates]

    def _apply_one(self, db: sqlite3.Connection, update: FeedUpdate) -> StoredCounts:
        state = update.state
        if state is None:
            return StoredCounts(0, 0, update.failures)
        db.execute(
            "INSERT INTO feeds (url, name) VALUES (?, ?) "
            "ON CONFLICT(url) DO UPDATE SET name = excluded.name",
            (update.url, update.name),
        )
        new = updated = 0
        if update.parsed and state.last_fetch is not None:
            new, updated = self._write_entries(db, update.entries, state.last_fetch)
            db.execute(
                "UPDATE feeds SET title = ?, link = ? WHERE url = ?",
                (update.title, update.link, update.url),
            )
        db.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, last_fetch = ?,"
            " last_success = ?, last_error = ?, failures = ?, next_retry = ?, gone = ?,"
            " redirect_url = ? WHERE url = ?",
            (
                state.etag,
                state.last_modified,
                iso(state.last_fetch),
                iso(state.last_success),
                state.last_error,
                state.failures,
                iso(state.next_retry),
                int(state.gone),
                state.redirect_url,
                update.url,
            ),
        )
        return StoredCounts(new, updated, state.failures)

    def record_fetch(
        self, fetched: Fetched, parsed: ParsedFeed | ParseError | None, now: datetime
    ) -> StoredCounts:
        """Decide and apply one feed's outcome against what the store holds now (for tools
        and tests; a run decides with the states it read before fetching)."""
        from ..feedupdate import decide, undated_ids  # not loaded by commands that only read

        url = fetched.source.url
        update = decide(
            fetched,
            parsed,
            self.feed_states().get(url),
            now,
            stored_dates=self.stored_dates(url, undated_ids(parsed)),
        )
        return self.apply(update)
