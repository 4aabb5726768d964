"""Learning from the editors. Every decision in an edits file is a label for that
newsletter: an item pinned or moved into a section was filed under that section's kind
(a catch-all section such as "Latest" means "not a lead or good-news story"), a dropped
item was not wanted as what curation made of it.

When a build applies an edits file the labels are stored, with the item's title and
opening text, in the project's store (:func:`save_labels`). Later rankings blend in the
nearest labelled neighbours by the words they share (:func:`lessons`, tf-idf cosine over
words and word pairs): a story like one the editors filed under Good news leans
towards good news, and the explanation says so ("editors filed a similar story under
Good news in 2025-W47").

Decisions (:func:`labels_from_edits`, :func:`lessons`) are pure; storage only applies them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..edits import Edits
from ..kinds import OTHER, STORY_KINDS
from ..models import Candidate, Entry, SectionSpec

if TYPE_CHECKING:
    from ..store import Store
    from .classifier import Model

SIMILAR = 0.35  # cosine (tf-idf words) from which a labelled story counts as similar
NEIGHBOURS = 5
WEIGHT = 0.8  # how far fully similar labels move the probabilities (0: not at all)


@dataclass(frozen=True)
class EditorLabel:
    issue_id: str
    key: str
    action: str  # "pin", "move" or "drop"
    kind: str  # the kind it was filed under; OTHER for a catch-all section or a drop
    section: str | None  # section title it was filed under; None when dropped
    title: str
    text: str = ""  # the entry's opening text, as it was read

    def said(self) -> str:
        if self.action == "drop":
            return f"editors dropped a similar story (“{self.title}”) in {self.issue_id}"
        where = f"under {self.section} in {self.issue_id}"
        return f"editors filed a similar story (“{self.title}”) {where}"


@dataclass(frozen=True)
class Lesson:
    """How the editors' labels moved one entry's kind probabilities."""

    before: dict[str, float]
    probabilities: dict[str, float]
    neighbours: tuple[tuple[EditorLabel, float], ...]

    @property
    def text(self) -> str:
        return self.neighbours[0][0].said()


def labels_from_edits(
    edits: Edits, candidates: Sequence[Candidate], specs: Sequence[SectionSpec], issue_id: str
) -> list[EditorLabel]:
    """The labels an applied edits file gives."""
    by_key = {c.entry.key: c for c in candidates}
    by_id = {s.id: s for s in specs}
    out = []
    for item in edits.items:
        c = by_key.get(item.key)
        if c is None:
            continue
        if item.drop:
            action, kind, section = "drop", OTHER, None
        elif item.includes:
            spec = by_id.get(item.section or c.section or "")
            if spec is None:
                continue
            action = "move" if item.section else "pin"
            kind = spec.kinds[0] if len(spec.kinds) == 1 else OTHER
            section = spec.title
        else:
            continue  # a new title, blurb or position is wording, not a label
        out.append(
            EditorLabel(issue_id, item.key, action, kind, section, c.entry.title, c.entry.excerpt)
        )
    return out


def fingerprint(entry: Entry, idf: Mapping[int, float], default: float) -> dict[int, float]:
    """An entry's words as a unit tf-idf vector (words and word pairs, not character
    n-grams: similar stories share names and phrases)."""
    import zlib

    from .words import BUCKETS, grams

    row: dict[int, float] = {}
    for gram, count in grams(entry).items():
        if gram.startswith(("#", "t:", "^:")):
            continue
        bucket = zlib.crc32(gram.encode("utf-8")) & (BUCKETS - 1)
        row[bucket] = row.get(bucket, 0.0) + (1.0 + math.log(count)) * idf.get(bucket, default)
    norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
    return {b: v / norm for b, v in row.items()}


def lessons(
    model: Model, entries: Sequence[Entry], rows: Any, labels: Sequence[EditorLabel]
) -> dict[str, Lesson]:
    """For each entry like some labelled story, its lesson (by entry key)."""
    idf, default = model.idf_by_bucket, model.default_idf
    index: dict[int, list[tuple[int, float]]] = {}
    for j, lab in enumerate(labels):
        for bucket, value in fingerprint(_entry(lab), idf, default).items():
            index.setdefault(bucket, []).append((j, value))
    kinds = model.fitted.kinds
    out = {}
    for entry, row in zip(entries, rows, strict=True):
        sims = [0.0] * len(labels)
        for bucket, value in fingerprint(entry, idf, default).items():
            for j, other in index.get(bucket, ()):
                sims[j] += value * other
        probabilities = {k: round(float(p), 4) for k, p in zip(kinds, row, strict=True)}
        found = lesson(sims, probabilities, labels, entry.key)
        if found is not None:
            out[entry.key] = found
    return out


def _entry(label: EditorLabel) -> Entry:
    when = datetime(2000, 1, 1, tzinfo=UTC)
    return Entry("", "", label.key, label.title, None, when, excerpt=label.text)


def lesson(
    sims: Sequence[float],
    probabilities: dict[str, float],
    labels: Sequence[EditorLabel],
    key: str,
) -> Lesson | None:
    """Blend the nearest similar labels into the probabilities: p' = (1 - w) p + w q, where
    q is the labels' kinds weighted by similarity and w grows with how similar they are."""
    pool = [(lab, round(s, 3)) for lab, s in zip(labels, sims, strict=True) if lab.key != key]
    pool.sort(key=lambda t: -t[1])  # stable: oldest label first on a tie
    near = [(lab, s) for lab, s in pool[:NEIGHBOURS] if s >= SIMILAR]
    if not near:
        return None
    weights = [(s - SIMILAR) / (1 - SIMILAR) for _, s in near]
    total = sum(weights)
    if total <= 0:
        return None
    q = dict.fromkeys(STORY_KINDS, 0.0)
    for (lab, _), w in zip(near, weights, strict=True):
        q[lab.kind] += w / total
    share = WEIGHT * min(1.0, total)
    blended = {k: round((1 - share) * probabilities[k] + share * q[k], 4) for k in STORY_KINDS}
    return Lesson(probabilities, blended, tuple(near))


# -- storage -------------------------------------------------------------------------


def save_labels(store: Store, issue_id: str, labels: Sequence[EditorLabel], now: str) -> None:
    """Replace the labels of one issue (a rebuild re-applies its edits file)."""
    with store.transaction() as db:
        db.execute("DELETE FROM editor_labels WHERE issue_id = ?", (issue_id,))
        db.executemany(
            "INSERT INTO editor_labels (issue_id, entry_key, action, kind, section, title,"
            " text, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    lab.issue_id,
                    lab.key,
                    lab.action,
                    lab.kind,
                    lab.section,
                    lab.title,
                    lab.text,
                    now,
                )
                for lab in labels
            ],
        )


def load_labels(store: Store, *, excluding_issue: str) -> list[EditorLabel]:
    """The newsletter's labels from every other issue, oldest issue first."""
    rows = store.db.execute(
        "SELECT issue_id, entry_key, action, kind, section, title, text FROM editor_labels"
        " WHERE issue_id != ? ORDER BY issue_id, entry_key",
        (excluding_issue,),
    ).fetchall()
    return [
        EditorLabel(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows if r[3] in STORY_KINDS
    ]
