"""The words and typography of each language we ship: English, French, Spanish, Arabic.

Each language is a TOML file beside this module (``en.toml``, ``fr.toml``...): labels and
footer, default section titles, the year-end issue's name, and its quotation marks. A
tag looks for its most specific file first (``fr-CA`` -> ``fr-CA.toml``, ``fr.toml``,
``en.toml``), key by key, and a project's ``[labels.<tag>]`` in digest.toml wins over all
(``fr-CA`` takes ``[labels.fr]`` and ``[labels.fr-CA]``; they may also set the
newsletter's ``name`` and ``tagline`` in that language).

:func:`typeset` and :func:`typeset_html` give text the language's typography: curly
quotes and apostrophes instead of straight ones and, in French, a narrow no-break space
(U+202F) before ``: ; ? !`` and inside « guillemets ».
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from html import escape, unescape
from importlib import resources
from types import MappingProxyType

from .. import lang
from ..models import SectionSpec

NNBSP = "\u202f"
TABLES = ("labels", "sections", "year_end")


@dataclass(frozen=True)
class Pack:
    """Everything language-specific about an issue's built-in text."""

    tag: str
    labels: Mapping[str, str] = field(default_factory=dict)
    sections: Mapping[str, str] = field(default_factory=dict)
    year_end: Mapping[str, str] = field(default_factory=dict)
    quotes: tuple[str, str, str, str] = ("“", "”", "‘", "’")
    apostrophe: str = "’"
    french_spacing: bool = False


def shipped() -> tuple[str, ...]:
    """The languages with a bundled file, e.g. ('ar', 'en', 'es', 'fr')."""
    folder = resources.files(__package__)
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


PROJECT_LABELS = ("name", "tagline")  # [labels.<tag>] may also name the newsletter


def label_names() -> frozenset[str]:
    """What `[labels.<tag>]` may set: every built-in label, and the newsletter's name
    and tagline in that language."""
    return frozenset(_read(lang.DEFAULT)["labels"]) | frozenset(PROJECT_LABELS)


@lru_cache(maxsize=16)
def _read(name: str) -> dict[str, dict[str, object]]:
    path = resources.files(__package__) / f"{name}.toml"
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text("utf-8"))


def pack(tag: str, overrides: Mapping[str, Mapping[str, str]] | None = None) -> Pack:
    """The pack for `tag`, with the project's label overrides (keyed by language tag)."""
    base = _pack(tag)
    if not overrides:
        return base
    labels = dict(base.labels)
    for name in reversed(lang.chain(tag)):  # [labels.en] is not a fallback for fr
        labels.update(overrides.get(name, {}))
    return Pack(
        base.tag,
        MappingProxyType(labels),
        base.sections,
        base.year_end,
        base.quotes,
        base.apostrophe,
        base.french_spacing,
    )


@lru_cache(maxsize=16)
def _pack(tag: str) -> Pack:
    merged: dict[str, dict[str, object]] = {t: {} for t in (*TABLES, "typography")}
    for name in reversed(lang.fallbacks(tag)):
        for table, values in _read(name).items():
            merged.setdefault(table, {}).update(values)
    typo = merged["typography"]
    quotes = typo.get("quotes", Pack.quotes)
    assert isinstance(quotes, list | tuple) and len(quotes) == 4
    labels, sections, year_end = (
        MappingProxyType({k: str(v) for k, v in merged[t].items()}) for t in TABLES
    )
    return Pack(
        tag,
        labels,
        sections,
        year_end,
        quotes=(str(quotes[0]), str(quotes[1]), str(quotes[2]), str(quotes[3])),
        apostrophe=str(typo.get("apostrophe", "’")),
        french_spacing=bool(typo.get("french_spacing", False)),
    )


_OPENERS = set(" \t\n\r\u00a0\u202f([{“‘«‹—–-/")
_FR_BEFORE = re.compile(
    r"(?<=\S)[ \u00a0]?([;!?])(?=\s|$|[»)\]”’\"'])|(?<=\S)[ \u00a0]?(:)(?=\s|$)"
)
_FR_SPACED = re.compile(r"[ \u00a0]([;:!?])")


def typeset(text: str, p: Pack, before: str = "") -> str:
    """Curly quotes, apostrophes and (French) spacing for plain text. `before` is the
    character that precedes `text` (to tell an opening quote from a closing one)."""
    if not text:
        return text
    out: list[str] = []
    prev = before
    opened = [False, False]  # inside a double / single quotation
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch == '"':
            opening = (not prev or prev in _OPENERS) and nxt not in ("", " ")
            if opening or (not opened[0] and not prev.isalnum() and nxt.isalnum()):
                out.append(p.quotes[0])
                opened[0] = True
            else:
                out.append(p.quotes[1])
                opened[0] = False
        elif ch == "'":
            if prev.isalnum() and (nxt.isalnum() or not opened[1]):
                out.append(p.apostrophe)  # l'année, don't, the students' (no quote open)
            elif (not prev or prev in _OPENERS) and nxt.isalnum() and not p.french_spacing:
                out.append(p.quotes[2])
                opened[1] = True
            elif opened[1]:
                out.append(p.quotes[3])
                opened[1] = False
            else:
                out.append(p.apostrophe)
        else:
            out.append(ch)
        prev = ch
    result = "".join(out)
    if p.french_spacing:
        result = _french(result, before)
    return result


def _french(text: str, before: str) -> str:
    text = _FR_SPACED.sub(NNBSP + r"\1", text)
    text = _FR_BEFORE.sub(lambda m: NNBSP + (m.group(1) or m.group(2)), text)
    if before and not before.isspace() and text[:1] in (";", "!", "?", ":"):
        rest = text[1:2]
        if text[0] != ":" or not rest or rest.isspace():
            text = NNBSP + text
    text = re.sub(r"«[ \u00a0]?(?=\S)", "«" + NNBSP, text)
    return re.sub(r"(?<=\S)[ \u00a0]?»", NNBSP + "»", text)


_TOKENS = re.compile(r"(<!--.*?-->|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)", re.S)
_SKIP = ("code", "pre", "kbd", "samp")


def typeset_html(html: str, p: Pack) -> str:
    """Typeset the text nodes of a sanitised HTML fragment; tags, attributes and the
    contents of code and pre elements are left as they are."""
    out: list[str] = []
    prev = ""
    skipping = 0
    for token in _TOKENS.split(html):
        if not token:
            continue
        if token.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", token)
            if name and name.group(1).lower() in _SKIP:
                skipping += -1 if token.startswith("</") else 1
            elif name and name.group(1).lower() in ("p", "br", "li", "div", "h1", "h2", "h3"):
                prev = " "
            out.append(token)
            continue
        if skipping > 0:
            out.append(token)
            continue
        text = typeset(unescape(token), p, prev)
        prev = text[-1:] or prev
        out.append(escape(text, quote=False))
    return "".join(out)


def section_title(spec: SectionSpec, tag: str, project_language: str) -> str:
    """A section's title in an issue in `tag`: the project's translation for that
    language if it gave one (``titles``), else its own ``title`` when the issue is in the
    project's language, else the built-in title of a known section id in that language,
    else ``title`` as written."""
    translations = dict(spec.titles)
    for name in lang.chain(tag):
        if name in translations:
            return translations[name]
    if spec.custom and lang.primary(tag) == lang.primary(project_language):
        return spec.title
    return _pack(tag).sections.get(spec.id, spec.title)


def localise_sections(
    specs: tuple[SectionSpec, ...], tag: str, project_language: str
) -> tuple[SectionSpec, ...]:
    return tuple(replace(s, title=section_title(s, tag, project_language)) for s in specs)
