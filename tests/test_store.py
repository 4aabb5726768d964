"""The SQLite state file: schema versioning, ownership, idempotent upserts, retention."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.errors import StoreError
from digest.models import Entry, FeedSource, Fetched, FetchStatus, ParsedFeed
from digest.store import APPLICATION_ID, MIGRATIONS, Store

NOW = datetime(2025, 12, 19, 12, 0, tzinfo=UTC)
SOURCE = FeedSource("A", "https://example.org/feed")


def _entry(entry_id: str, *, days_ago: float = 1, title: str = "t", dated: bool = True) -> Entry:
    return Entry(
        feed_url=SOURCE.url,
        feed_name="A",
        entry_id=entry_id,
        title=title,
        link=f"https://example.org/{entry_id}",
        published=NOW - timedelta(days=days_ago),
        dated=dated,
    )


def _store(
    store: Store, *entries: Entry, now: datetime = NOW, bozo: bool = False, etag: str = '"1"'
):
    fetched = Fetched(SOURCE, FetchStatus.OK, body=b"x", etag=etag)
    return store.record_fetch(fetched, ParsedFeed(SOURCE, "A", None, entries, bozo=bozo), now)


def test_new_file_is_marked_and_versioned(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_refuses_another_programs_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="belongs to another program"):
        Store(path)


def test_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable digest state file"):
        Store(path)


def test_upsert_counts_and_duplicate_guids(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        counts = _store(store, _entry("a"), _entry("b"), _entry("a", title="dup"))
        assert (counts.new, counts.updated) == (2, 0)
        counts = _store(store, _entry("a", title="changed"), _entry("b"))
        assert (counts.new, counts.updated) == (0, 1)
        titles = [e.title for e in store.entries_between(NOW - timedelta(days=7), NOW)]
        assert sorted(titles) == ["changed", "t"]


def test_undated_entries_keep_their_first_seen_date(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        _store(store, _entry("u", days_ago=0, dated=False))
        later = NOW + timedelta(days=3)
        _store(store, Entry(**{**_entry("u", dated=False).__dict__, "published": later}), now=later)
        (entry,) = store.entries_between(NOW - timedelta(days=30), later)
        assert entry.published == NOW


def test_bozo_documents_do_not_advance_validators(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        _store(store, _entry("a"), etag='"good"')
        _store(store, _entry("b"), etag='"broken"', bozo=True)
        assert store.feed_states()[SOURCE.url].etag == '"good"'
        assert len(store.entries_between(NOW - timedelta(days=7), NOW)) == 2


def test_failures_are_counted_and_reset(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        failed = Fetched(SOURCE, FetchStatus.FAILED, error="HTTP 500")
        store.record_fetch(failed, None, NOW)
        store.record_fetch(failed, None, NOW)
        state = store.feed_states()[SOURCE.url]
        assert (state.failures, state.last_error) == (2, "HTTP 500")
        _store(store, _entry("a"))
        state = store.feed_states()[SOURCE.url]
        assert (state.failures, state.last_error, state.last_success) == (0, None, NOW)


def test_retention_keeps_what_went_into_an_issue(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        _store(
            store,
            _entry("old", days_ago=500),
            _entry("sent", days_ago=500),
            _entry("new", days_ago=1),
            now=NOW - timedelta(days=500),
        )
        store.record_issue(
            "2024-W31",
            built_at=NOW,
            as_of=NOW,
            subject="s",
            html_bytes=1,
            manifest={},
            placements=[(_entry("sent").key, "latest")],
        )
        assert store.prune(NOW, retention_days=400) == 1
        keys = {e.entry_id for e in store.entries_between(NOW - timedelta(days=900), NOW)}
        assert keys == {"sent", "new"}
        assert store.sent_keys(
            [_entry("sent").key], excluding_issue="x", before=NOW + timedelta(days=1)
        ) == {_entry("sent").key: "2024-W31"}


def test_every_public_method_turns_sqlite_errors_into_store_errors(tmp_path: Path) -> None:
    """No SQLite error escapes: a closed connection fails every call with a StoreError."""
    from digest.feedupdate import decide
    from digest.store import FeatureRow, LabelRow

    fetched = Fetched(SOURCE, FetchStatus.OK, body=b"x")
    doc = ParsedFeed(SOURCE, "A", None, (_entry("a"),))
    calls = {
        "newest_fetch": (),
        "feed_states": (),
        "feed_health": (),
        "reset_feed": (SOURCE.url,),
        "apply": (decide(fetched, doc, None, NOW),),
        "apply_all": ([decide(fetched, doc, None, NOW)],),
        "record_fetch": (fetched, doc, NOW),
        "stored_dates": (SOURCE.url, ["a"]),
        "entries_between": (NOW, NOW),
        "sent_keys": (["k"],),
        "keys_with_prefix": ("k",),
        "entries_by_keys": (["k"],),
        "entry_mark": (),
        "entries_added_after": (0, NOW, NOW),
        "search": ("x",),
        "recent_sent": (NOW,),
        "prune": (NOW, 30),
        "record_issue": ("2025-W51",),
        "issue_manifest": ("2025-W51",),
        "issues": (),
        "builds": ("2025-W51",),
        "record_send": ("2025-W51", NOW, 1, "localhost"),
        "features": (["k"], "v1"),
        "save_features": ([FeatureRow("k", "h", b"", b"")], "v1"),
        "save_labels": ("2025-W51", [LabelRow("2025-W51", "k", "pin", "other", None, "t")], "x"),
        "labels": (),
    }
    keywords = {
        "sent_keys": {"excluding_issue": "x", "before": NOW},
        "entries_added_after": {"feed_urls": [SOURCE.url]},
        "search": {"feed_urls": [SOURCE.url]},
        "recent_sent": {"excluding_issue": "x", "before": NOW},
        "labels": {"excluding_issue": "x"},
        "record_issue": {
            "built_at": NOW,
            "as_of": NOW,
            "subject": "s",
            "html_bytes": 1,
            "manifest": {},
            "placements": [],
        },
    }
    public = {
        name for name in dir(Store) if not name.startswith("_") and callable(getattr(Store, name))
    } - {"close", "transaction"}
    assert public == set(calls), "a new Store method needs a line here"
    store = Store(tmp_path / "s.sqlite3")
    store.db.close()
    for name, args in calls.items():
        with pytest.raises(StoreError, match=r"s\.sqlite3"):
            getattr(store, name)(*args, **keywords.get(name, {}))
