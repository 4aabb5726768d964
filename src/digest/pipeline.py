"""Wire the stages: fetch -> parse/clean -> store -> curate -> render -> publish.

The clock is read once, by the caller (the CLI), and passed in as `now`. Survivable versus
fatal is decided here, in one place: a feed that fails to fetch or parse is reported and
skipped (`FeedError`), everything else stops the run before anything is written.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import lang as bcp47
from .clean import truncate
from .clock import check_clock, parse_as_of
from .config import Project
from .drafts import BuildStatus, existing_draft, inputs_fingerprint, stored_since
from .edits import Edits, editor_tags, edits_path, load_edits, resolve_keys
from .errors import ConfigError, ParseError
from .feedupdate import decide, undated_ids
from .fetch import fetch_feeds
from .ids import check_issue_id
from .isolate import Limits, Outcome, ParserPool
from .lock import project_lock
from .models import (
    Entry,
    FeedReport,
    FeedState,
    Fetched,
    FetchStatus,
    Issue,
)
from .store import Store

if TYPE_CHECKING:
    from .curate import Curated
    from .publish import Package

# Curation, rendering and publishing are imported where they are used: `digest fetch` (often run by
# cron) then starts without loading Jinja, MRML and Babel.

log = logging.getLogger(__name__)
__all__ = ["build", "gather", "parse_as_of", "run_fetch"]

PREHEADER_CHARS = 140


@dataclass(frozen=True)
class BuildResult:
    issue: Issue
    curated: Curated
    out_dir: Path | None  # None: nothing qualified and no draft was written
    files: dict[str, int]
    fetched: tuple[FeedReport, ...]
    lint: dict[str, Any] = field(default_factory=dict)
    status: BuildStatus = BuildStatus.WRITTEN
    # Entries that arrived since the existing draft was built and would go into it; they
    # are left out of it until a build with `force` (named by `digest build`).
    new_entries: tuple[Entry, ...] = ()


def default_issue_id(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def issue_language(project: Project, language: str | None) -> str:
    """The issue's language: `language` (from --language or a letter) checked as a BCP 47
    tag, else digest.toml's."""
    if language is None:
        return project.language
    try:
        tag = bcp47.normalise(language)
    except bcp47.LanguageError as e:
        raise ConfigError(f"language: {e}") from None
    if not bcp47.is_known(tag.tag):
        raise ConfigError(
            f"unknown language {language!r}",
            hint='use a BCP 47 tag such as "en", "en-GB", "fr-CA", "es", "pt-BR" or "ar"',
        )
    return tag.tag


def run_fetch(
    project: Project,
    store: Store,
    now: datetime,
    progress: Callable[[Fetched], None] | None = None,
    unconditional: bool = False,
    allow_past_clock: bool = False,
) -> tuple[FeedReport, ...]:
    """Fetch every feed, parse each in a worker as soon as it arrives, then store each
    feed in its own transaction and prune entries past the retention period. A clock
    earlier than the store's last fetch is refused first (ClockError) unless allowed."""
    if not allow_past_clock:
        check_clock(store, now)
    stored = states = store.feed_states()
    if unconditional:  # a backfill: ask for every document whole, whatever we hold
        states = {url: replace(st, etag=None, last_modified=None) for url, st in stored.items()}
    settings = project.fetch
    limits = Limits(
        memory_bytes=settings.parse_memory_mb * 1024 * 1024, cpu_seconds=settings.parse_seconds
    )
    reports: dict[str, FeedReport] = {}
    fetched_by_url: dict[str, Fetched] = {}
    with ParserPool(limits) as pool:
        if any(_expects_body(states.get(f.url)) for f in project.feeds):
            pool.start()

        def store_parsed(outcomes: Iterable[tuple[str, Outcome]]) -> None:
            for url, outcome in outcomes:
                reports[url] = _store_one(store, fetched_by_url[url], outcome, now, stored.get(url))

        def arrived(fetched: Fetched) -> None:
            fetched_by_url[fetched.source.url] = replace(fetched, body=None)
            if fetched.status is FetchStatus.OK:
                pool.submit(fetched, now)
            store_parsed(pool.ready())  # store what is parsed while downloads go on
            if progress is not None:
                progress(fetched)

        results = fetch_feeds(
            project.feeds,
            states,
            root=project.root,
            settings=settings,
            now=now,
            progress=arrived,
            keep_bodies=False,
        )
        store_parsed(pool.collect())
    for fetched in results:
        if fetched.source.url not in reports:
            old = stored.get(fetched.source.url)
            reports[fetched.source.url] = _store_one(store, fetched, None, now, old)
    pruned = store.prune(now, project.retention_days)
    if pruned:
        log.info("pruned %d entries older than %d days", pruned, project.retention_days)
    return tuple(reports[f.source.url] for f in results)


