"""The history of built issues: one line per issue, and what changed between two builds.

Reads the store's issue and build records (``Store.issues``, ``Store.builds``); the
differences are computed here, not in the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import DigestError
from .ids import issue_folder
from .publish import MANIFEST_NAME, read_manifest
from .store import BuildRecord, IssueRecord, Store


def summary(row: IssueRecord) -> dict[str, Any]:
    """One issue of ``Store.issues`` as `digest issues list --json` gives it."""
    manifest = row.manifest  # a damaged record reads as {}: the issue is listed anyway
    return {
        "issue_id": row.issue_id,
        "as_of": row.as_of,
        "built_at": row.built_at,
        "subject": row.subject,
        "html_bytes": row.html_bytes,
        "items": len(manifest.get("items", [])),
        "lint_ok": manifest.get("lint_ok"),
        "builds": row.builds,
        "test_sends": row.test_sends,
        "last_test_send": row.last_sent,
    }


def find_build(store: Store, ref: str) -> BuildRecord:
    """A build named ISSUE (its latest) or ISSUE@N (its Nth, counted from 1)."""
    issue_id, _, number = ref.partition("@")
    builds = store.builds(issue_id)
    if not builds:
        raise DigestError(
            f"no builds of issue {issue_id!r}", hint="`digest issues list` shows the issues"
        )
    if not number:
        return builds[-1]
    if not number.isdigit() or not 1 <= int(number) <= len(builds):
        raise DigestError(f"{ref}: issue {issue_id} has builds 1 to {len(builds)}")
    return builds[int(number) - 1]


def diff_builds(store: Store, first: str, second: str) -> dict[str, Any]:
    """Items added, removed and moved, the subject and the size between two builds (the
    document `digest issues diff --json` prints)."""
    a, b = find_build(store, first), find_build(store, second)
    before, after = a.manifest.get("items", []), b.manifest.get("items", [])
    titles = {e.key: e.title for e in store.entries_by_keys(sorted(set(before) | set(after)))}
    return {
        "from": first,
        "to": second,
        "added": [{"key": k, "title": titles.get(k)} for k in after if k not in before],
        "removed": [{"key": k, "title": titles.get(k)} for k in before if k not in after],
        "moved": [
            {
                "key": k,
                "title": titles.get(k),
                "from": before.index(k) + 1,
                "to": after.index(k) + 1,
            }
            for k in after
            if k in before and before.index(k) != after.index(k)
        ],
        "subject": None if a.subject == b.subject else [a.subject, b.subject],
        "html_bytes": [a.html_bytes, b.html_bytes],
    }


def built_manifest(out_dir: Path, issue_id: str) -> dict[str, Any]:
    """The manifest of a built issue in out/ (`digest issues show`)."""
    path = issue_folder(out_dir, issue_id) / MANIFEST_NAME
    if not path.exists():
        raise DigestError(
            f"no built issue {issue_id!r} in {out_dir}",
            hint="`digest issues list` shows what exists",
        )
    return read_manifest(path, hint="rebuild the issue with `digest build`")
