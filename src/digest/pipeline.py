"""Wire the stages: fetch -> parse/clean -> store -> curate -> render -> publish.

The clock is read once, by the caller (the CLI), and passed in as `now`. Survivable versus
fatal is decided here, in one place: a feed that fails to fetch or parse is reported and
skipped (`FeedError`, by the fetch stage's runner, :mod:`digest.update`), everything else
stops the run before anything is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clock import check_clock, parse_as_of
from .compose import PREHEADER_CHARS, default_issue_id, make_issue, preheader
from .config import Project
from .drafts import BuildStatus, existing_draft, inputs_fingerprint, stored_since
from .edits import editor_tags, resolve_keys
from .esp import check_unsubscribe
from .gather import check_rules, gather, read_edits, with_pinned
from .ids import check_issue_id
from .lock import project_lock
from .models import Entry, FeedReport, Fetched, FetchStatus, Issue
from .session import issue_language
from .store import Store
from .update import run_fetch

if TYPE_CHECKING:
    from .curate import Curated
    from .publish import Package

# Curation, rendering and publishing are imported where they are used. `digest fetch` (often run
# by cron) does not import this module at all: it runs digest.update.

__all__ = [  # the stages' helpers the pipeline wires are importable from here too
    "PREHEADER_CHARS",
    "build",
    "check_rules",
    "default_issue_id",
    "gather",
    "issue_language",
    "make_issue",
    "parse_as_of",
    "preheader",
    "read_edits",
    "run_fetch",
    "with_pinned",
]


@dataclass(frozen=True)
class BuildResult:
    issue: Issue
    out_dir: Path | None  # None: nothing qualified and no draft was written
    files: dict[str, int]
    fetched: tuple[FeedReport, ...]
    lint: dict[str, Any] = field(default_factory=dict)
    status: BuildStatus = BuildStatus.WRITTEN
    # Entries that arrived since the existing draft was built and would go into it; they
    # are left out of it until a build with `force` (named by `digest build`).
    new_entries: tuple[Entry, ...] = ()


def build(
    project: Project,
    now: datetime,
    *,
    offline: bool = False,
    issue_id: str | None = None,
    language: str | None = None,
    allow_empty: bool = False,
    force: bool = False,
    progress: Callable[[Fetched], None] | None = None,
    allow_past_clock: bool = False,
) -> BuildResult:
    """Run the whole pipeline and write out/<issue-id>/ (unless nothing qualifies).

    One run at a time per project (LockedError otherwise). The same inputs rebuild the same
    issue byte for byte. When the issue already exists (and not `force`):
    - the editors' edits, the settings or the build options changed: it is rebuilt with
      them, leaving out entries that arrived since it was built (`new_entries`);
    - else, if new entries arrived that would go into it: it is KEPT as it is (a cron run
      never swaps a draft under its editors);
    - else it is UNCHANGED: nothing is rewritten, not even the history.
    `force` rebuilds with everything. A clock earlier than the store's last fetch is refused
    unless `allow_past_clock`."""
    check_issue_id(issue_id or default_issue_id(now))
    with project_lock(project.root):
        return _build(
            project,
            now,
            offline=offline,
            issue_id=issue_id,
            language=language,
            allow_empty=allow_empty,
            force=force,
            progress=progress,
            allow_past_clock=allow_past_clock,
        )


def _build(
    project: Project,
    now: datetime,
    *,
    offline: bool,
    issue_id: str | None,
    language: str | None,
    allow_empty: bool,
    force: bool,
    progress: Callable[[Fetched], None] | None,
    allow_past_clock: bool = False,
) -> BuildResult:

    issue_id = issue_id or default_issue_id(now)
    lang = issue_language(project, language)
    check_unsubscribe(project.esp, project.config_path)
    edits = read_edits(project, issue_id)
    check_rules(project, lang)
    with Store(project.db_path) as store:
        if not allow_past_clock:
            check_clock(store, now)
        _restore_interrupted(project, store, issue_id)
        fetched: tuple[FeedReport, ...] = ()
        if not offline:
            fetched = run_fetch(project, store, now, progress, allow_past_clock=True)
        if edits:
            edits = resolve_keys(edits, store.keys_with_prefix)
        inputs = inputs_fingerprint(
            project, edits, language=lang, esp=project.esp.name, template=project.template
        )
        previous = None if force else existing_draft(project, store, issue_id)
        new: tuple[Entry, ...] = ()
        if previous is not None and (arrived := stored_since(project, store, now, previous, edits)):
            full = gather(project, store, now, issue_id=issue_id, language=lang, edits=edits)
            placed = {c.entry.key for c in full.candidates if c.section}
            new = tuple(e for e in arrived if e.key in placed)  # would go into the issue
        curated = gather(
            project,
            store,
            now,
            issue_id=issue_id,
            language=lang,
            edits=edits,
            hold={e.key for e in new},
        )
        if edits and project.classifier:
            from .curate.cache import record_labels

            record_labels(
                store, edits, curated, project.sections, issue_id=issue_id, now=now.isoformat()
            )
        issue = make_issue(
            project,
            curated,
            now,
            issue_id=issue_id,
            language=lang,
            feeds=_feed_health(project, store, curated, fetched, offline),
            intro=edits.intro if edits else None,
        )
        issue = replace(
            issue,
            notes=tuple(store.skipped),
            merge_tags=tuple(dict.fromkeys(project.merge_tags + editor_tags(edits))),
        )
        if not issue.items and not allow_empty:
            return BuildResult(issue, None, {}, fetched, status=BuildStatus.EMPTY)
        if previous is not None and previous.get("inputs") == inputs:
            existing = project.out_dir / issue_id
            files = {p.name: p.stat().st_size for p in sorted(existing.iterdir())}
            status = BuildStatus.KEPT if new else BuildStatus.UNCHANGED
            return BuildResult(issue, existing, files, fetched, {}, status, new)
        out_dir, pkg = _publish(
            project,
            store,
            issue,
            now,
            sorted(c.entry.key for c in curated.candidates),
            [(c.entry.key, c.section or "") for c in issue.items],
            record={"inputs": inputs, "store_mark": store.entry_mark()},
        )
    return BuildResult(issue, out_dir, pkg.sizes, fetched, pkg.lint, new_entries=new)


def _feed_health(
    project: Project, store: Store, curated: Curated, fetched: tuple[FeedReport, ...], offline: bool
) -> tuple[FeedReport, ...]:
    """Per-feed status for the manifest: stable for the same inputs (no per-run counters)."""
    in_window: dict[str, int] = {}
    for c in curated.candidates:
        in_window[c.entry.feed_url] = in_window.get(c.entry.feed_url, 0) + 1
    by_url = {r.url: r for r in fetched}
    states = store.feed_states()
    reports = []
    for feed in project.feeds:
        run = by_url.get(feed.url)
        state = states.get(feed.url)
        if offline or run is None:
            failing = state is not None and state.failures > 0
            status = FetchStatus.FAILED if failing else FetchStatus.OFFLINE
            error = state.last_error if state else None
        else:
            fresh = run.status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED)
            status = FetchStatus.OK if fresh else run.status
            error = run.error
        reports.append(
            FeedReport(
                feed.name,
                feed.url,
                status,
                entries=in_window.get(feed.url, 0),
                error=error,
                error_kind=run.error_kind if run else None,
                warnings=run.warnings if run else (),
                failures=state.failures if state else 0,
                last_success=state.last_success if state else None,
            )
        )
    return tuple(reports)


def _publish(
    project: Project,
    store: Store,
    issue: Issue,
    now: datetime,
    candidates: list[str],
    placements: list[tuple[str, str]],
    record: dict[str, Any] | None = None,
) -> tuple[Path, Package]:
    """Render, package (with lint), then publish: the files are staged beside
    out/<issue-id>/ and swapped in inside the store's write transaction, and the previous
    issue is dropped only after the commit. A locked or full store, a failed write or an
    unsafe email leaves the previous issue and its history as they were (exit 1); exit 0
    means both the files and the record are in place."""
    from .publish import MANIFEST_NAME, package, stage_issue
    from .salvage import render_or_skip

    rendered, issue = render_or_skip(project, issue)  # a story that cannot render is left out
    kept = {c.entry.key for c in issue.items}
    placements = [(key, section) for key, section in placements if key in kept]
    pkg = package(project, issue, rendered)
    staged = stage_issue(project.out_dir, issue.issue_id, pkg)
    try:
        store.record_issue(
            issue.issue_id,
            built_at=now,
            as_of=now,
            subject=issue.subject,
            html_bytes=len(rendered.html.encode("utf-8")),
            manifest={
                "files": pkg.sizes,
                "items": [c.entry.key for c in issue.items],
                "candidates": candidates,
                "lint_ok": pkg.lint.get("ok"),
                "manifest_sha256": hashlib.sha256(pkg.files[MANIFEST_NAME]).hexdigest(),
                **(record or {}),
            },
            placements=placements,
            publish=staged.swap,
        )
    except BaseException:
        staged.undo()
        raise
    staged.finish()
    return staged.target, pkg


def _restore_interrupted(project: Project, store: Store, issue_id: str) -> None:
    """Undo what a run killed while publishing this issue left behind (see publish)."""
    from .publish import restore_interrupted

    recorded = (store.issue_manifest(issue_id) or {}).get("manifest_sha256")
    restore_interrupted(project.out_dir, issue_id, recorded)
