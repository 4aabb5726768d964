"""Training and cross-validation on the labelled corpus (train split only: the test split
is for the final, honest figures). Used by tools/train_classifier and bench/quality.

Everything is chosen on the train split: the model's inputs, its regularisation and class
balance, the weight of the fictional sets, the kind thresholds (from out-of-fold
probabilities) and the weight of its term in the score.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..kinds import GOOD_NEWS, STORY_KINDS, YEAR_END
from . import signals
from .classifier import Example, Model
from .evaluate import Post, Quality, measure, ranker
from .features import Evidence
from .learn import fit, folds
from .rules import load_rules
from .scoring import Reading, classify

SHIPPABLE = ("CC-BY", "CC-BY-SA", "CC0", "PD", "PUBLIC-DOMAIN")  # licences whose titles we ship
FICTIONAL = "fictional-"


@dataclass(frozen=True)
class Recipe:
    """How to make a model: which inputs and how much each counts, regularisation, class
    balance, the weight of the fictional sets, the precision the thresholds aim at and
    the weight of the model's term in the score."""

    name: str
    uses_rules: bool = True
    uses_text: bool = True
    rule_scale: float = 1.0
    l2: float = 1e-4
    balance: float = 0.5
    steps: int = 500
    min_df: int = 2
    fictional: float = 0.5  # weight of a fictional example (0: left out)
    precision: dict[str, float] | None = None  # per kind, the precision its threshold aims at
    points: float = 20.0
    year_end_certain: float = 12.0  # rules' year-end points that decide alone (0: never)


# Chosen by 5-fold cross-validation on the train split (bench/quality prints the figures).
RECIPES = {
    "classifier": Recipe("classifier", uses_rules=False),
    "combined": Recipe("combined"),
}
TARGETS = {GOOD_NEWS: 0.9, YEAR_END: 0.95}


@lru_cache(maxsize=8192)
def _evidence(post: Post) -> tuple[Evidence, str]:
    found = signals.kind_evidence(post.entry, load_rules(post.lang))
    return found, classify(found)


def evidence(post: Post) -> Evidence:
    return _evidence(post)[0]


def _fit_model(recipe: Recipe, posts: Sequence[Post]) -> Model:
    """The model's weights (thresholds left at 0.5)."""
    import numpy as np

    from .words import document_frequencies, hashed

    n = len(posts)
    buckets = idf = None
    default = 1.0
    if recipe.uses_text:
        df = document_frequencies([hashed(p.entry) for p in posts])
        kept = sorted(b for b, c in df.items() if c >= recipe.min_df)
        buckets = np.asarray(kept, dtype=np.int64)
        idf = np.asarray([math.log((1 + n) / (1 + df[b])) + 1 for b in kept], dtype=np.float32)
        default = math.log(1 + n) + 1
    blank = Model(
        fitted=None,  # type: ignore[arg-type]
        uses_rules=recipe.uses_rules,
        uses_text=recipe.uses_text,
        thresholds={},
        points=recipe.points,
        rule_scale=recipe.rule_scale,
        year_end_certain=recipe.year_end_certain,
        buckets=buckets,
        idf=idf,
        default_idf=default,
        name=recipe.name,
    )
    dense, sparse = blank.design(*_inputs(posts))
    weights = [recipe.fictional if p.id.startswith(FICTIONAL) else 1.0 for p in posts]
    fitted = fit(
        dense,
        [p.label for p in posts],
        sparse=sparse,
        l2=recipe.l2,
        balance=recipe.balance,
        steps=recipe.steps,
        weights=weights,
    )
    return replace(blank, fitted=fitted)


def _inputs(posts: Sequence[Post]) -> tuple[list[Any], list[Evidence], list[str]]:
    found = [_evidence(p) for p in posts]
    return [p.entry for p in posts], [f[0] for f in found], [f[1] for f in found]


def probabilities(model: Model, posts: Sequence[Post]) -> Any:
    return model.probabilities(*_inputs(posts))


def train(
    recipe: Recipe, posts: Sequence[Post], thresholds: dict[str, float] | None = None
) -> Model:
    """Fit a model on these posts (fictional ones weighed by the recipe, or left out);
    thresholds from an inner cross-validation unless given."""
    used = [p for p in posts if recipe.fictional > 0 or not p.id.startswith(FICTIONAL)]
    model = _fit_model(recipe, used)
    shipped = [p for p in sorted(used, key=lambda p: p.id) if _shippable(p)]
    examples = tuple(Example(p.title, p.label, p.source, p.url, p.entry.excerpt) for p in shipped)
    if thresholds is None:
        thresholds = choose_thresholds(recipe, used)
    return replace(model, examples=examples, thresholds=thresholds)


