"""Wire the stages: fetch -> parse/clean -> store -> curate -> render -> publish.

The clock is read once, by the caller (the CLI), and passed in as `now`. Survivable versus
fatal is decided here, in one place: a feed that fails to fetch or parse is reported and
skipped (`FeedError`), everything else stops the run before anything is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clean import truncate
from .config import Project
from .edits import Edits, edits_path, load_edits, resolve_keys
from .errors import ConfigError, ParseError
from .fetch import fetch_feeds
from .isolate import Limits, Outcome, ParserPool
from .lock import project_lock
from .models import (
    Entry,
    FeedReport,
    FeedState,
    Fetched,
    FetchStatus,
    Issue,
    Letter,
    ParsedFeed,
    Section,
)
from .store import Store

if TYPE_CHECKING:
    from .curate import Curated
    from .publish import Package

# Curation, rendering and publishing are imported where they are used: `digest fetch` (often run by
# cron) then starts without loading Jinja, MRML and Babel.

log = logging.getLogger(__name__)

PREHEADER_CHARS = 140


@dataclass(frozen=True)
class BuildResult:
    issue: Issue
    curated: Curated
    out_dir: Path | None  # None: nothing qualified and no draft was written
    files: dict[str, int]
    fetched: tuple[FeedReport, ...]
    lint: dict[str, Any] = field(default_factory=dict)
    kept: int = 0  # >0: the issue existed and this many new entries were not added


def parse_as_of(value: str | None, project: Project, wall_clock: datetime) -> datetime:
    """The run's clock. A bare date means the end of that day in the project's time zone."""
    if value is None:
        return wall_clock.astimezone(project.tz)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(23, 59, 59), project.tz)
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"--as-of {value!r} is not a date",
            hint="use YYYY-MM-DD or an ISO datetime like 2025-12-19T09:00",
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=project.tz)


def default_issue_id(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def run_fetch(
    project: Project,
    store: Store,
    now: datetime,
    progress: Callable[[Fetched], None] | None = None,
    unconditional: bool = False,
) -> tuple[FeedReport, ...]:
    """Fetch every feed, parse each in a worker as soon as it arrives, then store each
    feed in its own transaction and prune entries past the retention period."""
    states = store.feed_states()
    if unconditional:  # a backfill: ask for every document whole, whatever we hold
        states = {url: replace(st, etag=None, last_modified=None) for url, st in states.items()}
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
                reports[url] = _store_one(store, fetched_by_url[url], outcome, now)

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
            reports[fetched.source.url] = _store_one(store, fetched, None, now)
    pruned = store.prune(now, project.retention_days)
    if pruned:
        log.info("pruned %d entries older than %d days", pruned, project.retention_days)
    return tuple(reports[f.source.url] for f in results)


def _expects_body(state: FeedState | None) -> bool:
    """A feed never fetched, or without validators, will send a full document."""
    return state is None or not (state.etag or state.last_modified)


def _store_one(store: Store, fetched: Fetched, parsed: Outcome | None, now: datetime) -> FeedReport:
    source = fetched.source
    if fetched.status is FetchStatus.SKIPPED:
        return FeedReport(
            source.name, source.url, "skipped", error=fetched.error, error_kind=fetched.error_kind
        )
    if fetched.status is FetchStatus.FAILED:
        store.record_fetch(fetched, None, now)
        log.warning("%s: %s", source.url, fetched.error)
        return FeedReport(
            source.name, source.url, "failed", error=fetched.error, error_kind=fetched.error_kind
        )
    if fetched.status is FetchStatus.NOT_MODIFIED:
        store.record_fetch(fetched, None, now)
        return FeedReport(source.name, source.url, "not_modified")
    if not isinstance(parsed, ParsedFeed):
        error = parsed or ParseError(source.url, "the document was not parsed", kind="parser")
        store.record_fetch(fetched, None, now, error=error.reason)
        log.warning("%s", error)
        return FeedReport(
            source.name, source.url, "failed", error=error.reason, error_kind=error.kind
        )
    counts = store.record_fetch(fetched, parsed, now)
    for warning in parsed.warnings:
        log.info("%s: %s", source.url, warning)
    return FeedReport(
        source.name,
        source.url,
        "ok",
        new=counts.new,
        updated=counts.updated,
        entries=len(parsed.entries),
        warnings=parsed.warnings,
        oldest=min((e.published for e in parsed.entries if e.dated), default=None),
    )


def gather(
    project: Project,
    store: Store,
    now: datetime,
    *,
    issue_id: str,
    language: str | None = None,
    edits: Edits | None = None,
) -> Curated:
    """Curate the entries of the issue window from the store, applying the editors'
    overrides (whose keys must already be resolved)."""
    from .curate import SentStory, curate, load_rules
    from .curate.cache import reading_for

    start = now - timedelta(days=project.window_days)
    entries = _with_pinned(
        store, store.entries_between(start, now, feed_urls=[f.url for f in project.feeds]), edits
    )
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
    lang = language or project.language
    return curate(
        entries,
        now=now,
        language=lang,
        sections=project.sections,
        per_feed_cap=project.per_feed_cap,
        rules=load_rules(lang, project.root),
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
) -> BuildResult:
    """Run the whole pipeline and write out/<issue-id>/ (unless nothing qualifies).

    One run at a time per project (LockedError otherwise). The same inputs rebuild the same
    issue byte for byte; when the issue already exists and new entries have arrived since,
    it is kept as it is unless `force` (a cron run never swaps a draft under its editors)."""
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
) -> BuildResult:

    issue_id = issue_id or default_issue_id(now)
    lang = language or project.language
    if (esp or project.esp.name) == "smtp" and not (
        project.esp.unsubscribe_url or project.esp.unsubscribe_mailto
    ):
        raise ConfigError(
            "the smtp profile needs [esp] unsubscribe_url or unsubscribe_mailto",
            path=project.config_path,
            hint="every bulk email must offer a way to unsubscribe",
        )
    edits = read_edits(project, issue_id)
    with Store(project.db_path) as store:
        fetched: tuple[FeedReport, ...] = ()
        if not offline:
            fetched = run_fetch(project, store, now, progress)
        if edits:
            edits = resolve_keys(edits, store.keys_with_prefix)
        curated = gather(project, store, now, issue_id=issue_id, language=lang, edits=edits)
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
        if template:
            issue = replace(issue, template=template)
        if not issue.items and not allow_empty:
            return BuildResult(issue, curated, None, {}, fetched)
        candidates = sorted(c.entry.key for c in curated.candidates)
        previous = store.issue_manifest(issue_id)
        existing = project.out_dir / issue_id
        if previous is not None and not force and (existing / "manifest.json").exists():
            new = set(candidates) - set(previous.get("candidates", candidates))
            if new:
                files = {p.name: p.stat().st_size for p in sorted(existing.iterdir())}
                return BuildResult(issue, curated, existing, files, fetched, kept=len(new))
        out_dir, pkg = _publish(
            project,
            store,
            issue,
            now,
            candidates,
            [(c.entry.key, c.section or "") for c in issue.items],
        )
    return BuildResult(issue, curated, out_dir, pkg.sizes, fetched, pkg.lint)


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
            status = "failed" if state and state.failures else "offline"
            error = state.last_error if state else None
        else:
            status = "ok" if run.status in ("ok", "not_modified") else run.status
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
    from .render import issue_date

    when = issue_date(now, project, language)
    subject = project.subject.format(name=project.name, date=when, issue_id=issue_id)
    return Issue(
        issue_id=issue_id,
        subject=" ".join(subject.split()),
        preheader=preheader(curated, intro),
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


def build_year_end(
    project: Project,
    now: datetime,
    *,
    year: int,
    letter: Letter | None = None,
    letter_from_feed: bool = False,
    language: str | None = None,
    group_by: str = "theme",
    esp: str | None = None,
    issue_id: str | None = None,
) -> BuildResult:
    """The year-end issue from the store: a letter, the year's figures and highlights."""
    lang = language or project.language
    issue_id = issue_id or f"{year}-year-end"
    edits = read_edits(project, issue_id)
    with project_lock(project.root):
        return _build_year_end(
            project,
            now,
            year=year,
            letter=letter,
            letter_from_feed=letter_from_feed,
            lang=lang,
            group_by=group_by,
            esp=esp,
            issue_id=issue_id,
            edits=edits,
        )


