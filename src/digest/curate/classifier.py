"""The learned story classifier, combined with the rules.

A multinomial logistic regression over three blocks of features: the rule packs' evidence
with the calendar, the hashed tf-idf n-grams of the title and opening text (see
:mod:`.features`), and what they mean, a vector of e5's word vectors (:mod:`.meaning`). It
is trained by tools/train_classifier on the real labelled corpus's train split and shipped
as ``model/classifier.npz`` (weights, n-gram buckets and their idf, thresholds), with
``model/examples.json`` (the titles and opening lines of the training examples whose
licence lets us ship them, for "reads like" explanations) beside ``model/meaning.npz``.

Pure: entries, their evidence and features come in, probabilities and decisions go out.
numpy loads lazily.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

from ..kinds import GOOD_NEWS, OTHER, STORY_KINDS, YEAR_END
from ..models import Entry
from .features import Evidence, Grams, Vocabulary, rule_row
from .year_end import near

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .learn import Fitted, Sparse

MODEL_DIR = "model"
# Words too common to be shown as a reason (the model may still weigh them).
_PLAIN = frozenset(
    " ".join(
        (
            "after again also been before being from have here into more most only over some",
            "than that their them then there these they this those under very were what when",
            "where which while will with would your apres avant avec cette dans depuis elle",
            "entre leur leurs mais nous pour sans sont sous tous tout vous desde este esta",
            "para pero sobre tras",
        )
    ).split()
)


class RulesSay(NamedTuple):
    """What the rules say of one entry, as :meth:`Model.decide` weighs it: their kind;
    its year-end points (None: ruled out, see scoring.year_end_standing); whether the
    feed itself files it under that kind (`filed`: a "Good news" category); whether their
    evidence of that kind is in the opening text only; the entry's language."""

    kind: str = OTHER
    year_end_points: float | None = 0.0
    filed: bool = False
    opening_only: bool = False
    language: str | None = None


NOTHING_SAID = RulesSay()


@dataclass(frozen=True)
class Example:
    """A labelled example the explanations can point to."""

    title: str
    kind: str
    source: str
    url: str = ""
    text: str = ""


