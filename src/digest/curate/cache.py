"""Curation's side of the store. Each entry's classifier features (its hashed n-grams,
:mod:`.words`) are computed once and kept (table ``entry_features``), keyed by the
feature version and a hash of the text they were read from: a new feature version or an
edited title gets new features; a pruned entry takes its features with it. The editors'
labels are recorded when a build applies an edits file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..edits import Edits
from ..models import Entry, SectionSpec
from .features import Grams, grams_of
from .words import TEXT_CHARS, VERSION

if TYPE_CHECKING:
    from ..store import Store
    from . import Curated
    from .scoring import Reading


def text_hash(entry: Entry) -> str:
    """What the features were read from: the title and the opening of the excerpt."""
    text = f"{entry.title}\n{entry.excerpt[:TEXT_CHARS]}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def features_for(store: Store, entries: Sequence[Entry]) -> dict[str, Grams]:
    """Features of these entries by key: from the store, the missing ones computed (in key
    order) and saved (unless the store is read-only)."""
    import numpy as np

    wanted = {e.key: text_hash(e) for e in entries}
    found: dict[str, Grams] = {}
    keys = sorted(wanted)
    for row in store.features(keys, VERSION):
        if wanted.get(row.key) == row.text_hash:
            try:
                pair = (np.frombuffer(row.buckets, "<i4"), np.frombuffer(row.weights, "<f4"))
            except (TypeError, ValueError):  # a damaged row: computed again below
                continue
            if len(pair[0]) == len(pair[1]):
                found[row.key] = pair
    missing = sorted({e.key: e for e in entries if e.key not in found}.values(), key=_key)
    fresh = [(e, grams_of(e)) for e in missing]
    if fresh and not store.readonly:
        from ..store import FeatureRow

        store.save_features(
            [
                FeatureRow(
                    e.key, wanted[e.key], f[0].astype("<i4").tobytes(), f[1].astype("<f4").tobytes()
                )
                for e, f in fresh
            ],
            VERSION,
        )
    found.update((e.key, f) for e, f in fresh)
    return found


def _key(entry: Entry) -> str:
    return entry.key


def reading_for(store: Store, entries: Sequence[Entry], *, issue_id: str) -> Reading:
    """The shipped model, the entries' features and the editors' labels of other issues."""
    from .classifier import load_model
    from .editors import load_labels
    from .scoring import Reading

    return Reading(
        load_model(), features_for(store, entries), load_labels(store, excluding_issue=issue_id)
    )


def record_labels(
    store: Store,
    edits: Edits,
    curated: Curated,
    specs: Sequence[SectionSpec],
    *,
    issue_id: str,
    now: str,
) -> int:
    """Store the labels an applied edits file gives; returns how many."""
    from .editors import labels_from_edits, save_labels

    labels = labels_from_edits(edits, curated.candidates, specs, issue_id, curated.verdicts)
    save_labels(store, issue_id, labels, now)
    return len(labels)
