"""Story-type rule packs: phrase lists with guards, shipped as TOML data per language.

A project can extend or replace a pack with ``rules/<language>.toml`` in its folder
(``mode = "extend"`` adds phrases and guards, ``mode = "replace"`` swaps the pack).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import ConfigError
from ..kinds import GOOD_NEWS, RULE_KINDS
from ..tomlfile import TableReader, locate, read_toml
from .accents import bare, tolerant
from .choices import expand, expanded

_SENTENCE = re.compile(r"(?<=[.!?;:؟؛。])\s+|\n+")
# one spelling for what is typed two ways: curly quotes, dashes, no-break spaces, and the
# French ligature ("vœux" and "voeux" are one word to the rule packs and year_end.py)
_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "`": "'", "\u00a0": " ", "–": "-", "—": "-", "œ": "oe", "Œ": "oe"}
)


@dataclass(frozen=True)
class KindRules:
    kind: str
    label: str
    points: float
    categories: frozenset[str]
    phrases: tuple[tuple[str, Pattern], ...]
    guards: tuple[Pattern, ...]
    # guards read in the title only, as one pattern: words that frame the whole story ("…
    # Demands Marriage Equality", "Ban on Arms Deals Proposed"), too common in an opening's
    # other clauses
    title_guard: Pattern | None = None


@dataclass(frozen=True)
class CountRule:
    """A year-end figure: good-news stories matching these phrases ("12 releases")."""

    one: str
    many: str
    patterns: tuple[Pattern, ...]

    def matches(self, parts: list[str]) -> bool:
        return any(p.search(sentence) for sentence in parts for p in self.patterns)


class _Anchor(NamedTuple):  # a tuple: hashed in C, millions of times per big run
    kind: int  # index into RulePack.kinds
    guard: bool
    slot: int  # into that kind's phrases or guards
    single: str = ""  # "stem" or "word" for one-word phrases: the token alone decides


@dataclass(frozen=True)
class RulePack:
    """Rule packs are matched with a prefilter: every phrase and guard is indexed by its
    first literal word (or word stem), and a sentence only runs the regexes whose anchor
    begins one of its words. 5,000 entries rank in well under a second that way."""

    language: str
    kinds: tuple[KindRules, ...]
    counts: tuple[CountRule, ...] = ()
    anchors: dict[str, tuple[_Anchor, ...]] = field(default_factory=dict, compare=False)
    lengths: tuple[int, ...] = ()
    token_cache: dict[str, tuple[tuple[_Anchor, bool], ...]] = field(
        default_factory=dict, compare=False
    )

    def kind(self, name: str) -> KindRules | None:
        return next((k for k in self.kinds if k.kind == name), None)

    def match(self, parts: list[str]) -> dict[str, tuple[str, ...]]:
        """Per kind, the phrases found in these normalised sentences (in the order of the
        rule pack), skipping for each kind the sentences in which one of its guards
        matches. Phrases of one kind that match the same words of a sentence count once
        ("sentence vacated" and "sentence* * vacated"): the first in the pack."""
        hits: dict[int, set[int]] = {}
        kinds = self.kinds
        for sentence in parts:
            candidates = self._candidates(sentence)
            if not candidates:
                continue
            blocked = self._guarded(sentence, candidates)
            if _asks(sentence):  # "When will there be good news?": no outcome reported
                blocked.update(k for k, rules in enumerate(kinds) if rules.kind in OUTCOMES)
            here: dict[int, set[int]] = {}
            for a, certain in candidates:
                if a.guard or a.kind in blocked:
                    continue
                if certain or kinds[a.kind].phrases[a.slot][1].search(sentence):
                    here.setdefault(a.kind, set()).add(a.slot)
            for k, slots in here.items():
                if len(slots) > 1:
                    slots = _apart(kinds[k].phrases, slots, sentence)
                hits.setdefault(k, set()).update(slots)
        return {
            kinds[k].kind: tuple(kinds[k].phrases[i][0] for i in sorted(found))
            for k, found in hits.items()
            if found
        }

    def guarded(self, parts: list[str]) -> set[str]:
        """The kinds one of whose guards matches one of these sentences ("calls for the
        release of …" guards good news)."""
        return {
            self.kinds[k].kind
            for sentence in parts
            for k in self._guarded(sentence, self._candidates(sentence))
        }

    def framed(self, title: list[str]) -> set[str]:
        """The kinds one of whose title guards matches the title's sentences: the title
        frames the story as something else (a demand, a proposal)."""
        return {
            k.kind
            for k in self.kinds
            if k.title_guard and any(k.title_guard.search(sentence) for sentence in title)
        }

    def _guarded(self, sentence: str, candidates: set[tuple[_Anchor, bool]]) -> set[int]:
        """The kinds (indices) one of whose guards matches in this sentence."""
        return {
            a.kind
            for a, certain in candidates
            if a.guard and (certain or self.kinds[a.kind].guards[a.slot].search(sentence))
        }

    def _candidates(self, sentence: str) -> set[tuple[_Anchor, bool]]:
        """Anchors that begin a word of the sentence, each with whether the word alone
        proves the match (one-word phrases) or the phrase's regex must decide."""
        out: set[tuple[_Anchor, bool]] = set()
        cache = self.token_cache
        for token in sentence.split():
            hits = cache.get(token)
            if hits is None:
                hits = self._token_anchors(token)
                if len(cache) < 200_000:
                    cache[token] = hits
            out.update(hits)
        return out

    def _token_anchors(self, token: str) -> tuple[tuple[_Anchor, bool], ...]:
        word = bare(token.lstrip(_OPENERS))  # (the anchors are bare too: "liberes")
        found = self._word_anchors(word)
        elided = _ELIDED.match(word)  # "l'amnistie", "d'acquittement": the word after it
        return found + self._word_anchors(word[elided.end() :]) if elided else found

    def _word_anchors(self, word: str) -> tuple[tuple[_Anchor, bool], ...]:
        found: list[tuple[_Anchor, bool]] = []
        for length in self.lengths:
            if length > len(word):
                break
            for anchor in self.anchors.get(word[:length], ()):
                if anchor.single == "stem":
                    certain = True
                elif anchor.single == "word":
                    after = word[length : length + 1]
                    certain = not after or not (after.isalnum() or after == "_")
                    if not certain:
                        continue  # a longer word: this one-word phrase cannot match here
                else:
                    certain = False
                found.append((anchor, certain))
        return tuple(found)


_OPENERS = "\"'“«‘([{¡¿-—–*"
_ELIDED = re.compile(r"\w{1,2}'(?=\w)")
_CLOSERS = " \"'”»’)]}"
OUTCOMES = (GOOD_NEWS,)  # kinds whose phrases report what happened: not in a question


def _apart(phrases: tuple[tuple[str, Pattern], ...], slots: set[int], sentence: str) -> set[int]:
    """The phrases (slots, in pack order) whose words in the sentence overlap no earlier
    one's: two phrases over the same words are one piece of evidence."""
    taken: list[tuple[int, int]] = []
    kept: set[int] = set()
    for slot in sorted(slots):
        found = phrases[slot][1].search(sentence)
        start, end = found.span() if found else (0, 0)  # (always found: it matched)
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            kept.add(slot)
    return kept


def _asks(sentence: str) -> bool:
    return sentence.rstrip(_CLOSERS).endswith(("?", "؟"))


_START = "^[" + re.escape(_OPENERS) + "]*"


def sentences(text: str) -> list[str]:
    """Normalised sentences of a text, for RulePack.match."""
    return [part for part in _SENTENCE.split(normalise(text)) if part]


def _single(phrase: str) -> str:
    """ "stem" for `word*`, "word" for a plain word, "" for anything longer."""
    tokens = normalise(phrase).split()
    if len(tokens) != 1 or tokens[0] == "*" or not re.fullmatch(r"[\w'’]+\*?", tokens[0]):
        return ""  # (a hyphenated word is matched by its regex: "re-arrest" or "rearrest")
    return "stem" if tokens[0].endswith(("*", "'")) else "word"  # ("l'": glued to a word)


def _alone(phrase: str) -> str:
    """:func:`_single`, for a phrase with no accent: the anchors are looked up without
    accents ("liberes"), so an accented word's own pattern decides ("condamné*" is not
    "condamne")."""
    return _single(phrase) if bare(phrase) == phrase else ""


def _anchors(phrase: str) -> tuple[str, ...]:
    """The first literal word of a phrase, without a trailing `*`; a hyphenated one also
    joined up ("re-arrest": "rearrest") and, when its first part is a word of its own,
    by that part ("year-end": "year end")."""
    for token in normalise(phrase).split():
        if token not in ("*", "^"):
            word = token.rstrip("*").lstrip(_OPENERS) or token
            parts = [p for p in word.split("-") if p]
            if len(parts) < 2:
                return (word,)
            joined = "".join(parts)
            return (word, joined, parts[0]) if len(parts[0]) >= 3 else (word, joined)
    return (normalise(phrase),)


def normalise(text: str) -> str:
    """One form of a text for the patterns: composed accents (a feed may send "e" and a
    combining accent), one spelling of quotes and dashes, case folded."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.translate(_QUOTES).casefold()


class Pattern:
    """A phrase's regex, compiled the first time a sentence needs it: the prefilter means
    most phrases of a pack are never tried, and compiling them all cost a fifth of a
    second per process."""

    __slots__ = ("_regex", "phrase")

    def __init__(self, phrase: str) -> None:
        self.phrase = phrase
        self._regex: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self._regex is None:
            self._regex = re.compile(self.source())
        return self._regex.search(text)

    def source(self) -> str:
        return _source(self.phrase)


class AnyOf(Pattern):
    """Several phrases as one regex behind one word boundary (a kind's title guards: one
    search per title, which Python's re can scan for quickly)."""

    __slots__ = ("phrases",)

    def __init__(self, phrases: tuple[str, ...]) -> None:
        super().__init__(" | ".join(phrases))
        self.phrases = phrases

    def source(self) -> str:
        return rf"(?<!\w)(?:{'|'.join(_body(p) for p in self.phrases)})(?!\w)"


def compile_phrase(phrase: str) -> Pattern:
    """`*` alone: up to three words (the last may be an elided article: "annule l'arrêté");
    `word*`: any ending; a word ending in an apostrophe (an elided article, "l'") is glued
    to the next word, or to any word at the end ("demande l'": "demande l'abrogation");
    `^` first: at the start of a sentence (a title's imperative, "^ free": "Free X now");
    otherwise literal words, where a hyphen also matches a space
    or nothing ("year-end message": "year end message", "yearend message")."""
    return Pattern(phrase)


def _source(phrase: str) -> str:
    return rf"(?<!\w){_body(phrase)}(?!\w)"


def _body(phrase: str) -> str:
    parts: list[str] = []
    tokens = normalise(phrase).split()
    if tokens and tokens[0] == "^":
        parts.append(_START)
        tokens = tokens[1:]
    for index, token in enumerate(tokens, start=1 - len(tokens)):
        if token == "*":
            # the last word may be an elided article glued to the next ("annule l'arrêté")
            parts.append(r"(?:\S+\s+){0,3}?(?:\w{1,5}')?")
            continue
        if token.endswith("*") and len(token) > 1:
            parts.append(_literal(token[:-1]) + r"\w*\s+")
        elif token.endswith("'"):
            # an elided article is glued to the next word, any word when it ends the
            # phrase: "demande l'" is "demande l'abrogation", "demande l' abrogation" too
            parts.append(_literal(token) + (r"\w*" if index == 0 else r"\s*"))
        else:
            parts.append(_literal(token) + r"\s+")
    body = "".join(parts)
    return body[: -len(r"\s+")] if body.endswith(r"\s+") else body


def _literal(word: str) -> str:
    return (
        r"[-\s]?".join(tolerant(re.escape(part)) for part in word.split("-"))
        if "-" in word.strip("-")
        else tolerant(re.escape(word))
    )


def load_rules(language: str, project_root: Path | None = None) -> RulePack:
    """The bundled pack for `language` (English when there is none), with project changes.
    Cached per process, keyed on the project file's size and mtime so an edit is seen."""
    stamp = None
    if project_root:
        try:
            info = (Path(project_root) / "rules" / f"{language}.toml").stat()
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
    return _load(language, str(project_root) if project_root else None, stamp)


@lru_cache(maxsize=16)
def _load(language: str, project_root: str | None, stamp: tuple[int, int] | None) -> RulePack:
    bundled = resources.files(__package__) / "rules" / f"{language}.toml"
    if not bundled.is_file():
        bundled = resources.files(__package__) / "rules" / "en.toml"
    data = tomllib.loads(bundled.read_text("utf-8"))
    if project_root and stamp is not None:
        local = Path(project_root) / "rules" / f"{language}.toml"
        if local.is_file():
            data = _merge(data, local)
    return _compile(data, language)


def _merge(base: dict[str, Any], path: Path) -> dict[str, Any]:
    local = check_pack(path)
    if local.get("mode", "extend") == "replace":
        return local
    merged = {**base, "kind": {k: dict(v) for k, v in base.get("kind", {}).items()}}
    for kind, table in local.get("kind", {}).items():
        target = merged["kind"].setdefault(kind, {"label": kind, "points": 4.0})
        for key in ("phrases", "guards", "title_guards", "categories"):
            target[key] = [*target.get(key, []), *table.get(key, [])]
        for key in ("label", "points"):
            if key in table:
                target[key] = table[key]
    return merged


def check_pack(path: Path) -> dict[str, Any]:
    """Read a project's rules/<lang>.toml, checking every value (file and line in errors)."""
    data, text = read_toml(path, hint="see the bundled packs in src/digest/curate/rules/")
    top = TableReader(data, path, text, None)
    top.string("language")
    if top.get("mode", str, "extend") not in ("extend", "replace"):
        raise top.fail("mode", 'must be "extend" or "replace"')
    kinds = top.get("kind", dict, {})
    counts = top.get("count", list, [])
    top.check_unknown()
    for name, table in kinds.items():
        if name not in RULE_KINDS or not isinstance(table, dict):
            raise ConfigError(
                f"kind.{name}: "
                + ("unknown story kind" if name not in RULE_KINDS else "must be a table"),
                path=path,
                line=locate(text, f"kind.{name}", None) or locate(text, "kind", name),
                hint=f"use one of {', '.join(RULE_KINDS)}",
            )
        r = TableReader(table, path, text, f"kind.{name}")
        r.string("label")
        r.number("points", 4.0, -100, 100)
        _phrases(r, "phrases")
        _phrases(r, "guards")
        _phrases(r, "title_guards")
        r.string_list("categories")
        r.check_unknown()
    for i, item in enumerate(counts):
        if not isinstance(item, dict):
            raise ConfigError(
                "count: use [[count]] tables", path=path, line=locate(text, "count", None)
            )
        r = TableReader(item, path, text, "count", i)
        for key in ("one", "many"):
            if not r.string(key):
                raise r.fail(key, 'each [[count]] needs one = "..." and many = "..."')
        _phrases(r, "phrases")
        r.check_unknown()
    return data


MAX_GAPS = 3  # "*" in one phrase: each may skip up to three words, and a dozen of them
# made one ordinary 60-word title backtrack for minutes


def _phrases(r: TableReader, key: str) -> None:
    for line in r.string_list(key):
        try:
            expand(line)
        except ValueError as error:
            raise r.fail(key, f"{line!r}: {error}", hint='like "{acquitted,cleared} of"') from None
        tokens = normalise(line).split()  # (a choice is one word, in every variant)
        if not any(token != "*" for token in tokens):
            raise r.fail(key, f"{line!r} has no word to match", hint='like "charges dropped"')
        if tokens.count("*") > MAX_GAPS:
            raise r.fail(
                key,
                f"{line!r} has {tokens.count('*')} gaps (*); at most {MAX_GAPS} are allowed",
                hint="split it into shorter phrases",
            )


def _compile(data: dict[str, Any], language: str) -> RulePack:
    kinds = []
    for name in RULE_KINDS:
        table = data.get("kind", {}).get(name)
        if not table:
            continue
        kinds.append(
            KindRules(
                kind=name,
                label=str(table.get("label", name)),
                points=float(table.get("points", 4.0)),
                categories=frozenset(normalise(c) for c in table.get("categories", [])),
                phrases=tuple((p, compile_phrase(p)) for p in expanded(table.get("phrases", []))),
                guards=tuple(compile_phrase(g) for g in expanded(table.get("guards", []))),
                title_guard=AnyOf(tuple(expanded(table["title_guards"])))
                if table.get("title_guards")
                else None,
            )
        )
    anchors: dict[str, list[_Anchor]] = {}
    for k, rules in enumerate(kinds):
        for i, (phrase, _) in enumerate(rules.phrases):
            for anchor in _anchors(phrase):
                anchors.setdefault(bare(anchor), []).append(_Anchor(k, False, i, _alone(phrase)))
        for i, pattern in enumerate(rules.guards):
            guard = pattern.phrase
            for anchor in _anchors(guard):
                anchors.setdefault(bare(anchor), []).append(_Anchor(k, True, i, _alone(guard)))
    counts = tuple(
        CountRule(
            str(c["one"]),
            str(c["many"]),
            tuple(compile_phrase(p) for p in expanded(c.get("phrases", []))),
        )
        for c in data.get("count", [])
    )
    return RulePack(
        str(data.get("language", language)),
        tuple(kinds),
        counts=counts,
        anchors={a: tuple(v) for a, v in anchors.items()},
        lengths=tuple(sorted({len(a) for a in anchors})),
    )
