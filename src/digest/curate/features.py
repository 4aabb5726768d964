"""What the classifier reads about an entry, as numbers:

- the rule packs' evidence per story kind (phrases in the title, in the text, the feed's
  categories, the year-end facets and season) and the kind the rules alone would give;
- the calendar: published in the year-end season, and naming the year that ends (or the
  next one) in its title or text ("Looking forward to 2019", "Les succès de 2022");
- the hashed word and character n-grams of its title and opening text (:mod:`.words`),
  cached in the store (:mod:`.cache`).

The same functions build the rows for training (tools/train_classifier) and at run time,
so the two cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

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


def text_rows(
    entries: Sequence[Entry],
    columns: Mapping[int, tuple[int, float]],
    default: float,
    counts: Sequence[Mapping[int, float] | None] | None = None,
) -> Sparse:
    """The tf-idf n-grams of these entries, scaled to unit length, over the model's
    columns (bucket -> (column, idf)); n-grams the model never saw (idf `default`) carry
    no weight but still count in each row's length. `counts` are the entries'
    :func:`.words.hashed` features where already known."""
    import numpy as np

    from .learn import Sparse
    from .words import hashed

    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    unseen = default * default
    for i, entry in enumerate(entries):
        known = counts[i] if counts is not None else None
        length = 0.0
        start = len(data)
        for bucket, tf in (known or hashed(entry)).items():
            found = columns.get(bucket)
            if found is None:
                length += tf * tf * unseen
                continue
            value = tf * found[1]
            length += value * value
            cols.append(found[0])
            data.append(value)
        rows.extend([i] * (len(data) - start))
        if length > 0:
            scale = 1.0 / math.sqrt(length)
            data[start:] = [v * scale for v in data[start:]]
    return Sparse(
        np.asarray(rows, dtype=np.int64),
        np.asarray(cols, dtype=np.int64),
        np.asarray(data, dtype=np.float64),
        len(entries),
        len(columns),
    )
