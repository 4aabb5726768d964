"""Curation quality on the labelled set: precision@5 of the good-news section stays at or
above 0.8 in each language, and every year-end message takes the lead slot.

`bench/quality` prints the full report (also for tests/data/heldout.toml and
tests/data/fresh.toml, which are not asserted here: fresh.toml is the unseen estimate)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.curate.fictional import evaluate, load_labelled
from digest.curate.rules import load_rules

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def labelled():
    items = load_labelled(DATA / "labelled.toml")
    assert len(items) >= 80
    return items


@pytest.mark.parametrize("language", ["en", "fr"])
def test_good_news_precision(labelled, language: str) -> None:
    quality = evaluate(labelled, language=language, rules=load_rules(language))
    assert quality.precision_at_5 >= 0.8, quality.misses


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_year_end_message_takes_the_lead(labelled, language: str) -> None:
    quality = evaluate(labelled, language=language, rules=load_rules(language))
    assert quality.lead_total > 0
    assert quality.lead_hits == quality.lead_total
    assert quality.year_end_recall == 1.0


def test_labelled_set_is_balanced(labelled) -> None:
    from collections import Counter

    counts = Counter((i.lang, i.label) for i in labelled)
    for lang in ("en", "fr"):
        for label in ("good_news", "year_end", "grim", "campaign"):
            assert counts[(lang, label)] >= 6, (lang, label)
