"""Curation: score every entry in the window, decide its story kind, cluster near-duplicates,
and fill the configured sections. Pure: the clock comes in as `now`, history as `sent`.

    entries -> score() -> cluster() -> place() -> Curated(sections, candidates)
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ..edits import Edits, ItemEdit
from ..models import Candidate, Entry, FeedSource, Reason, Section, SectionSpec
from . import signals
from .rules import RulePack, load_rules, normalise

__all__ = ["Curated", "SentStory", "curate", "load_rules"]

KIND_BASE = {"year_end": 30.0, "good_news": 15.0, "campaign": 3.0, "grim": 2.0, "other": 0.0}
KIND_PRIORITY = ("year_end", "good_news", "campaign", "grim")
YEAR_END_THRESHOLD = 8.0
NOVELTY_PENALTY = -6.0
_WORD = re.compile(r"\w+")
_STOP = frozenset(
    {
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "at",
        "by",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "after",
        "over",
        "into",
        "its",
        "their",
        "our",
        "your",
        "this",
        "that",
        "these",
        "those",
        "les",
        "des",
        "une",
        "pour",
        "dans",
        "sur",
        "avec",
        "par",
        "aux",
        "du",
        "de",
        "la",
        "le",
        "et",
        "est",
        "sont",
    }
)


@dataclass(frozen=True)
class Curated:
    sections: tuple[Section, ...]
    candidates: tuple[Candidate, ...]  # every candidate, placed or left out, in rank order


def curate(
    entries: Sequence[Entry],
    *,
    now: datetime,
    language: str,
    sections: Sequence[SectionSpec],
    per_feed_cap: int,
    rules: RulePack,
    sources: Mapping[str, FeedSource] | None = None,
    sent: Mapping[str, str] | None = None,
    recent: Sequence[SentStory] = (),
    watch: tuple[str, ...] = (),
    edits: Edits | None = None,
) -> Curated:
    """Rank `entries` for an issue in `language`. `sent` maps entry keys already sent to
    their issue; `recent` lists stories sent lately (for novelty); `edits` are the
    editors' overrides, applied last and always winning."""
    history = _History(recent)
    scored = [
        score(
            e,
            now=now,
            rules=rules,
            source=(sources or {}).get(e.feed_url),
            watch=watch,
            history=history,
        )
        for e in entries
    ]
    scored.sort(key=_order)
    marked = [_mark(c, language, sent or {}, edits) for c in scored]
    clustered = cluster(marked)
    return place(_retitle(clustered, edits), sections, per_feed_cap, edits)


@dataclass(frozen=True)
class SentStory:
    """A story that went out in an earlier issue."""

    key: str
    title: str
    issue_id: str


class _History:
    """Title stems of recently sent stories, to spot follow-ups of the same story."""

    def __init__(self, recent: Sequence[SentStory]) -> None:
        self.stories = list(recent)
        self.index: dict[str, list[int]] = defaultdict(list)
        self.stems = [_stems(s.title) for s in self.stories]
        for i, stems in enumerate(self.stems):
            for stem in stems:
                self.index[stem].append(i)

    def similar(self, entry: Entry, threshold: float = 0.6) -> SentStory | None:
        mine = _stems(entry.title)
        overlaps: Counter[int] = Counter(i for s in mine for i in self.index.get(s, ()))
        for i, shared in sorted(overlaps.items(), key=lambda kv: (-kv[1], kv[0])):
            story = self.stories[i]
            smaller = min(len(mine), len(self.stems[i]))
            if story.key != entry.key and smaller >= 3 and shared / smaller >= threshold:
                return story
        return None


