"""Measure curation on the real labelled corpus (tests/data/corpus/*.jsonl), in weekly
windows like a real newsletter.

Windows (deterministic): per language, the posts that are not year-end messages are put in
a fixed pseudo-random order (a hash of their id: a week's window mixes sources and topics,
as a newsletter drawing on several feeds does) and cut into windows of ``WINDOW`` posts
(a remainder shorter than half a window joins the last one). These base windows measure
the good-news section and count false leads (anything in the lead slot is one). Each
year-end message is then measured in a window of its own: base window j mod n plus that
message; it is a lead hit if it takes the lead slot (anything else there is a false lead).
Recency is left out (a window mixes years); everything else scores as in a real issue.

Metrics per language: good-news precision at 5 and 10 (mean over windows) with its
ceiling (the best achievable given how many good-news posts the window holds), section
precision and recall of the good-news section (pooled over windows), year-end recall (in
the lead slot of its window) and false leads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from ..clean import clean_text
from ..kinds import GOOD_NEWS, STORY_KINDS, YEAR_END
from ..models import Entry, SectionSpec
from . import Curated, Reading, curate
from .rules import load_rules

WINDOW = 20
EXCERPT_CHARS = 320  # as parse.py cuts a feed entry's excerpt
SECTIONS = (
    SectionSpec("lead", "Lead", (YEAR_END,), 1),
    SectionSpec("good-news", "Good news", (GOOD_NEWS,), 10),
    SectionSpec("latest", "Latest", (), 50),
)


@dataclass(frozen=True)
class Post:
    """One labelled post of the corpus."""

    id: str
    source: str
    lang: str
    title: str
    text: str
    label: str
    split: str
    date: datetime
    url: str = ""
    licence: str = ""

    @cached_property
    def entry(self) -> Entry:
        return Entry(
            feed_url=f"corpus:{self.source}",
            feed_name=self.source,
            entry_id=self.id,
            title=self.title,
            link=self.url or None,
            published=self.date,
            excerpt=clean_text(self.text, limit=EXCERPT_CHARS),
            language=self.lang,
        )


UNDATED_YEAR = 2000  # a post published without a date is read as of 1 January 2000


def load_corpus(folder: Path) -> list[Post]:
    """Every post of every *.jsonl file in the folder, in file then line order; posts
    without a title or a known label are skipped, posts without a date get 1 January of
    UNDATED_YEAR."""
    posts = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if not row.get("title") or row.get("label") not in STORY_KINDS:
                continue
            day = datetime.fromisoformat(str(row.get("date") or f"{UNDATED_YEAR}-01-01")[:10])
            posts.append(
                Post(
                    id=str(row["id"]),
                    source=str(row.get("source", "")),
                    lang=str(row.get("lang", "")),
                    title=str(row["title"]),
                    text=str(row.get("text") or ""),
                    label=str(row["label"]),
                    split=str(row.get("split", "train")),
                    date=day.replace(hour=12, tzinfo=UTC),
                    url=str(row.get("url", "")),
                    licence=str(row.get("licence", "")),
                )
            )
    return posts


def undated_in_december(posts: Sequence[Post]) -> list[Post]:
    """The posts, those without a date read as published on 15 December (2015): in the
    year-end season, the hardest case for false leads."""
    december = datetime(2015, 12, 15, 12, tzinfo=UTC)
    return [replace(p, date=december) if p.date.year == UNDATED_YEAR else p for p in posts]


def order_key(post: Post) -> str:
    return hashlib.sha1(post.id.encode("utf-8")).hexdigest()


def windows(posts: Sequence[Post], size: int = WINDOW) -> tuple[list[list[Post]], list[Post]]:
    """(base windows, year-end messages) for one language, as the module docstring says."""
    rest = sorted((p for p in posts if p.label != YEAR_END), key=order_key)
    year_end = sorted((p for p in posts if p.label == YEAR_END), key=order_key)
    cut = [rest[i : i + size] for i in range(0, len(rest), size)]
    if len(cut) > 1 and len(cut[-1]) < size // 2:
        last = cut.pop()  # (not `cut[-2] += cut.pop()`: that stores into the wrong slot)
        cut[-1] += last
    return cut, year_end


Ranker = Callable[[list[Entry], str], Curated]


def ranker(reading: Reading | None) -> Ranker:
    """Curate a window as a newsletter would (recency aside), with or without a model."""

    def run(entries: list[Entry], language: str) -> Curated:
        now = max(e.published for e in entries) + timedelta(days=1)
        return curate(
            entries,
            now=now,
            language=language,
            sections=SECTIONS,
            per_feed_cap=1000,
            rules=load_rules(language),
            recency=False,
            reading=reading,
        )

    return run


@dataclass
class Quality:
    language: str
    posts: int = 0
    windows: int = 0
    p5: float = 0.0
    p10: float = 0.0
    ceiling5: float = 0.0
    ceiling10: float = 0.0
    placed: int = 0
    placed_good: int = 0
    good: int = 0
    year_end: int = 0
    lead_hits: int = 0
    false_leads: int = 0
    lead_windows: int = 0
    misses: list[tuple[str, str, str]] = field(
        default_factory=list, repr=False
    )  # title, label, kind

    @property
    def precision(self) -> float:
        return self.placed_good / self.placed if self.placed else 1.0

    @property
    def recall(self) -> float:
        return self.placed_good / self.good if self.good else 1.0

    @property
    def year_end_recall(self) -> float:
        return self.lead_hits / self.year_end if self.year_end else 1.0

    def add(self, other: Quality) -> None:
        """Pool another measurement (another fold) into this one."""
        total = self.windows + other.windows
        if total:
            for name in ("p5", "p10", "ceiling5", "ceiling10"):
                mine, theirs = getattr(self, name), getattr(other, name)
                setattr(self, name, (mine * self.windows + theirs * other.windows) / total)
        for name in ("posts", "windows", "placed", "placed_good", "good", "year_end"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("lead_hits", "false_leads", "lead_windows"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses


def measure(posts: Sequence[Post], language: str, rank: Ranker) -> Quality:
    """Quality of one language's posts, in windows."""
    mine = [p for p in posts if p.lang == language]
    base, year_end = windows(mine)
    q = Quality(language, posts=len(mine), windows=len(base))
    label_of = {p.entry.key: p for p in mine}
    p5 = p10 = c5 = c10 = 0.0
    for window in base:
        curated = rank([p.entry for p in window], language)
        good = sum(p.label == GOOD_NEWS for p in window)
        section = _section(curated, "good-news")
        hits = [label_of[c.entry.key].label == GOOD_NEWS for c in section]
        p5 += sum(hits[:5]) / 5
        p10 += sum(hits[:10]) / 10
        c5 += min(5, good) / 5
        c10 += min(10, good) / 10
        q.placed += len(section)
        q.placed_good += sum(hits)
        q.good += good
        q.lead_windows += 1
        q.false_leads += len(_section(curated, "lead"))
        q.misses += [
            (p.title, p.label, c.kind)
            for c in curated.candidates
            if (p := label_of[c.entry.key]).label != c.kind and GOOD_NEWS in (p.label, c.kind)
        ]
    for j, message in enumerate(year_end):
        window = [*(base[j % len(base)] if base else []), message]
        curated = rank([p.entry for p in window], language)
        lead = _section(curated, "lead")
        q.year_end += 1
        q.lead_windows += 1
        hit = any(c.entry.key == message.entry.key for c in lead)
        q.lead_hits += hit
        q.false_leads += sum(c.entry.key != message.entry.key for c in lead)
        if not hit:
            kind = next(c.kind for c in curated.candidates if c.entry.key == message.entry.key)
            q.misses.append((message.title, YEAR_END, kind))
    if base:
        q.p5, q.p10, q.ceiling5, q.ceiling10 = (v / len(base) for v in (p5, p10, c5, c10))
    return q


def _section(curated: Curated, section_id: str) -> tuple:  # type: ignore[type-arg]
    return next((s.items for s in curated.sections if s.id == section_id), ())
