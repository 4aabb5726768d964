"""The store's schema: its migrations, its mark, and opening the file with them applied.

The schema is versioned with ``PRAGMA user_version`` (one number per migration) and marked
with an application id, so digest refuses to write into some other program's database.
WAL journal with ``synchronous=FULL``; every write is one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreError
from .dbfile import CHECK_HINT, DAMAGED, code_of, connect, store_error

__all__ = ["APPLICATION_ID", "BUSY_TIMEOUT_MS", "MIGRATIONS", "Connection"]

log = logging.getLogger("digest.store")

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
    # (digest.store.curation reads and writes them for digest.curate)
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
    # 4: the editors' labels name the story's feed and the kind its draft gave it
    # (curate.editors learns what they teach about each feed)
    """
    ALTER TABLE editor_labels ADD COLUMN feed_url TEXT NOT NULL DEFAULT '';
    ALTER TABLE editor_labels ADD COLUMN feed_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE editor_labels ADD COLUMN drafted TEXT NOT NULL DEFAULT ''
    """,
)


class Connection:
    """An open state file with its schema brought up to date; the table families
    (digest.store.feeds, .entries, .issues, .curation) add their methods to it. Every
    SQLite failure is a StoreError saying what to do (see digest.store.dbfile). `readonly`
    never writes: it opens the file read-only (an empty in-memory store when there is none
    yet)."""

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


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
