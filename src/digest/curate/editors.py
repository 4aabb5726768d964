"""Learning from the editors. Every decision in an edits file is a label for that
newsletter: an item pinned or moved into a section was filed under that section's kind
(a catch-all section such as "Latest" means "not a lead or good-news story"), a dropped
item was not wanted as what curation made of it.

When a build applies an edits file the labels are stored in the project's store
(:func:`save_labels`) with the item's title, opening text and what the classifier made of
it then. Later rankings adapt to them (:func:`lessons`): a small logistic regression over
the labels' words and word n-grams, fitted on top of the shipped model's own
probabilities (it learns only what the editors corrected, held back by a strong penalty),
shifts the kind probabilities of every new entry; a story like one the editors filed
under Good news leans towards good news, and the explanation says so ("editors filed a
similar story under Good news in 2025-W47").

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
from ..store.curation import LabelRow

if TYPE_CHECKING:
    from ..store import Store
    from .classifier import Model
    from .features import Vocabulary
    from .scoring import Verdict

SIMILAR = 0.3  # cosine (tf-idf words) from which a labelled story is named as similar
NEIGHBOURS = 3
PENALTY = 0.001  # l2 penalty of the newsletter's own weights (larger: labels count less)
STEPS = 150
MOVED = 0.005  # a probability shift smaller than this is no lesson


@dataclass(frozen=True)
class EditorLabel(LabelRow):
    """An editor's decision on one story (see digest.store.LabelRow for its fields)."""

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
    labels: int = 0  # how many labels the newsletter's weights were fitted on

    @property
    def text(self) -> str:
        if self.neighbours:
            return self.neighbours[0][0].said()
        return f"what this newsletter's editors filed before ({self.labels} stories) moved it"


def labels_from_edits(
    edits: Edits,
    candidates: Sequence[Candidate],
    specs: Sequence[SectionSpec],
    issue_id: str,
    verdicts: Mapping[str, Verdict] | None = None,
) -> list[EditorLabel]:
    """The labels an applied edits file gives, with what the shipped model made of each
    item (from the draft's verdicts, before any earlier lesson)."""
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
        verdict = (verdicts or {}).get(item.key)
        before = None
        if verdict is not None:
            before = verdict.lesson.before if verdict.lesson else verdict.probabilities
        entry = c.entry
        out.append(
            EditorLabel(
                issue_id, item.key, action, kind, section, entry.title, entry.excerpt, before
            )
        )
    return out


def fingerprint(entry: Entry, vocabulary: Vocabulary) -> dict[int, float]:
    """An entry's words as a unit tf-idf vector (words and word pairs, not character
    n-grams: similar stories share names and phrases)."""
    from .words import bucket, grams

    counts: dict[int, float] = {}
    for gram, count in grams(entry).items():
        if not gram.startswith(("#", "t:", "^:")):
            b = bucket(gram)
            counts[b] = counts.get(b, 0.0) + 1.0 + math.log(count)
    idf = vocabulary.idf_of(list(counts)).tolist()
    row = {b: v * w for (b, v), w in zip(counts.items(), idf, strict=True)}
    norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
    return {b: v / norm for b, v in row.items()}


def lessons(
    model: Model, entries: Sequence[Entry], rows: Any, labels: Sequence[EditorLabel]
) -> dict[str, Lesson]:
    """For each entry the newsletter's labels move, its lesson (by entry key)."""
    import numpy as np

    if not labels:
        return {}
    kinds = model.fitted.kinds
    adjust = _fit(model, labels)
    base = np.clip(np.asarray(rows, dtype=np.float64), 1e-6, 1.0)
    logits = np.log(base) + adjust.shift(entries)
    moved = np.exp(logits - logits.max(axis=1, keepdims=True))
    moved /= moved.sum(axis=1, keepdims=True)
    index = _Index(model, labels)
    out = {}
    for i, entry in enumerate(entries):
        if float(np.abs(moved[i] - base[i]).max()) < MOVED:
            continue
        before = {k: round(float(p), 4) for k, p in zip(kinds, rows[i], strict=True)}
        after = {k: round(float(p), 4) for k, p in zip(kinds, moved[i], strict=True)}
        near = index.near(entry)
        out[entry.key] = Lesson(before, after, near, len(labels))
    return out


