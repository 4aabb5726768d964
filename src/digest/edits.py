"""Editorial overrides: `edits/<issue-id>.toml`, kept in the project (out/ is rewritten by
every build) and re-applied on every rebuild.

    intro = "A paragraph at the top of the issue."

    [items.279b87a30b]        # an item key from `digest rank` (6 characters are enough)
    pin = true                # include it whatever its score (even from outside the window)
    section = "good-news"     # put it in this section
    position = 1              # 1 = first in its section
    title = "Our own headline"
    blurb = "A sentence of our own instead of the feed's excerpt."

    [items.5bcbc1]
    drop = true               # never include it

Merge tags (``*|FNAME|*``, ``{{ name }}``...) in the editors' text are broken like those
from feeds, unless the file says ``merge_tags = true``: a tag pasted by accident, or
written for another mailing service, then never reaches the service. With it, the text
is kept as written and `digest lint` accepts exactly those tags.

Reading is split in two so a broken file stops a build before anything happens:
:func:`load_edits` checks the syntax and every value (file and line in each error);
:func:`resolve_keys` later matches the item keys against the store.

Writing (the editor's desk and `digest edit`) is :mod:`digest.editwrite`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import validate
from .config import locate, read_toml
from .errors import ConfigError
from .ids import check_issue_id
from .mergetags import find_tags, neutralise
from .models import SectionSpec

EDITS_DIR = "edits"
KEY = re.compile(r"[0-9a-f]{4,10}")  # an item key as written (fullmatch)
FIELDS = {"pin", "drop", "section", "position", "title", "blurb"}
MAX_TEXT = {"title": 300, "blurb": 600, "intro": 2000}


@dataclass(frozen=True)
class ItemEdit:
    key: str  # as written; full key after resolve_keys()
    line: int | None = None
    pin: bool = False
    drop: bool = False
    section: str | None = None
    position: int | None = None
    title: str | None = None
    blurb: str | None = None

    @property
    def includes(self) -> bool:
        """Pinning or moving an item into a section both put it in the issue."""
        return self.pin or self.section is not None


@dataclass(frozen=True)
class Edits:
    path: Path
    intro: str | None = None
    items: tuple[ItemEdit, ...] = ()
    merge_tags: bool = False  # the editors' merge tags are meant: keep them as written

    def for_key(self, key: str) -> ItemEdit | None:
        return next((e for e in self.items if e.key == key), None)

    def signature(self) -> str:
        """What the editors asked for, without comments, layout or line numbers: two
        files with the same signature build the same issue."""
        parts = [repr(self.intro)]
        for i in sorted(self.items, key=lambda i: i.key):
            parts.append(repr((i.key, i.pin, i.drop, i.section, i.position, i.title, i.blurb)))
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def edits_path(root: Path, issue_id: str) -> Path:
    """edits/<issue-id>.toml; the id is checked here, so no caller can escape edits/."""
    return root / EDITS_DIR / f"{check_issue_id(issue_id)}.toml"


def load_edits(path: Path, sections: Sequence[SectionSpec]) -> Edits | None:
    """Parse and validate an overrides file; None when there is none."""
    if not path.exists():
        return None
    data, text = read_toml(path, hint="see `digest edit --help` for the format")
    return read_edits(data, text, path, sections)


def read_edits(
    data: dict[str, Any], text: str, path: Path, sections: Sequence[SectionSpec]
) -> Edits:
    """Edits checked value by value from a file's parsed `data` and its `text`."""
    unknown = sorted(set(data) - {"intro", "items", "merge_tags"})
    if unknown:
        raise ConfigError(
            f"unknown setting {unknown[0]!r}",
            path=path,
            line=locate(text, None, unknown[0]),
            hint='use intro = "...", merge_tags = true and [items.KEY] tables',
        )
    keep_tags = data.get("merge_tags", False)
    if not isinstance(keep_tags, bool):
        raise ConfigError(
            "merge_tags must be true or false", path=path, line=locate(text, None, "merge_tags")
        )
    intro = data.get("intro")
    if intro is not None and (not isinstance(intro, str) or len(intro) > MAX_TEXT["intro"]):
        raise ConfigError(
            f"intro must be text of at most {MAX_TEXT['intro']} characters",
            path=path,
            line=locate(text, None, "intro"),
        )
    problem = validate.control_character(intro, multiline=True) if intro else None
    if problem:
        raise ConfigError(f"intro {problem}", path=path, line=locate(text, None, "intro"))
    items_table = data.get("items", {})
    if not isinstance(items_table, dict):
        raise ConfigError(
            "items must be tables: [items.KEY]", path=path, line=locate(text, None, "items")
        )
    section_ids = {s.id for s in sections}
    items = tuple(_item(key, value, path, text, section_ids) for key, value in items_table.items())
    intro = intro.strip() if isinstance(intro, str) and intro.strip() else None
    if not keep_tags:
        intro = neutralise(intro) if intro else None
        items = tuple(
            replace(
                i,
                title=neutralise(i.title) if i.title else None,
                blurb=neutralise(i.blurb) if i.blurb else None,
            )
            for i in items
        )
    return Edits(path, intro, items, merge_tags=keep_tags)


def editor_tags(edits: Edits | None) -> tuple[str, ...]:
    """The merge tags the editors wrote on purpose (`merge_tags = true`), for lint."""
    if edits is None or not edits.merge_tags:
        return ()
    texts = [edits.intro or "", *(t for i in edits.items for t in (i.title, i.blurb) if t)]
    return tuple(dict.fromkeys(tag for t in texts for tag in find_tags(t)))


