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

Writing (the editor's desk and `digest edit`) goes through :func:`update_edits`: the change
is made on a tomlkit document, so the editors' comments and layout survive; the new text is
validated like a hand-written file before it replaces the old one atomically (temporary
file, fsync, rename), and only if the file is still the version the writer saw
(:func:`edits_version`): two writers never overwrite each other's change.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import validate
from .config import locate, parse_toml, read_toml
from .errors import ConfigError, DigestError, EditConflict
from .ids import check_issue_id
from .lock import file_lock, write_atomic
from .mergetags import find_tags, neutralise
from .models import SectionSpec

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

EDITS_DIR = "edits"
_KEY = re.compile(r"^[0-9a-f]{4,10}$")
_FIELDS = {"pin", "drop", "section", "position", "title", "blurb"}
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
    return _edits(data, text, path, sections)


def _edits(data: dict[str, Any], text: str, path: Path, sections: Sequence[SectionSpec]) -> Edits:
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
    if not _KEY.match(key):
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
        if field not in _FIELDS:
            raise fail(field, f"unknown setting; use {', '.join(sorted(_FIELDS))}")
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
    pattern = re.compile(rf"^\s*\[\s*items\s*\.\s*\"?{re.escape(key)}\"?\s*\]")
    for lineno, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return lineno
    return None


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


# -- writing ---------------------------------------------------------------------------

NO_FILE = "none"  # the version of an edits file that does not exist yet
LOCK_NAME = ".edits.lock"


def edits_version(path: Path) -> str:
    """A short content hash of the file as it is on disk (NO_FILE when there is none)."""
    try:
        return _version(path.read_bytes())
    except FileNotFoundError:
        return NO_FILE


def _version(data: bytes | None) -> str:
    return NO_FILE if data is None else hashlib.sha256(data).hexdigest()[:16]


def update_edits(
    path: Path,
    sections: Sequence[SectionSpec],
    change: Callable[[TOMLDocument], None],
    *,
    expected: str | None,
    header: str = "",
) -> str:
    """Apply `change` to the file's TOML document and write it back; return the new
    version. `expected` is the version the writer last saw (None: no check); if the file
    changed since, nothing is written and EditConflict says so. A change that would make
    the file invalid raises ConfigError, and the file stays as it was. A new file starts
    with `header`."""
    try:
        return _update(path, sections, change, expected=expected, header=header)
    except OSError as e:  # a read-only project, a full disk, permissions
        raise DigestError(
            f"cannot write {path}: {e.strerror or e}",
            hint="check that the project's edits/ folder is writable and the disk has space",
        ) from e


def _update(
    path: Path,
    sections: Sequence[SectionSpec],
    change: Callable[[TOMLDocument], None],
    *,
    expected: str | None,
    header: str,
) -> str:
    import tomlkit
    from tomlkit.exceptions import ParseError as TomlkitError

    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(path.parent / LOCK_NAME):  # the desk's tabs, `digest edit`
        try:
            old: bytes | None = path.read_bytes()
        except FileNotFoundError:
            old = None
        current = _version(old)
        if expected is not None and expected != current:
            raise EditConflict(
                f"{path.name} was changed by someone else since you last saw it",
                current=current,
                hint="look at the current version and make your change again",
            )
        text = old.decode("utf-8-sig", errors="replace") if old is not None else header
        try:
            doc = tomlkit.parse(text)
        except TomlkitError as e:
            raise ConfigError(f"invalid TOML: {e}", path=path, line=getattr(e, "line", None)) from e
        change(doc)
        new = tomlkit.dumps(doc).encode("utf-8")
        check_text(new.decode("utf-8"), path, sections)
        if new == old:
            return current
        write_atomic(path, new)
        return _version(new)


def check_text(text: str, path: Path, sections: Sequence[SectionSpec]) -> Edits:
    """Validate edits given as text, exactly as :func:`load_edits` validates a file."""
    return _edits(parse_toml(text, path), text, path, sections)


# Changes: each takes the document and changes it in place. Keys are full entry keys; a
# table the editors wrote with a shorter key for the same entry is reused, never doubled.


def set_intro(doc: TOMLDocument, text: str | None) -> None:
    """Set or (empty text) remove the intro; tomlkit keeps it above the tables."""
    import tomlkit

    text = (text or "").strip()
    value = tomlkit.string(text, multiline="\n" in text)
    if not text:
        doc.pop("intro", None)
    elif "intro" in doc or any(isinstance(v, dict) for v in doc.values()):
        doc["intro"] = value  # replaced in place, or put above the first table
    else:
        # No table yet: put it after the file's opening comment, not at the end, where
        # a table uncommented later above it would swallow it.
        body = doc.body
        blank = (i for i, (k, v) in enumerate(body) if k is None and not v.as_string().strip())
        at = next(blank, len(body))
        if at < len(body):
            doc._insert_at(at, "intro", value)
        else:
            doc.add("intro", value)


def set_item(doc: TOMLDocument, key: str, **fields: Any) -> None:
    """Set fields of [items.KEY]; a value of None (or False for pin/drop) removes the
    field. Pinning clears a drop, dropping clears pin, section and position. A table left
    empty is removed."""
    if not _KEY.match(key):
        raise ConfigError(f"{key!r} is not an item key")
    unknown = set(fields) - _FIELDS
    if unknown:
        raise ConfigError(f"unknown item setting {sorted(unknown)[0]!r}")
    if fields.get("pin"):
        fields.setdefault("drop", None)
    if fields.get("drop"):
        fields.update(pin=None, section=None, position=None)
    table = _item_table(doc, key, create=any(v not in (None, False, "") for v in fields.values()))
    if table is None:
        return
    for name, value in fields.items():
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            table.pop(name, None)
        else:
            table[name] = " ".join(value.split()) if isinstance(value, str) else value
    _tidy(doc)


def set_order(doc: TOMLDocument, section: str, keys: Sequence[str], moved: Sequence[str]) -> None:
    """The editors' order of a section: positions 1..n for `keys`; the `moved` ones (from
    another section or from the candidates) also get `section`."""
    for position, key in enumerate(keys, 1):
        extra: dict[str, Any] = {"section": section} if key in moved else {}
        if key in moved:
            extra["drop"] = None
        set_item(doc, key, position=position, **extra)


def _item_table(doc: TOMLDocument, key: str, *, create: bool) -> Any:
    import tomlkit

    items = doc.get("items")
    if items is None:
        if not create:
            return None
        items = tomlkit.table(is_super_table=True)
        doc.add("items", items)
    found = next((k for k in items if key.startswith(str(k))), None)
    if found is not None:
        return items[found]
    if not create:
        return None
    items.add(key, tomlkit.table())
    return items[key]


def _tidy(doc: TOMLDocument) -> None:
    items = doc.get("items")
    if items is None:
        return
    for k in [k for k, v in items.items() if hasattr(v, "items") and not dict(v)]:
        del items[k]
    if not dict(items):
        del doc["items"]


def full_key(key: str, lookup: Callable[[str], list[str]]) -> str:
    """One key given on the command line (4 characters or more), made whole."""
    matches = lookup(key.strip().lower()) if len(key.strip()) >= 4 else []
    if len(matches) != 1:
        what = "no entry" if not matches else "several entries"
        raise ConfigError(
            f"{what} with a key starting {key!r}", hint="`digest rank` lists the keys"
        )
    return matches[0]


def edit_items(
    path: Path,
    sections: Sequence[SectionSpec],
    *,
    pins: Sequence[str] = (),
    drops: Sequence[str] = (),
    intro: str | None = None,
    header: str = "",
) -> None:
    """`digest edit`: pin and drop items (full keys) and set the intro, keeping the
    editors' comments; a new file starts with `header` (see :func:`skeleton`)."""

    def change(doc: TOMLDocument) -> None:
        if intro is not None:
            set_intro(doc, intro)
        for key in pins:
            set_item(doc, key, pin=True)
        for key in drops:
            set_item(doc, key, drop=True)

    update_edits(path, sections, change, expected=None, header=header)
