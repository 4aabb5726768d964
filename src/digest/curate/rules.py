"""Story-type rule packs: phrase lists with guards, shipped as TOML data per language.

A project can extend or replace a pack with ``rules/<language>.toml`` in its folder
(``mode = "extend"`` adds phrases and guards, ``mode = "replace"`` swaps the pack).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError

KINDS = ("year_end", "good_news", "grim", "campaign")
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "\u00a0": " ", "–": "-", "—": "-"})


@dataclass(frozen=True)
class KindRules:
    kind: str
    label: str
    points: float
    categories: frozenset[str]
    phrases: tuple[tuple[str, re.Pattern[str]], ...]
    guards: tuple[re.Pattern[str], ...]

    def matches(self, text: str) -> tuple[str, ...]:
        """Phrases of this kind found in `text`, ignoring sentences where a guard matches."""
        found: list[str] = []
        for sentence in _SENTENCE.split(normalise(text)):
            if not sentence or any(g.search(sentence) for g in self.guards):
                continue
            for phrase, pattern in self.phrases:
                if phrase not in found and pattern.search(sentence):
                    found.append(phrase)
        return tuple(found)


@dataclass(frozen=True)
class RulePack:
    language: str
    kinds: tuple[KindRules, ...]

    def kind(self, name: str) -> KindRules | None:
        return next((k for k in self.kinds if k.kind == name), None)


def normalise(text: str) -> str:
    return text.translate(_QUOTES).casefold()


def compile_phrase(phrase: str) -> re.Pattern[str]:
    """`*` alone: up to three words; `word*`: any ending; otherwise literal words."""
    parts: list[str] = []
    for token in normalise(phrase).split():
        if token == "*":
            parts.append(r"(?:\S+\s+){0,3}?")
            continue
        if token.endswith("*") and len(token) > 1:
            parts.append(re.escape(token[:-1]) + r"\w*\s+")
        else:
            parts.append(re.escape(token) + r"\s+")
    body = "".join(parts)
    body = body[: -len(r"\s+")] if body.endswith(r"\s+") else body
    return re.compile(rf"(?<!\w){body}(?!\w)")


def load_rules(language: str, project_root: Path | None = None) -> RulePack:
    """The bundled pack for `language` (English when there is none), with project changes."""
    return _load(language, str(project_root) if project_root else None)


@lru_cache(maxsize=16)
def _load(language: str, project_root: str | None) -> RulePack:
    bundled = resources.files(__package__) / "rules" / f"{language}.toml"
    if not bundled.is_file():
        bundled = resources.files(__package__) / "rules" / "en.toml"
    data = tomllib.loads(bundled.read_text("utf-8"))
    if project_root:
        local = Path(project_root) / "rules" / f"{language}.toml"
        if local.is_file():
            data = _merge(data, local)
    return _compile(data, language)


def _merge(base: dict[str, Any], path: Path) -> dict[str, Any]:
    try:
        local = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"line (\d+)", str(e))
        raise ConfigError(
            f"invalid TOML: {e}", path=path, line=int(line.group(1)) if line else None
        ) from e
    mode = local.get("mode", "extend")
    if mode not in ("extend", "replace"):
        raise ConfigError('mode must be "extend" or "replace"', path=path)
    if mode == "replace":
        return local
    merged = {**base, "kind": {k: dict(v) for k, v in base.get("kind", {}).items()}}
    for kind, table in local.get("kind", {}).items():
        target = merged["kind"].setdefault(kind, {"label": kind, "points": 4.0})
        for key in ("phrases", "guards", "categories"):
            target[key] = [*target.get(key, []), *table.get(key, [])]
        for key in ("label", "points"):
            if key in table:
                target[key] = table[key]
    return merged


def _compile(data: dict[str, Any], language: str) -> RulePack:
    kinds = []
    for name in KINDS:
        table = data.get("kind", {}).get(name)
        if not table:
            continue
        kinds.append(
            KindRules(
                kind=name,
                label=str(table.get("label", name)),
                points=float(table.get("points", 4.0)),
                categories=frozenset(normalise(c) for c in table.get("categories", [])),
                phrases=tuple((p, compile_phrase(p)) for p in table.get("phrases", [])),
                guards=tuple(compile_phrase(g) for g in table.get("guards", [])),
            )
        )
    return RulePack(str(data.get("language", language)), tuple(kinds))
