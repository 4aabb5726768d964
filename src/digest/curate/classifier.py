"""The learned story classifier, combined with the rules.

A multinomial logistic regression over [sentence vector | rule evidence] (see
:mod:`.features`), trained by tools/train_classifier on the real labelled corpus's train
split and shipped as ``model/classifier.npz`` (weights, thresholds) with
``model/examples.json`` + ``model/examples.npz`` (the titles and vectors of the training
examples whose licence lets us ship them, for "reads like" explanations).

Pure: vectors come in, probabilities and decisions go out. numpy loads lazily.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..kinds import GOOD_NEWS, OTHER, STORY_KINDS, YEAR_END
from .features import Evidence, matrix, rule_row

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .learn import Fitted

MODEL_DIR = "model"


@dataclass(frozen=True)
class Example:
    """A labelled example the explanations can point to."""

    title: str
    kind: str
    source: str
    url: str = ""


@dataclass(frozen=True)
class Model:
    fitted: Fitted
    uses_vectors: bool
    uses_rules: bool
    thresholds: dict[str, float]  # year_end, good_news: minimum probability for the kind
    points: float  # score points the model adds at probability 1
    examples: tuple[Example, ...] = ()
    example_vectors: Any = None  # (n, 512) float16
    name: str = "classifier"

    def probabilities(
        self, vectors: npt.NDArray[np.float16], evidence: Sequence[Evidence]
    ) -> npt.NDArray[np.float32]:
        """One row of kind probabilities (in STORY_KINDS order) per entry."""
        x = matrix(
            vectors if self.uses_vectors else None,
            [rule_row(e) for e in evidence] if self.uses_rules else None,
        )
        return self.fitted.probabilities(x)

    def decide(self, probabilities: Sequence[float], rules_kind: str = OTHER) -> str:
        """The rules' kind stands unless the model is sure (``thresholds["override"]``) of
        another; where the rules found nothing (a language without a rule pack, a story
        told in other words), a year-end message needs its own threshold, good news its
        own; otherwise the likeliest of the rest."""
        p = dict(zip(STORY_KINDS, probabilities, strict=True))
        if rules_kind != OTHER:
            override = self.thresholds.get("override", 1.01)
            best = max(STORY_KINDS, key=lambda k: (p[k], -STORY_KINDS.index(k)))
            return best if best != rules_kind and p[best] >= override else rules_kind
        if p[YEAR_END] >= self.thresholds.get(YEAR_END, 0.5):
            return YEAR_END
        if p[GOOD_NEWS] >= self.thresholds.get(GOOD_NEWS, 0.5):
            return GOOD_NEWS
        rest = [k for k in STORY_KINDS if k not in (YEAR_END, GOOD_NEWS)]
        return max(rest, key=lambda k: (p[k], -rest.index(k)))

    def nearest(self, vector: Any, k: int = 3, floor: float = 0.3) -> list[tuple[Example, float]]:
        """The k shipped examples most like this vector (cosine), best first."""
        if self.example_vectors is None or not len(self.examples):
            return []
        import numpy as np

        sims = self.example_vectors.astype(np.float32) @ np.asarray(vector, dtype=np.float32)
        order = sorted(range(len(sims)), key=lambda i: (-round(float(sims[i]), 4), i))[:k]
        return [(self.examples[i], round(float(sims[i]), 3)) for i in order if sims[i] >= floor]


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The shipped model (read once per process)."""
    import io

    import numpy as np

    from .learn import Fitted

    folder = resources.files(__package__) / MODEL_DIR
    with np.load(io.BytesIO((folder / "classifier.npz").read_bytes())) as data:
        fitted = Fitted(data["weights"], data["bias"], tuple(str(k) for k in data["kinds"]))
        meta = json.loads(str(data["meta"]))
    examples: tuple[Example, ...] = ()
    vectors = None
    if (folder / "examples.json").is_file():
        rows = json.loads((folder / "examples.json").read_text("utf-8"))
        examples = tuple(Example(**row) for row in rows)
        with np.load(io.BytesIO((folder / "examples.npz").read_bytes())) as data:
            vectors = data["vectors"]
    return Model(
        fitted=fitted,
        uses_vectors=bool(meta["uses_vectors"]),
        uses_rules=bool(meta["uses_rules"]),
        thresholds={k: float(v) for k, v in meta["thresholds"].items()},
        points=float(meta["points"]),
        examples=examples,
        example_vectors=vectors,
        name=str(meta.get("name", "classifier")),
    )


def save_model(model: Model, folder: Any) -> None:
    """Write a model as load_model reads it (tools/train_classifier)."""
    import numpy as np

    meta = {
        "uses_vectors": model.uses_vectors,
        "uses_rules": model.uses_rules,
        "thresholds": model.thresholds,
        "points": model.points,
        "name": model.name,
    }
    np.savez_compressed(
        folder / "classifier.npz",
        weights=np.round(model.fitted.weights, 5),
        bias=np.round(model.fitted.bias, 5),
        kinds=np.array(model.fitted.kinds),
        meta=np.array(json.dumps(meta, sort_keys=True)),
    )
    if model.example_vectors is not None:
        rows = [e.__dict__ for e in model.examples]
        (folder / "examples.json").write_text(
            json.dumps(rows, ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8"
        )
        np.savez_compressed(folder / "examples.npz", vectors=model.example_vectors)
