"""Curation's tables: each entry's classifier features (a cache, dropped with its entry)
and the editors' labels (what they pinned, moved and dropped, by issue). digest.curate
decides what goes in them (curate.cache, curate.editors); this module only stores them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .dbfile import guarded
from .entries import chunks
from .format import DAMAGED_JSON
from .schema import Connection


@dataclass(frozen=True)
class FeatureRow:
    """An entry's hashed n-grams and weights as stored (little-endian int32 and float32),
    with the hash of the text they were read from."""

    key: str
    text_hash: str
    buckets: bytes
    weights: bytes


@dataclass(frozen=True)
class LabelRow:
    """One editor's decision on one entry of one issue, as stored."""

    issue_id: str
    key: str
    action: str  # "pin", "move" or "drop"
    kind: str  # the kind it was filed under; OTHER for a catch-all section or a drop
    section: str | None  # section title it was filed under; None when dropped
    title: str
    text: str = ""  # the entry's opening text, as it was read
    before: Mapping[str, float] | None = None  # the shipped model's probabilities then
    feed_url: str = ""  # the feed it came from ("" in labels stored before schema 4)
    feed_name: str = ""
    drafted: str = ""  # the kind the draft gave it ("" where not known)


class Curation(Connection):
    """Methods on entry_features and editor_labels."""

    @guarded
    def features(self, keys: Sequence[str], version: str) -> list[FeatureRow]:
        """The stored features of these entries, read by this feature `version`."""
        found: list[FeatureRow] = []
        for chunk in chunks(list(keys), 500):
            rows = self.db.execute(
                "SELECT entry_key, text_hash, buckets, weights FROM entry_features"
                f" WHERE version = ? AND entry_key IN ({','.join('?' * len(chunk))})",
                [version, *chunk],
            )
            found.extend(FeatureRow(r[0], r[1], r[2], r[3]) for r in rows)
        return found

    @guarded
    def save_features(self, rows: Sequence[FeatureRow], version: str) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO entry_features"
                " (entry_key, version, text_hash, buckets, weights) VALUES (?, ?, ?, ?, ?)",
                [(r.key, version, r.text_hash, r.buckets, r.weights) for r in rows],
            )

    @guarded
    def save_labels(self, issue_id: str, labels: Sequence[LabelRow], recorded_at: str) -> None:
        """Replace the labels of one issue (a rebuild re-applies its edits file)."""
        with self.transaction() as db:
            db.execute("DELETE FROM editor_labels WHERE issue_id = ?", (issue_id,))
            db.executemany(
                "INSERT INTO editor_labels (issue_id, entry_key, action, kind, section, title,"
                " text, probabilities, recorded_at, feed_url, feed_name, drafted)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        lab.issue_id,
                        lab.key,
                        lab.action,
                        lab.kind,
                        lab.section,
                        lab.title,
                        lab.text,
                        json.dumps(dict(lab.before or {}), sort_keys=True),
                        recorded_at,
                        lab.feed_url,
                        lab.feed_name,
                        lab.drafted,
                    )
                    for lab in labels
                ],
            )

    @guarded
    def labels(self, *, excluding_issue: str) -> list[LabelRow]:
        """The labels of every other issue, oldest issue first, with the probabilities the
        classifier gave each story then (None where they do not read back as such) and its
        feed (text that does not read back as such is "")."""
        rows = self.db.execute(
            "SELECT issue_id, entry_key, action, kind, section, title, text, probabilities,"
            " feed_url, feed_name, drafted"
            " FROM editor_labels WHERE issue_id != ? ORDER BY issue_id, entry_key",
            (excluding_issue,),
        ).fetchall()
        return [
            LabelRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                _probabilities(r[7]),
                _text(r[8]),
                _text(r[9]),
                _text(r[10]),
            )
            for r in rows
        ]


def _text(stored: object, limit: int = 300) -> str:
    """A stored feed URL, name or kind as one line of printable text, or ""."""
    if not isinstance(stored, str):
        return ""
    return "".join(ch for ch in stored[:limit] if ch.isprintable()).strip()


def _probabilities(stored: object) -> dict[str, float] | None:
    """Stored probabilities as {kind: p in [0, 1]}, or None (missing or not that shape)."""
    try:
        found = json.loads(stored) if isinstance(stored, str) else None
    except DAMAGED_JSON:
        return None
    if not isinstance(found, dict) or not found:
        return None
    out = {}
    for kind, p in found.items():
        if not isinstance(p, int | float) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
            return None
        out[str(kind)] = float(p)
    return out
