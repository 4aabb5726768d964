"""Language tags (BCP 47): parse, check, normalise and compare them, in one place.

Every language in digest is a BCP 47 tag: ``en``, ``en-GB``, ``fr-CA``, ``es``, ``pt-BR``,
``ar``, ``zh-Hant-TW``. Config files, ``--language``, letters and feeds all go through
:func:`normalise`; curation compares with :func:`matches` (by primary language, so an
``en-GB`` issue takes ``en`` and ``en-US`` entries); rendering asks for the text
:func:`direction` and a Babel :func:`locale` (dates, numbers, month names).

Babel is imported only by :func:`locale` and :func:`direction`: config loading (and so
``digest fetch``) stays free of it.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

DEFAULT = "en"
# language [-script] [-region] [-variant]* [-extension]* [-x-private]; RFC 5646 section 2.1
_TAG = re.compile(
    r"""^(?P<language>[a-z]{2,3}|[a-z]{5,8})
    (?:-(?P<script>[a-z]{4}))?
    (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
    (?P<rest>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
    (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*
    (?:-x(?:-[a-z0-9]{1,8})+)?)$""",
    re.X,
)
_RTL_SCRIPTS = {"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "mand", "samr"}
_RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug", "syr"}


class LanguageError(ValueError):
    """A language tag that is not BCP 47; the message says what to write instead."""


@dataclass(frozen=True)
class Tag:
    """A checked tag and, when the input needed more than a change of case, a note."""

    tag: str
    note: str | None = None


def normalise(value: object) -> Tag:
    """Check `value` is a BCP 47 tag and return it in canonical case (``en-GB``,
    ``zh-Hant-TW``). ``EN`` is fine (tags ignore case); ``en_GB`` (a POSIX locale name) is
    taken as ``en-GB`` with a note for the caller to pass on; anything else raises
    LanguageError with a hint."""
    if not isinstance(value, str):
        raise LanguageError(f'expected a language tag such as "en", got {value!r}')
    text = value.strip()
    if not text:
        raise LanguageError('the language is empty; use a BCP 47 tag such as "en" or "en-GB"')
    note = None
    if "_" in text:
        fixed = text.replace("_", "-")
        note = f"{text!r} is a locale name; the language tag is {_canonical(fixed)!r}"
        text = fixed
    found = _TAG.match(text.lower())
    if not found:
        raise LanguageError(
            f"{value!r} is not a language tag; use a BCP 47 tag such as "
            '"en", "en-GB", "fr-CA", "es", "pt-BR" or "ar"'
        )
    return Tag(_canonical(text), note)


def lenient(value: object) -> str | None:
    """A tag from outside (a feed's xml:lang or <language>, an OPML attribute): canonical
    when it is a tag of a known language, else None ("English" is not a tag: the entry
    then counts as being in any language rather than in none)."""
    try:
        tag = normalise(value).tag
    except LanguageError:
        return None
    return tag if is_known(tag) else None


def _canonical(text: str) -> str:
    parts = text.split("-")
    out = [parts[0].lower()]
    for i, part in enumerate(parts[1:], 1):
        if len(parts[i - 1]) == 1:  # after a singleton (extension, x-): lower case
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def primary(tag: str) -> str:
    """The primary language subtag: ``en`` for ``en-GB``."""
    return tag.split("-", 1)[0].lower()


def script(tag: str) -> str | None:
    found = _TAG.match(tag.lower())
    return found.group("script") if found else None


def matches(entry_language: str | None, issue_language: str) -> bool:
    """Whether an entry in `entry_language` belongs in an issue in `issue_language`: the
    same primary language (``en``, ``en-US`` and ``en-GB`` all match), unless both name a
    script and the scripts differ (``zh-Hant`` is not ``zh-Hans``). An entry of unknown
    language matches every issue."""
    if not entry_language:
        return True
    if primary(entry_language) != primary(issue_language):
        return False
    mine, theirs = script(entry_language), script(issue_language)
    return mine is None or theirs is None or mine == theirs


def is_known(tag: str) -> bool:
    """Whether Babel has data for the tag's language (checked without importing Babel)."""
    return _babel_has(primary(tag))


@lru_cache(maxsize=64)
def _babel_has(identifier: str) -> bool:
    spec = importlib.util.find_spec("babel")
    if spec is not None and spec.origin:
        folder = Path(spec.origin).parent / "locale-data"
        if folder.is_dir():
            return (folder / f"{identifier}.dat").is_file()
    from babel import localedata

    return bool(localedata.exists(identifier))


@lru_cache(maxsize=32)
def locale(tag: str) -> Locale:
    """The Babel locale for a tag: the most specific one Babel knows (``en-GB`` ->
    en_GB, ``fr-CH`` -> fr_CH, ``en-XX`` -> en), English as the last resort."""
    from babel import Locale, UnknownLocaleError

    parts = tag.split("-")
    for n in range(len(parts), 0, -1):
        try:
            return Locale.parse("_".join(parts[:n]), sep="_")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(DEFAULT)


def direction(tag: str) -> str:
    """``rtl`` or ``ltr``: from the script subtag if there is one, else the language."""
    written = script(tag)
    if written:
        return "rtl" if written in _RTL_SCRIPTS else "ltr"
    if primary(tag) in _RTL_LANGUAGES:
        return "rtl"
    return "rtl" if locale(tag).character_order == "right-to-left" else "ltr"


def chain(tag: str) -> tuple[str, ...]:
    """The tag and its prefixes, most specific first: ``zh-Hant-TW``, ``zh-Hant``, ``zh``."""
    parts = tag.split("-")
    return tuple("-".join(parts[:n]) for n in range(len(parts), 0, -1))


def fallbacks(tag: str) -> tuple[str, ...]:
    """:func:`chain` then English: ``pt-BR`` -> (``pt-BR``, ``pt``, ``en``); for data."""
    found = chain(tag)
    return found if DEFAULT in found else (*found, DEFAULT)
