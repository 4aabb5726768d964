"""Near-duplicate titles: sets of word stems compared with the overlap coefficient
(shared stems / stems of the smaller set), indexed with prefix filtering so that ranking
thousands of candidates stays linear in practice. Sharing words is not enough to be the
same story: :func:`same_story` also asks that the titles name the same people, places and
numbers ("X walks free after 2 years" is not "Y walks free after 3 years").

Prefix filtering: order every stem by one fixed global order, rarest first. If two sets
share at least t x |smaller| stems, the smaller set's first |S| - ceil(t|S|) + 1 stems (its
"prefix") cannot all miss the other set. So a query probes the full index with its own
prefix (finds stored sets at least as large) and the prefix index with all its stems
(finds smaller stored sets), and only those few candidates are compared exactly.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from importlib import resources

from .rules import normalise

_WORD = re.compile(r"\w+")
_STOP = frozenset(
    [
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
    ]
)
MIN_STEMS = 3


_NAME = re.compile(r"[^\W\d_][\w'’-]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_WORDS = {
    w: str(n)
    for words in (
        "zero one two three four five six seven eight nine ten eleven twelve",
        "zéro un deux trois quatre cinq six sept huit neuf dix onze douze",
    )
    for n, w in enumerate(words.split())
}
_NUMBER_WORDS.update({"une": "1", "dozen": "12", "douzaine": "12"})


@lru_cache(maxsize=65536)
def stems(text: str) -> frozenset[str]:
    """Five-letter stems of the meaningful words of a title."""
    words = _WORD.findall(normalise(text))
    return frozenset(w[:5] for w in words if len(w) > 2 and w not in _STOP)


class OverlapIndex:
    def __init__(self, threshold: float, frequency: Counter[str] | None = None) -> None:
        self.threshold = threshold
        self._freq = frequency or Counter()
        self._sets: dict[int, frozenset[str]] = {}
        self._full: dict[str, list[int]] = defaultdict(list)
        self._prefix: dict[str, list[int]] = defaultdict(list)

    def _prefix_of(self, items: frozenset[str]) -> list[str]:
        need = math.ceil(self.threshold * len(items) - 1e-9)
        freq = self._freq
        ordered = sorted([(freq.get(s, 0), s) for s in items])  # rarest first, then by name
        return [s for _, s in ordered[: len(items) - need + 1]]

    def add(self, ident: int, items: frozenset[str]) -> None:
        if len(items) < MIN_STEMS:
            return
        self._sets[ident] = items
        for s in items:
            self._full[s].append(ident)
        for s in self._prefix_of(items):
            self._prefix[s].append(ident)

    def best(self, items: frozenset[str], accept: Callable[[int], bool]) -> int | None:
        """The stored set sharing the most stems (earliest on a tie) whose overlap reaches
        the threshold and that `accept` allows; None if there is none."""
        if len(items) < MIN_STEMS:
            return None
        candidates: set[int] = set()
        for s in self._prefix_of(items):
            candidates.update(self._full.get(s, ()))
        for s in items:
            candidates.update(self._prefix.get(s, ()))
        best: tuple[int, int] | None = None
        size, threshold, sets = len(items), self.threshold, self._sets
        for j in candidates:
            other = sets[j]
            shared = len(items & other)
            smaller = size if size < len(other) else len(other)
            if (
                shared >= threshold * smaller - 1e-9
                and (best is None or (-shared, j) < best)
                and accept(j)
            ):
                best = (-shared, j)
        return best[1] if best else None


def frequencies(sets: Iterable[frozenset[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for items in sets:
        counts.update(items)
    return counts


@lru_cache(maxsize=65536)
def marks(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """What identifies a story in its title: the stems of the names it gives (capitalised
    words that are neither stop words nor the vocabulary of the rule packs, so that
    "Court Frees X" names X, not "Frees") and the numbers it gives ("six" is 6)."""
    names: set[str] = set()
    numbers = {n.replace(",", ".") for n in _NUMBER.findall(title)}
    common = _common_words()
    for word in _NAME.findall(title):
        low = normalise(word).strip("'’-")
        if low in _NUMBER_WORDS:
            numbers.add(_NUMBER_WORDS[low])
        elif word[0].isupper() and low not in _STOP and low[:5] not in common and len(low) > 1:
            names.add(low[:5])
    return frozenset(names), frozenset(numbers)


def same_story(a: str, b: str) -> bool:
    """Whether two titles that share most of their words can be the same story: not when
    each names someone or something the other never mentions, nor when both give numbers
    and they differ. (A title that adds a place or a name to the other's is the same
    story, told in more detail.)"""
    names_a, numbers_a = marks(a)
    names_b, numbers_b = marks(b)
    if numbers_a and numbers_b and numbers_a != numbers_b:
        return False
    words_a, words_b = _words(a), _words(b)
    return not (names_a - words_b and names_b - words_a)


@lru_cache(maxsize=65536)
def _words(title: str) -> frozenset[str]:
    return frozenset(w[:5] for w in _WORD.findall(normalise(title)))


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """The stems of every word of the bundled rule packs' phrases and labels: verbs like
    "frees", "acquits", "libéré" describe what happened, they do not name anyone. Only
    the packs' values count, not their comments, whose examples name real places and
    people ("Cameroun : pas de libération …" must not make "Cameroun" a common word)."""
    words: set[str] = set()
    folder = resources.files(__package__) / "rules"
    for path in folder.iterdir():
        if path.name.endswith(".toml"):
            for value in _strings(tomllib.loads(path.read_text("utf-8"))):
                words.update(token[:5] for token in _WORD.findall(normalise(value)))
    return frozenset(words)


def _strings(value: object) -> Iterator[str]:
    """Every string in a parsed TOML document, at any depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
