"""Text that leaves its accents out ("LIBERATION DE DETENUS", "Noel") is read like text
that writes them; a word's last accent still tells words apart."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.curate.accents import bare, tolerant

_LETTERS = "abcdefghilmnoprstuéèêëàâçîïôûùñáíó"


@given(st.text(alphabet=_LETTERS + " ÉÈÀÇ'-", max_size=40))
def test_bare_keeps_the_length_and_drops_only_accents(text: str) -> None:
    plain = bare(text)
    assert len(plain) == len(text)
    assert plain.isascii()
    assert all(
        p == t or unicodedata.normalize("NFD", t)[0] == p for p, t in zip(plain, text, strict=True)
    )


@given(st.text(alphabet=_LETTERS, min_size=2, max_size=12))
def test_a_words_inner_accents_are_optional_its_last_is_not(word: str) -> None:
    pattern = re.compile(rf"(?<!\w){tolerant(re.escape(word))}(?!\w)")
    assert pattern.search(word)
    # the word without its inner accents matches; without its last one, only when it had none
    inner = bare(word[:-1]) + word[-1]
    assert pattern.search(inner)
    assert bool(pattern.search(bare(word))) is (bare(word[-1]) == word[-1])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("libération", "lib[ée]ration"),
        ("noël", "no[ëe]l"),
        ("condamné", "condamné"),  # "condamne" condemns: the last accent stays
        ("à la", "à la"),
        ("secr[ée]taire", "secr[ée]taire"),  # a class is the author's own
        ("[^é]x", "[^é]x"),
        ("year-end", "year-end"),
    ],
)
def test_tolerant_sources(source: str, expected: str) -> None:
    assert tolerant(source) == expected