def score(
    entry: Entry,
    *,
    now: datetime,
    rules: RulePack,
    source: FeedSource | None = None,
    watch: tuple[str, ...] = (),
    history: _History | None = None,
) -> Candidate:
    """Score one entry: its story kind from the rule pack, plus recency, source, watchlist."""
    evidence = signals.kind_evidence(entry, rules)
    kind = classify(evidence)
    reasons: list[Reason] = []
    if kind != "other":
        reasons.extend(evidence[kind][1])
    if kind == "year_end":
        season = signals.year_end_season(entry, entry.published.month)
        if season:
            reasons.append(season)
    for extra in (
        signals.recency(entry, now),
        signals.source_weight(source),
        signals.watchlist(entry, watch),
    ):
        if extra is not None:
            reasons.append(extra)
    earlier = history.similar(entry) if history else None
    if earlier is not None:
        reasons.append(
            Reason(
                "novelty", NOVELTY_PENALTY, f"follows “{earlier.title}”, sent in {earlier.issue_id}"
            )
        )
    total = KIND_BASE[kind] + sum(r.points for r in reasons)
    return Candidate(
        entry=entry,
        score=round(total, 3),
        kind=kind,
        reasons=tuple(reasons),
        sources=(entry.feed_name,),
    )


def classify(evidence: Mapping[str, tuple[float, tuple[Reason, ...]]]) -> str:
    """The story kind: a year-end message needs strong evidence; good news must outweigh
    grim evidence; otherwise the strongest kind, campaign before grim on a tie."""
    points = {k: v[0] for k, v in evidence.items()}
    if points.get("year_end", 0.0) >= YEAR_END_THRESHOLD:
        return "year_end"
    good = points.get("good_news", 0.0)
    if good > 0 and good > points.get("grim", 0.0):
        return "good_news"
    rest = [(points.get(k, 0.0), -i, k) for i, k in enumerate(KIND_PRIORITY[2:])]
    best = max(rest)
    return best[2] if best[0] > 0 else "other"


def _order(c: Candidate) -> tuple[float, float, str]:
    return (-c.score, -c.entry.published.timestamp(), c.entry.key)


def _mark(c: Candidate, language: str, sent: Mapping[str, str], edits: Edits | None) -> Candidate:
    edit = edits.for_key(c.entry.key) if edits else None
    if edit is not None and edit.drop:
        return replace(
            c,
            left_out=f"dropped by the editors ({edits.path.name if edits else ''})",
            reasons=(*c.reasons, Reason("editor", 0.0, "dropped by the editors")),
        )
    if edit is not None and edit.includes:
        note = "pinned by the editors" if edit.pin else f"moved to “{edit.section}” by the editors"
        return replace(c, reasons=(*c.reasons, Reason("editor", 0.0, note)))
    lang = c.entry.language
    if lang and lang != language:
        return replace(c, left_out=f"written in {lang}; this issue is in {language}")
    if c.entry.key in sent:
        return replace(c, left_out=f"already sent in issue {sent[c.entry.key]}")
    return c


def _retitle(candidates: Sequence[Candidate], edits: Edits | None) -> list[Candidate]:
    if not edits:
        return list(candidates)
    out = []
    for c in candidates:
        edit = edits.for_key(c.entry.key)
        out.append(replace(c, title=edit.title, blurb=edit.blurb) if edit else c)
    return out


def _stems(text: str) -> frozenset[str]:
    words = _WORD.findall(normalise(text))
    return frozenset(w[:5] for w in words if len(w) > 2 and w not in _STOP)


def cluster(candidates: Sequence[Candidate], *, threshold: float = 0.6) -> list[Candidate]:
    """Fold near-duplicate stories from different feeds into the best-scored one, which
    lists every source. Candidates must come sorted best first."""
    reps: list[int] = []
    index: dict[str, list[int]] = defaultdict(list)
    stems = [_stems(c.entry.title) for c in candidates]
    links: dict[str, int] = {}
    result = list(candidates)
    for i, c in enumerate(candidates):
        if c.left_out:
            continue
        match = links.get(c.entry.link) if c.entry.link else None
        if match is None:
            overlaps: Counter[int] = Counter()
            for s in stems[i]:
                for j in index.get(s, ()):
                    overlaps[j] += 1
            for j, shared in sorted(overlaps.items(), key=lambda kv: (-kv[1], kv[0])):
                smaller = min(len(stems[i]), len(stems[j]))
                if (
                    smaller >= 3
                    and shared / smaller >= threshold
                    and result[j].entry.feed_url != c.entry.feed_url
                    and result[j].entry.language == c.entry.language
                ):
                    match = j
                    break
        if match is not None:
            rep = result[match]
            sources = (
                rep.sources
                if c.entry.feed_name in rep.sources
                else (*rep.sources, c.entry.feed_name)
            )
            result[match] = replace(rep, sources=sources)
            result[i] = replace(c, left_out=f"same story as “{rep.entry.title}” ({rep.entry.key})")
            continue
        reps.append(i)
        for s in stems[i]:
            index[s].append(i)
        if c.entry.link:
            links[c.entry.link] = i
    return result


