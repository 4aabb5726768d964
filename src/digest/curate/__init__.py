"""Curation: score every entry in the window, decide its story kind, cluster near-duplicates,
and fill the configured sections. Pure: the clock comes in as `now`, history as `sent`.

    entries -> score() -> cluster() -> place() -> Curated(sections, candidates)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ..edits import Edits, ItemEdit
from ..lang import matches
from ..models import Candidate, Entry, FeedSource, Reason, Section, SectionSpec
from . import signals
from .rules import RulePack, load_rules
from .similarity import OverlapIndex, frequencies, stems

__all__ = ["Curated", "SentStory", "curate", "load_rules"]

KIND_BASE = {"year_end": 30.0, "good_news": 15.0, "campaign": 3.0, "grim": 2.0, "other": 0.0}
KIND_PRIORITY = ("year_end", "good_news", "campaign", "grim")
YEAR_END_THRESHOLD = 8.0
NOVELTY_PENALTY = -6.0


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
    recency: bool = True,
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
            recency=recency,
        )
        for e in entries
    ]
    scored.sort(key=_order)
    marked = [_mark(c, language, sent or {}, edits) for c in scored]
    return place(_retitle(marked, edits), sections, per_feed_cap, edits)


@dataclass(frozen=True)
class SentStory:
    """A story that went out in an earlier issue."""

    key: str
    title: str
    issue_id: str


class _History:
    """Title stems of recently sent stories, to spot follow-ups of the same story."""

    def __init__(self, recent: Sequence[SentStory], threshold: float = 0.6) -> None:
        self.stories = list(recent)
        titles = [stems(s.title) for s in self.stories]
        self.index = OverlapIndex(threshold, frequencies(titles))
        for i, title in enumerate(titles):
            self.index.add(i, title)

    def similar(self, entry: Entry) -> SentStory | None:
        if not self.stories:
            return None
        found = self.index.best(stems(entry.title), lambda i: self.stories[i].key != entry.key)
        return self.stories[found] if found is not None else None


def score(
    entry: Entry,
    *,
    now: datetime,
    rules: RulePack,
    source: FeedSource | None = None,
    watch: tuple[str, ...] = (),
    history: _History | None = None,
    recency: bool = True,
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
        signals.recency(entry, now) if recency else None,
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
    both grim and campaign evidence (a call to free someone is not their release);
    otherwise the strongest kind, campaign before grim on a tie."""
    points = {k: v[0] for k, v in evidence.items()}
    if points.get("year_end", 0.0) >= YEAR_END_THRESHOLD:
        return "year_end"
    good = points.get("good_news", 0.0)
    if good > 0 and good > points.get("grim", 0.0) and good > points.get("campaign", 0.0):
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
    if not matches(lang, language):  # by primary language: en-GB takes en and en-US
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


def place(
    candidates: Sequence[Candidate],
    specs: Sequence[SectionSpec],
    per_feed_cap: int,
    edits: Edits | None = None,
) -> Curated:
    """Fill sections in order with the best candidates (they come sorted best first),
    honouring size and per-feed caps; items the editors pinned or moved go in first,
    whatever the caps; then the editors' positions are applied. A near-duplicate of a story
    already placed (from another feed) is folded into it, which then lists both sources.
    Every candidate left out says why."""
    slots: dict[str, list[str]] = {s.id: [] for s in specs}  # entry keys, in order
    chosen: dict[str, Candidate] = {}
    twins = _Twins()
    per_feed: Counter[str] = Counter()
    out: list[Candidate] = []

    def put(c: Candidate, section: str) -> None:
        chosen[c.entry.key] = replace(c, section=section)
        slots[section].append(c.entry.key)
        per_feed[c.entry.feed_url] += 1
        twins.add(c)

    forced = [
        (c, edit)
        for c in candidates
        if not c.left_out and (edit := _edit(edits, c)) is not None and edit.includes
    ]
    for c, edit in forced:
        put(c, edit.section or _home(c, specs))
    forced_keys = {c.entry.key for c, _ in forced}
    for c in candidates:
        if c.entry.key in forced_keys:
            continue
        if c.left_out:
            out.append(c)
            continue
        twin = twins.of(c)
        if twin is not None:
            rep = chosen[twin]
            if c.entry.feed_name not in rep.sources:
                chosen[twin] = replace(rep, sources=(*rep.sources, c.entry.feed_name))
            out.append(replace(c, left_out=f"same story as “{rep.entry.title}” ({twin})"))
            continue
        reason = None
        for spec in specs:
            if spec.kinds and c.kind not in spec.kinds:
                continue
            if len(slots[spec.id]) >= spec.max_items:
                reason = f"“{spec.title}” is full ({spec.max_items} items)"
                continue
            if per_feed[c.entry.feed_url] >= per_feed_cap:
                reason = f"{c.entry.feed_name} already has {per_feed_cap} items (per-feed cap)"
                break
            put(c, spec.id)
            reason = None
            break
        else:
            reason = reason or f"no section takes {c.kind.replace('_', ' ')} stories"
        if reason:
            out.append(replace(c, left_out=reason))
    placed = {s.id: _positioned([chosen[k] for k in slots[s.id]], edits) for s in specs}
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


class _Twins:
    """The stories placed so far, to fold in the same story from another feed: the same
    link, or titles sharing most of their word stems (in the same language)."""

    def __init__(self, threshold: float = 0.6) -> None:
        self.index = OverlapIndex(threshold)
        self.links: dict[str, str] = {}
        self.placed: list[Candidate] = []

    def add(self, c: Candidate) -> None:
        self.index.add(len(self.placed), stems(c.entry.title))
        self.placed.append(c)
        if c.entry.link:
            self.links.setdefault(c.entry.link, c.entry.key)

    def of(self, c: Candidate) -> str | None:
        if c.entry.link and c.entry.link in self.links:
            return self.links[c.entry.link]
        mine = c.entry
        found = self.index.best(
            stems(mine.title),
            lambda j: (
                self.placed[j].entry.feed_url != mine.feed_url
                and self.placed[j].entry.language == mine.language
            ),
        )
        return self.placed[found].entry.key if found is not None else None


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
