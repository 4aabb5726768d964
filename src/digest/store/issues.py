"""The issues, builds and sends tables: which entries went into which issue, every build
that changed something, and the test sends (`digest issues list/diff`, the desk)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..ids import check_issue_id
from .dbfile import guarded
from .format import DAMAGED_JSON, iso, parse_json
from .schema import Connection


@dataclass(frozen=True)
class IssueRecord:
    """One issue as last built, with its build count and test sends. Times are the stored
    ISO 8601 strings, as `digest issues list --json` prints them."""

    issue_id: str
    built_at: str
    as_of: str
    subject: str
    html_bytes: int
    manifest: dict[str, Any] = field(default_factory=dict, compare=False)
    builds: int = 0
    test_sends: int = 0
    last_sent: str | None = None


@dataclass(frozen=True)
class BuildRecord:
    """One build of an issue that changed something (numbered from 1)."""

    issue_id: str
    n: int
    built_at: str
    as_of: str
    subject: str
    html_bytes: int
    manifest: dict[str, Any] = field(default_factory=dict, compare=False)


class Issues(Connection):
    """Methods on the issues, issue_entries, builds and sends tables."""

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
    def issues(self) -> list[IssueRecord]:
        """Every issue, newest first, with its build count and test sends. A damaged
        manifest reads as empty: the issue is listed anyway."""
        rows = self.db.execute(
            "SELECT i.issue_id, i.built_at, i.as_of, i.subject, i.html_bytes, i.manifest,"
            " (SELECT COUNT(*) FROM builds b WHERE b.issue_id = i.issue_id) AS builds,"
            " (SELECT COUNT(*) FROM sends s WHERE s.issue_id = i.issue_id) AS test_sends,"
            " (SELECT MAX(sent_at) FROM sends s WHERE s.issue_id = i.issue_id) AS last_sent"
            " FROM issues i ORDER BY i.as_of DESC, i.issue_id DESC"
        )
        return [
            IssueRecord(
                issue_id=r["issue_id"],
                built_at=r["built_at"],
                as_of=r["as_of"],
                subject=r["subject"],
                html_bytes=r["html_bytes"],
                manifest=_quiet_json(r["manifest"]),
                builds=r["builds"],
                test_sends=r["test_sends"],
                last_sent=r["last_sent"],
            )
            for r in rows
        ]

    @guarded
    def builds(self, issue_id: str) -> list[BuildRecord]:
        rows = self.db.execute("SELECT * FROM builds WHERE issue_id = ? ORDER BY n", (issue_id,))
        return [
            BuildRecord(
                issue_id=r["issue_id"],
                n=r["n"],
                built_at=r["built_at"],
                as_of=r["as_of"],
                subject=r["subject"],
                html_bytes=r["html_bytes"],
                manifest=_dict(parse_json(r["manifest"], self.path, "build manifest", {})),
            )
            for r in rows
        ]

    @guarded
    def record_send(self, issue_id: str, sent_at: datetime, recipients: int, server: str) -> None:
        check_issue_id(issue_id)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sends (issue_id, sent_at, recipients, server) VALUES (?, ?, ?, ?)",
                (issue_id, iso(sent_at), recipients, server),
            )


def _quiet_json(value: Any) -> dict[str, Any]:
    try:
        return _dict(json.loads(value))
    except DAMAGED_JSON:
        return {}


def _dict(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}
