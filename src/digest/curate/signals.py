"""Scoring signals: pure functions of an entry, its context and `now`.

Each returns the :class:`Reason` values it contributes (points plus a sentence an editor
can read), never touching the clock, the store or the network.
"""

from __future__ import annotations

import re
from datetime import datetime

from ..kinds import YEAR_END
from ..models import Entry, FeedSource, Reason
from . import not_year_end, year_end
from .rules import OUTCOMES, KindRules, RulePack, normalise, sentences

RECENCY_POINTS = 3.0
RECENCY_HALF_LIFE_DAYS = 3.0
WEIGHT_POINTS = 3.0
BODY_FACTOR = 0.5  # a phrase in the body counts half as much as in the title
MAX_PHRASES = 3
_CLAUSE = re.compile(r"\s*[,;:]\s+|\s+-\s+")  # a title's clauses (dashes are normalised)


def kind_evidence(entry: Entry, rules: RulePack) -> dict[str, tuple[float, tuple[Reason, ...]]]:
    """Per story kind: points and reasons from title, body and feed categories; for
    year-end messages also their own facets (who, what, to whom, how) and the season."""
    categories = {normalise(c) for c in entry.categories}
    title = sentences(entry.title)
    in_title = rules.match(title)
    in_body = rules.match(sentences(entry.excerpt))
    # a title that asks for an outcome ("… calls for release of all prisoners") is a
    # demand: the opening's outcomes (others "already released") do not make it one. (A
    # question title may still open on outcomes: "Can goodwill gestures help? Radios are
    # back on air, prisoners to be freed")
    for outcome in OUTCOMES:
        if outcome in in_body and outcome not in in_title and outcome in rules.guarded(title):
            del in_body[outcome]
    # ... and a title that frames the story as something else (a pack's title guards:
    # "… Community Demands Marriage Equality") is not made one by its words or the
    # opening's, unless it leads with the outcome before the frame ("Group Welcomes Release
    # of 52 Prisoners, Calls for …"; not "… demands immediate, unconditional release …")
    # (and a title whose outcome its own guard cancelled may still lead with it: "Activists
    # Freed, As Opposition Calls for …")
    framed = rules.framed(title)
    for outcome in OUTCOMES:
        if outcome in framed:
            lead: list[str] = []
            for clause in (c for part in title for c in _CLAUSE.split(part) if c):
                if outcome in rules.framed([clause]):
                    break
                lead.append(clause)
            first = rules.match(lead)
            if outcome in first:
                in_title[outcome] = first[outcome]
                continue
            in_title.pop(outcome, None)
            in_body.pop(outcome, None)
    evidence: dict[str, tuple[float, tuple[Reason, ...]]] = {}
    for kind in rules.kinds:
        reasons = _phrase_reasons(kind, in_title.get(kind.kind, ()), in_body.get(kind.kind, ()))
        tagged = sorted(categories & kind.categories)
        if tagged:
            note = f"the feed files it under “{tagged[0]}”"
            reasons.append(Reason(f"{kind.kind}:category", kind.points, note))
        if kind.kind == YEAR_END:
            found = year_end.facets(entry)
            reasons += _new_facets(reasons, found)
            when = year_end.season(entry) if reasons else None
            if when is not None:
                reasons.append(when)
            # what rules a year-end message out counts even without other evidence: the
            # classifier must not make one of a topic review or a summer letter
            reasons += not_year_end.against(entry, found, reasons)
        if reasons:
            evidence[kind.kind] = (round(sum(r.points for r in reasons), 2), tuple(reasons))
    return evidence


def _new_facets(reasons: list[Reason], found: tuple[Reason, ...]) -> list[Reason]:
    """Facets, except a weak "what" when a phrase of the pack already says what it is."""
    if any(r.signal.endswith((":title", ":text")) for r in reasons):
        return [r for r in found if r.signal != "year_end:what" or r.points > 2.0]
    return list(found)


def _phrase_reasons(
    kind: KindRules, title_hits: tuple[str, ...], body_hits: tuple[str, ...]
) -> list[Reason]:
    reasons = [
        Reason(f"{kind.kind}:title", kind.points, f"{kind.label}: title says “{_show(p)}”")
        for p in title_hits[:MAX_PHRASES]
    ]
    room = MAX_PHRASES - len(reasons)
    for phrase in [p for p in body_hits if p not in title_hits][: max(room, 0)]:
        reasons.append(
            Reason(
                f"{kind.kind}:text",
                kind.points * BODY_FACTOR,
                f"{kind.label}: text says “{_show(phrase)}”",
            )
        )
    return reasons


def _show(phrase: str) -> str:
    return phrase.replace(" * ", " … ").replace("*", "…")


def recency(entry: Entry, now: datetime) -> Reason:
    age_days = max((now - entry.published).total_seconds(), 0.0) / 86400
    points = RECENCY_POINTS * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
    when = "today" if age_days < 1 else f"{age_days:.0f} day{'s' if age_days >= 1.5 else ''} old"
    return Reason("recency", round(points, 3), f"published {when}" if when == "today" else when)


def source_weight(source: FeedSource | None) -> Reason | None:
    if source is None or source.weight == 1.0:
        return None
    points = round((source.weight - 1.0) * WEIGHT_POINTS, 3)
    more = "counts more" if points > 0 else "counts less"
    return Reason("source", points, f"{source.name} {more} (weight {source.weight:g})")


def watchlist(entry: Entry, names: tuple[str, ...], points: float = 4.0) -> Reason | None:
    if not names:
        return None
    haystack = normalise(f"{entry.title} {entry.excerpt}")
    hits = [n for n in names if normalise(n) in haystack]
    if not hits:
        return None
    return Reason("watchlist", points * len(hits), f"mentions {', '.join(hits)} (watchlist)")
