"""Reading TOML project files with errors that name the file and line.

:func:`read_toml` turns unreadable, non-UTF-8 and malformed files into a
:class:`~digest.errors.ConfigError`; :class:`TableReader` gives typed access to one table,
each check pointing at the offending line (found by :func:`locate`). :func:`read_toml` and
:func:`locate` serve every project file (digest.toml and feeds.toml through the schema in
:mod:`digest.config`, edits, rule packs); :class:`TableReader` reads the rule packs.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from . import validate
from .errors import ConfigError
from .textfile import read_text

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_toml(path: Path, *, hint: str) -> tuple[dict[str, Any], str]:
    text = read_text(path, missing="file not found", hint=hint, save_as="the file")
    return parse_toml(text, path), text


_DEEP = re.compile(r"(?:\[\s*){64}|(?:\{\s*){64}")  # nesting no project file needs
_LONG_NUMBER = re.compile(r"\d{4000}")  # Python reads at most 4,300 digits into an int


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """`text` parsed, or a ConfigError naming `path` and the line: malformed TOML, and the
    two things tomllib does not report as malformed (arrays nested hundreds deep, which
    exhaust Python's recursion limit, and integers of thousands of digits)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = _TOML_POS.search(str(e))
        msg = _TOML_POS.sub("", str(e)).strip()
        raise ConfigError(
            f"invalid TOML: {msg}",
            path=path,
            line=int(m.group(1)) if m else None,
            hint="see https://toml.io for the syntax",
        ) from e
    except RecursionError:
        what, pattern = "arrays or tables nested too deeply", _DEEP
    except ValueError:
        what, pattern = "a number too long to read", _LONG_NUMBER
    raise ConfigError(
        f"invalid TOML: {what}",
        path=path,
        line=_line_of(text, pattern),
        hint="no project file needs this: remove it, or restore the file from a backup",
    )


def _line_of(text: str, pattern: re.Pattern[str]) -> int | None:
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


_HEADER = re.compile(r"^\[\[?\s*([^\]]+?)\s*\]\]?")


def locate(text: str, table: str | None, key: str | None, nth: int = 0) -> int | None:
    """Best-effort line number of `key` inside `[table]` (or the nth `[[table]]`); with no
    table, of a top-level `key = ...` or else of the first `[key]` or `[key.sub]` header."""
    current: str | None = None
    seen = -1
    table_line = None
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = _HEADER.match(stripped)
        if header:
            current = header.group(1)
            if current == table:
                seen += 1
                if seen == nth:
                    table_line = lineno
            elif table is None and key and table_line is None and current.split(".")[0] == key:
                table_line = lineno
            continue
        in_table = (table is None and current is None) or (current == table and seen == nth)
        if in_table and key and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return lineno
    return table_line


def table_lines(text: str, table: str) -> list[int]:
    """The line of every `[table]` or `[[table]]` header, in order, in one pass (what
    `locate(text, table, None, n)` gives for each n)."""
    lines = []
    for lineno, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line.strip())
        if header and header.group(1) == table:
            lines.append(lineno)
    return lines


class TableReader:
    """Typed access to one TOML table, with errors that point at the offending line."""

    def __init__(
        self, data: dict[str, Any], path: Path, text: str, table: str | None, nth: int = 0
    ) -> None:
        self.data, self.path, self.text, self.table, self.nth = data, path, text, table, nth
        self.used: set[str] = set()

    def fail(self, key: str | None, message: str, hint: str | None = None) -> ConfigError:
        line = locate(self.text, self.table, key, self.nth)
        name = f"{self.table}.{key}" if self.table and key else key or self.table or ""
        return ConfigError(
            f"{name}: {message}" if name else message, path=self.path, line=line, hint=hint
        )

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(key, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        for item in value:
            self.check(key, validate.control_character(item))
        return tuple(value)

    def check(self, key: str, problem: str | None, hint: str | None = None) -> None:
        """Raise the validator's `problem` (if any) as an error at `key`'s line."""
        if problem:
            raise self.fail(key, problem, hint)

    def string(self, key: str, default: Any = None, *, multiline: bool = False) -> Any:
        """A string without control characters (line breaks only when `multiline`)."""
        value = self.get(key, str, default)
        if isinstance(value, str):
            self.check(key, validate.control_character(value, multiline=multiline))
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value: int = self.get(key, int, default)
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low:,} and {high:,}")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        """A finite number in [low, high] (TOML allows inf and nan)."""
        value: float = self.get(key, float, default)
        if not math.isfinite(value) or not low <= value <= high:
            raise self.fail(key, f"must be a number between {low:g} and {high:g}")
        return value

    def url(self, key: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
        value: str | None = self.get(key, str)
        if value is not None:
            self.check(key, validate.web_url(value, schemes))
        return value

    def check_unknown(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.fail(
                unknown[0],
                f"unknown setting {unknown[0]!r}",
                hint="check the spelling against the README",
            )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)
