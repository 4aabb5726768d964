"""The meaning vectors (word vectors distilled from multilingual-e5-small): a story and its
translation read alike, unknown words count nothing, and no text can break them."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.curate.classifier import load_model
from digest.curate.features import RULE_FEATURES
from digest.curate.meaning import load_table
from digest.models import Entry

WHEN = datetime(2025, 12, 1, tzinfo=UTC)


def _entry(title: str, text: str = "") -> Entry:
    return Entry("https://a.example/feed", "A", title, title, None, WHEN, excerpt=text)


def _cosine(a: str, b: str) -> float:
    rows = load_table().rows([_entry(a), _entry(b)])
    return float(rows[0] @ rows[1])


def test_a_story_reads_like_its_translation_more_than_like_another_story() -> None:
    released = "Journalist released from prison"
    for translation in ("Journaliste libéré de prison", "Periodista liberado de la cárcel"):
        assert _cosine(released, translation) > _cosine(translation, "Quarterly budget report")
    thanks = "Thank you for standing with us this year"
    assert _cosine(thanks, "Thanks to our supporters for a year of work") > _cosine(
        thanks, "Court hearing postponed until March"
    )


def test_words_outside_the_table_count_nothing() -> None:
    rows = load_table().rows([_entry("zzqx qqzv"), _entry("", "")])
    assert not rows.any()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(max_size=600))
def test_any_text_gives_a_unit_row_or_none(title: str, text: str) -> None:
    (row,) = load_table().rows([_entry(title, text)])
    norm = math.sqrt(float(row @ row))
    assert norm == 0.0 or abs(norm - 1.0) < 1e-9


def test_the_shipped_model_reads_the_meaning_block() -> None:
    model = load_model()
    assert model.meaning_scale > 0
    assert model.fitted.weights.shape[0] == len(RULE_FEATURES) + load_table().dims


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200), st.text(max_size=400), st.integers(0, 2**32 - 1))
def test_the_words_parts_add_up_to_the_row(title: str, text: str, seed: int) -> None:
    import numpy as np

    table = load_table()
    direction = np.random.default_rng(seed).normal(size=table.dims)
    entry = _entry(title, text)
    (row,) = table.rows([entry])
    assert math.isclose(
        sum(table.parts(entry, direction).values()), float(row @ direction), abs_tol=1e-9
    )


def test_explain_quotes_the_words_the_meaning_vectors_weighed_as_written() -> None:
    entry = _entry(
        "Periodista liberado tras dos años de prisión",
        "El tribunal ordenó su liberación inmediata.",
    )
    said = load_model().words_for(entry, "good_news")
    # the corpus holds no Spanish good news: these words weigh through the meaning vectors,
    # and are quoted as the story spells them ("prisión", not "prision")
    assert "liberado" in said and "prisión" in said