@dataclass(frozen=True)
class Model:
    fitted: Fitted
    uses_rules: bool
    uses_text: bool
    thresholds: dict[str, float]  # "good_news", "good_news:rules" (the rules agree),
    # "good_news:text:en" (they agree on the opening text only, an English entry)...
    points: float  # score points the model adds at probability 1
    rule_scale: float = 1.0
    year_end_certain: float = 0.0  # rules' year-end points that decide alone (0: never)
    buckets: Any = None  # (columns,) int64: the n-gram bucket of each sparse column
    idf: Any = None  # (columns,) float32
    default_idf: float = 1.0
    examples: tuple[Example, ...] = ()
    name: str = "classifier"
    meaning_scale: float = 0.0  # the weight of the meaning block (0: not used; see .meaning)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The n-gram columns of the sparse block."""
        if self.buckets is None:
            return Vocabulary([], [], self.default_idf)
        return Vocabulary(self.buckets, self.idf, self.default_idf)

    def design(
        self,
        entries: Sequence[Entry],
        evidence: Sequence[Evidence],
        rules_kinds: Sequence[str],
        grams: Sequence[Grams | None] | None = None,
    ) -> tuple[Any, Sparse | None]:
        """The dense block (rule evidence and calendar, then the meaning vectors of
        :mod:`.meaning`) and the sparse block (n-grams; `grams` are the entries' cached
        :func:`.features.grams_of`, where known)."""
        import numpy as np

        dense = np.zeros((len(entries), 0))
        if self.uses_rules:
            rows = [
                rule_row(e, ev, k) for e, ev, k in zip(entries, evidence, rules_kinds, strict=True)
            ]
            dense = np.asarray(rows, dtype=np.float64).reshape(len(entries), -1) * self.rule_scale
        if self.meaning_scale:
            from .meaning import load_table

            dense = np.hstack([dense, load_table().rows(entries) * self.meaning_scale])
        sparse = None
        if self.uses_text:
            sparse = self.vocabulary.rows(entries, grams)
        return dense, sparse

    def probabilities(
        self,
        entries: Sequence[Entry],
        evidence: Sequence[Evidence],
        rules_kinds: Sequence[str],
        grams: Sequence[Grams | None] | None = None,
    ) -> npt.NDArray[np.float32]:
        """One row of kind probabilities (in STORY_KINDS order) per entry."""
        dense, sparse = self.design(entries, evidence, rules_kinds, grams)
        return self.fitted.probabilities(dense, sparse)

    def decide(self, probabilities: Sequence[float], rules: RulesSay = NOTHING_SAID) -> str:
        """Year-end messages first, then good news, each with two thresholds chosen by
        cross-validation for precision: a lower one where the rules say that kind (0 for
        the shipped recipe's good news where a phrase of the title says so: the model
        does not overrule them; a cut of its own where the rules' phrases are in the
        opening text only, ``rules.opening_only``: "victories" in a round-up's standing
        blurb, in the languages whose good news it learned), a higher one where they do
        not (the model finds what the rules missed); for year-end messages a third one
        where the rules' points are one facet short (year_end.near: "L'année 2020
        s'achève" in December). Rules' year-end evidence past ``year_end_certain``
        ("year-end message … secretary general") decides alone, and where the rules rule
        a year-end message out (``rules.year_end_points`` None) the model cannot make it
        one. Where the feed itself files the entry under the rules' kind
        (``rules.filed``: a "Good news" or a "Death penalty" category), the model does
        not overrule it: it learned from posts without categories. Otherwise the
        likeliest of the rest."""
        p = dict(zip(STORY_KINDS, probabilities, strict=True))
        rules_kind, year_end_points, filed, opening_only, language = rules
        if year_end_points is not None and 0 < self.year_end_certain <= year_end_points:
            return YEAR_END
        for kind in (YEAR_END, GOOD_NEWS):
            if kind == YEAR_END and year_end_points is None:
                continue
            cut = self.cut(kind, rules_kind == kind, opening_only, language)
            if kind == YEAR_END and rules_kind != kind and near(year_end_points):
                cut = self.thresholds.get(f"{kind}:near", cut)
            if p[kind] >= cut or (filed and rules_kind == kind):
                return kind
        rest = [k for k in STORY_KINDS if k not in (YEAR_END, GOOD_NEWS)]
        if filed and rules_kind in rest:
            return rules_kind
        return max(rest, key=lambda k: (p[k], -rest.index(k)))

    def cut(
        self,
        kind: str,
        rules_agree: bool,
        opening_only: bool = False,
        language: str | None = None,
    ) -> float:
        """The probability from which an entry is of `kind` (where the rules agree on
        phrases of the opening text only, the language's ``:text:`` cut if the model has
        one)."""
        plain = self.thresholds.get(kind, 0.5)
        if not rules_agree:
            return plain
        agreed = self.thresholds.get(f"{kind}:rules", plain)
        if not opening_only or not language:
            return agreed
        return self.thresholds.get(f"{kind}:text:{language}", agreed)

    def words_for(self, entry: Entry, kind: str, k: int = 4) -> list[str]:
        """The words and word pairs of this entry that pushed it most towards `kind` (for
        --explain): each one's part in the kind's logit against the average kind, from its
        tf-idf n-grams and, where the model reads meaning vectors, from its word's vector
        (:meth:`.meaning.Table.parts`), added up per word."""
        column = self.fitted.kinds.index(kind)
        pushes: dict[str, float] = {}
        for gram, push in self._gram_parts(entry, column) + self._meaning_parts(entry, column):
            pushes[gram] = pushes.get(gram, 0.0) + push
        from .words import as_written

        ranked = sorted((-round(p, 6), w) for w, p in pushes.items() if p > 0 and _telling(w))
        return as_written(entry, [w for _, w in ranked[:k]])

    def _gram_parts(self, entry: Entry, column: int) -> list[tuple[str, float]]:
        from .words import bucket, words

        if not self.uses_text or self.fitted.sparse_weights is None:
            return []
        weights = self.vocabulary.rows([entry])
        value = dict(zip(weights.cols.tolist(), weights.data.tolist(), strict=True))
        out = []
        for gram in sorted(set(words(entry))):
            found = self.vocabulary.column(bucket(gram))
            if found is None or found not in value:
                continue  # unknown to the model
            row = self.fitted.sparse_weights[found].astype(float)
            out.append((_show(gram), value[found] * float(row[column] - row.mean())))
        return out

    def _meaning_parts(self, entry: Entry, column: int) -> list[tuple[str, float]]:
        if not self.meaning_scale:
            return []
        from .meaning import load_table

        table = load_table()
        block = self.fitted.weights[-table.dims :].astype(float)  # the dense block's end
        direction = self.meaning_scale * (block[:, column] - block.mean(axis=1))
        return list(table.parts(entry, direction).items())

    def nearest(self, entry: Entry, k: int = 3, floor: float = 0.1) -> list[tuple[Example, float]]:
        """The k shipped examples most like this entry, best first: the cosine of their
        tf-idf n-grams over the model's columns, as the model reads them."""
        import numpy as np

        if not self.examples or not self.uses_text:
            return []
        mine = self.vocabulary.rows([entry])
        column = np.zeros((mine.width, 1))
        column[mine.cols, 0] = mine.data
        sims = self._example_rows.dot(column).ravel().tolist()
        order = sorted(range(len(sims)), key=lambda i: (-round(sims[i], 4), i))[:k]
        return [(self.examples[i], round(sims[i], 3)) for i in order if sims[i] >= floor]

    @cached_property
    def _example_rows(self) -> Sparse:
        from datetime import UTC, datetime

        when = datetime(2000, 1, 1, tzinfo=UTC)
        entries = [
            Entry("", "", str(i), ex.title, None, when, excerpt=ex.text)
            for i, ex in enumerate(self.examples)
        ]
        return self.vocabulary.rows(entries)


