"""Accents that a text leaves out: "LIBERATION DE DETENUS", "Noel", "JOURNEE
INTERNATIONALE". French titles in capitals often drop them, and some sites never write
them; the rule packs and the year-end patterns are written with them. So a pattern's
accented letter inside a word also matches its bare letter ("libération" finds
"liberation", "noël" finds "noel"), never the other way round, and the text itself is
left as published, so an explanation quotes it as written.
"""

from __future__ import annotations

import re
import unicodedata


class _Bare(dict[int, str]):
    """A str.translate table: a Latin letter with accents to its bare letter, one
    character for one (so a match's span is the same in both), anything else unchanged."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        parts = unicodedata.normalize("NFD", char)
        marks = all(unicodedata.combining(mark) for mark in parts[1:])
        plain = parts[0] if len(parts) > 1 and parts[0].isascii() and marks else char
        self[code] = plain
        return plain


_BARE = _Bare()


def bare(text: str) -> str:
    """The text with its Latin letters' accents taken off, the same length."""
    return text if text.isascii() else text.translate(_BARE)


def tolerant(source: str) -> str:
    """A regex source in which an accented letter inside a word also matches its bare
    letter: "libération" becomes "lib[ée]ration", "noël" "no[ëe]l". A word's last letter
    keeps its accent, for it tells words apart ("condamné" is not "condamne", which
    condemns; "à" is not "a"), and so do letters in a class ("[ée]") and escapes."""
    if source.isascii():
        return source
    out: list[str] = []
    in_class = escaped = False
    for index, char in enumerate(source):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = not (char == "]" and out[-1] != "[" and out[-2:] != ["[", "^"])
        elif char == "[":
            in_class = True
        elif bare(char) != char and source[index + 1 : index + 2].isalpha():
            char = f"[{char}{bare(char)}]"
        out.append(char)
    return "".join(out)


def compile_tolerant(source: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile of :func:`tolerant`."""
    return re.compile(tolerant(source), flags)
