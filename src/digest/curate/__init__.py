"""Curation: score every entry in the window, decide its story kind, cluster near-duplicates,
and fill the configured sections. Pure: the clock comes in as `now`, history as `sent`,
the classifier's features and the editors' labels as a :class:`Reading`.

    entries -> evidence (rules) -> verdicts (classifier) -> score() -> place()
            -> Curated(sections, candidates)

Modules: rules (phrase packs), year_end (facets of year-end messages), signals (the other
score terms), words + features + cache (what the classifier reads), classifier (the
shipped model), learn (training), editors (labels from edits files), scoring (the terms),
similarity (same story or not), explain (for `digest rank --explain`), evaluate (quality).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..edits import Edits, ItemEdit
from ..lang import matches
from ..models import Candidate, Entry, FeedSource, Reason, Section, SectionSpec
from . import signals
from .rules import RulePack, load_rules
from .scoring import Reading, Verdict, classify, score, verdicts
from .similarity import OverlapIndex, frequencies, same_story, stems

__all__ = ["Curated", "Reading", "SentStory", "classify", "curate", "load_rules", "score"]


@dataclass(frozen=True)
class Curated:
    sections: tuple[Section, ...]
    candidates: tuple[Candidate, ...]  # every candidate, placed or left out, in rank order
    verdicts: Mapping[str, Verdict] = field(default_factory=dict, compare=False)  # by key


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
    reading: Reading | None = None,
) -> Curated:
    """Rank `entries` for an issue in `language`. `sent` maps entry keys already sent to
    their issue; `recent` lists stories sent lately (for novelty); `edits` are the
    editors' overrides, applied last and always winning; `reading` brings the classifier
    (without it the rules alone decide each story's kind)."""
    history = _History(recent)
    evidence = [signals.kind_evidence(e, rules) for e in entries]
    judged = verdicts(entries, evidence, reading, language) if reading and entries else None
    scored = []
    for i, e in enumerate(entries):
        earlier = history.similar(e)
        scored.append(
            score(
                e,
                now=now,
                evidence=evidence[i],
                verdict=judged[i] if judged else None,
                model=reading.model if reading else None,
                source=(sources or {}).get(e.feed_url),
                watch=watch,
                earlier=(earlier.title, earlier.issue_id) if earlier else None,
                recency=recency,
            )
        )
    scored.sort(key=_order)
    marked = [_mark(c, language, sent or {}, edits) for c in scored]
    placed = place(_retitle(marked, edits), sections, per_feed_cap, edits)
    if judged:
        placed = replace(placed, verdicts={e.key: v for e, v in zip(entries, judged, strict=True)})
    return placed


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
        found = self.index.best(
            stems(entry.title),
            lambda i: (
                self.stories[i].key != entry.key and same_story(self.stories[i].title, entry.title)
            ),
        )
        return self.stories[found] if found is not None else None


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
    honouring size and per-feed caps (the per-feed cap only when two or more feeds have
    candidates: a one-feed newsletter gets a full issue); items the editors pinned or moved
    go in first, whatever the caps; then the editors' positions are applied. A
    near-duplicate of a story already placed (from another feed) is folded into it, which
    then lists both sources. Every candidate left out says why."""
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
    feeds = {c.entry.feed_url for c in candidates if not c.left_out}
    cap = per_feed_cap if len(feeds) >= 2 else len(candidates) + 1
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
            if per_feed[c.entry.feed_url] >= cap:
                reason = f"{c.entry.feed_name} already has {cap} items (per-feed cap)"
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
    link, or titles sharing most of their word stems (in the same language) that name the
    same people, places and numbers."""

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
                and same_story(self.placed[j].entry.title, mine.title)
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
