"""The checks a config field declares beside its type: ``Annotated[str, Rule(colour)]``.

msgspec checks types, required fields, unknown settings and numeric bounds (``Meta``); a
:class:`Rule` adds what msgspec cannot say (a colour, an address, a placeholder), a
message for a missing required field and a hint for any error at that field. Each check is
pure and returns ``None`` or a short phrase, like those of :mod:`digest.validate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import lang, validate

Check = Callable[[str], "str | None"]

_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LANGUAGE_HINT = 'use a BCP 47 tag such as "en", "en-GB", "fr-CA", "es", "pt-BR" or "ar"'
UTM = re.compile(r"[\w.{}~-]{1,80}")  # a UTM value, placeholders included
UTM_PLAIN = re.compile(r"[\w.~-]{1,80}")  # ... without placeholders


@dataclass(frozen=True)
class Rule:
    """What a field adds to its type: `check` (on the value, or on each item of a list),
    the message when a required field is missing or out of its bounds (``Meta``), and a
    hint for any error there."""

    check: Check | None = None
    hint: str | None = None
    missing: str | None = None
    bounds: str | None = None


def text(value: str) -> str | None:
    """One line of text: no control character, line separator or noncharacter."""
    return validate.control_character(value)


def multiline(value: str) -> str | None:
    return validate.control_character(value, multiline=True)


def nonblank(message: str) -> Check:
    def check(value: str) -> str | None:
        return text(value) or (None if value.strip() else message)

    return check


def colour(value: str) -> str | None:
    return None if _COLOUR.match(value) else f"{value!r} is not a colour"


def one_of(allowed: Iterable[str], what: str) -> Check:
    names = tuple(allowed)

    def check(value: str) -> str | None:
        return None if value in names else f"unknown {what} {value!r}"

    return check


def matches(pattern: re.Pattern[str], message: str) -> Check:
    def check(value: str) -> str | None:
        return None if pattern.fullmatch(value) else message

    return check


def first(*checks: Check) -> Check:
    """The first problem any of `checks` finds."""

    def check(value: str) -> str | None:
        return next((p for p in (c(value) for c in checks) if p), None)

    return check


def fields(names: tuple[str, ...]) -> Check:
    """A template of plain `names` fields, for a subject or a header (no attribute access)."""

    def check(value: str) -> str | None:
        return validate.format_fields(value, names)

    return check


def time_zone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}"
    return None


def language(value: str) -> str | None:
    """A BCP 47 tag of a language Babel knows (`en_GB` passes; the loader warns)."""
    try:
        tag = lang.normalise(value)
    except lang.LanguageError as e:
        return str(e)
    return None if lang.is_known(tag.tag) else f"unknown language {value!r}; {LANGUAGE_HINT}"


def section_id(value: str) -> str | None:
    if _SECTION_ID.match(value):
        return None
    return "each section needs an id of lowercase letters, digits, - or _"


def url(schemes: tuple[str, ...] = ("http", "https")) -> Check:
    def check(value: str) -> str | None:
        return validate.web_url(value, schemes)

    return check


TEXT = Rule(text)