def _expects_body(state: FeedState | None) -> bool:
    """A feed never fetched, or without validators, will send a full document."""
    return state is None or not (state.etag or state.last_modified)


def _store_one(
    store: Store, fetched: Fetched, parsed: Outcome | None, now: datetime, old: FeedState | None
) -> FeedReport:
    """Decide one feed's update (digest.feedupdate), store it, and report it."""
    url = fetched.source.url
    dates = store.stored_dates(url, undated_ids(parsed))  # no query without undated entries
    update = decide(fetched, parsed, old, now, stored_dates=dates)
    counts = store.apply(update)
    if isinstance(parsed, ParseError):
        log.warning("%s", parsed)
    elif update.status is FetchStatus.FAILED:
        log.warning("%s: %s", url, update.error)
    for warning in update.warnings:
        log.info("%s: %s", url, warning)
    return update.report(new=counts.new, updated=counts.updated)


def gather(
    project: Project,
    store: Store,
    now: datetime,
    *,
    issue_id: str,
    language: str | None = None,
    edits: Edits | None = None,
    hold: Collection[str] = (),
) -> Curated:
    """Curate the entries of the issue window from the store, applying the editors'
    overrides (whose keys must already be resolved). Entries in `hold` (new since the
    draft was built) are left out."""
    from .curate import SentStory, curate, load_rules
    from .curate.cache import reading_for
    from .i18n import localise_sections

    start = now - timedelta(days=project.window_days)
    entries = _with_pinned(
        store, store.entries_between(start, now, feed_urls=[f.url for f in project.feeds]), edits
    )
    if hold:
        entries = [e for e in entries if e.key not in hold]
    reading = reading_for(store, entries, issue_id=issue_id) if project.classifier else None
    # Only issues built as of an earlier day count as sent: several builds of the same
    # day (a draft, an experiment with another --issue-id) never hide stories from each other.
    today = datetime.combine(now.astimezone(project.tz).date(), time(0, 0), project.tz)
    sent = store.sent_keys([e.key for e in entries], excluding_issue=issue_id, before=today)
    recent = [
        SentStory(*row)
        for row in store.recent_sent(
            now - timedelta(days=project.novelty_days), excluding_issue=issue_id, before=today
        )
    ]
    lang = issue_language(project, language)
    return curate(
        entries,
        now=now,
        language=lang,
        sections=localise_sections(project.sections, lang, project.language),
        per_feed_cap=project.per_feed_cap,
        rules=load_rules(bcp47.primary(lang), project.root),
        sources={f.url: f for f in project.feeds},
        sent=sent,
        recent=recent,
        watch=project.watchlist,
        edits=edits,
        reading=reading,
    )


def _with_pinned(store: Store, entries: list[Entry], edits: Edits | None) -> list[Entry]:
    """The window's entries plus those the editors pinned or moved from outside it."""
    if not edits:
        return entries
    have = {e.key for e in entries}
    return entries + store.entries_by_keys(
        [i.key for i in edits.items if i.includes and i.key not in have]
    )