def _telling(gram: str) -> bool:
    """A word worth quoting: four letters or more and not a plain function word; a pair
    when either word is."""
    return any(len(w) >= 4 and w not in _PLAIN and not w.startswith("<") for w in gram.split())


def _show(gram: str) -> str:
    for prefix in ("t:", "^:"):
        if gram.startswith(prefix):
            return gram[len(prefix) :]
    return gram


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The shipped model (read once per process)."""
    import io

    import numpy as np

    from .learn import Fitted

    folder = resources.files(__package__) / MODEL_DIR
    with np.load(io.BytesIO((folder / "classifier.npz").read_bytes())) as data:
        meta = json.loads(str(data["meta"]))
        fitted = Fitted(
            data["weights"],
            data["bias"],
            tuple(str(k) for k in data["kinds"]),
            data["sparse_weights"] if "sparse_weights" in data.files else None,
        )
        buckets = data["buckets"] if "buckets" in data.files else None
        idf = data["idf"] if "idf" in data.files else None
    examples: tuple[Example, ...] = ()
    if (folder / "examples.json").is_file():
        rows = json.loads((folder / "examples.json").read_text("utf-8"))
        examples = tuple(Example(**row) for row in rows)
    return Model(
        fitted=fitted,
        uses_rules=bool(meta["uses_rules"]),
        uses_text=bool(meta["uses_text"]),
        thresholds={k: float(v) for k, v in meta["thresholds"].items()},
        points=float(meta["points"]),
        rule_scale=float(meta.get("rule_scale", 1.0)),
        year_end_certain=float(meta.get("year_end_certain", 0.0)),
        buckets=buckets,
        idf=idf,
        default_idf=float(meta.get("default_idf", 1.0)),
        examples=examples,
        name=str(meta.get("name", "classifier")),
        meaning_scale=float(meta.get("meaning_scale", 0.0)),
        meta=meta,
    )


def save_model(model: Model, folder: Any, extra: Mapping[str, Any] | None = None) -> None:
    """Write a model as load_model reads it (tools/train_classifier)."""
    import numpy as np

    meta = {
        "uses_rules": model.uses_rules,
        "uses_text": model.uses_text,
        "thresholds": model.thresholds,
        "points": model.points,
        "rule_scale": model.rule_scale,
        "year_end_certain": model.year_end_certain,
        "default_idf": round(model.default_idf, 6),
        "name": model.name,
        "meaning_scale": model.meaning_scale,
        **(extra or {}),
    }
    arrays: dict[str, Any] = {
        "weights": np.round(model.fitted.weights, 5).astype(np.float32),
        "bias": np.round(model.fitted.bias, 5).astype(np.float32),
        "kinds": np.array(model.fitted.kinds),
        "meta": np.array(json.dumps(meta, sort_keys=True)),
    }
    if model.fitted.sparse_weights is not None:
        arrays["sparse_weights"] = np.round(model.fitted.sparse_weights, 4).astype(np.float16)
        arrays["buckets"] = np.asarray(model.buckets, dtype=np.int32)
        arrays["idf"] = np.asarray(model.idf, dtype=np.float32)
    np.savez_compressed(folder / "classifier.npz", **arrays)
    rows = [e.__dict__ for e in model.examples]
    (folder / "examples.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8"
    )
    stale = folder / "examples.npz"
    if stale.exists():
        stale.unlink()