def _build_year_end(
    project: Project,
    now: datetime,
    *,
    year: int,
    letter: Letter | None,
    letter_from_feed: bool,
    lang: str,
    group_by: str,
    esp: str | None,
    issue_id: str,
    edits: Edits | None,
) -> BuildResult:
    from .curate import Curated, curate, load_rules
    from .models import SectionSpec
    from .yearend import highlights, year_counts
    from .yearend import letter_from_feed as feed_letter

    start = datetime.combine(date(year, 1, 1), time(0, 0), project.tz)
    end = datetime.combine(date(year, 12, 31), time(23, 59, 59), project.tz)
    with Store(project.db_path) as store:
        if edits:
            edits = resolve_keys(edits, store.keys_with_prefix)
        entries = _with_pinned(
            store,
            store.entries_between(start, end, feed_urls=[f.url for f in project.feeds]),
            edits,
        )
        if not entries:
            raise ConfigError(
                f"the store holds no entries from {year}",
                hint=f"run `digest fetch --since {year}-01-01` first",
            )
        rules = load_rules(lang, project.root)
        everything = SectionSpec("all", "All", (), len(entries) + 1)
        ranked = curate(
            entries,
            now=min(now, end),
            language=lang,
            sections=(everything,),
            per_feed_cap=len(entries) + 1,
            rules=rules,
            sources={f.url: f for f in project.feeds},
            edits=edits,
            recency=False,
        )
        chosen = letter or (feed_letter(ranked.candidates) if letter_from_feed else None)
        if letter_from_feed and chosen is None:
            raise ConfigError(
                f"no year-end message found in the feeds for {year}",
                hint="write the letter in Markdown and pass --letter FILE",
            )
        # Stories of this language, each once: other languages, dropped items and the
        # same story from a second feed are left out (they must not be counted twice).
        stories = [c for c in ranked.candidates if not c.left_out]
        sections = highlights(stories, group_by=group_by, language=lang)
        if edits:  # pinned items always appear, at the top of the first section
            shown = {c.entry.key for s in sections for c in s.items}
            pinned = [
                c
                for c in stories
                if c.entry.key not in shown
                and (e := edits.for_key(c.entry.key)) is not None
                and e.includes
            ]
            if pinned and sections:
                first = sections[0]
                sections = (replace(first, items=(*pinned, *first.items)), *sections[1:])
        subject = f"{project.name}: {year}"
        issue = Issue(
            issue_id=issue_id,
            subject=subject,
            preheader=_year_preheader(chosen, sections),
            generated_at=now,
            window_start=start,
            window_end=end,
            language=lang,
            template="year-end",
            sections=sections,
            intro=edits.intro if edits else None,
            esp=esp or project.esp.name,
            letter=chosen,
            counts=year_counts(stories, rules),
            candidates=ranked.candidates,
        )
        out_dir, pkg = _publish(
            project,
            store,
            issue,
            now,
            sorted(c.entry.key for c in ranked.candidates),
            [(c.entry.key, s.id) for s in sections for c in s.items],
        )
    return BuildResult(
        issue, Curated(sections, ranked.candidates), out_dir, pkg.sizes, (), pkg.lint
    )


def _publish(
    project: Project,
    store: Store,
    issue: Issue,
    now: datetime,
    candidates: list[str],
    placements: list[tuple[str, str]],
) -> tuple[Path, Package]:
    """Render, package (with lint), write out/<issue-id>/ atomically, then record in one
    transaction which entries went into the issue: files first, store second."""
    from .publish import package, write_issue
    from .render import render_issue

    rendered = render_issue(project, issue)
    pkg = package(project, issue, rendered)
    out_dir = write_issue(project.out_dir, issue.issue_id, pkg)
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
        },
        placements=placements,
    )
    return out_dir, pkg


def _year_preheader(letter: Letter | None, sections: tuple[Section, ...]) -> str:
    if letter is not None:
        return truncate(letter.title, PREHEADER_CHARS)
    titles = [c.display_title for s in sections for c in s.items][:3]
    return truncate(" · ".join(titles), PREHEADER_CHARS)
