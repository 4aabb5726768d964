"""`digest store check` and `digest store recover`: look into a store that may be damaged,
and copy what is readable out of it. Neither ever changes the file it reads: the history in
a damaged store is worth more than a fresh start, so nothing here deletes or moves it.

``check`` runs SQLite's integrity and foreign-key checks, reads the schema version, counts
each table's rows and decodes every stored value digest relies on (ISO times, JSON images,
categories and manifests). ``recover`` copies the store table by table, row by row in rowid
order: when a page cannot be read it probes past it, so every readable row is kept; values
that cannot be decoded are repaired (dropped) or their row skipped, and the new file is a
sound store beside the old one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import StoreError
from . import Store
from .dbfile import connect, folder_error, store_error
from .format import DAMAGED_JSON
from .schema import APPLICATION_ID, BUSY_TIMEOUT_MS, MIGRATIONS

TABLES = ("feeds", "entries", "issues", "builds", "issue_entries", "sends")
# Recovered too, when the store has them (schema 3): the editors' labels are their
# decisions, never to be dropped. The classifier's feature cache is rebuilt, not copied.
_LATER = ("editor_labels",)
_TIMES = {
    "feeds": ("last_fetch", "last_success", "next_retry"),
    "entries": ("published", "updated", "first_seen", "last_seen"),
    "issues": ("built_at", "as_of"),
    "builds": ("built_at", "as_of"),
    "sends": ("sent_at",),
}
_JSON = {
    "entries": (("image", dict), ("categories", list)),
    "issues": (("manifest", dict),),
    "builds": (("manifest", dict),),
}
_REQUIRED_TIMES = {
    "entries": ("published",),
    "issues": ("built_at", "as_of"),
    "sends": ("sent_at",),
}
MAX_PROBLEMS = 50


@dataclass
class CheckReport:
    path: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int | None] = field(default_factory=dict)
    schema: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "schema": self.schema,
            "expected_schema": len(MIGRATIONS),
            "counts": self.counts,
            "problems": self.problems,
            "notes": self.notes,
        }


def check_store(path: Path) -> CheckReport:
    """Everything that is wrong with the store at `path` (read-only; never raises for damage,
    only when `path` is a folder)."""
    folder = folder_error(path)  # not damage: the settings name a folder
    if folder is not None:
        raise folder
    report = CheckReport(path)
    if not path.is_file():
        report.problem("there is no store file here")
        return report
    try:
        db = connect(path, timeout=BUSY_TIMEOUT_MS / 1000, readonly=True, salvage=True)
    except sqlite3.Error as e:
        report.problem(f"cannot open it: {e}")
        return report
    try:
        _check(db, report)
    finally:
        db.close()
    return report


def _check(db: sqlite3.Connection, report: CheckReport) -> None:
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        report.schema = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as e:
        report.problem(f"not a readable SQLite database: {e}")
        return
    if app_id != APPLICATION_ID:
        report.problem("this file is not a digest store (another program's database?)")
        return
    if report.schema is not None and report.schema > len(MIGRATIONS):
        report.problem(f"written by a newer digest (schema {report.schema}): upgrade digest")
    elif report.schema != len(MIGRATIONS):
        report.notes.append(f"schema {report.schema}: the next run that writes upgrades it")
    try:
        for (line,) in db.execute("PRAGMA integrity_check(20)"):
            if line != "ok":
                report.problem(f"integrity: {line}")
    except sqlite3.Error as e:
        report.problem(f"integrity check failed: {e}")
    try:
        broken: dict[str, int] = {}
        for row in db.execute("PRAGMA foreign_key_check"):
            broken[row[0]] = broken.get(row[0], 0) + 1
        for table, n in sorted(broken.items()):
            report.problem(f"{table}: {n} row(s) point at a missing parent row")
    except sqlite3.Error as e:
        report.problem(f"foreign key check failed: {e}")
    for table in TABLES:
        try:
            report.counts[table] = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        except sqlite3.Error as e:
            report.counts[table] = None
            report.problem(f"{table}: cannot be counted ({e})")
            continue
        _check_values(db, table, report)


def _check_values(db: sqlite3.Connection, table: str, report: CheckReport) -> None:
    """Decode every time and JSON value digest reads back from this table."""
    columns = [*_TIMES.get(table, ()), *(c for c, _ in _JSON.get(table, ()))]
    if not columns:
        return
    key = "key" if table == "entries" else "url" if table == "feeds" else "rowid"
    bad = 0
    example = ""
    try:
        for row in db.execute(f"SELECT {key}, {', '.join(columns)} FROM {table}"):
            problem = _row_problem(table, dict(zip(columns, row[1:], strict=True)))
            if problem:
                bad += 1
                example = example or f"{key} {row[0]}: {problem}"
    except sqlite3.Error as e:
        report.problem(f"{table}: reading stopped on damaged data ({e})")
    if bad:
        report.problem(f"{table}: {bad} row(s) with damaged values (first: {example})")


def _row_problem(table: str, row: dict[str, Any]) -> str | None:
    for column in _TIMES.get(table, ()):
        value = row.get(column)
        if value is None and column not in _REQUIRED_TIMES.get(table, ()):
            continue
        if not _is_time(value):
            return f"{column} {value!r:.40} is not an ISO time"
    for column, kind in _JSON.get(table, ()):
        value = row.get(column)
        if value is None and column == "image":
            continue
        if not isinstance(value, str):
            return f"{column} is not text"
        try:
            if not isinstance(json.loads(value), kind):
                return f"{column} is not a JSON {kind.__name__}"
        except DAMAGED_JSON:
            return f"{column} {value!r:.40} is not valid JSON"
    return None


def _is_time(value: Any) -> bool:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


# -- recover ------------------------------------------------------------------------------


@dataclass
class RecoverReport:
    source: Path
    target: Path
    copied: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    repaired: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)  # pages or rows SQLite refused

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "target": str(self.target),
            "copied": self.copied,
            "skipped": self.skipped,
            "repaired": self.repaired,
            "unreadable": self.unreadable,
        }


def recovery_path(path: Path) -> Path:
    """digest.sqlite3 -> digest.recovered.sqlite3 (then -2, -3... if that exists)."""
    for n in range(1, 1000):
        suffix = "" if n == 1 else f"-{n}"
        candidate = path.with_name(f"{path.stem}.recovered{suffix}{path.suffix}")
        if not any(Path(f"{candidate}{x}").exists() for x in ("", "-wal", "-shm")):
            return candidate
    raise StoreError(f"{path.parent}: too many recovered stores; remove some first")


def recover_store(path: Path, target: Path | None = None) -> RecoverReport:
    """Copy every readable row of the store at `path` into a new store (never changes
    `path`)."""
    folder = folder_error(path)
    if folder is not None:
        raise folder
    if not path.is_file():
        raise StoreError(f"{path}: there is no store file to recover")
    target = target or recovery_path(path)
    if target.exists():
        raise StoreError(f"{target} already exists", hint="choose another name with --to")
    report = RecoverReport(path, target)
    try:
        src = connect(path, timeout=BUSY_TIMEOUT_MS / 1000, readonly=True, salvage=True)
    except sqlite3.Error as e:
        raise store_error(e, path, "opening it for recovery") from e
    try:
        app_id = src.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.Error as e:
        src.close()
        raise StoreError(
            f"{path}: nothing in it can be read as an SQLite database ({e})",
            hint="restore it from a backup; the file is left as it is",
        ) from e
    if app_id != APPLICATION_ID:
        src.close()
        raise StoreError(f"{path}: not a digest store", hint="check [store] path in digest.toml")
    try:
        with Store(target) as dst, dst.transaction() as db:
            for table in (*TABLES, *_LATER):
                _copy_table(src, db, table, report)
    except BaseException:
        for suffix in ("", "-wal", "-shm"):  # only the new file we were writing
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        src.close()
    return report


def _copy_table(
    src: sqlite3.Connection, dst: sqlite3.Connection, table: str, report: RecoverReport
) -> None:
    wanted = [r[1] for r in dst.execute(f"PRAGMA table_info({table})")]
    try:
        have = {r[1] for r in src.execute(f"PRAGMA table_info({table})")}
    except sqlite3.Error:
        have = set()
    columns = [c for c in wanted if c in have]
    copied = skipped = repaired = 0
    unreadable = [0]
    if not columns:
        if table not in _LATER or _listed(src, table):
            report.unreadable[table] = 1  # (a store from before the table has none)
        return
    clean = _CLEANERS[table]
    insert = (
        f"INSERT OR IGNORE INTO {table} ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    for raw in _readable_rows(src, table, columns, unreadable):
        row = dict(zip(columns, raw, strict=True))
        fixed = clean(row, dst)
        if fixed is None:
            skipped += 1
            continue
        repaired += fixed != row
        dst.execute(insert, [fixed.get(c) for c in columns])
        copied += 1
    report.copied[table] = copied
    if skipped:
        report.skipped[table] = skipped
    if repaired:
        report.repaired[table] = repaired
    if unreadable[0]:
        report.unreadable[table] = unreadable[0]


def _listed(src: sqlite3.Connection, table: str) -> bool:
    """Whether the schema names the table (True when even that cannot be read)."""
    try:
        found = src.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    except sqlite3.Error:
        return True
    return found is not None


def _readable_rows(
    src: sqlite3.Connection, table: str, columns: list[str], unreadable: list[int]
) -> Iterator[tuple[Any, ...]]:
    """Rows in rowid order, stepping over what SQLite cannot read: after a batch fails, the
    next rows are read one at a time, each found by probing forward past the damage.
    Every step moves past the last rowid tried, so the walk always ends."""
    cols = ", ".join(columns)
    batch_sql = f"SELECT rowid, {cols} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 256"
    one_sql = f"SELECT rowid, {cols} FROM {table} WHERE rowid = ?"
    last = -(2**63)
    careful_until = last  # read row by row up to here (after a failed batch)
    while True:
        if last >= careful_until:
            try:
                batch = src.execute(batch_sql, (last,)).fetchall()
            except sqlite3.DatabaseError:
                careful_until = last + 256
                continue
            if not batch:
                return
            advanced = False
            for row in batch:  # a damaged page can repeat or reorder rowids: never go back
                if isinstance(row[0], int) and row[0] > last:
                    yield tuple(row[1:])
                    last, advanced = row[0], True
            if not advanced:
                unreadable[0] += 1
                careful_until = last + 256
            continue
        found, skipped = _probe(src, table, last)
        if skipped:
            unreadable[0] += 1
        if found is None:
            return
        try:
            row = src.execute(one_sql, (found,)).fetchone()
        except sqlite3.DatabaseError:
            row = None
            unreadable[0] += 1
        if row is not None:
            yield tuple(row[1:])
        last = found


def _probe(src: sqlite3.Connection, table: str, last: int) -> tuple[int | None, bool]:
    """The first rowid past `last` that can be found again, and whether damage had to be
    stepped over to find it."""
    step, skipped = 1, False
    while last + step < 2**63:
        try:
            row = src.execute(
                f"SELECT rowid FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1",
                (last + step,),
            ).fetchone()
            if row is None:
                return None, skipped
            if isinstance(row[0], int) and row[0] >= last + step:
                return row[0], skipped
        except sqlite3.DatabaseError:
            pass
        skipped = True
        step *= 2
    return None, skipped


# Per-table repairs: return the row to insert (possibly changed) or None to skip it.


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _time(value: Any) -> str | None:
    return value if _is_time(value) else None


def _json(value: Any, kind: type) -> str | None:
    try:
        return value if isinstance(json.loads(value), kind) else None
    except DAMAGED_JSON:
        return None


def _clean_feed(row: dict[str, Any], dst: sqlite3.Connection) -> dict[str, Any] | None:
    url = _text(row.get("url"))
    if not url:
        return None
    fixed = {**row, "url": url, "name": _text(row.get("name")) or url}
    for column in _TIMES["feeds"]:
        fixed[column] = _time(row.get(column))
    for column in ("failures", "gone"):
        fixed[column] = row.get(column) if isinstance(row.get(column), int) else 0
    return fixed


def _clean_entry(row: dict[str, Any], dst: sqlite3.Connection) -> dict[str, Any] | None:
    published = _time(row.get("published"))
    required = ("feed_url", "entry_id", "key", "title", "summary_html", "excerpt")
    if published is None or not all(_text(row.get(c)) is not None for c in required):
        return None
    fixed = {
        **row,
        "published": published,
        "updated": _time(row.get("updated")),
        "first_seen": _time(row.get("first_seen")) or published,
        "last_seen": _time(row.get("last_seen")) or published,
        "dated": row.get("dated") if isinstance(row.get("dated"), int) else 1,
        "image": _json(row.get("image"), dict),
        "categories": _json(row.get("categories"), list) or "[]",
        "feed_name": _text(row.get("feed_name")) or row["feed_url"],
    }
    dst.execute(  # keep the entry even if its feed's row was lost
        "INSERT OR IGNORE INTO feeds (url, name) VALUES (?, ?)",
        (row["feed_url"], fixed["feed_name"]),
    )
    return fixed


def _clean_issue(row: dict[str, Any], dst: sqlite3.Connection) -> dict[str, Any] | None:
    if not _text(row.get("issue_id")) or not all(_time(row.get(c)) for c in ("built_at", "as_of")):
        return None
    return {
        **row,
        "subject": _text(row.get("subject")) or "",
        "html_bytes": row.get("html_bytes") if isinstance(row.get("html_bytes"), int) else 0,
        "manifest": _json(row.get("manifest"), dict) or "{}",
    }


def _clean_issue_entry(row: dict[str, Any], dst: sqlite3.Connection) -> dict[str, Any] | None:
    parent = dst.execute("SELECT 1 FROM issues WHERE issue_id = ?", (row.get("issue_id"),))
    if parent.fetchone() is None or not _text(row.get("entry_key")):
        return None
    return row


def _clean_build(row: dict[str, Any], dst: sqlite3.Connection) -> dict[str, Any] | None:
    fixed = _clean_issue(row, dst)
    if fixed is None or not isinstance(row.get("n"), int):
        return None
    return fixed


def _clean_send(row: dict[str, Any], dst: sqlite3.Connection) -> dict[str, Any] | None:
    if not _text(row.get("issue_id")) or not _time(row.get("sent_at")):
        return None
    return row


def _clean_label(row: dict[str, Any], dst: sqlite3.Connection) -> dict[str, Any] | None:
    required = ("issue_id", "entry_key", "action", "kind")
    if not all(_text(row.get(c)) for c in required):
        return None
    fixed = {**row, "section": _text(row.get("section"))}
    for column in ("title", "text", "recorded_at", "feed_url", "feed_name", "drafted"):
        fixed[column] = _text(row.get(column)) or ""
    fixed["probabilities"] = _json(row.get("probabilities"), dict) or "{}"
    return fixed


_CLEANERS: dict[str, Callable[[dict[str, Any], sqlite3.Connection], dict[str, Any] | None]] = {
    "feeds": _clean_feed,
    "entries": _clean_entry,
    "issues": _clean_issue,
    "issue_entries": _clean_issue_entry,
    "builds": _clean_build,
    "sends": _clean_send,
    "editor_labels": _clean_label,
}
