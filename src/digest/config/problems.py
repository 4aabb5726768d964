"""From a file's text to checked schema structs, every problem a :class:`ConfigError`
naming the file and line.

msgspec reports where a value went wrong as a path (``$.section[1].kinds[0]``);
:meth:`Source.read` maps it to ``[[section]]`` number 2, key ``kinds``, and
:func:`~digest.tomlfile.locate` finds that line. The wording is ours ("must be at least
1", "unknown setting 'colour'"), with the hint or message the field's
:class:`~.checks.Rule` declares.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, get_type_hints

import msgspec

from ..errors import ConfigError
from ..tomlfile import locate
from .checks import Rule

S = TypeVar("S", bound=msgspec.Struct)

_ERROR = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([\w-]+)|\[(\d+|\.\.\.)\]")
_FIELD = re.compile(r"^Object (contains unknown|missing required) field `([^`]+)`$")
_TYPE = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`")
_BOUND = re.compile(r"^Expected `(int|float)` (>=|<=) (\S+)$")
_KINDS = {
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "array": "a list",
    "object": "a table",
}
_GOT = {"bool": "a boolean", "array": "list", "object": "table", "null": "nothing"}


@dataclass(frozen=True)
class Where:
    """A setting: `key` in `[table]` (the `nth` `[[table]]`), or a top-level key."""

    table: str | None
    key: str | None
    nth: int = 0

    @property
    def name(self) -> str:
        return (
            f"{self.table}.{self.key}" if self.table and self.key else self.key or self.table or ""
        )


@dataclass(frozen=True)
class Source:
    """One project file being read: its path and text, to name the line of a problem."""

    path: Path
    text: str

    def line(self, where: Where) -> int | None:
        return locate(self.text, where.table, where.key, where.nth)

    def fail(self, where: Where, message: str, hint: str | None = None) -> ConfigError:
        name = where.name
        return ConfigError(
            f"{name}: {message}" if name else message,
            path=self.path,
            line=self.line(where),
            hint=hint,
        )

    def read(self, data: dict[str, Any], schema: type[S]) -> S:
        """`data` as a `schema` struct, every field's rules checked."""
        try:
            result = msgspec.convert(data, schema)
        except msgspec.ValidationError as e:
            raise self._schema_error(str(e), schema, data) from None
        self._check(result, None, 0)
        return result

    def _schema_error(
        self, error: str, schema: type[msgspec.Struct], data: dict[str, Any]
    ) -> ConfigError:
        found = _ERROR.match(error)
        message, path = (found["message"], found["path"] or "") if found else (error, "")
        names: list[str] = []
        nth = 0
        for name, index in _STEP.findall(path):
            if name:
                names.append(name)
            elif len(names) == 1 and index.isdigit():
                nth = int(index)
        hint = None
        field = _FIELD.match(message)
        if field:
            names.append(field[2])
        spec = _field_at(schema, names)
        rule = spec.rule if spec else None
        if field and field[1] == "contains unknown":
            message = f"unknown setting {field[2]!r}"
            hint = "check the spelling against the README"
        elif field:
            message = rule.missing if rule and rule.missing else "this setting is required"
        if len(names) > 1:
            where = Where(names[0], names[1], nth)
        else:
            where = Where(None, names[0] if names else None)
        if rule and rule.bounds and _BOUND.match(message):
            message = rule.bounds
        elif not field:
            message = _wording(message, _value(data, where), spec)
        return self.fail(where, message, hint or (rule.hint if rule else None))

    def _check(self, struct: msgspec.Struct, table: str | None, nth: int) -> None:
        """Run the rules of every field of `struct`, and of the tables inside it."""
        for name, spec in _fields(type(struct)).items():
            value, rule = getattr(struct, name), spec.rule
            items = value if isinstance(value, tuple) else (value,)
            for i, item in enumerate(items):
                if isinstance(item, msgspec.Struct):
                    self._check(item, name, i)
                elif rule and rule.check and isinstance(item, str):
                    problem = rule.check(item)
                    if problem:
                        where = Where(table, name, nth) if table else Where(None, name)
                        raise self.fail(where, problem, rule.hint)


def _value(data: dict[str, Any], where: Where) -> Any:
    """The raw value at `where`, if it can be found."""
    table = data.get(where.table) if where.table else data
    if isinstance(table, list):
        table = table[where.nth] if where.nth < len(table) else None
    return table.get(where.key) if isinstance(table, dict) and where.key else None


def _wording(message: str, value: Any, spec: _Field | None) -> str:
    bound = _BOUND.match(message)
    if bound and isinstance(value, float) and math.isnan(value):
        return "must be a number, not nan"
    if bound:
        kind, op, limit = bound.groups()

        def shown(number: float) -> str:
            return f"{int(number):,}" if kind == "int" else f"{float(number):g}"

        if spec and spec.low is not None and spec.high is not None:
            return f"must be between {shown(spec.low)} and {shown(spec.high)}"
        return f"must be at {'least' if op == '>=' else 'most'} {shown(float(limit))}"
    found = _TYPE.match(message)
    if found:
        wanted = " or ".join(_KINDS.get(k, k) for k in found[1].split(" | ") if k != "null")
        return f"expected {wanted}, got {_GOT.get(found[2], found[2])}"
    return message[:1].lower() + message[1:]


@dataclass(frozen=True)
class _Field:
    """What the schema says of one field: the struct inside it, its rule, its bounds."""

    struct: type | None
    rule: Rule | None
    low: float | None = None
    high: float | None = None


@cache
def _fields(schema: type) -> dict[str, _Field]:
    out: dict[str, _Field] = {}
    for name, hint in get_type_hints(schema, include_extras=True).items():
        extras = [m for h in (hint, *get_args(hint)) for m in getattr(h, "__metadata__", ())]
        rule = next((m for m in extras if isinstance(m, Rule)), None)
        meta = next((m for m in extras if isinstance(m, msgspec.Meta)), None)
        low, high = (meta.ge, meta.le) if meta else (None, None)
        out[name] = _Field(_struct_in(hint), rule, low, high)
    return out


def _struct_in(hint: Any) -> type | None:
    if get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        return hint
    if get_origin(hint) in (tuple, Union, UnionType):
        return next((s for s in map(_struct_in, get_args(hint)) if s), None)
    return None


def _field_at(schema: type | None, names: list[str]) -> _Field | None:
    found = None
    for name in names:
        if schema is None or name not in _fields(schema):
            return None
        found = _fields(schema)[name]
        schema = found.struct
    return found