def _item(key: str, value: object, path: Path, text: str, section_ids: set[str]) -> ItemEdit:
    line = _table_line(text, key)
    if not KEY.fullmatch(key):
        raise ConfigError(
            f"{key!r} is not an item key",
            path=path,
            line=line,
            hint="copy the key column of `digest rank` (at least 4 characters)",
        )
    if not isinstance(value, dict):
        raise ConfigError(f"items.{key} must be a table", path=path, line=line)

    def fail(field: str, message: str) -> ConfigError:
        return ConfigError(
            f"items.{key}.{field}: {message}", path=path, line=_field_line(text, key, field) or line
        )

    for field in value:
        if field not in FIELDS:
            raise fail(field, f"unknown setting; use {', '.join(sorted(FIELDS))}")
    for flag in ("pin", "drop"):
        if flag in value and not isinstance(value[flag], bool):
            raise fail(flag, "must be true or false")
    if value.get("pin") and value.get("drop"):
        raise fail("drop", "an item cannot be both pinned and dropped")
    section = value.get("section")
    if section is not None and not isinstance(section, str):
        raise fail("section", "must be a section id (text)")
    if section is not None and section not in section_ids:
        raise fail(
            "section", f"no section {section!r}; digest.toml has {', '.join(sorted(section_ids))}"
        )
    position = value.get("position")
    if position is not None and (
        isinstance(position, bool) or not isinstance(position, int) or position < 1
    ):
        raise fail("position", "must be a whole number from 1")
    for field in ("title", "blurb"):
        if field in value:
            content = value[field]
            if not isinstance(content, str) or not content.strip():
                raise fail(field, "must be non-empty text")
            if len(content) > MAX_TEXT[field]:
                raise fail(field, f"is longer than {MAX_TEXT[field]} characters")
            problem = validate.control_character(content, multiline=True)
            if problem:
                raise fail(field, problem)
    return ItemEdit(
        key=key,
        line=line,
        pin=bool(value.get("pin")),
        drop=bool(value.get("drop")),
        section=section,
        position=position,
        title=" ".join(value["title"].split()) if "title" in value else None,
        blurb=" ".join(value["blurb"].split()) if "blurb" in value else None,
    )


def resolve_keys(edits: Edits, lookup: Callable[[str], list[str]]) -> Edits:
    """Replace abbreviated keys by full ones. `lookup(prefix)` lists matching entry keys.
    An unknown or ambiguous key is an error naming the file and line."""
    resolved = []
    first: dict[str, ItemEdit] = {}  # full key: its first table
    for item in edits.items:
        matches = lookup(item.key)
        if not matches:
            raise ConfigError(
                f"no entry with key {item.key!r} in the store",
                path=edits.path,
                line=item.line,
                hint="`digest rank` lists the keys; the entry "
                "may have been pruned, or the key mistyped",
            )
        if len(matches) > 1:
            raise ConfigError(
                f"key {item.key!r} matches {len(matches)} entries",
                path=edits.path,
                line=item.line,
                hint="write more of the key",
            )
        earlier = first.setdefault(matches[0], item)
        if earlier is not item:
            raise ConfigError(
                f"item {item.key!r} is the same entry as item {earlier.key!r}"
                + (f" (line {earlier.line})" if earlier.line else ""),
                path=edits.path,
                line=item.line,
                hint="keep one table per entry: merge the two",
            )
        resolved.append(replace(item, key=matches[0]))
    return replace(edits, items=tuple(resolved))


def _table_line(text: str, key: str) -> int | None:
    """The line of item `key`: its [items.KEY] header (quoted or not), else the first line
    that names it (`KEY = { pin = true }`, `items.KEY.pin = true`)."""
    header = re.compile(rf"^\s*\[\s*items\s*\.\s*([\"']?){re.escape(key)}\1\s*\]")
    named = re.compile(rf"(?<![\w-]){re.escape(key.strip() or key)}(?![\w-])")
    lines = text.splitlines()
    found = next((n for n, line in enumerate(lines, 1) if header.match(line)), None)
    return found or next((n for n, line in enumerate(lines, 1) if named.search(line)), None)


def _field_line(text: str, key: str, field: str) -> int | None:
    start = _table_line(text, key)
    if start is None:
        return None
    lines = text.splitlines()
    for offset, line in enumerate(lines[start:], start + 1):
        if line.strip().startswith("["):
            return None
        if re.match(rf"^\s*{re.escape(field)}\s*=", line):
            return offset
    return None


def skeleton(issue_id: str, items: Sequence[tuple[str, str, str | None]]) -> str:
    """A commented starting point listing the issue's current items (key, title, section)."""
    lines = [
        f"# Editorial changes for issue {issue_id}. `digest build` re-applies them on every",
        "# build. Uncomment and edit; keys come from `digest rank`.",
        "",
        '# intro = "A short paragraph at the top of the issue."',
        "",
    ]
    for key, title, section in items:
        lines += [
            f"# {title}",
            f"# ({section or 'left out'})",
            f"# [items.{key}]",
            "# pin = true",
            "# drop = true",
            '# section = "good-news"',
            "# position = 1",
            '# title = "Our own headline"',
            '# blurb = "A sentence of our own."',
            "",
        ]
    return "\n".join(lines)
