"""Learning from the editors. Every decision in an edits file is a label for that
newsletter: an item pinned or moved into a section was filed under that section's kind
(a catch-all section such as "Latest" means "not a lead or good-news story"), a dropped
item was not wanted as what curation made of it.

When a build applies an edits file the labels are stored in the project's store
(:func:`save_labels`) with the item's title, opening text, feed, and what the classifier
and the draft made of it then. Later rankings adapt to them (:func:`lessons`), in three
ways:

- a story like ones the editors labelled is pulled towards the kinds they filed them
  under: its kind probabilities are blended with theirs, the more so the more similar
  (tf-idf cosine of words and word pairs) and the more labels agree; a story like one
  they filed under Good news leans towards good news, one like a dropped story falls,
  and the explanation says so ("editors filed a similar story under Good news in
  2025-W47");
- the newsletter's good-news cut: when its editors keep filing under Good news stories
  the classifier gave 50-95%, this newsletter takes good news from a lower probability
  (:func:`newsletter_cut`);
- the newsletter's feeds: a feed whose stories the editors kept filing under a kind leans
  towards it, one whose stories they kept taking out of a kind leans away (a smoothed
  log-odds shift of that kind's probability, :func:`feed_lessons`: "editors filed 3 of
  Voice of America's stories under good news").

Measured by a replay (:mod:`.replay`, bench/quality): stories the editors corrected are
rarely like later stories (a labelled story within cosine 0.3 of a later miss or false
pick is rare), so the newsletter's cut does most of what can be learnt; a penalised
logistic regression over the labels' n-grams, tried before, moved nothing. On train-only
replays the drafts are near their ceiling and the few remaining misses (the classifier
gives them 1-7%, the rules read them as grim) are not tied to a feed, so the feed lesson
moves P@5 by one week in sixty either way (see the README).

Decisions (:func:`labels_from_edits`, :func:`lessons`) are pure; storage only applies them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..edits import Edits
from ..kinds import GOOD_NEWS, OTHER, STORY_KINDS, label
from ..models import Candidate, Entry, SectionSpec
from ..store.curation import LabelRow

if TYPE_CHECKING:
    from ..store import Store
    from .classifier import Model, RulesSay
    from .features import Vocabulary
    from .scoring import Verdict

SIMILAR = 0.3  # cosine (tf-idf words) from which a labelled story counts as similar
NEIGHBOURS = 3  # similar labelled stories named in an explanation
STRENGTH = 0.8  # a label's pull at cosine 1 (its pull is STRENGTH * cosine)
MOVED = 0.005  # a probability shift smaller than this is no lesson
FLOOR = 0.5  # the editors may lower the good-news cut down to this, never below
STEP = 0.05  # the cut moves on this grid
NET = 2  # corrections (moved in, less dropped) a lower cut must have fixed to be taken
FEED_WEIGHT = 1.0  # logit shift per unit of a feed's smoothed log-odds (filed for : against)
FEED_SMOOTH = 1.0  # pseudo-labels on each side of a feed's count


@dataclass(frozen=True)
class EditorLabel(LabelRow):
    """An editor's decision on one story (see digest.store.LabelRow for its fields)."""

    def said(self) -> str:
        if self.action == "drop":
            return f"editors dropped a similar story (“{self.title}”) in {self.issue_id}"
        where = f"under {self.section} in {self.issue_id}"
        return f"editors filed a similar story (“{self.title}”) {where}"


@dataclass(frozen=True)
class Cut:
    """The newsletter's own good-news cut: its editors kept filing under Good news
    stories the classifier gave less than the shipped cut."""

    value: float
    shipped: float
    fixed: int  # net corrections the lower cut would have fixed (moved in, less dropped)
    lowest: float  # the lowest probability among the stories it would have caught

    def applied(self, model: Model) -> Model:
        """The model with this cut (where the rules agree too, if that cut is higher)."""
        from dataclasses import replace

        cuts = dict(model.thresholds)
        cuts[GOOD_NEWS] = min(model.cut(GOOD_NEWS, False), self.value)
        cuts[f"{GOOD_NEWS}:rules"] = min(model.cut(GOOD_NEWS, True), self.value)
        for key in [k for k in cuts if k.startswith(f"{GOOD_NEWS}:text:")]:
            cuts[key] = min(cuts[key], self.value)
        return replace(model, thresholds=cuts)

    @property
    def text(self) -> str:
        return (
            f"this newsletter's editors filed {self.fixed} stories the classifier gave"
            f" {self.lowest:.0%} or more under Good news: here it takes good news from"
            f" {self.value:.0%} sure, not {self.shipped:.0%}"
        )


