"""Training and cross-validation on the labelled corpus (train split only: the test split
is for the final, honest figures). Used by tools/train_classifier and bench/quality.

Everything is chosen on the train split: the model's inputs, its regularisation and class
balance, the weight of the fictional sets, the kind thresholds (from out-of-fold
probabilities) and the weight of its term in the score.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ..kinds import GOOD_NEWS, STORY_KINDS, YEAR_END
from . import signals
from .classifier import Example, Model
from .evaluate import Post, Quality, measure, ranker
from .features import Evidence
from .learn import fit, folds
from .rules import load_rules
from .scoring import Reading, classify, opening_only, year_end_standing
from .year_end import near as nearly

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
    meaning_scale: float = 0.0  # the weight of the meaning vectors (.meaning; 0: not used)
    l2: float = 1e-4
    balance: float = 0.5
    steps: int = 300
    min_df: int = 2
    fictional: float = 0.5  # weight of a fictional example (0: left out)
    precision: dict[str, float] | None = None  # per kind, the precision its threshold aims at
    points: float = 20.0
    year_end_certain: float = 12.0  # rules' year-end points that decide alone (0: never)
    # the highest cut where the rules find good news: above it the model overrules them
    # (0: never; see RECIPES)
    good_news_overrule: float = 0.5
    # the same where the rules' good news is phrases of the opening text only
    # (scoring.opening_only; None: no cut of its own)
    good_news_overrule_text: float | None = None


# Chosen by 5-fold cross-validation on the train split, windowed as bench/quality measures
# (English good-news P@5 of a 0.30 ceiling, section precision / recall; year-end leads):
#   thresholds at precision 0.9: 0.24, 1.00 / 0.82;  at 0.85: 0.25, 0.91 / 0.85
#   without the fictional sets: 0.23, 1.00 / 0.79, 20 of 28 year-end leads (21 with them)
#   l2 1e-3: 0.23, 0.96 / 0.79, 19 of 28;  fully balanced classes: no change
#   without the n-grams: no change on random folds; on folds grouped by source, recall at
#   precision 0.9 drops from 0.90 to 0.84 (good news) and 0.82 to 0.75 (year-end), so the
#   n-grams stay.
# The model does not overrule the rules' good news (thirteenth round): by cross-validation
# with folds by organisation, where it doubted them (a cut up to 0.5) it dropped real good
# news of organisations it never met (the Law Library's "Court Declares Extradition …
# Illegal"): English P@5 0.32 and recall 0.76, against the rules' 0.34 and 0.80; never
# overruling them gives 0.34 and 0.80 (French 0.14 → 0.15, recall 0.71 → 0.76).
# Except (eighteenth round) where the rules' good news is phrases of the opening text only:
# a third of those are good news on the train split, and the model's doubts there were
# never wrong below 0.2 (see thresholds; the held-out split, read once: English precision
# 0.78 -> 0.83, French 0.38 -> 0.42, the same recall).
# The meaning vectors (.meaning) at weight 4, by cross-validation with folds by organisation
# (the model's average precision without -> with them: good news en 0.74 -> 0.82, fr 0.76 ->
# 0.80; year-end messages en 0.93 -> 0.94, fr 0.69 -> 0.87; weight 2 about the same with
# two English year-end leads fewer, weight 8 lower).
RECIPES = {
    "classifier": Recipe("classifier", uses_rules=False, meaning_scale=4.0),
    "combined": Recipe(
        "combined", good_news_overrule=0.0, good_news_overrule_text=0.5, meaning_scale=4.0
    ),
}
# Year-end messages aimed at 0.95 until the twelfth round: with about 55 posts the rules
# call year-end messages, 0.95 hung on one post (three holiday-season posts of new
# organisations read as messages took the cut where the rules agree from 0.05 to 0.95,
# and the recall of a fresh development set from 19 to 12 of 25 English messages).
TARGETS = {GOOD_NEWS: 0.85, YEAR_END: 0.90}
# The model overrules the rules' good news found in the opening text only in the languages
# of which it learned at least this many good-news posts (English and French, not yet
# Spanish or Arabic: it reads every Spanish story as unlikely good news).
LEARNED_GOOD_NEWS = 20


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
        meaning_scale=recipe.meaning_scale,
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


def organisation(post: Post) -> str:
    """What folds by organisation group on: the post's publishing source."""
    return post.source