def read_edits(project: Project, issue_id: str) -> Edits | None:
    """Parse and check the issue's overrides file (before anything is fetched or written)."""
    return load_edits(edits_path(project.root, issue_id), project.sections)


def check_rules(project: Project, language: str) -> None:
    """Load (and cache) the rule pack, so a broken rules/<lang>.toml stops the run before
    anything is fetched or written."""
    from .curate import load_rules

    load_rules(language, project.root)


def build(
    project: Project,
    now: datetime,
    *,
    offline: bool = False,
    issue_id: str | None = None,
    language: str | None = None,
    allow_empty: bool = False,
    esp: str | None = None,
    template: str | None = None,
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
            esp=esp,
            template=template,
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
    esp: str | None,
    template: str | None,
    force: bool,
    progress: Callable[[Fetched], None] | None,
    allow_past_clock: bool = False,
) -> BuildResult:

    issue_id = issue_id or default_issue_id(now)
    lang = issue_language(project, language)
    if (esp or project.esp.name) == "smtp" and not (
        project.esp.unsubscribe_url or project.esp.unsubscribe_mailto
    ):
        raise ConfigError(
            "the smtp profile needs [esp] unsubscribe_url or unsubscribe_mailto",
            path=project.config_path,
            hint="every bulk email must offer a way to unsubscribe",
        )
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
        inputs = inputs_fingerprint(project, edits, language=lang, esp=esp, template=template)
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
            esp=esp or project.esp.name,
        )
        issue = replace(issue, notes=tuple(store.skipped), merge_tags=editor_tags(edits))
        if template:
            issue = replace(issue, template=template)
        if not issue.items and not allow_empty:
            return BuildResult(issue, curated, None, {}, fetched, status=BuildStatus.EMPTY)
        if previous is not None and previous.get("inputs") == inputs:
            existing = project.out_dir / issue_id
            files = {p.name: p.stat().st_size for p in sorted(existing.iterdir())}
            status = BuildStatus.KEPT if new else BuildStatus.UNCHANGED
            return BuildResult(issue, curated, existing, files, fetched, {}, status, new)
        out_dir, pkg = _publish(
            project,
            store,
            issue,
            now,
            sorted(c.entry.key for c in curated.candidates),
            [(c.entry.key, c.section or "") for c in issue.items],
            record={"inputs": inputs, "store_mark": store.entry_mark()},
        )
    return BuildResult(issue, curated, out_dir, pkg.sizes, fetched, pkg.lint, new_entries=new)


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


def make_issue(
    project: Project,
    curated: Curated,
    now: datetime,
    *,
    issue_id: str,
    language: str,
    feeds: tuple[FeedReport, ...] = (),
    intro: str | None = None,
    esp: str | None = None,
) -> Issue:
    from .i18n import pack, typeset
    from .render import issue_date

    when = issue_date(now, project, language)
    words = pack(language, project.labels)
    subject = project.subject.format(name=project.name, date=when, issue_id=issue_id)
    return Issue(
        issue_id=issue_id,
        subject=typeset(" ".join(subject.split()), words),
        preheader=typeset(preheader(curated, intro), words),
        generated_at=now,
        window_start=now - timedelta(days=project.window_days),
        window_end=now,
        language=language,
        template=project.template,
        sections=curated.sections,
        intro=intro,
        feeds=feeds,
        esp=esp,
        candidates=curated.candidates,
    )


def preheader(curated: Curated, intro: str | None = None) -> str:
    """The inbox preview line: the intro's first sentence, else the top headlines."""
    if intro:
        return truncate(" ".join(intro.split()), PREHEADER_CHARS)
    items = [c for s in curated.sections for c in s.items]
    titles = [c.display_title for c in items[:4]]
    return truncate(" · ".join(titles), PREHEADER_CHARS) if titles else ""


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
