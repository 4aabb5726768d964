"""Curation's side of the store. Each entry's sentence vector is computed once and kept
(table ``entry_vectors``), keyed by the encoder's model id and a hash of the embedded text:
a new encoder or an edited title gets a new vector; a pruned entry takes its vector with
it. The editors' labels are recorded when a build applies an edits file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..edits import Edits
from ..models import Entry, SectionSpec
from .features import model_text, text_hash

if TYPE_CHECKING:
    from ..store import Store
    from . import Curated
    from .scoring import Reading

Embed = Callable[[list[str]], Any]  # texts -> (n, 512) float16


def vectors_for(
    store: Store, entries: Sequence[Entry], embed: Embed | None = None
) -> dict[str, Any]:
    """Vectors for these entries by key: from the store, the missing ones embedded (in key
    order, so the same entries always meet the encoder alike) and saved."""
    import numpy as np

    from .encoder import MODEL_ID

    wanted = {e.key: text_hash(model_text(e)) for e in entries}
    found: dict[str, Any] = {}
    keys = sorted(wanted)
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        rows = store.db.execute(
            "SELECT entry_key, text_hash, vector FROM entry_vectors WHERE model = ? AND"
            f" entry_key IN ({','.join('?' * len(chunk))})",
            [MODEL_ID, *chunk],
        )
        for key, digest, blob in rows:
            if wanted.get(key) == digest:
                found[key] = np.frombuffer(blob, dtype=np.float16)
    missing = sorted(
        {e.key: e for e in entries if e.key not in found}.values(), key=lambda e: e.key
    )
    if missing:
        if embed is None:
            from .encoder import encoder

            embed = encoder().encode
        fresh = embed([model_text(e) for e in missing])
        with store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO entry_vectors (entry_key, model, text_hash, vector)"
                " VALUES (?, ?, ?, ?)",
                [
                    (e.key, MODEL_ID, wanted[e.key], np.asarray(v, dtype=np.float16).tobytes())
                    for e, v in zip(missing, fresh, strict=True)
                ],
            )
        for e, v in zip(missing, fresh, strict=True):
            found[e.key] = np.asarray(v, dtype=np.float16)
    return found


def reading_for(store: Store, entries: Sequence[Entry], *, issue_id: str) -> Reading:
    """The shipped model, the entries' vectors and the editors' labels of other issues."""
    from .classifier import load_model
    from .editors import load_labels
    from .scoring import Reading

    return Reading(
        load_model(), vectors_for(store, entries), load_labels(store, excluding_issue=issue_id)
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

    keys = {i.key for i in edits.items}
    labelled = [c.entry for c in curated.candidates if c.entry.key in keys]
    labels = labels_from_edits(
        edits, curated.candidates, specs, issue_id, vectors_for(store, labelled)
    )
    save_labels(store, issue_id, labels, now)
    return len(labels)