def out_of_fold(
    recipe: Recipe,
    posts: Sequence[Post],
    k: int = 5,
    by: Callable[[Post], str] = organisation,
) -> Any:
    """Each real post's kind probabilities from a model that did not see it, nor by
    default anything its organisation published (folds by `by(post)`): digest reads
    organisations the corpus never met, so the thresholds are chosen as if for one.
    Fictional posts always train, never test."""
    import numpy as np

    real = [i for i, p in enumerate(posts) if not p.id.startswith(FICTIONAL)]
    extra = [p for p in posts if p.id.startswith(FICTIONAL)]
    fold = folds([by(posts[i]) for i in real], k)
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
    """Per kind, over out-of-fold probabilities of the real posts (folds by organisation),
    two thresholds: one for posts the rules call that kind, one for the others (see
    Model.decide), and for year-end messages a third for posts the rules' points leave one
    facet short; the cuts with the best recall whose precision reaches the recipe's target
    (ties: see :func:`thresholds`), else the best F0.5."""
    probs = out_of_fold(recipe, posts)
    real = [i for i, p in enumerate(posts) if not p.id.startswith(FICTIONAL)]
    targets = {**TARGETS, **(recipe.precision or {})}
    chosen: dict[str, float] = {}
    standing = [year_end_standing(evidence(posts[i])) for i in real]
    text_cut = recipe.good_news_overrule_text
    for kind in (YEAR_END, GOOD_NEWS):
        column = STORY_KINDS.index(kind)
        agree = [_evidence(posts[i])[1] == kind for i in real]
        weak = None  # where the rules agree on the opening text only, if it has a cut
        if kind == GOOD_NEWS and text_cut is not None:
            weak = [
                a and opening_only(evidence(posts[i]), kind)
                for a, i in zip(agree, real, strict=True)
            ]
        certain = [False] * len(real)
        # the rules rule these out: never picked (Model.decide)
        blocked = [kind == YEAR_END and points is None for points in standing]
        if kind == YEAR_END and recipe.year_end_certain > 0:
            certain = [
                _evidence(posts[i])[0].get(YEAR_END, (0.0, ()))[0] >= recipe.year_end_certain
                for i in real
            ]
        near = None
        if kind == YEAR_END:  # the rules' points are one facet short (year_end.near)
            near = [nearly(points) for points in standing]
        cuts = thresholds(
            [float(probs[i, column]) for i in real],
            [posts[i].label == kind for i in real],
            agree,
            certain,
            targets[kind],
            blocked,
            # where the rules find good news the model overrules them at most when it finds
            # it the less likely half (the recipe's good_news_overrule: the phrases are the
            # evidence editors are shown)
            most_where_agreed=recipe.good_news_overrule if kind == GOOD_NEWS else 0.95,
            near=near,
            opening_only=weak,
            most_where_opening=text_cut or 0.0,
        )
        chosen[f"{kind}:rules"], chosen[kind] = cuts.rules, cuts.alone
        if near is not None:
            chosen[f"{kind}:near"] = cuts.near
        if weak is not None:  # in the languages it learned enough good news in
            learned = Counter(posts[i].lang for i in real if posts[i].label == kind)
            for lang in sorted(k for k, n in learned.items() if n >= LEARNED_GOOD_NEWS):
                chosen[f"{kind}:text:{lang}"] = cuts.text
    return chosen


class Cuts(NamedTuple):
    """A kind's cuts (see Model.decide): where the rules agree, where they do not, where
    they nearly do, and where they agree on phrases of the opening text only."""

    rules: float
    alone: float
    near: float
    text: float


