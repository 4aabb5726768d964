"""Writing the editors' overrides file (the editor's desk and `digest edit`).

Every change goes through :func:`update_edits`: it is made on a tomlkit document, so the
editors' comments and layout survive; the new text is validated like a hand-written file
(:mod:`digest.edits`) before it replaces the old one atomically (temporary file, fsync,
rename), and only if the file is still the version the writer saw (:func:`edits_version`):
two writers never overwrite each other's change. Items written another way than
``[items.KEY]`` tables (inline, or as dotted keys) are rewritten as such tables first, so
a change can always be added to them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import locate, parse_toml
from .edits import FIELDS, KEY, Edits, read_edits
from .errors import ConfigError, DigestError, EditConflict
from .lock import file_lock, write_atomic
from .models import SectionSpec

if TYPE_CHECKING:
    from tomlkit import TOMLDocument


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
        if not isinstance(doc.get("items", {}), dict):  # the changes add to its tables
            raise ConfigError(
                "items must be tables: [items.KEY]", path=path, line=locate(text, None, "items")
            )
        try:
            change(doc)
        except ValueError as e:  # tomlkit: what the file's layout cannot hold
            raise ConfigError(
                f"cannot change the file as it is written: {e}",
                path=path,
                hint="write each item as an [items.KEY] table",
            ) from e
        new = tomlkit.dumps(doc).encode("utf-8")
        check_text(new.decode("utf-8"), path, sections)
        if new == old:
            return current
        write_atomic(path, new)
        return _version(new)


def check_text(text: str, path: Path, sections: Sequence[SectionSpec]) -> Edits:
    """Validate edits given as text, exactly as :func:`load_edits` validates a file."""
    return read_edits(parse_toml(text, path), text, path, sections)


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
    if not KEY.fullmatch(key):
        raise ConfigError(f"{key!r} is not an item key")
    unknown = set(fields) - FIELDS
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
    from tomlkit.items import InlineTable

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
    if isinstance(items, InlineTable):  # items = { KEY = {...} }: no table can go inside
        doc["items"] = _as_tables(items)
        items = doc["items"]
    items.add(key, tomlkit.table())
    return items[key]


def _as_tables(inline: Any) -> Any:
    """`items = { KEY = { pin = true } }` as [items.KEY] tables, with the same values."""
    import tomlkit

    tables = tomlkit.table(is_super_table=True)
    for key, value in inline.items():
        if isinstance(value, dict):
            table = tomlkit.table()
            for name, field in value.items():
                table.add(name, field)
            value = table
        tables.add(key, value)
    return tables


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
