"""Scoring one entry: its story kind and every term of its score, each a :class:`Reason`
an editor can read, summing exactly to the score (points are rounded to 2 decimals first).

    kind's base points + rule phrases and year-end facets of that kind
    + the classifier's confidence in that kind (+ what the editors taught it)
    + recency + the feed's weight + the watchlist + novelty

Without a classifier (``reading=None``) the rules alone decide the kind, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..kinds import BASE_POINTS, CAMPAIGN, GOOD_NEWS, GRIM, OTHER, YEAR_END, label
from ..lang import primary
from ..models import Candidate, Entry, FeedSource, Reason
from . import signals
from .features import Evidence, Grams
from .not_year_end import ruled_out
from .year_end import THRESHOLD as YEAR_END_THRESHOLD

if TYPE_CHECKING:
    from .classifier import Model
    from .editors import EditorLabel, Lesson

NOVELTY_PENALTY = -6.0
_RULE_ORDER = (YEAR_END, GOOD_NEWS, CAMPAIGN, GRIM)  # campaign before grim on a tie


@dataclass(frozen=True)
class Reading:
    """What the classifier needs for a window: the model, each entry's cached features
    (by key; an entry without them is read on the spot) and the newsletter's own editor
    labels."""

    model: Model
    features: Mapping[str, Grams] = field(default_factory=dict)
    labels: Sequence[EditorLabel] = ()


@dataclass(frozen=True)
class Verdict:
    """The classifier's view of one entry, for scoring and explanations."""

    kind: str
    probabilities: dict[str, float]
    lesson: Lesson | None = None  # what similar editor labels changed


def classify(evidence: Evidence) -> str:
    """The story kind from the rules: a year-end message needs strong evidence; good news
    must outweigh both grim and campaign evidence (a call to free someone is not their
    release); otherwise the strongest kind, campaign before grim on a tie. The title
    weighs most (docs/labelling.md): where its phrases tell good news from grim or
    campaign, the opening text is not counted against it."""
    standing = year_end_standing(evidence)
    if standing is not None and standing >= YEAR_END_THRESHOLD:
        return YEAR_END
    titled = _title_points(evidence)
    weighed = titled if _decisive(titled) else {k: v[0] for k, v in evidence.items()}
    good = weighed.get(GOOD_NEWS, 0.0)
    if good > 0 and good > weighed.get(GRIM, 0.0) and good > weighed.get(CAMPAIGN, 0.0):
        return GOOD_NEWS
    rest = [(weighed.get(k, 0.0), -i, k) for i, k in enumerate(_RULE_ORDER[2:])]
    best = max(rest)
    return best[2] if best[0] > 0 else OTHER


def _title_points(evidence: Evidence) -> dict[str, float]:
    """Per kind, the points of its phrases in the title."""
    return {
        k: sum(r.points for r in v[1] if r.signal.endswith(":title")) for k, v in evidence.items()
    }


def _decisive(points: dict[str, float]) -> bool:
    """The title alone tells good news from grim and campaign: it has phrases of one of
    them, and good news is not tied with another."""
    good = points.get(GOOD_NEWS, 0.0)
    others = max(points.get(GRIM, 0.0), points.get(CAMPAIGN, 0.0))
    return (good > 0 or others > 0) and good != others


def verdicts(
    entries: Sequence[Entry],
    evidence: Sequence[Evidence],
    reading: Reading,
    language: str | None = None,
) -> list[Verdict]:
    """The classifier's kind and probabilities for every entry (one pass over the batch),
    with the editors' labels blended in; an entry of unknown language is read as in
    `language` (the issue's)."""
    from .classifier import RulesSay
    from .editors import lessons

    model = reading.model
    said = [classify(e) for e in evidence]
    rules = [
        RulesSay(
            kind,
            year_end_standing(ev),
            any(r.signal.endswith(":category") for r in ev.get(kind, (0.0, ()))[1]),
            opening_only(ev, kind),
            primary(entry.language or language or ""),
        )
        for entry, ev, kind in zip(entries, evidence, said, strict=True)
    ]
    grams = [reading.features.get(e.key) for e in entries]
    rows = model.probabilities(entries, evidence, said, grams)
    kinds = model.fitted.kinds
    taught = lessons(model, entries, rows, reading.labels, rules) if reading.labels else {}
    out = []
    for entry, say, row in zip(entries, rules, rows, strict=True):
        learned = taught.get(entry.key)
        if learned is not None and learned.kind is not None:
            out.append(Verdict(learned.kind, learned.probabilities, learned))
            continue
        probabilities = {k: round(float(p), 4) for k, p in zip(kinds, row, strict=True)}
        out.append(Verdict(model.decide([probabilities[k] for k in kinds], say), probabilities))
    return out


