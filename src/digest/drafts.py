"""Whether an existing draft is rebuilt, kept or left unchanged: the one place that decides.

A cron job rebuilds the same period again and again; editors edit the draft in between.
The rules (`digest build --help` documents the exit codes they lead to):

- the editors' edits, the project's settings, templates or rule packs, the build options,
  or what digest bundles (its templates, rule packs, translations and classifier: an
  upgrade, even one that keeps the version number) changed since the draft was built (its
  *inputs fingerprint*): rebuild it, with
  the edits, leaving out entries stored since the draft was built (named, for --force);
- same inputs, but new entries that would go into the issue arrived: KEPT as it is;
- same inputs, nothing new: UNCHANGED, and nothing at all is rewritten.

Entries the editors pinned or moved, and older entries that a wider window brings in, are
never "new": only entries stored after the draft's build are (the store's rowid mark,
recorded with the build).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .config import Project
from .edits import Edits
from .models import Entry
from .resources import bundled_inputs
from .store import Store


class BuildStatus(StrEnum):
    """What a build did with out/<issue-id>/ (the `status` of `digest build --json`)."""

    WRITTEN = "written"  # a new draft was written
    UNCHANGED = "unchanged"  # the draft exists; no new entry, no edit: nothing rewritten
    KEPT = "kept"  # the draft exists and new entries arrived: kept as it is (see --force)
    EMPTY = "empty"  # nothing qualified: no draft written (see --allow-empty)


def inputs_fingerprint(
    project: Project,
    edits: Edits | None,
    *,
    language: str,
    esp: str | None,
    template: str | None,
) -> str:
    """Everything but the store that shapes an issue: the editors' edits, the project's
    settings, templates and rule packs, the build options and the window, digest's version
    and what it bundles. A draft built from the same fingerprint needs no rebuild for their
    sake."""
    h = hashlib.sha256()
    options = (__version__, bundled_signature(), language, esp, template, project.window_days)
    h.update(repr(options).encode())
    h.update((edits.signature() if edits else "-").encode())
    for path in (project.config_path, project.feeds_path):
        if path.is_file():
            h.update(f"\0{path.relative_to(project.root)}\0".encode())
            h.update(path.read_bytes())
    h.update(folders_signature((project.templates_dir, project.root / "rules")).encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def bundled_signature() -> str:
    """What digest bundles and an issue depends on (resources.bundled_inputs), as one
    digest: computed once per process."""
    return folders_signature(bundled_inputs())


def folders_signature(folders: Iterable[Path]) -> str:
    """A digest of every file in these folders (names and contents, in a stable order),
    Python's byte-code caches aside (written whenever Python likes)."""
    h = hashlib.sha256()
    for number, folder in enumerate(folders):
        found = folder.rglob("*") if folder.is_dir() else ()
        files = sorted(
            p for p in found if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        )
        for path in files:
            h.update(f"\0{number}\0{path.relative_to(folder).as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def existing_draft(project: Project, store: Store, issue_id: str) -> dict[str, Any] | None:
    """The store's record of the issue, if its files are in out/ too."""
    if not (project.out_dir / issue_id / "manifest.json").exists():
        return None
    return store.issue_manifest(issue_id)


def stored_since(
    project: Project,
    store: Store,
    now: datetime,
    previous: dict[str, Any],
    edits: Edits | None,
) -> list[Entry]:
    """Entries of the window stored after the draft was built, except those the editors
    pinned or moved (older entries a wider window brings in were stored before)."""
    start = now - timedelta(days=project.window_days)
    urls = [f.url for f in project.feeds]
    mark = previous.get("store_mark")
    if isinstance(mark, int):
        arrived = store.entries_added_after(mark, start, now, feed_urls=urls)
    else:  # recorded by an older digest: whatever its candidates did not have
        known = set(previous.get("candidates", ()))
        arrived = [
            e for e in store.entries_between(start, now, feed_urls=urls) if e.key not in known
        ]
    chosen = {i.key for i in edits.items if i.includes} if edits else set()
    return [e for e in arrived if e.key not in chosen]
