"""Sentence vectors of corpus posts for the benchmarks and the training tool, cached in
bench/.cache/ by the encoder's model id and each text's hash (the encoder is deterministic,
so a cached vector is the vector)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from digest.curate.encoder import MODEL_ID
from digest.curate.evaluate import Post
from digest.curate.features import model_text, text_hash
from digest.curate.training import embed

CACHE = Path(__file__).resolve().parent / ".cache"


def cached_vectors(posts: list[Post]) -> dict[str, Any]:
    path = CACHE / f"vectors-{MODEL_ID.replace('/', '-')}.npz"
    known: dict[str, Any] = {}
    if path.exists():
        with np.load(path) as data:
            known = {k: data[k] for k in data.files}
    hashes = {p.id: text_hash(model_text(p.entry)) for p in posts}
    missing = [p for p in posts if hashes[p.id] not in known]
    if missing:
        fresh = embed(missing)
        for p in missing:
            known[hashes[p.id]] = fresh[p.id]
        CACHE.mkdir(exist_ok=True)
        np.savez(path, **known)
    return {p.id: known[hashes[p.id]] for p in posts}