def opening_only(evidence: Evidence, kind: str) -> bool:
    """The rules' evidence of `kind` is phrases of the opening text alone: none in the
    title, no category (a weaker sign: on the train split, out of fold, a third of such
    good news is good news, against nine in ten where the title says it)."""
    reasons = evidence.get(kind, (0.0, ()))[1]
    return bool(reasons) and not any(r.signal.endswith((":title", ":category")) for r in reasons)


def year_end_standing(evidence: Evidence) -> float | None:
    """The rules' year-end points, or None where the evidence rules a year-end message
    out (not_year_end.ruled_out): neither the rules nor the classifier can then make one."""
    points, reasons = evidence.get(YEAR_END, (0.0, ()))
    return None if ruled_out(reasons) else points


def score(
    entry: Entry,
    *,
    now: datetime,
    evidence: Evidence,
    verdict: Verdict | None = None,
    model: Model | None = None,
    source: FeedSource | None = None,
    watch: tuple[str, ...] = (),
    earlier: tuple[str, str] | None = None,  # (title, issue) of a story sent lately
    recency: bool = True,
) -> Candidate:
    """Score one entry. Every term is a Reason; the score is their exact sum."""
    kind = verdict.kind if verdict else classify(evidence)
    reasons: list[Reason] = []
    if kind != OTHER:
        reasons.extend(evidence.get(kind, (0.0, ()))[1])
    if verdict is not None and model is not None:
        reasons.extend(_model_reasons(kind, verdict, model.points))
        reasons.extend(_overruled(kind, verdict, evidence))
    for extra in (
        signals.recency(entry, now) if recency else None,
        signals.source_weight(source),
        signals.watchlist(entry, watch),
    ):
        if extra is not None:
            reasons.append(extra)
    if earlier is not None:
        reasons.append(
            Reason("novelty", NOVELTY_PENALTY, f"follows “{earlier[0]}”, sent in {earlier[1]}")
        )
    taught = verdict.lesson.kind_before if verdict and verdict.lesson else None
    if taught is not None and taught != kind:  # the editors' lesson changed the kind
        reasons.append(
            Reason(
                "kind",
                BASE_POINTS[taught],
                f"{label(taught)}: base points of the kind without the editors' lesson",
            )
        )
        lesson = verdict.lesson if verdict else None
        reasons.append(
            Reason(
                "editors",
                BASE_POINTS[kind] - BASE_POINTS[taught],
                f"{label(kind)}, not {label(taught)}: {lesson.text if lesson else ''}",
            )
        )
    else:
        reasons.append(Reason("kind", BASE_POINTS[kind], f"{label(kind)}: base points of the kind"))
    reasons = [Reason(r.signal, round(r.points, 2), r.text) for r in reasons]
    return Candidate(
        entry=entry,
        score=round(sum(r.points for r in reasons), 2),
        kind=kind,
        reasons=tuple(reasons),
        sources=(entry.feed_name,),
    )


def _overruled(kind: str, verdict: Verdict, evidence: Evidence) -> list[Reason]:
    """A note (no points) where the classifier overruled good news the rules found in the
    opening text only, so that an editor sees why the phrase did not count."""
    if kind == GOOD_NEWS or (verdict.lesson and verdict.lesson.kind_before):
        return []
    if classify(evidence) != GOOD_NEWS or not opening_only(evidence, GOOD_NEWS):
        return []
    found = "; ".join(r.text for r in evidence[GOOD_NEWS][1])
    said = f"not {label(GOOD_NEWS)}: the rules found it in the opening text only ({found})"
    return [Reason("classifier", 0.0, f"{said}, and the classifier overrules that")]


def _model_reasons(kind: str, verdict: Verdict, points: float) -> list[Reason]:
    """The classifier's term, and the editors' share of it when their labels moved it."""
    final = verdict.probabilities.get(kind, 0.0)
    lesson = verdict.lesson
    before = lesson.before.get(kind, final) if lesson else final
    said = f"the classifier reads it as {label(kind)} ({before:.0%} sure)"
    if kind in (GOOD_NEWS, YEAR_END) and before < 0.5:  # the rules or the editors decided
        said = f"the classifier doubts it is {label(kind)} ({before:.0%} sure)"
        if lesson is None or lesson.kind_before in (None, kind):
            said += "; the rules decide"
    out = [Reason("classifier", points * before, said)]
    if lesson is not None and round(points * (final - before), 2) != 0:
        out.append(Reason("editors", points * (final - before), lesson.text))
    return out