def place(
    candidates: Sequence[Candidate],
    specs: Sequence[SectionSpec],
    per_feed_cap: int,
    edits: Edits | None = None,
) -> Curated:
    """Fill sections in order with the best candidates, honouring size and per-feed caps;
    items the editors pinned or moved go in first, whatever the caps; then the editors'
    positions are applied. Every candidate left out says why."""
    placed: dict[str, list[Candidate]] = {s.id: [] for s in specs}
    per_feed: Counter[str] = Counter()
    out: list[Candidate] = []
    forced = [
        (c, edit)
        for c in candidates
        if not c.left_out and (edit := _edit(edits, c)) is not None and edit.includes
    ]
    for c, edit in forced:
        target = edit.section or _home(c, specs)
        per_feed[c.entry.feed_url] += 1
        placed[target].append(replace(c, section=target))
    forced_keys = {c.entry.key for c, _ in forced}
    for c in candidates:
        if c.entry.key in forced_keys:
            continue
        if c.left_out:
            out.append(c)
            continue
        reason = None
        for spec in specs:
            if spec.kinds and c.kind not in spec.kinds:
                continue
            if len(placed[spec.id]) >= spec.max_items:
                reason = f"“{spec.title}” is full ({spec.max_items} items)"
                continue
            if per_feed[c.entry.feed_url] >= per_feed_cap:
                reason = f"{c.entry.feed_name} already has {per_feed_cap} items (per-feed cap)"
                break
            per_feed[c.entry.feed_url] += 1
            placed[spec.id].append(replace(c, section=spec.id))
            reason = None
            break
        else:
            reason = reason or f"no section takes {c.kind.replace('_', ' ')} stories"
        if reason:
            out.append(replace(c, left_out=reason))
    for spec in specs:
        placed[spec.id] = _positioned(placed[spec.id], edits)
    ranked: list[Candidate] = [c for s in specs for c in placed[s.id]]
    ranked += out
    ranked = [replace(c, rank=i) for i, c in enumerate(ranked, 1)]
    by_key = {c.entry.key: c for c in ranked}
    sections = tuple(
        Section(s.id, s.title, tuple(by_key[c.entry.key] for c in placed[s.id]))
        for s in specs
        if placed[s.id]
    )
    return Curated(sections, tuple(ranked))


def _edit(edits: Edits | None, c: Candidate) -> ItemEdit | None:
    return edits.for_key(c.entry.key) if edits else None


def _home(c: Candidate, specs: Sequence[SectionSpec]) -> str:
    """The section a pinned item goes to: the first that takes its kind, else the last."""
    for spec in specs:
        if not spec.kinds or c.kind in spec.kinds:
            return spec.id
    return specs[-1].id


def _positioned(items: list[Candidate], edits: Edits | None) -> list[Candidate]:
    """Put items with an editor's position there (1-based); the rest keep their order."""
    if not edits:
        return items
    fixed = sorted(
        (
            (edit.position, i, c)
            for i, c in enumerate(items)
            if (edit := edits.for_key(c.entry.key)) is not None and edit.position
        ),
        key=lambda t: (t[0], t[1]),
    )
    if not fixed:
        return items
    rest = [c for c in items if all(c is not f[2] for f in fixed)]
    for position, _, c in fixed:
        rest.insert(min(position - 1, len(rest)), c)
    return rest
