"""What a title and opening mean, as one vector, in any of digest's readers' languages.

The vectors of words are multilingual-e5-small's, distilled once by tools/distill_meaning
into a table shipped as ``model/meaning.npz`` (about 35,000 common English, French,
Spanish and Arabic words, 384 numbers each as int8): an entry's vector is the weighted sum
of its words' vectors (rare words weigh more), scaled to unit length. So "libéré",
"released" and "liberado" point the same way, and a message that thanks supporters for the
year reads like another one in other words, without a transformer at run time: a table
look-up, a thousand entries in about 40 ms. Words outside the table count nothing.

Pure and deterministic; numpy and the table load lazily, once per process.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..models import Entry
from .words import TEXT_CHARS, fold

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MODEL_FILE = "meaning.npz"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Table:
    index: dict[str, int]  # folded word -> row
    vectors: Any  # (words, dims) int8
    scale: Any  # (words,) float32: row i is vectors[i] * scale[i]
    weight: Any  # (words,) float32

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    def rows(self, entries: Sequence[Entry]) -> npt.NDArray[np.float64]:
        """One unit-length row per entry (zeros where none of its words is known)."""
        import numpy as np

        out = np.zeros((len(entries), self.dims))
        for r, entry in enumerate(entries):
            found = self._known(entry)
            if found:
                rows = np.asarray([self.index[w] for w in found], dtype=np.int64)
                by = (self.weight[rows] * self.scale[rows]).astype(np.float64)
                out[r] = by @ self.vectors[rows]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        unit: npt.NDArray[np.float64] = out / norms
        return unit

    def parts(self, entry: Entry, direction: Any) -> dict[str, float]:
        """Each known word's part in ``rows([entry])[0] @ direction``, by folded word. The
        row is the weighted sum of its words' vectors divided by one norm, so the parts add
        up to the whole exactly: what --explain quotes as the words that weighed."""
        import numpy as np

        known = self._known(entry)
        if not known:
            return {}
        rows = np.asarray([self.index[w] for w in known], dtype=np.int64)
        by = (self.weight[rows] * self.scale[rows]).astype(np.float64)
        vectors = self.vectors[rows].astype(np.float64) * by[:, None]
        norm = float(np.linalg.norm(vectors.sum(axis=0)))
        if norm == 0:
            return {}
        out: dict[str, float] = {}
        for word, part in zip(known, (vectors @ direction / norm).tolist(), strict=True):
            out[word] = out.get(word, 0.0) + part
        return out

    def _known(self, entry: Entry) -> list[str]:
        """The entry's folded words that the table knows, in order, repeats kept."""
        text = (fold(entry.title), fold(entry.excerpt[:TEXT_CHARS]))
        return [w for part in text for w in _WORD.findall(part) if w in self.index]


@lru_cache(maxsize=1)
def load_table() -> Table:
    """The shipped table (read once per process)."""
    import io

    import numpy as np

    data = (resources.files(__package__) / "model" / MODEL_FILE).read_bytes()
    with np.load(io.BytesIO(data)) as npz:
        words = str(npz["words"]).split("\n")
        return Table(
            index={w: i for i, w in enumerate(words)},
            vectors=npz["vectors"],
            scale=npz["scale"],
            weight=npz["weight"],
        )