@dataclass(frozen=True)
class FeedLesson:
    """What the editors taught about one feed's stories of one kind: how many they filed
    under that kind and how many of those the draft gave that kind they took out of it
    (dropped or filed elsewhere); its smoothed log-odds shift the kind's probability
    (on the logit scale) for the feed's future stories."""

    feed: str  # the feed's name (its URL where the name is not known)
    kind: str
    filed: int
    against: int

    @property
    def shift(self) -> float:
        return FEED_WEIGHT * math.log((self.filed + FEED_SMOOTH) / (self.against + FEED_SMOOTH))

    @property
    def text(self) -> str:
        where = f"under {label(self.kind)}"
        if self.filed and self.against:
            return (
                f"editors filed {self.filed} of {self.feed}'s stories {where} and took"
                f" {self.against} out"
            )
        if self.filed:
            return f"editors filed {self.filed} of {self.feed}'s stories {where}"
        return f"editors took {self.against} of {self.feed}'s stories out of {label(self.kind)}"


@dataclass(frozen=True)
class Lesson:
    """How the editors' labels changed one entry: its kind probabilities (pulled towards
    the kinds of similar labelled stories) and, through the newsletter's cut, its kind."""

    before: dict[str, float]
    probabilities: dict[str, float]
    neighbours: tuple[tuple[EditorLabel, float], ...]
    labels: int = 0  # how many labels the newsletter has
    kind_before: str | None = None  # the kind without the lesson, where it differs
    cut: Cut | None = None  # the newsletter's good-news cut, where it decided the kind
    kind: str | None = None  # the kind with the lesson (None: not decided here)
    feeds: tuple[FeedLesson, ...] = ()  # what they taught about this story's feed

    @property
    def text(self) -> str:
        said = [self.neighbours[0][0].said()] if self.neighbours else []
        said += [f.text for f in self.feeds]
        if self.cut is not None:
            said.append(self.cut.text)
        if said:
            return "; ".join(said)
        return f"what this newsletter's editors filed before ({self.labels} stories) moved it"

    def said(self) -> list[str]:
        """Every lesson, for --explain: the similar labelled stories, the feed, the cut."""
        out = [lab.said() for lab, _ in self.neighbours[:NEIGHBOURS]]
        out += [f.text for f in self.feeds]
        return out + ([self.cut.text] if self.cut is not None else [])


def labels_from_edits(
    edits: Edits,
    candidates: Sequence[Candidate],
    specs: Sequence[SectionSpec],
    issue_id: str,
    verdicts: Mapping[str, Verdict] | None = None,
) -> list[EditorLabel]:
    """The labels an applied edits file gives, with what the shipped model made of each
    item (from the draft's verdicts, before any earlier lesson)."""
    by_key = {c.entry.key: c for c in candidates}
    by_id = {s.id: s for s in specs}
    out = []
    for item in edits.items:
        c = by_key.get(item.key)
        if c is None:
            continue
        if item.drop:
            action, kind, section = "drop", OTHER, None
        elif item.includes:
            spec = by_id.get(item.section or c.section or "")
            if spec is None:
                continue
            action = "move" if item.section else "pin"
            kind = spec.kinds[0] if len(spec.kinds) == 1 else OTHER
            section = spec.title
        else:
            continue  # a new title, blurb or position is wording, not a label
        verdict = (verdicts or {}).get(item.key)
        before = None
        if verdict is not None:
            before = verdict.lesson.before if verdict.lesson else verdict.probabilities
        entry = c.entry
        out.append(
            EditorLabel(
                issue_id,
                item.key,
                action,
                kind,
                section,
                entry.title,
                entry.excerpt,
                before,
                entry.feed_url,
                entry.feed_name,
                c.kind,
            )
        )
    return out


def feed_lessons(labels: Sequence[EditorLabel]) -> dict[str, tuple[FeedLesson, ...]]:
    """What the labels teach about each feed (by feed URL), kind by kind: the stories of
    that feed filed under a kind, against those the draft gave that kind and the editors
    took out of it. Labels without a feed (stored before digest knew it) teach nothing
    here."""
    counts: dict[tuple[str, str], list[int]] = {}
    names: dict[str, str] = {}
    for lab in labels:
        if not lab.feed_url:
            continue
        names.setdefault(lab.feed_url, lab.feed_name or lab.feed_url)
        if lab.action != "drop" and lab.kind != OTHER:
            counts.setdefault((lab.feed_url, lab.kind), [0, 0])[0] += 1
        if lab.drafted not in ("", OTHER) and (lab.action == "drop" or lab.kind != lab.drafted):
            counts.setdefault((lab.feed_url, lab.drafted), [0, 0])[1] += 1
    out: dict[str, list[FeedLesson]] = {}
    for (url, kind), (filed, against) in sorted(counts.items()):
        out.setdefault(url, []).append(FeedLesson(names[url], kind, filed, against))
    return {url: tuple(found) for url, found in out.items()}


