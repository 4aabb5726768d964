"""What the classifier reads in an entry's words: hashed word and character n-grams of its
title and opening text, in any language and any script (no word list, no vocabulary).

Text is case-folded, accents and Arabic short vowels are folded away, years become
``<year>`` and other numbers ``<num>``. The features are

    t:word        a word of the title
    ^:word        the title's first word ("Free …", "Release …", "Quash …": demands)
    word          a word of the title or the text
    word word     two neighbouring words (within the title or within the text)
    #gram         character 3- to 5-grams of the title's words (" rel", "leas", "ibér"):
                  what is left of a word across endings and languages

each hashed (CRC-32) into ``BUCKETS`` buckets, counted, weighted by 1 + log(count) times
the bucket's inverse document frequency from training, and scaled to unit length. Pure
Python and deterministic: no process-dependent hashing.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

from ..models import Entry

VERSION = "ngrams-1"  # changes whenever the features would: the store's cache keys on it
BUCKETS = 1 << 20
TEXT_CHARS = 320  # the excerpt as a feed reader shows it (parse.py cuts it there)
_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


class _Folding(dict[int, str]):
    """A str.translate table that folds each character the first time it is seen."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code).casefold())
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        self[code] = folded
        return folded


_FOLDING = _Folding()


def fold(text: str) -> str:
    """Lower case without accents or combining marks ("Libéré" -> "libere")."""
    return text.lower() if text.isascii() else text.translate(_FOLDING)


def as_written(entry: Entry, grams: Sequence[str]) -> list[str]:
    """Folded grams with their words spelt as in the entry ("liberacion" -> "liberación"),
    for explanations."""
    written: dict[str, str] = {}
    for word in _WORD.findall(f"{entry.title} {entry.excerpt[:TEXT_CHARS]}".lower()):
        written.setdefault(fold(word), word)
    return [" ".join(written.get(w, w) for w in gram.split()) for gram in grams]


def tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(fold(text)):
        if word.isdigit():
            word = "<year>" if len(word) == 4 and _YEAR.fullmatch(word) else "<num>"
        out.append(word)
    return out


def grams(entry: Entry) -> Counter[str]:
    """The n-gram features of an entry, with their counts (see the module docstring)."""
    title = tokens(entry.title)
    text = tokens(entry.excerpt[:TEXT_CHARS])
    found: Counter[str] = Counter()
    if title:
        found["^:" + title[0]] += 1
    for word in title:
        found["t:" + word] += 1
        found.update(_char_grams(word))
    for part in (title, text):
        found.update(part)
        found.update(f"{a} {b}" for a, b in pairwise(part))
    return found


def words(entry: Entry) -> list[str]:
    """The entry's word and word-pair features, in reading order, each once."""
    title = tokens(entry.title)
    text = tokens(entry.excerpt[:TEXT_CHARS])
    out: dict[str, None] = {}
    for part in (title, text):
        for a, b in zip(part, [*part[1:], ""][: len(part)], strict=True):  # "" may have none
            out[a] = None
            if b:
                out[f"{a} {b}"] = None
    return list(out)


def _char_grams(word: str) -> list[str]:
    padded = f" {word} "
    return ["#" + padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]


def bucket(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8")) & (BUCKETS - 1)


def hashed(entry: Entry) -> Mapping[int, float]:
    """Bucket -> 1 + log(count) for the entry's n-grams (before idf weighting). Read only:
    the same mapping is returned for the same title and text."""
    return _hashed(entry.title, entry.excerpt[:TEXT_CHARS])


@lru_cache(maxsize=4096)
def _hashed(title: str, text: str) -> dict[int, float]:
    heads = tokens(title)
    words = tokens(text)
    counts: Counter[int] = Counter()
    if heads:
        counts[_bucket("^:" + heads[0])] += 1
    for word in heads:
        counts.update(_title_word(word))
    for part in (heads, words):
        counts.update(map(_bucket, part))
        counts.update(bucket(f"{a} {b}") for a, b in pairwise(part))
    return dict(zip(counts.keys(), map(_tf, counts.values()), strict=True))


def _tf(count: int) -> float:
    return 1.0 if count == 1 else 1.0 + math.log(count)


@lru_cache(maxsize=65536)
def _title_word(word: str) -> tuple[int, ...]:
    """The buckets of a title word: t:word and its character n-grams."""
    return (bucket("t:" + word), *map(bucket, _char_grams(word)))


@lru_cache(maxsize=65536)
def _bucket(gram: str) -> int:
    return bucket(gram)


def weighted(
    counts: Mapping[int, float], idf: Mapping[int, float], default: float
) -> dict[int, float]:
    """Tf-idf weights of one entry, scaled to unit length."""
    row = {b: v * idf.get(b, default) for b, v in counts.items()}
    norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
    return {b: v / norm for b, v in row.items()}


def document_frequencies(rows: Sequence[Mapping[int, float]]) -> Counter[int]:
    df: Counter[int] = Counter()
    for row in rows:
        df.update(row.keys())
    return df
