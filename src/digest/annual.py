"""The year-end issue's build: the year's stories from the store, ranked in one list, the
letter, the figures and the highlights, then published like any issue (pipeline._publish).

The pure parts (letters, counts, highlights) are in :mod:`digest.yearend`; this module
does the I/O around them, under the project lock.
"""

from __future__ import annotations

from datetime import date, datetime, time

from . import lang as bcp47
from .clock import check_clock
from .compose import year_end_names, year_preheader
from .config import Project
from .edits import Edits, editor_tags, edits_path, load_edits, resolve_keys
from .errors import ConfigError
from .gather import check_rules, with_pinned
from .ids import check_issue_id
from .lock import project_lock
from .models import Issue, Letter, SectionSpec
from .pipeline import BuildResult, _publish, _restore_interrupted
from .session import issue_language
from .store import Store


def year_end_issue_id(project: Project, year: int, language: str) -> str:
    """``2025-year-end`` in the project's language, ``2025-year-end-fr`` (the tag in
    lower case) for an edition in another language, so editions never overwrite each other."""
    if bcp47.primary(language) == bcp47.primary(project.language):
        return f"{year}-year-end"
    return f"{year}-year-end-{language.lower()}"


def edition_languages(project: Project) -> tuple[str, ...]:
    """The languages, other than the project's, it has year-end editions in: those its
    feeds are in and those it words labels for (``[labels.<tag>]``), as issue ids spell
    them (lower case), sorted."""
    tags = {f.language for f in project.feeds if f.language} | set(project.labels)
    own = bcp47.primary(project.language)
    return tuple(sorted({t.lower() for t in tags if bcp47.primary(t) != own}))


def build_year_end(
    project: Project,
    now: datetime,
    *,
    year: int,
    letter: Letter | None = None,
    letter_from_feed: bool = False,
    language: str | None = None,
    group_by: str = "theme",
    issue_id: str | None = None,
    allow_past_clock: bool = False,
) -> BuildResult:
    """The year-end issue from the store: a letter, the year's figures and highlights.
    A clock earlier than the store's last fetch is refused unless `allow_past_clock`."""
    from .yearend import section_ids

    lang = issue_language(project, language)
    issue_id = issue_id or year_end_issue_id(project, year, lang)
    check_issue_id(issue_id)
    # `section =` in the edits file names a highlight section (good-news, month-03...)
    edits = load_edits(
        edits_path(project.root, issue_id),
        [SectionSpec(sid, sid) for sid in section_ids(group_by)],
    )
    check_rules(project, lang)  # a broken rules/<lang>.toml stops the run before any write
    with project_lock(project.root):
        return _build_year_end(
            project,
            now,
            year=year,
            letter=letter,
            letter_from_feed=letter_from_feed,
            lang=lang,
            group_by=group_by,
            issue_id=issue_id,
            edits=edits,
            allow_past_clock=allow_past_clock,
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
    issue_id: str,
    edits: Edits | None,
    allow_past_clock: bool,
) -> BuildResult:
    from .curate import load_rules
    from .i18n import pack, typeset
    from .yearend import each_story_once, highlights, letter_tags, mentioned, rank_year, year_counts
    from .yearend import letter_from_feed as feed_letter

    start = datetime.combine(date(year, 1, 1), time(0, 0), project.tz)
    end = datetime.combine(date(year, 12, 31), time(23, 59, 59), project.tz)
    with Store(project.db_path) as store:
        if not allow_past_clock:
            check_clock(store, now)
        _restore_interrupted(project, store, issue_id)
        if edits:
            edits = resolve_keys(edits, store.keys_with_prefix)
        entries = with_pinned(
            store,
            store.entries_between(start, end, feed_urls=[f.url for f in project.feeds]),
            edits,
        )
        if not entries:
            raise ConfigError(
                f"the store holds no entries from {year}",
                hint=f"run `digest fetch --since {year}-01-01` first",
            )
        rules = load_rules(bcp47.primary(lang), project.root)
        ranked = rank_year(
            entries,
            now=min(now, end),
            language=lang,
            rules=rules,
            sources={f.url: f for f in project.feeds},
            edits=edits,
        )
        chosen = letter or (feed_letter(ranked) if letter_from_feed else None)
        if letter_from_feed and chosen is None:
            raise ConfigError(
                f"no year-end message found in the feeds for {year}",
                hint="write the letter in Markdown and pass --letter FILE",
            )
        # Stories of this language, each once: other languages, dropped items and the
        # same story from a second feed are left out (they must not be counted twice).
        stories = each_story_once([c for c in ranked if not c.left_out])
        words = pack(lang, project.labels)
        pinned = {i.key for i in edits.items if i.includes} if edits else set()
        sections = highlights(
            stories,
            group_by=group_by,
            titles={k: typeset(v, words) for k, v in words.year_end.items()},
            tag=lang,
            limits=dict(project.year_end.limits),
            per_month=project.year_end.per_month,
            always=frozenset(pinned | mentioned(chosen, stories)),
            edits=edits,
        )
        name, tagline, subject = year_end_names(project, words, year, chosen)
        campaign = project.year_end.utm_campaign.format(
            issue_id=issue_id, year=year, language=lang.lower()
        )
        issue = Issue(
            issue_id=issue_id,
            subject=typeset(subject, words),
            preheader=year_preheader(chosen, sections),
            generated_at=now,
            window_start=start,
            window_end=end,
            language=lang,
            template="year-end",
            sections=sections,
            intro=edits.intro if edits else None,
            esp=project.esp.name,
            letter=chosen,
            counts=year_counts(stories, rules),
            candidates=ranked,
            name=typeset(name, words),
            tagline=typeset(tagline, words),
            utm_campaign=campaign,
            notes=tuple(store.skipped),
            merge_tags=tuple(
                dict.fromkeys(project.merge_tags + editor_tags(edits) + letter_tags(chosen))
            ),
        )
        out_dir, pkg = _publish(
            project,
            store,
            issue,
            now,
            sorted(c.entry.key for c in ranked),
            [(c.entry.key, s.id) for s in sections for c in s.items],
        )
    return BuildResult(issue, out_dir, pkg.sizes, (), pkg.lint)