def _shippable(post: Post) -> bool:
    licence = post.licence.upper().replace(" ", "-")
    return not post.id.startswith(FICTIONAL) and any(licence.startswith(s) for s in SHIPPABLE)


def out_of_fold(recipe: Recipe, posts: Sequence[Post], k: int = 5) -> Any:
    """Each real post's kind probabilities from a model that did not see it (fictional
    posts always train, never test)."""
    import numpy as np

    real = [i for i, p in enumerate(posts) if not p.id.startswith(FICTIONAL)]
    extra = [p for p in posts if p.id.startswith(FICTIONAL)]
    fold = folds([posts[i].id for i in real], k)
    out = np.zeros((len(posts), len(STORY_KINDS)), dtype=np.float32)
    for f in range(k):
        held = [i for i, g in zip(real, fold, strict=True) if g == f]
        if not held:
            continue
        taught = [posts[i] for i, g in zip(real, fold, strict=True) if g != f] + extra
        model = _fit_model(recipe, taught)
        out[held] = probabilities(model, [posts[i] for i in held])
    return out


def choose_thresholds(recipe: Recipe, posts: Sequence[Post]) -> dict[str, float]:
    """Per kind, over out-of-fold probabilities of the real posts, the lowest threshold
    whose precision reaches the recipe's target (the best recall at that precision); when
    none does, the one with the best F0.5."""
    probs = out_of_fold(recipe, posts)
    real = [i for i, p in enumerate(posts) if not p.id.startswith(FICTIONAL)]
    targets = {**TARGETS, **(recipe.precision or {})}
    return {
        kind: threshold(
            [float(probs[i, STORY_KINDS.index(kind)]) for i in real],
            [posts[i].label == kind for i in real],
            targets[kind],
        )
        for kind in (YEAR_END, GOOD_NEWS)
    }


def threshold(scores: Sequence[float], truth: Sequence[bool], target: float) -> float:
    """The lowest cut (on a 0.01 grid, from 0.2) with precision >= target, else the best
    F0.5 cut."""
    best_f = (-1.0, 0.5)
    for step in range(20, 100):
        t = step / 100
        tp = sum(s >= t and y for s, y in zip(scores, truth, strict=True))
        fp = sum(s >= t and not y for s, y in zip(scores, truth, strict=True))
        fn = sum(s < t and y for s, y in zip(scores, truth, strict=True))
        if tp and tp / (tp + fp) >= target:
            return t
        f = 1.25 * tp / (1.25 * tp + 0.25 * fn + fp) if tp else 0.0
        if f > best_f[0] + 1e-9:
            best_f = (f, t)
    return best_f[1]


def cross_validate(
    make: Callable[[Sequence[Post]], Model | None],
    posts: Sequence[Post],
    languages: Sequence[str],
    k: int = 5,
) -> dict[str, Quality]:
    """Quality by k-fold cross-validation: each fold measured in windows, with a model
    made from the other folds (`make` returns None for the rules alone)."""
    fold = folds([p.id for p in posts], k)
    pooled = {lang: Quality(lang) for lang in languages}
    for f in range(k):
        held = [p for p, g in zip(posts, fold, strict=True) if g == f]
        model = make([p for p, g in zip(posts, fold, strict=True) if g != f])
        reading = Reading(model) if model else None
        for lang in languages:
            pooled[lang].add(measure(held, lang, ranker(reading)))
    return pooled


def fictional_posts(folder: Path) -> list[Post]:
    """The fictional sets written for digest (CC0) as extra training posts: many more
    good-news and year-end examples than the real corpus has. Dated mid-December for
    year-end messages and mid-June otherwise (the sets carry no dates)."""
    from datetime import UTC, datetime

    from .fictional import load_labelled

    posts = []
    for name in ("labelled", "heldout", "fresh"):
        for i, item in enumerate(load_labelled(folder / f"{name}.toml")):
            month = 12 if item.label == YEAR_END else 6
            posts.append(
                Post(
                    id=f"{FICTIONAL}{name}-{i}",
                    source="digest (fictional)",
                    lang=item.lang,
                    title=item.title,
                    text=item.text,
                    label=item.label,
                    split="train",
                    date=datetime(2025, month, 15, 12, tzinfo=UTC),
                    licence="CC0-1.0",
                )
            )
    return posts
