"""Measure the rules against the fictional labelled sets written for digest
(tests/data/labelled.toml, heldout.toml, fresh.toml): kept as a regression check of the
rule packs. The real measure is :mod:`.evaluate`, on the real corpus.

For each language: precision@5 and @10 of the good-news section, recall of year-end
messages (classified as such), whether each year-end message takes the lead slot when its
window holds one, and the confusion between labels and predicted story kinds.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..models import Entry, SectionSpec
from . import Curated, curate
from .rules import RulePack

NOW = datetime(2025, 12, 20, 12, 0, tzinfo=UTC)
SECTIONS = (
    SectionSpec("lead", "Lead", ("year_end",), 1),
    SectionSpec("good-news", "Good news", ("good_news",), 10),
    SectionSpec("latest", "Latest", (), 50),
)


@dataclass(frozen=True)
class Labelled:
    title: str
    text: str
    label: str
    lang: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quality:
    language: str
    entries: int
    precision_at_5: float
    precision_at_10: float
    year_end_recall: float
    lead_hits: int
    lead_total: int
    kind_accuracy: float
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    misses: tuple[tuple[str, str, str], ...] = ()  # (title, label, predicted)


def load_labelled(path: Path) -> list[Labelled]:
    data = tomllib.loads(path.read_text("utf-8"))
    return [
        Labelled(e["title"], e["text"], e["label"], e["lang"], tuple(e.get("categories", ())))
        for e in data["entry"]
    ]


def _entries(items: list[Labelled]) -> list[Entry]:
    return [
        Entry(
            feed_url="labelled",
            feed_name="Labelled",
            entry_id=f"e{i}",
            title=item.title,
            link=f"https://example.org/{i}",
            excerpt=item.text,
            published=NOW - timedelta(hours=7 * (i % 20) + i % 5),
            categories=item.categories,
            language=item.lang,
        )
        for i, item in enumerate(items)
    ]


def _curate(entries: list[Entry], language: str, rules: RulePack) -> Curated:
    return curate(
        entries, now=NOW, language=language, sections=SECTIONS, per_feed_cap=1000, rules=rules
    )


def evaluate(items: list[Labelled], *, language: str, rules: RulePack) -> Quality:
    items = [i for i in items if i.lang == language]
    entries = _entries(items)
    label_of = {e.key: item.label for e, item in zip(entries, items, strict=True)}
    curated = _curate(entries, language, rules)
    good = next((s.items for s in curated.sections if s.id == "good-news"), ())
    hits = [label_of[c.entry.key] == "good_news" for c in good]
    predicted = {c.entry.key: c.kind for c in curated.candidates}
    confusion = Counter((label_of[k], predicted[k]) for k in label_of)
    year_end = [e for e in entries if label_of[e.key] == "year_end"]
    others = [e for e in entries if label_of[e.key] != "year_end"]
    lead_hits = 0
    for message in year_end:  # a window with this one year-end message in it
        lead = next(
            (
                s.items
                for s in _curate([message, *others], language, rules).sections
                if s.id == "lead"
            ),
            (),
        )
        lead_hits += any(c.entry.key == message.key for c in lead)
    misses = tuple(
        sorted(
            (e.title, label_of[e.key], predicted[e.key])
            for e in entries
            if label_of[e.key] != predicted[e.key]
        )
    )
    return Quality(
        language=language,
        entries=len(items),
        precision_at_5=sum(hits[:5]) / 5,
        precision_at_10=sum(hits[:10]) / 10,
        year_end_recall=sum(predicted[e.key] == "year_end" for e in year_end) / len(year_end)
        if year_end
        else 1.0,
        lead_hits=lead_hits,
        lead_total=len(year_end),
        kind_accuracy=sum(label_of[k] == predicted[k] for k in label_of) / len(label_of),
        confusion=dict(confusion),
        misses=misses,
    )
