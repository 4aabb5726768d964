"""What the classifier reads about an entry, as numbers:

- the rule packs' evidence per story kind (phrases in the title, in the text, the feed's
  categories, the year-end facets and season) and the kind the rules alone would give;
- the calendar: published in the year-end season, and naming the year that ends (or the
  next one) in its title or text ("Looking forward to 2019", "Les succès de 2022");
- the hashed word and character n-grams of its title and opening text (:mod:`.words`),
  cached in the store (:mod:`.cache`);
- what those words mean, one vector of e5's word vectors (:mod:`.meaning`), a table
  look-up made on the spot (no cache needed: 1,000 entries in about 40 ms).

The same functions build the rows for training (tools/train_classifier) and at run time,
so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..kinds import RULE_KINDS, STORY_KINDS
from ..models import Entry, Reason
from .year_end import in_season

if TYPE_CHECKING:
    from .learn import Sparse

RULE_SCALE = 10.0
_PARTS = ("title", "text", "category")
_FACETS = ("what", "who", "whom", "how", "topic")
RULE_FEATURES = (
    tuple(f"{k}:{p}" for k in RULE_KINDS for p in _PARTS)
    + tuple(f"year_end:{f}" for f in (*_FACETS, "when"))
    + tuple(f"rules say {k}" for k in STORY_KINDS)
    + ("in season", "title names the year", "text names the year")
)

Evidence = Mapping[str, tuple[float, tuple[Reason, ...]]]


def rule_row(entry: Entry, evidence: Evidence, rules_kind: str) -> list[float]:
    """The rule evidence and the calendar as len(RULE_FEATURES) numbers."""
    sums = dict.fromkeys(RULE_FEATURES, 0.0)
    for reasons in (r for _, r in evidence.values()):
        for reason in reasons:
            name = "year_end:when" if reason.signal == "season" else reason.signal
            if name in sums:
                sums[name] += reason.points / RULE_SCALE
    sums[f"rules say {rules_kind}"] = 1.0
    if in_season(entry.published):
        sums["in season"] = 1.0
        sums["title names the year"] = _names_the_year(entry.title, entry)
        sums["text names the year"] = _names_the_year(entry.excerpt, entry)
    return [round(sums[n], 4) for n in RULE_FEATURES]


def _names_the_year(text: str, entry: Entry) -> float:
    """1.0 when the text names the year that ends around its publication, or the next."""
    ending = entry.published.year if entry.published.month >= 7 else entry.published.year - 1
    years = {int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", text)}
    return 1.0 if years & {ending, ending + 1} else 0.0


class Vocabulary:
    """The n-gram columns of a model: sorted buckets, their idf, and the idf of a bucket
    it never saw. Turns entries into unit-length tf-idf rows over those columns (n-grams
    it never saw carry no weight but still count in each row's length), vectorised: a
    thousand entries in a few milliseconds once their n-grams are known."""

    def __init__(self, buckets: Any, idf: Any, default: float) -> None:
        import numpy as np

        self.buckets = np.asarray(buckets, dtype=np.int64)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.default = float(default)

    def __len__(self) -> int:
        return len(self.buckets)

    def column(self, bucket: int) -> int | None:
        import numpy as np

        i = int(np.searchsorted(self.buckets, bucket))
        return i if i < len(self.buckets) and int(self.buckets[i]) == bucket else None

    def idf_of(self, buckets: Any) -> Any:
        """The idf of each bucket (the default for unknown ones)."""
        import numpy as np

        buckets = np.asarray(buckets, dtype=np.int64)
        if not len(self.buckets):
            return np.full(len(buckets), self.default)
        pos = np.minimum(np.searchsorted(self.buckets, buckets), len(self.buckets) - 1)
        return np.where(self.buckets[pos] == buckets, self.idf[pos], self.default)

    def rows(self, entries: Sequence[Entry], grams: Sequence[Grams | None] | None = None) -> Sparse:
        """The entries' tf-idf rows; `grams` are their :func:`grams_of` where already
        known (from the store's cache)."""
        import numpy as np

        from .learn import Sparse

        pairs: list[Grams] = []
        for i, entry in enumerate(entries):
            cached = grams[i] if grams is not None else None
            pairs.append(cached if cached is not None else grams_of(entry))
        lengths = np.fromiter((len(b) for b, _ in pairs), dtype=np.int64, count=len(pairs))
        if not lengths.sum():
            empty = np.zeros(0, dtype=np.int64)
            return Sparse(empty, empty, np.zeros(0), len(entries), len(self))
        buckets = np.concatenate([np.asarray(b, dtype=np.int64) for b, _ in pairs])
        tf = np.concatenate([np.asarray(t, dtype=np.float64) for _, t in pairs])
        rows = np.repeat(np.arange(len(pairs)), lengths)
        pos = np.minimum(np.searchsorted(self.buckets, buckets), max(len(self.buckets) - 1, 0))
        known = self.buckets[pos] == buckets if len(self.buckets) else np.zeros(len(rows), bool)
        value = tf * np.where(known, self.idf[pos] if len(self.buckets) else 0.0, self.default)
        norm = np.sqrt(np.bincount(rows, weights=value * value, minlength=len(pairs)))
        value = value / np.where(norm > 0, norm, 1.0)[rows]
        return Sparse(rows[known], pos[known], value[known], len(entries), len(self))


Grams = tuple[Any, Any]  # (buckets int, 1 + log(count) float) arrays of one entry


def grams_of(entry: Entry) -> Grams:
    """An entry's hashed n-grams (:func:`.words.hashed`) as two arrays."""
    import numpy as np

    from .words import hashed

    found = hashed(entry)
    return (
        np.fromiter(found.keys(), dtype=np.int64, count=len(found)),
        np.fromiter(found.values(), dtype=np.float64, count=len(found)),
    )
