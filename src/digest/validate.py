"""Checks for values that come from project files and reach an email, its headers or a URL.

Pure functions: each returns ``None`` when the value is fine, else a short phrase saying what
is wrong ("contains a control character (U+0001) at column 6"), which the caller turns into a
:class:`~digest.errors.ConfigError` naming the file and line. Nothing here imports more than
the standard library modules `digest fetch` already loads.
"""

from __future__ import annotations

import re
from string import Formatter
from urllib.parse import urlsplit

# C0 and C1 controls (tab and line feed are checked separately), DEL, the Unicode line and
# paragraph separators, and the noncharacters: none has a place in a name, a header or a URL,
# and MRML refuses several of them outright (TRAPS.md).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)
_NEWLINES = re.compile("[\t\n]")
# Characters that end or break an attribute, a header or a URL wherever they land.
_URL_UNSAFE = re.compile(r"[\s\"'<>\\`]")
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9.!#$%&*+/=?^_{|}~-]{1,64}$")
_FONT_LIST = re.compile(r"^[\w ,'-]{1,200}$")


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """A control character, line separator or noncharacter in `value`, if any."""
    found = _CONTROL.search(value) or (None if multiline else _NEWLINES.search(value))
    if found is None:
        return None
    code, column = ord(found.group()), found.start() + 1
    return f"contains a control character (U+{code:04X}) at column {column}"


def strip_controls(value: str) -> str:
    """`value` with every control character, separator and noncharacter made a space."""
    return _NEWLINES.sub(" ", _CONTROL.sub(" ", value))


def host(name: str) -> str | None:
    """A DNS name, an IPv4 address or a bracketed IPv6 address (checked by urlsplit)."""
    if not name:
        return "has no host"
    if ":" in name:  # IPv6: urlsplit already checked the brackets
        return None
    labels = name.rstrip(".").split(".")
    if len(name) > 253 or not all(labels):
        return f"host {name!r} is not a valid name"
    if name.isascii() and not any(label.lower().startswith("xn--") for label in labels):
        bad = next((label for label in labels if not _LABEL.match(label)), None)
        return None if bad is None else f"host {name!r} is not a valid name"
    try:  # internationalised names: the codec checks punycode and label lengths
        name.encode("idna").decode("idna")
    except UnicodeError:
        return f"host {name!r} is not a valid internationalised name"
    return None


def web_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """An absolute URL with one of `schemes`, a valid host and port, and nothing that
    could close an attribute or a header (quotes, spaces, angle brackets, controls)."""
    problem = control_character(value)
    if problem:
        return problem
    if _URL_UNSAFE.search(value):
        return "is not a valid URL (no spaces, quotes, backslashes or angle brackets)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as e:
        return f"is not a valid URL ({e})"
    if parts.scheme.lower() not in schemes:
        allowed = " or ".join(f"{s}://" for s in schemes)
        return f"must start with {allowed}"
    problem = host(parts.hostname or "")
    return f"is not a valid URL ({problem})" if problem else None


def email_address(value: str) -> str | None:
    """A bare address: local@domain, ASCII local part, a valid domain."""
    local, at, domain = value.rpartition("@")
    if not at or not _LOCAL_PART.match(local) or host(domain) or "." not in domain.strip("."):
        return f"{value!r} is not an email address"
    return None


def mailto(value: str) -> str | None:
    if not value.startswith("mailto:"):
        return "must look like mailto:unsubscribe@example.org"
    problem = control_character(value) or (
        "must look like mailto:unsubscribe@example.org" if _URL_UNSAFE.search(value) else None
    )
    return problem or email_address(value.removeprefix("mailto:").split("?", 1)[0])


def mailbox(value: str) -> str | None:
    """ "Display Name <local@domain>" or a bare address, fit for a From or Reply-To header."""
    from email.utils import getaddresses, parseaddr

    problem = control_character(value)
    if problem:
        return problem
    if len(getaddresses([value])) > 1:
        return (
            f"{value!r} is more than one address: give one (a display name with a comma"
            ' goes in quotes: "Rights Watch, Leeds" <news@example.org>)'
        )
    display, address = parseaddr(value)
    if not address or (address not in value):
        return f"{value!r} is not an email address"
    if any(c in display for c in '<>"'):
        return f"{value!r}: the display name may not contain < > or quotes"
    return email_address(address)


MAX_WIDTH = 200  # of a placeholder's format spec ("{name:>20}"): no huge strings


def format_fields(template: str, fields: tuple[str, ...]) -> str | None:
    """A str.format template using only these plain fields (no attribute or index access,
    no positional fields, no nested specs), and format specs that work on text."""
    problem = control_character(template)
    if problem:
        return problem
    allowed = ", ".join(f"{{{f}}}" for f in fields)
    try:
        for _, name, spec, conversion in Formatter().parse(template):
            if name is None:
                continue
            if name not in fields:
                return f"unknown placeholder {{{name}}}: use {allowed}"
            if conversion or (spec and "{" in spec):
                return f"placeholder {{{name}}} may not have a conversion or a nested field"
            if any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", spec or "")):
                return f"placeholder {{{name}}}: a width or precision may be at most {MAX_WIDTH}"
            format(name, spec or "")
    except ValueError as e:
        return f"bad placeholder ({e}); use {allowed}"
    return None


def font_list(value: str) -> str | None:
    if not _FONT_LIST.match(value):
        return "a font list has only names, spaces, commas, hyphens and single quotes"
    return None
