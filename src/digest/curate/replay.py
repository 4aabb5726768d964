"""Does the ranking learn from its editors? A replay: a stream of labelled posts the model
never saw in training, cut into weekly windows; each week the draft is ranked with the
labels gathered so far, then an editor corrects it as a real one would: pins every
good-news story the draft missed into Good news and drops every false pick from it.
Those corrections become labels (:mod:`.editors`) for the weeks after. P@5 of each
week's draft, before correction, shows whether the corrections carry over; the same
stream replayed without the labels is the baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..kinds import GOOD_NEWS, OTHER, YEAR_END
from .classifier import Model
from .editors import EditorLabel
from .evaluate import Post, order_key, ranker
from .scoring import Reading

WEEKS = 8


def weeks(posts: Sequence[Post], count: int = WEEKS) -> list[list[Post]]:
    """`count` consecutive windows of equal size, in the stream's fixed pseudo-random
    order (a hash of each id: every week draws on the same mix of sources, as one
    newsletter's feeds do)."""
    ordered = sorted((p for p in posts if p.label != YEAR_END), key=order_key)
    size = len(ordered) // count
    if size == 0:
        return []
    return [ordered[i * size : (i + 1) * size] for i in range(count)]


def replay(model: Model, posts: Sequence[Post], language: str, learn: bool = True) -> list[float]:
    """P@5 of the good-news section, week by week, as the editors' labels accumulate
    (or, with ``learn=False``, without them)."""
    mine = [p for p in posts if p.lang == language]
    by_key = {p.entry.key: p for p in mine}
    labels: list[EditorLabel] = []
    scores = []
    base = Reading(model, {})
    for n, window in enumerate(weeks(mine), 1):
        reading = replace(base, labels=tuple(labels)) if learn else base
        curated = ranker(reading)([p.entry for p in window], language)
        section = next((s.items for s in curated.sections if s.id == "good-news"), ())
        hits = [by_key[c.entry.key].label == GOOD_NEWS for c in section]
        scores.append(sum(hits[:5]) / 5)
        shown = {c.entry.key for c in section}
        issue = f"week {n}"
        for p in window:
            key = p.entry.key
            verdict = curated.verdicts.get(key)
            before = None
            if verdict is not None:
                before = verdict.lesson.before if verdict.lesson else verdict.probabilities
            if p.label == GOOD_NEWS and key not in shown:
                kind, action, where = GOOD_NEWS, "move", "Good news"
            elif p.label != GOOD_NEWS and key in shown:
                kind, action, where = OTHER, "drop", None
            else:
                continue
            drafted = verdict.kind if verdict is not None else ""
            e = p.entry
            labels.append(
                EditorLabel(
                    issue,
                    key,
                    action,
                    kind,
                    where,
                    p.title,
                    e.excerpt,
                    before,
                    e.feed_url,
                    e.feed_name,
                    drafted,
                )
            )
    return scores
