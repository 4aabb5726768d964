"""The entries table: storing a feed's entries, and reading them back for curation."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..models import Entry
from .dbfile import guarded
from .format import CONTENT, content_values, dt, entries, iso
from .schema import Connection


class Entries(Connection):
    """Methods on the entries table (and the issue_entries that refer to it)."""

    @guarded
    def stored_dates(self, feed_url: str, entry_ids: Sequence[str]) -> dict[str, datetime]:
        """The stored dates of these entries of a feed (see digest.feedupdate.undated_ids)."""
        found: dict[str, datetime] = {}
        for chunk in chunks(list(entry_ids), 500):
            rows = self.db.execute(
                "SELECT entry_id, published FROM entries"
                f" WHERE feed_url = ? AND entry_id IN ({','.join('?' * len(chunk))})",
                [feed_url, *chunk],
            )
            for entry_id, published in rows:
                if (when := dt(published)) is not None:
                    found[entry_id] = when
        return found

    def _write_entries(
        self, db: sqlite3.Connection, batch: Sequence[Entry], now: datetime
    ) -> tuple[int, int]:
        """Insert new entries, rewrite changed ones, touch `last_seen` on the rest: one
        SELECT for the whole feed, then batched writes. `batch` has one entry per id, with
        the date to store (digest.feedupdate.decide). Returns (new, updated)."""
        if not batch:
            return 0, 0
        feed_url = batch[0].feed_url
        existing: dict[str, tuple[Any, ...]] = {}
        for chunk in chunks([e.entry_id for e in batch], 500):
            rows = db.execute(
                f"SELECT entry_id, {', '.join(CONTENT)} FROM entries"
                f" WHERE feed_url = ? AND entry_id IN ({','.join('?' * len(chunk))})",
                [feed_url, *chunk],
            )
            existing.update({r[0]: tuple(r[1:]) for r in rows})
        seen_at = iso(now)
        inserts, updates, touched = [], [], []
        for e in batch:
            old = existing.get(e.entry_id)
            values = content_values(e, e.published)
            if old is None:
                inserts.append(
                    (*values, e.key, e.feed_name, seen_at, seen_at, e.feed_url, e.entry_id)
                )
            elif values != old:
                updates.append((*values, e.key, e.feed_name, seen_at, e.feed_url, e.entry_id))
            else:
                touched.append((seen_at, e.feed_url, e.entry_id))
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
        return len(inserts), len(updates)

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
        for chunk in chunks(list(keys), 500):
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
        for chunk in chunks(list(keys), 500):
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


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