class _Adjustment:
    """The newsletter's own weights: per kind, one weight per n-gram bucket its labels
    hold, added to the shipped model's log-probabilities."""

    def __init__(self, vocabulary: Vocabulary, weights: Any) -> None:
        self.vocabulary = vocabulary
        self.weights = weights  # (columns, kinds)

    def shift(self, entries: Sequence[Entry]) -> Any:
        return self.vocabulary.rows(entries).dot(self.weights)


def _fit(model: Model, labels: Sequence[EditorLabel]) -> _Adjustment:
    """Fit the newsletter's weights on its labels: the labels' kinds given the shipped
    model's probabilities then (an offset), cross-entropy plus PENALTY * |W|^2, by
    Nesterov-accelerated gradient descent from zero (deterministic)."""
    import numpy as np

    from .features import Vocabulary, grams_of

    entries = [_entry(lab) for lab in labels]
    buckets = np.unique(np.concatenate([grams_of(e)[0] for e in entries]))
    vocabulary = Vocabulary(buckets, model.vocabulary.idf_of(buckets), model.default_idf)
    x = vocabulary.rows(entries)
    kinds = model.fitted.kinds
    y = np.zeros((len(labels), len(kinds)))
    y[np.arange(len(labels)), [kinds.index(lab.kind) for lab in labels]] = 1.0
    uniform = 1.0 / len(kinds)
    offset = np.log(
        np.clip([[(lab.before or {}).get(k, uniform) for k in kinds] for lab in labels], 1e-6, 1.0)
    )
    w = np.zeros((len(kinds), len(vocabulary)))  # transposed, as Sparse.dot_t wants
    previous = w
    rate = 1.0 / (0.5 + 2 * PENALTY)
    for t in range(1, STEPS + 1):
        ahead = w + (t - 1) / (t + 2) * (w - previous)
        z = offset + x.dot_t(ahead).T
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) / len(labels)
        previous, w = w, ahead - rate * (x.tdot_t(np.ascontiguousarray(g.T)) + 2 * PENALTY * ahead)
    return _Adjustment(vocabulary, w.T)


class _Index:
    """The labels' words as an inverted index, to name the most similar labelled story."""

    def __init__(self, model: Model, labels: Sequence[EditorLabel]) -> None:
        self.labels = labels
        self.vocabulary = model.vocabulary
        self.postings: dict[int, list[tuple[int, float]]] = {}
        for j, lab in enumerate(labels):
            for bucket, value in fingerprint(_entry(lab), self.vocabulary).items():
                self.postings.setdefault(bucket, []).append((j, value))

    def near(self, entry: Entry) -> tuple[tuple[EditorLabel, float], ...]:
        sims = [0.0] * len(self.labels)
        for bucket, value in fingerprint(entry, self.vocabulary).items():
            for j, other in self.postings.get(bucket, ()):
                sims[j] += value * other
        pool = [
            (lab, round(sim, 3))
            for lab, sim in zip(self.labels, sims, strict=True)
            if lab.key != entry.key and sim >= SIMILAR
        ]
        pool.sort(key=lambda t: -t[1])  # stable: the oldest label first on a tie
        return tuple(pool[:NEIGHBOURS])


def _entry(label: EditorLabel) -> Entry:
    when = datetime(2000, 1, 1, tzinfo=UTC)
    return Entry("", "", label.key, label.title, None, when, excerpt=label.text)


# -- storage -------------------------------------------------------------------------


def save_labels(store: Store, issue_id: str, labels: Sequence[EditorLabel], now: str) -> None:
    """Replace the labels of one issue (a rebuild re-applies its edits file)."""
    store.save_labels(issue_id, labels, now)


def load_labels(store: Store, *, excluding_issue: str) -> list[EditorLabel]:
    """The newsletter's labels from every other issue, oldest issue first."""
    return [
        EditorLabel(r.issue_id, r.key, r.action, r.kind, r.section, r.title, r.text)
        for r in store.labels(excluding_issue=excluding_issue)
        if r.kind in STORY_KINDS
    ]
