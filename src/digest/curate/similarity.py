"""Near-duplicate titles: sets of word stems compared with the overlap coefficient
(shared stems / stems of the smaller set), indexed with prefix filtering so that ranking
thousands of candidates stays linear in practice.

Prefix filtering: order every stem by one fixed global order, rarest first. If two sets
share at least t x |smaller| stems, the smaller set's first |S| - ceil(t|S|) + 1 stems (its
"prefix") cannot all miss the other set. So a query probes the full index with its own
prefix (finds stored sets at least as large) and the prefix index with all its stems
(finds smaller stored sets), and only those few candidates are compared exactly.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

from .rules import normalise

_WORD = re.compile(r"\w+")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "at",
        "by",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "after",
        "over",
        "into",
        "its",
        "their",
        "our",
        "your",
        "this",
        "that",
        "these",
        "those",
        "les",
        "des",
        "une",
        "pour",
        "dans",
        "sur",
        "avec",
        "par",
        "aux",
        "du",
        "de",
        "la",
        "le",
        "et",
        "est",
        "sont",
    ]
)
MIN_STEMS = 3


@lru_cache(maxsize=65536)
def stems(text: str) -> frozenset[str]:
    """Five-letter stems of the meaningful words of a title."""
    words = _WORD.findall(normalise(text))
    return frozenset(w[:5] for w in words if len(w) > 2 and w not in _STOP)


class OverlapIndex:
    def __init__(self, threshold: float, frequency: Counter[str] | None = None) -> None:
        self.threshold = threshold
        self._freq = frequency or Counter()
        self._sets: dict[int, frozenset[str]] = {}
        self._full: dict[str, list[int]] = defaultdict(list)
        self._prefix: dict[str, list[int]] = defaultdict(list)

    def _prefix_of(self, items: frozenset[str]) -> list[str]:
        need = math.ceil(self.threshold * len(items) - 1e-9)
        freq = self._freq
        ordered = sorted([(freq.get(s, 0), s) for s in items])  # rarest first, then by name
        return [s for _, s in ordered[: len(items) - need + 1]]

    def add(self, ident: int, items: frozenset[str]) -> None:
        if len(items) < MIN_STEMS:
            return
        self._sets[ident] = items
        for s in items:
            self._full[s].append(ident)
        for s in self._prefix_of(items):
            self._prefix[s].append(ident)

    def best(self, items: frozenset[str], accept: Callable[[int], bool]) -> int | None:
        """The stored set sharing the most stems (earliest on a tie) whose overlap reaches
        the threshold and that `accept` allows; None if there is none."""
        if len(items) < MIN_STEMS:
            return None
        candidates: set[int] = set()
        for s in self._prefix_of(items):
            candidates.update(self._full.get(s, ()))
        for s in items:
            candidates.update(self._prefix.get(s, ()))
        best: tuple[int, int] | None = None
        size, threshold, sets = len(items), self.threshold, self._sets
        for j in candidates:
            other = sets[j]
            shared = len(items & other)
            smaller = size if size < len(other) else len(other)
            if (
                shared >= threshold * smaller - 1e-9
                and (best is None or (-shared, j) < best)
                and accept(j)
            ):
                best = (-shared, j)
        return best[1] if best else None


def frequencies(sets: Iterable[frozenset[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for items in sets:
        counts.update(items)
    return counts