def _shifted(before: dict[str, float], feeds: Sequence[FeedLesson]) -> dict[str, float]:
    """The probabilities with each kind's feed shift added on the logit scale, the other
    kinds scaled to keep the sum."""
    p = dict(before)
    for f in feeds:
        if f.kind not in p:
            continue
        old = min(max(p[f.kind], 1e-4), 1 - 1e-4)
        new = 1.0 / (1.0 + math.exp(-(math.log(old / (1 - old)) + f.shift)))
        rest = 1.0 - p[f.kind]
        scale = (1.0 - new) / rest if rest > 0 else 0.0
        p = {k: (new if k == f.kind else v * scale) for k, v in p.items()}
    return {k: round(v, 4) for k, v in p.items()}


def fingerprint(entry: Entry, vocabulary: Vocabulary) -> dict[int, float]:
    """An entry's words as a unit tf-idf vector (words and word pairs, not character
    n-grams: similar stories share names and phrases)."""
    from .words import bucket, grams

    counts: dict[int, float] = {}
    for gram, count in grams(entry).items():
        if not gram.startswith(("#", "t:", "^:")):
            b = bucket(gram)
            counts[b] = counts.get(b, 0.0) + 1.0 + math.log(count)
    idf = vocabulary.idf_of(list(counts)).tolist()
    row = {b: v * w for (b, v), w in zip(counts.items(), idf, strict=True)}
    norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
    return {b: v / norm for b, v in row.items()}


def lessons(
    model: Model,
    entries: Sequence[Entry],
    rows: Any,
    labels: Sequence[EditorLabel],
    rules: Sequence[RulesSay] | None = None,
) -> dict[str, Lesson]:
    """For each entry the newsletter's labels change, its lesson (by entry key). Its kind
    probabilities are pulled towards the kinds of the similar labelled stories (each by
    STRENGTH times its cosine; several agreeing labels pull harder); with what the rules
    say of each entry, its kind is decided again with the newsletter's good-news cut
    (:func:`newsletter_cut`), similar labels that mostly agree on a kind counting as the
    rules saying that kind (the lower of the model's two cuts), and overruling a feed's
    own category."""
    if not labels:
        return {}
    kinds = model.fitted.kinds
    index = _Index(model, labels)
    cut = newsletter_cut(model, labels)
    taught = cut.applied(model) if cut else model
    by_feed = feed_lessons(labels)
    out = {}
    for i, entry in enumerate(entries):
        before = {k: round(float(p), 4) for k, p in zip(kinds, rows[i], strict=True)}
        near = index.near(entry)
        feeds = by_feed.get(entry.feed_url, ())
        after = _shifted(_pulled(before, near), feeds)
        if max(abs(after[k] - before[k]) for k in kinds) < MOVED:
            after = before
        kind = kind_before = used = None
        if rules is not None:
            say = rules[i]._replace(filed=False)
            # similar labels mostly filed under a kind count as the rules saying it
            agreed = _agreed(near)
            if agreed is not None:
                say = say._replace(kind=agreed, opening_only=False)
            kind = taught.decide(list(after.values()), say)
            plain = model.decide(list(before.values()), say)
            kind_before = plain if kind != plain else None
            used = cut if kind != model.decide(list(after.values()), say) else None
        if after is before and kind_before is None:
            continue
        out[entry.key] = Lesson(
            before, after, near[:NEIGHBOURS], len(labels), kind_before, used, kind, feeds
        )
    return out


