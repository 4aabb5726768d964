"""The SQLite state file: feeds, entries, issues, and which entries went into which issue.

One file in the project. The schema is versioned with ``PRAGMA user_version`` and marked
with an application id, so digest refuses to write into some other program's database.
WAL journal with ``synchronous=FULL``; every write is one ``BEGIN IMMEDIATE`` transaction.
Times are stored as ISO 8601 UTC strings, which sort correctly.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .dbfile import CHECK_HINT, DAMAGED, code_of, connect, guarded, store_error
from .errors import StoreError
from .models import Entry, FeedState, Fetched, FetchStatus, ParsedFeed
from .storeformat import (
    CONTENT,
    content_values,
    dt,
    entries,
    iso,
    parse_json,
    parse_time,
)

__all__ = ["APPLICATION_ID", "MIGRATIONS", "Store", "StoredCounts"]

log = logging.getLogger(__name__)

APPLICATION_ID = 0x44474553  # "DGES"
BUSY_TIMEOUT_MS = 10_000

MIGRATIONS: tuple[str, ...] = (
    # 1: initial schema
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        title TEXT,
        link TEXT,
        etag TEXT,
        last_modified TEXT,
        last_fetch TEXT,
        last_success TEXT,
        last_error TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        next_retry TEXT,
        gone INTEGER NOT NULL DEFAULT 0,
        redirect_url TEXT
    );
    CREATE TABLE entries (
        feed_url TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE,
        entry_id TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        link TEXT,
        published TEXT NOT NULL,
        updated TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        dated INTEGER NOT NULL,
        author TEXT,
        summary_html TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        image TEXT,
        categories TEXT NOT NULL,
        language TEXT,
        feed_name TEXT NOT NULL,
        PRIMARY KEY (feed_url, entry_id)
    );
    CREATE INDEX entries_published ON entries(published);
    CREATE TABLE issues (
        issue_id TEXT PRIMARY KEY,
        built_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        subject TEXT NOT NULL,
        html_bytes INTEGER NOT NULL,
        manifest TEXT NOT NULL
    );
    CREATE TABLE issue_entries (
        issue_id TEXT NOT NULL REFERENCES issues(issue_id) ON DELETE CASCADE,
        entry_key TEXT NOT NULL,
        section TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (issue_id, entry_key)
    );
    CREATE INDEX issue_entries_key ON issue_entries(entry_key);
    """,
    # 2: history of builds and test sends
    """
    CREATE TABLE builds (
        issue_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        built_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        subject TEXT NOT NULL,
        html_bytes INTEGER NOT NULL,
        manifest TEXT NOT NULL,
        PRIMARY KEY (issue_id, n)
    );
    CREATE TABLE sends (
        issue_id TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        recipients INTEGER NOT NULL,
        server TEXT NOT NULL
    );
    """,
    # 3: curation: each entry's classifier features (a cache), the editors' labels
    # (read and written by digest.curate.cache and digest.curate.editors)
    """
    CREATE TABLE entry_features (
        entry_key TEXT PRIMARY KEY REFERENCES entries(key) ON DELETE CASCADE,
        version TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        buckets BLOB NOT NULL,
        weights BLOB NOT NULL
    );
    CREATE TABLE editor_labels (
        issue_id TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        action TEXT NOT NULL,
        kind TEXT NOT NULL,
        section TEXT,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        probabilities TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (issue_id, entry_key)
    );
    """,
)


@dataclass(frozen=True)
class StoredCounts:
    new: int
    updated: int
    failures: int = 0  # the feed's consecutive failed runs, this one included


