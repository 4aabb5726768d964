"""What the classifier reads about an entry: the sentence vector of its title and opening
words, and the rule packs' evidence per story kind (phrases in the title, phrases in the
text, the feed's categories, the year-end facets and season), as numbers.

The same function builds the rows for training (tools/train_classifier) and at run time,
so the two cannot drift apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..kinds import RULE_KINDS
from ..models import Entry, Reason

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TEXT_CHARS = 200  # opening characters of the excerpt embedded with the title
RULE_SCALE = 10.0
_PARTS = ("title", "text", "category")
_FACETS = ("what", "who", "whom", "how")
RULE_FEATURES = tuple(f"{k}:{p}" for k in RULE_KINDS for p in _PARTS) + tuple(
    f"year_end:{f}" for f in (*_FACETS, "when")
)

Evidence = Mapping[str, tuple[float, tuple[Reason, ...]]]


def model_text(entry: Entry) -> str:
    """The text that is embedded: the title, then the opening of the excerpt."""
    title = " ".join(entry.title.split())
    text = " ".join(entry.excerpt.split())[:TEXT_CHARS]
    return f"{title}\n{text}" if text else title


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def rule_row(evidence: Evidence) -> list[float]:
    """The rule evidence as len(RULE_FEATURES) numbers (points / RULE_SCALE)."""
    sums = dict.fromkeys(RULE_FEATURES, 0.0)
    for reasons in (r for _, r in evidence.values()):
        for reason in reasons:
            name = _feature(reason.signal)
            if name in sums:
                sums[name] += reason.points / RULE_SCALE
    return [round(sums[n], 4) for n in RULE_FEATURES]


def _feature(signal: str) -> str:
    if signal == "season":
        return "year_end:when"
    return signal


def matrix(
    vectors: npt.NDArray[np.float16] | None, rules: list[list[float]] | None
) -> npt.NDArray[np.float32]:
    """Rows of [vector | rule evidence]; either part may be left out (a model trained
    on the vectors alone, or on the rules alone)."""
    import numpy as np

    parts = []
    if vectors is not None:
        parts.append(np.asarray(vectors, dtype=np.float32))
    if rules is not None:
        parts.append(np.asarray(rules, dtype=np.float32).reshape(len(rules), len(RULE_FEATURES)))
    return np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
