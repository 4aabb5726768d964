"""A choice of words in a rule-pack phrase: `{a,b}` in place of a word is either word."""

from __future__ import annotations

import re

MAX_VARIANTS = 64  # the phrases one line of {a,b} alternatives may stand for
_CHOICE = re.compile(r"\{([^{}\s]+)\}(\*?)")
_WORD = re.compile(r"[\w'’-]+\*?")


def expand(phrase: str) -> tuple[str, ...]:
    """The phrases a line stands for: `{a,b}` in place of a word is either word (with a
    trailing `*`, any ending of either), so "{convicted,jailed} * murder of * {journalist,
    reporter}*" is four phrases, in that order. ValueError when the braces are malformed or
    stand for more than MAX_VARIANTS phrases."""
    if "{" not in phrase and "}" not in phrase:
        return (phrase,)
    variants: list[str] = [""]
    for token in phrase.split():
        choice = _CHOICE.fullmatch(token)
        if choice is None and ("{" in token or "}" in token):
            raise ValueError(f"{token!r}: write a choice of words as {{a,b}}, no spaces inside")
        words = choice.group(1).split(",") if choice else [token]
        if choice and (len(words) < 2 or not all(_WORD.fullmatch(w) for w in words)):
            raise ValueError(f"{token!r}: a choice is two or more words (word* for any ending)")
        ending = choice.group(2) if choice else ""
        variants = [f"{v} {w}{ending}".lstrip() for v in variants for w in words]
        if len(variants) > MAX_VARIANTS:
            raise ValueError(f"its choices stand for more than {MAX_VARIANTS} phrases")
    return tuple(variants)


def expanded(phrases: list[str] | tuple[str, ...]) -> list[str]:
    return [variant for phrase in phrases for variant in expand(phrase)]