class Store:
    """A connection to the state file. Use as a context manager. Every SQLite failure is
    a StoreError saying what to do (see digest.dbfile). `readonly` never writes: it opens
    the file read-only (an empty in-memory store when there is none yet)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        try:
            self.db = connect(path, timeout=BUSY_TIMEOUT_MS / 1000, readonly=readonly)
        except (sqlite3.Error, OSError) as e:
            raise store_error(e, path, "opening it") from e
        self.db.row_factory = sqlite3.Row
        self.skipped: list[str] = []  # stored entries that could not be read back (for editors)
        try:
            self._setup()
        except sqlite3.Error as e:
            self.db.close()
            if code_of(e) in DAMAGED:
                raise StoreError(
                    f"{path}: not a usable digest state file ({e})",
                    hint="if [store] path in digest.toml names the right file, it is damaged: "
                    + CHECK_HINT,
                ) from e
            raise store_error(e, path, "opening it") from e
        except StoreError:
            self.db.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _setup(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA foreign_keys = ON")
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and version != 0):
            raise StoreError(
                f"{self.path}: this file belongs to another program",
                hint="set [store] path in digest.toml to a new file",
            )
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: written by a newer digest (schema {version})", hint="upgrade digest"
            )
        if self.readonly and self.db.execute("PRAGMA database_list").fetchone()[2]:
            if version < len(MIGRATIONS):
                raise StoreError(
                    f"{self.path}: written by an older digest (schema {version})",
                    hint="run a command that writes (such as `digest fetch`) once to upgrade it",
                )
            return
        if version == 0:
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        for number in range(version, len(MIGRATIONS)):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: a second writer waits up front, then
        fails before changing anything); rolls back on any error, including a failed
        COMMIT (disk full)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise store_error(e, self.path, "starting to write") from e
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as e:
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    log.debug("rollback failed", exc_info=True)
            if isinstance(e, sqlite3.Error):
                raise store_error(e, self.path, "writing") from e
            raise

    @guarded
    def newest_fetch(self) -> datetime | None:
        """When digest last fetched a feed into this store (by the clock of that run)."""
        row = self.db.execute("SELECT MAX(last_fetch) FROM feeds").fetchone()
        return parse_time(row[0], self.path, "feeds.last_fetch")

    # -- feeds ---------------------------------------------------------------------------

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
            )
            for r in rows
        }

    @guarded
    def feed_health(self) -> dict[str, dict[str, Any]]:
        """Per feed URL: the stored state plus how many entries it has and since when."""
        rows = self.db.execute(
            "SELECT feeds.*, COUNT(entries.key) AS entry_count,"
            " MIN(entries.published) AS oldest, MAX(entries.published) AS newest"
            " FROM feeds LEFT JOIN entries ON entries.feed_url = feeds.url GROUP BY feeds.url"
        )
        return {r["url"]: dict(r) for r in rows}

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

    @guarded
    def record_fetch(
        self, fetched: Fetched, parsed: ParsedFeed | None, now: datetime, error: str | None = None
    ) -> StoredCounts:
        """Store one feed's outcome in one transaction: entries, then validators."""
        source = fetched.source
        with self.transaction() as db:
            db.execute(
                "INSERT INTO feeds (url, name) VALUES (?, ?) "
                "ON CONFLICT(url) DO UPDATE SET name = excluded.name",
                (source.url, source.name),
            )
            counts = StoredCounts(0, 0)
            if parsed is not None:
                counts = self._upsert_entries(db, parsed.entries, now)
                db.execute(
                    "UPDATE feeds SET title = ?, link = ? WHERE url = ?",
                    (parsed.title, parsed.link, source.url),
                )
            failed = error is not None or fetched.status is FetchStatus.FAILED
            if failed:
                db.execute(
                    "UPDATE feeds SET last_fetch = ?, last_error = ?, failures = failures + 1,"
                    " next_retry = ?, gone = ? WHERE url = ?",
                    (
                        iso(now),
                        error or fetched.error,
                        iso(fetched.retry_after),
                        int(fetched.gone),
                        source.url,
                    ),
                )
            elif fetched.status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED):
                # Validators advance only once the body parsed cleanly and is stored.
                keep_old = parsed is not None and parsed.bozo
                db.execute(
                    "UPDATE feeds SET last_fetch = ?, last_success = ?, last_error = NULL,"
                    " failures = 0, next_retry = NULL, gone = 0,"
                    " etag = CASE WHEN ? THEN etag ELSE ? END,"
                    " last_modified = CASE WHEN ? THEN last_modified ELSE ? END,"
                    " redirect_url = COALESCE(?, redirect_url) WHERE url = ?",
                    (
                        iso(now),
                        iso(now),
                        keep_old,
                        fetched.etag,
                        keep_old,
                        fetched.last_modified,
                        fetched.permanent_redirect,
                        source.url,
                    ),
                )
            (failures,) = db.execute(
                "SELECT failures FROM feeds WHERE url = ?", (source.url,)
            ).fetchone()
        return replace(counts, failures=failures)

    def _upsert_entries(
        self, db: sqlite3.Connection, entries: Sequence[Entry], now: datetime
    ) -> StoredCounts:
        """Insert new entries, rewrite changed ones, touch `last_seen` on the rest: one
        SELECT for the whole feed, then batched writes."""
        unique: dict[str, Entry] = {}
        for e in entries:  # duplicate guid inside one document: the first one wins
            unique.setdefault(e.entry_id, e)
        if not unique:
            return StoredCounts(0, 0)
        feed_url = next(iter(unique.values())).feed_url
        existing: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(list(unique), 500):
            rows = db.execute(
                f"SELECT entry_id, {', '.join(CONTENT)} FROM entries"
                f" WHERE feed_url = ? AND entry_id IN ({','.join('?' * len(chunk))})",
                [feed_url, *chunk],
            )
            existing.update({r[0]: tuple(r[1:]) for r in rows})
        seen_at = iso(now)
        inserts, updates, touched = [], [], []
        for entry_id, e in unique.items():
            old = existing.get(entry_id)
            published = e.published
            if old is not None and not e.dated:
                published = dt(old[CONTENT.index("published")]) or published  # first seen
            values = content_values(e, published)
            if old is None:
                inserts.append(
                    (*values, e.key, e.feed_name, seen_at, seen_at, e.feed_url, entry_id)
                )
            elif values != old:
                updates.append((*values, e.key, e.feed_name, seen_at, e.feed_url, entry_id))
            else:
                touched.append((seen_at, e.feed_url, entry_id))
        assignments = ", ".join(f"{c} = ?" for c in CONTENT)
        db.executemany(
            f"INSERT INTO entries ({', '.join(CONTENT)}, key, feed_name, first_seen, last_seen,"
            f" feed_url, entry_id) VALUES ({', '.join('?' * (len(CONTENT) + 6))})",
            inserts,
        )
        db.executemany(
            f"UPDATE entries SET {assignments}, key = ?, feed_name = ?, last_seen = ?"
            " WHERE feed_url = ? AND entry_id = ?",
            updates,
        )
        db.executemany(
            "UPDATE entries SET last_seen = ? WHERE feed_url = ? AND entry_id = ?", touched
        )
        return StoredCounts(len(inserts), len(updates))

    # -- entries -------------------------------------------------------------------------

    @guarded
    def entries_between(
        self, start: datetime, end: datetime, feed_urls: Iterable[str] | None = None
    ) -> list[Entry]:
        """Entries published in [start, end], oldest first, ties by key (stable)."""
        sql = "SELECT * FROM entries WHERE published >= ? AND published <= ?"
        args: list[Any] = [iso(start), iso(end)]
        if feed_urls is not None:
            urls = list(feed_urls)
            sql += f" AND feed_url IN ({','.join('?' * len(urls))})"
            args += urls
        sql += " ORDER BY published, key"
        return list(entries(self.db.execute(sql, args), self.path, self.skipped))

    @guarded
    def sent_keys(
        self, keys: Sequence[str], *, excluding_issue: str, before: datetime
    ) -> dict[str, str]:
        """Which of these entries went into another issue built as of before `before`, and
        which one. Issues of the same day (drafts, experiments) do not count."""
        if not keys:
            return {}
        found: dict[str, str] = {}
        for chunk in _chunks(list(keys), 500):
            rows = self.db.execute(
                "SELECT ie.entry_key, MIN(ie.issue_id) AS issue_id FROM issue_entries ie"
                " JOIN issues i ON i.issue_id = ie.issue_id"
                f" WHERE ie.issue_id != ? AND i.as_of < ? AND ie.entry_key IN"
                f" ({','.join('?' * len(chunk))}) GROUP BY ie.entry_key",
                [excluding_issue, iso(before), *chunk],
            )
            found.update({r["entry_key"]: r["issue_id"] for r in rows})
        return found

    @guarded
    def keys_with_prefix(self, prefix: str) -> list[str]:
        """Entry keys starting with `prefix` (for abbreviated keys in edits)."""
        rows = self.db.execute(
            "SELECT key FROM entries WHERE key >= ? AND key < ? LIMIT 2",
            (prefix, prefix + "\uffff"),
        )
        return [r[0] for r in rows]

    @guarded
    def entries_by_keys(self, keys: Sequence[str]) -> list[Entry]:
        found: list[Entry] = []
        for chunk in _chunks(list(keys), 500):
            rows = self.db.execute(
                f"SELECT * FROM entries WHERE key IN ({','.join('?' * len(chunk))})"
                " ORDER BY published, key",
                chunk,
            )
            found.extend(entries(rows, self.path, self.skipped))
        return found

    @guarded
    def entry_mark(self) -> int:
        """A mark of what the store holds now: entries stored later have a higher rowid
        (entries are never vacuumed, so rowids only grow)."""
        return int(self.db.execute("SELECT COALESCE(MAX(rowid), 0) FROM entries").fetchone()[0])

    @guarded
    def entries_added_after(
        self, mark: int, start: datetime, end: datetime, *, feed_urls: Sequence[str]
    ) -> list[Entry]:
        """Entries published in [start, end] and stored after `mark` (see entry_mark)."""
        rows = self.db.execute(
            "SELECT * FROM entries WHERE rowid > ? AND published >= ? AND published <= ?"
            f" AND feed_url IN ({','.join('?' * len(feed_urls))}) ORDER BY published, key",
            [mark, iso(start), iso(end), *feed_urls],
        )
        return list(entries(rows, self.path, self.skipped))

    @guarded
    def search(self, text: str, *, feed_urls: Sequence[str], limit: int = 30) -> list[Entry]:
        """Entries whose title or excerpt contains `text` (any case), newest first."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            "SELECT * FROM entries WHERE (title LIKE ? ESCAPE '\\' OR excerpt LIKE ? ESCAPE '\\')"
            f" AND feed_url IN ({','.join('?' * len(feed_urls))})"
            " ORDER BY published DESC, key LIMIT ?",
            [pattern, pattern, *feed_urls, limit],
        )
        return list(entries(rows, self.path, self.skipped))

    @guarded
    def recent_sent(
        self, since: datetime, *, excluding_issue: str, before: datetime
    ) -> list[tuple[str, str, str]]:
        """(key, title, issue) of entries that went into issues built as of [since, before)."""
        rows = self.db.execute(
            "SELECT e.key, e.title, i.issue_id FROM issue_entries ie"
            " JOIN issues i ON i.issue_id = ie.issue_id JOIN entries e ON e.key = ie.entry_key"
            " WHERE i.as_of >= ? AND i.as_of < ? AND i.issue_id != ?"
            " ORDER BY i.as_of, ie.position",
            (iso(since), iso(before), excluding_issue),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    @guarded
    def prune(self, now: datetime, retention_days: int) -> int:
        """Delete entries older than the retention period, except those sent in an issue."""
        cutoff = iso(now - timedelta(days=retention_days))
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM entries WHERE published < ? AND last_seen < ?"
                " AND key NOT IN (SELECT entry_key FROM issue_entries)",
                (cutoff, cutoff),
            )
            return cur.rowcount

    # -- issues --------------------------------------------------------------------------

    @guarded
    def record_issue(
        self,
        issue_id: str,
        *,
        built_at: datetime,
        as_of: datetime,
        subject: str,
        html_bytes: int,
        manifest: dict[str, Any],
        placements: Sequence[tuple[str, str]],
        publish: Callable[[], None] | None = None,
    ) -> None:
        """Record that these entries went into this issue (replacing an earlier build).
        `publish` runs inside the transaction, after the writes and before the commit: the
        files of the issue are swapped in only once the store is sure to take the record
        (a locked store fails at BEGIN, before anything is replaced)."""
        with self.transaction() as db:
            db.execute("DELETE FROM issue_entries WHERE issue_id = ?", (issue_id,))
            db.execute(
                "INSERT INTO issues (issue_id, built_at, as_of, subject, html_bytes, manifest)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(issue_id) DO UPDATE SET"
                " built_at = excluded.built_at, as_of = excluded.as_of,"
                " subject = excluded.subject, html_bytes = excluded.html_bytes,"
                " manifest = excluded.manifest",
                (
                    issue_id,
                    iso(built_at),
                    iso(as_of),
                    subject,
                    html_bytes,
                    json.dumps(manifest, ensure_ascii=False, sort_keys=True),
                ),
            )
            previous = db.execute(
                "SELECT manifest FROM builds WHERE issue_id = ? ORDER BY n DESC LIMIT 1",
                (issue_id,),
            ).fetchone()
            record = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
            if previous is None or previous[0] != record:  # a rebuild that changed something
                db.execute(
                    "INSERT INTO builds (issue_id, n, built_at, as_of, subject, html_bytes,"
                    " manifest) SELECT ?, COALESCE(MAX(n), 0) + 1, ?, ?, ?, ?, ?"
                    " FROM builds WHERE issue_id = ?",
                    (issue_id, iso(built_at), iso(as_of), subject, html_bytes, record, issue_id),
                )
            db.executemany(
                "INSERT INTO issue_entries (issue_id, entry_key, section, position)"
                " VALUES (?, ?, ?, ?)",
                [(issue_id, key, section, i) for i, (key, section) in enumerate(placements)],
            )
            if publish is not None:
                publish()

    @guarded
    def issue_manifest(self, issue_id: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT manifest FROM issues WHERE issue_id = ?", (issue_id,)
        ).fetchone()
        manifest = (
            parse_json(row[0], self.path, f"manifest of issue {issue_id}", None) if row else None
        )
        return manifest if isinstance(manifest, dict) else None

    @guarded
    def issues(self) -> list[dict[str, Any]]:
        """Every issue, newest first, with its build count and test sends."""
        rows = self.db.execute(
            "SELECT i.issue_id, i.built_at, i.as_of, i.subject, i.html_bytes, i.manifest,"
            " (SELECT COUNT(*) FROM builds b WHERE b.issue_id = i.issue_id) AS builds,"
            " (SELECT COUNT(*) FROM sends s WHERE s.issue_id = i.issue_id) AS test_sends,"
            " (SELECT MAX(sent_at) FROM sends s WHERE s.issue_id = i.issue_id) AS last_sent"
            " FROM issues i ORDER BY i.as_of DESC, i.issue_id DESC"
        )
        return [dict(r) for r in rows]

    @guarded
    def builds(self, issue_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM builds WHERE issue_id = ? ORDER BY n", (issue_id,))
        return [
            {
                **dict(r),
                "manifest": parse_json(r["manifest"], self.path, "build manifest", {}) or {},
            }
            for r in rows
        ]

    @guarded
    def record_send(self, issue_id: str, sent_at: datetime, recipients: int, server: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sends (issue_id, sent_at, recipients, server) VALUES (?, ?, ?, ?)",
                (issue_id, iso(sent_at), recipients, server),
            )


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
