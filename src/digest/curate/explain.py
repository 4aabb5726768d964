"""`digest rank --explain KEY`: every term of a candidate's score, summing exactly to the
score shown, and the classifier's part in words a comms officer understands: the rule
phrases it found, how sure it is of each kind, the words that weighed most, the two or
three labelled stories the entry reads like, and what the newsletter's own editors
taught it. Pure: lines of text.
"""

from __future__ import annotations

from ..kinds import label
from ..models import Candidate
from .classifier import Model
from .scoring import Verdict

_PHRASE = (":title", ":text", ":category")


def explain(c: Candidate, verdict: Verdict | None = None, model: Model | None = None) -> list[str]:
    e = c.entry
    lines = [
        e.title,
        f"  key {e.key} · {e.feed_name} · {e.published:%Y-%m-%d %H:%M} UTC",
        f"  {e.link or '(no link)'}",
        f"  kind: {label(c.kind)}   score: {c.score:.2f}   rank: {c.rank}",
        f"  placed in: {c.section}" if c.section else f"  left out: {c.left_out}",
    ]
    if len(c.sources) > 1:
        lines.append(f"  sources: {', '.join(c.sources)}")
    lines.append(f"  score breakdown (the terms add up to {c.score:.2f}):")
    terms = sorted(c.reasons, key=lambda r: r.signal != "kind")  # base points first
    for r in terms:
        if r.points or r.signal != "editor":
            lines.append(f"    {r.points:+7.2f}  {r.text}  [{r.signal}]")
    lines.append(f"    {'=':>7}  {sum(r.points for r in c.reasons):.2f}")
    notes = [r.text for r in c.reasons if r.signal == "editor" and not r.points]
    lines += [f"  {n}" for n in notes]
    lines += _why(c, verdict, model)
    return lines


def _why(c: Candidate, verdict: Verdict | None, model: Model | None) -> list[str]:
    phrases = [r.text for r in c.reasons if r.signal.endswith(_PHRASE)]
    out = ["  why this kind:"]
    if phrases:
        out.append("    the rule packs found: " + "; ".join(phrases))
    else:
        out.append("    the rule packs found no phrase of this kind")
    if verdict is None:
        out.append("    the rules alone decided (no classifier: [curation] classifier = false)")
        return out
    ranked = sorted(verdict.probabilities.items(), key=lambda kv: (-kv[1], kv[0]))
    sure = ", ".join(f"{label(k)} {p:.0%}" for k, p in ranked if p >= 0.01)
    out.append(f"    the classifier weighs it as: {sure}")
    if model is not None:
        said = model.words_for(c.entry, c.kind)
        if said:
            quoted = ", ".join(f"“{w}”" for w in said)
            out.append(f"    the words that made it read as {label(c.kind)}: {quoted}")
        near = model.nearest(c.entry, k=3)
        if near:
            out.append("    it reads like these labelled stories:")
            out += [f"      “{ex.title}” ({label(ex.kind)}, {ex.source})" for ex, _ in near]
    if verdict.lesson is not None:
        out.append("    the editors of this newsletter taught it:")
        out += [f"      {said}" for said in verdict.lesson.said()]
    return out