def thresholds(
    scores: Sequence[float],
    truth: Sequence[bool],
    agree: Sequence[bool],
    certain: Sequence[bool],
    target: float,
    blocked: Sequence[bool] | None = None,
    most_where_agreed: float = 0.95,
    near: Sequence[bool] | None = None,
    opening_only: Sequence[bool] | None = None,
    most_where_opening: float = 0.5,
) -> Cuts:
    """The cuts on a 0.05 grid up to 0.95 (where the rules agree, up to
    `most_where_agreed`; 0 when that is below the grid: the model never overrules them;
    where they agree on the opening text only, the highest cut up to `most_where_opening`
    that drops none of the kind's posts); posts the rules make certain are always in.
    Where the rules do not say the kind the model must find it the likelier half (a cut
    from 0.5): a lower cut would rest on a post or two of the train split. Without
    `near`, the near cut is the one where the rules do not agree; without
    `opening_only`, the text cut is the one where they do."""
    import numpy as np

    s = np.asarray(scores)
    y = np.asarray(truth, dtype=bool)
    c = np.asarray(certain, dtype=bool)
    b = np.asarray(blocked if blocked is not None else [False] * len(s), dtype=bool)
    t = np.array(opening_only if opening_only is not None else [False] * len(s), dtype=bool)
    a = np.array(agree, dtype=bool)
    t &= a
    a &= ~t
    n = np.asarray(near if near is not None else [False] * len(s), dtype=bool) & ~a & ~t
    grid = [step / 100 for step in range(5, 100, 5)]
    upper = [g for g in grid if g >= 0.5]
    agreed = [g for g in grid if g <= most_where_agreed] or [0.0]
    # where the rules agree on the opening text only, the model overrules them up to the
    # highest cut below which no post of the kind fell: only where it was never wrong
    safe = [g for g in grid if g <= most_where_opening and not (t & y & (s < g)).any()]
    opening = max(safe, default=0.0) if t.any() else None
    best: tuple[tuple[int, int, float, float, float], Cuts] | None = None
    fallback: tuple[float, float, float, float] | None = None
    for ra in agreed:
        rt = ra if opening is None else opening
        for rb in upper:
            for rn in upper if near is not None else (rb,):
                cut = np.where(a, ra, np.where(t, rt, np.where(n, rn, rb)))
                picked = (c | (s >= cut)) & ~b
                tp = int((picked & y).sum())
                fp = int((picked & ~y).sum())
                fn = int((~picked & y).sum())
                if not tp:
                    continue
                # ties: fewer false picks, then the lower cuts where the rules agree or
                # nearly do (what the train split cannot tell apart, the rules' own
                # evidence decides) and the higher cut where they do not
                key = (tp, -fp, -ra, -rn if near is not None else 0.0, rb)
                if tp / (tp + fp) >= target and (best is None or key > best[0]):
                    best = (key, Cuts(ra, rb, rn, rt))
                f = 1.25 * tp / (1.25 * tp + 0.25 * fn + fp)
                if fallback is None or (f, ra, rb, rn) > fallback:
                    fallback = (f, ra, rb, rn)
    if best is not None:
        return best[1]
    if fallback is None:
        return Cuts(0.5, 0.5, 0.5, 0.5)
    ra = fallback[1]
    return Cuts(ra, fallback[2], fallback[3], ra if opening is None else opening)


def cross_validate(
    make: Callable[[Sequence[Post]], Model | None],
    posts: Sequence[Post],
    languages: Sequence[str],
    k: int = 5,
    by: Callable[[Post], str] = lambda p: p.id,
) -> dict[str, Quality]:
    """Quality by k-fold cross-validation: each fold measured in windows, with a model
    made from the other folds (`make` returns None for the rules alone). Posts are put in
    folds by a hash of `by(post)`: their id, or their source to hold whole organisations
    out, as the test split does."""
    fold = folds([by(p) for p in posts], k)
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