def newsletter_cut(model: Model, labels: Sequence[EditorLabel]) -> Cut | None:
    """The good-news cut this newsletter's editors taught, if any. Their labels show the
    stories the shipped cut missed (filed under Good news, with the probability the
    classifier gave them then) and, once a lower cut is in use, the false picks it let in
    (dropped). The cut goes down (on a STEP grid, never below FLOOR: the classifier must
    still find good news the likelier) to where it would have fixed the most corrections,
    net of the drops, when that is at least NET; the highest such cut on a tie. Stories
    the editors left alone are not labels, so the labels can only lower the cut (the
    shipped cut's precision is the prior); look-alikes of dropped stories fall through
    their neighbours instead."""
    shipped = model.cut(GOOD_NEWS, False)
    moved, dropped = [], []
    for lab in labels:
        p = (lab.before or {}).get(GOOD_NEWS)
        if p is None or not FLOOR <= p < shipped:
            continue
        if lab.kind == GOOD_NEWS and lab.action != "drop":
            moved.append(p)
        elif lab.action == "drop":
            dropped.append(p)
    best: tuple[int, float] | None = None
    step = math.floor(shipped / STEP - 1e-9)
    while step * STEP >= FLOOR - 1e-9:
        value = round(step * STEP, 4)
        fixed = sum(p >= value for p in moved) - sum(p >= value for p in dropped)
        if fixed >= NET and (best is None or fixed > best[0]):
            best = (fixed, value)
        step -= 1
    if best is None:
        return None
    lowest = min(p for p in moved if p >= best[1])
    return Cut(best[1], shipped, best[0], round(lowest, 4))


def _agreed(near: Sequence[tuple[EditorLabel, float]]) -> str | None:
    """The kind that most of the similar labels' pull goes to, if more than half does."""
    pulls: dict[str, float] = {}
    for lab, sim in near:
        pulls[lab.kind] = pulls.get(lab.kind, 0.0) + sim
    best = max(pulls.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    return best[0] if best and best[1] > sum(pulls.values()) / 2 else None


def _pulled(
    before: dict[str, float], near: Sequence[tuple[EditorLabel, float]]
) -> dict[str, float]:
    """The probabilities pulled towards the similar labels' kinds: p' = (1 - w) p + w v,
    v the labels' kinds weighed by their pull, w = 1 - prod(1 - STRENGTH * cosine)."""
    if not near:
        return before
    keep = 1.0
    vote = dict.fromkeys(before, 0.0)
    for lab, sim in near:
        pull = STRENGTH * min(sim, 1.0)
        keep *= 1.0 - pull
        if lab.kind in vote:
            vote[lab.kind] += pull
    total = sum(vote.values())
    if total <= 0:
        return before
    w = 1.0 - keep
    return {k: round((1.0 - w) * p + w * vote[k] / total, 4) for k, p in before.items()}


class _Index:
    """The labels' words as an inverted index, to name the most similar labelled story."""

    def __init__(self, model: Model, labels: Sequence[EditorLabel]) -> None:
        self.labels = labels
        self.vocabulary = model.vocabulary
        self.postings: dict[int, list[tuple[int, float]]] = {}
        for j, lab in enumerate(labels):
            for bucket, value in fingerprint(_entry(lab), self.vocabulary).items():
                self.postings.setdefault(bucket, []).append((j, value))

    def near(self, entry: Entry) -> tuple[tuple[EditorLabel, float], ...]:
        """Every label at cosine SIMILAR or more, the most similar first."""
        sims = [0.0] * len(self.labels)
        for bucket, value in fingerprint(entry, self.vocabulary).items():
            for j, other in self.postings.get(bucket, ()):
                sims[j] += value * other
        pool = [
            (lab, round(sim, 3))
            for lab, sim in zip(self.labels, sims, strict=True)
            if lab.key != entry.key and sim >= SIMILAR
        ]
        pool.sort(key=lambda t: -t[1])  # stable: the oldest label first on a tie
        return tuple(pool)


def _entry(label: EditorLabel) -> Entry:
    when = datetime(2000, 1, 1, tzinfo=UTC)
    return Entry("", "", label.key, label.title, None, when, excerpt=label.text)


# -- storage -------------------------------------------------------------------------


def save_labels(store: Store, issue_id: str, labels: Sequence[EditorLabel], now: str) -> None:
    """Replace the labels of one issue (a rebuild re-applies its edits file)."""
    store.save_labels(issue_id, labels, now)


def load_labels(store: Store, *, excluding_issue: str) -> list[EditorLabel]:
    """The newsletter's labels from every other issue, oldest issue first."""
    return [
        EditorLabel(
            r.issue_id,
            r.key,
            r.action,
            r.kind,
            r.section,
            r.title,
            r.text,
            r.before,
            r.feed_url,
            r.feed_name,
            r.drafted if r.drafted in STORY_KINDS else "",
        )
        for r in store.labels(excluding_issue=excluding_issue)
        if r.kind in STORY_KINDS
    ]
