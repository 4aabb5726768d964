"""The issue's own words: its id, subject, date and preheader, in one place.

Pure: the curated stories, the project and the clock in, an :class:`~digest.models.Issue`
(or its parts) out. The weekly pipeline and the year-end build both compose here; the
renderer formats dates with the same :func:`issue_date`. Babel and the language packs are
imported where they are used, so `digest fetch` does not load them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import lang
from .clean import truncate
from .config import Project
from .config.tags import sent_text
from .models import FeedReport, Issue, Letter, Section

if TYPE_CHECKING:
    from .curate import Curated
    from .i18n import Pack

PREHEADER_CHARS = 140


def default_issue_id(now: datetime) -> str:
    """The ISO week of the clock: 2025-W51."""
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def issue_date(when: datetime, project: Project, tag: str) -> str:
    """A date in the issue's language and the project's time zone ("9 December 2025")."""
    from babel.dates import format_date

    return format_date(when.astimezone(project.tz), format="long", locale=lang.locale(tag))


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
    """A weekly issue: the subject from digest.toml's pattern, the preheader from the
    intro or the headlines, for the project's mailing service unless `esp` names another."""
    from .i18n import pack, typeset

    when = issue_date(now, project, language)
    words = pack(language, project.labels)
    subject = sent_text(
        project.subject.format(name=project.name, date=when, issue_id=issue_id), project.keep_tags
    )
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
        esp=esp or project.esp.name,
        candidates=curated.candidates,
    )


def preheader(curated: Curated, intro: str | None = None) -> str:
    """The inbox preview line: the intro's first sentence, else the top headlines."""
    if intro:
        return truncate(" ".join(intro.split()), PREHEADER_CHARS)
    items = [c for s in curated.sections for c in s.items]
    titles = [c.display_title for c in items[:4]]
    return truncate(" · ".join(titles), PREHEADER_CHARS) if titles else ""


def year_end_names(
    project: Project, words: Pack, year: int, letter: Letter | None
) -> tuple[str, str, str]:
    """The year-end issue's masthead name, tagline and subject ([year_end] in digest.toml,
    else the language's defaults)."""
    settings = project.year_end
    fields = {
        "year": year,
        "organisation": project.sender_address.display_name or project.name,
        "title": letter.title if letter else "",
        "author": letter.author if letter else "",
        "name": project.name,
    }
    from .yearend import letter_tags

    own = letter_tags(letter)  # a letter's tags are kept only if it asked (merge_tags: true)
    name, tagline, subject = (
        sent_text(pattern.format(**fields), project.keep_tags, own)
        for pattern in (
            settings.name or words.year_end["name"],
            settings.tagline or "{organisation}",
            settings.subject or words.year_end["subject"],
        )
    )
    return name, tagline, " ".join(subject.split()) or name


def year_preheader(letter: Letter | None, sections: tuple[Section, ...]) -> str:
    """The year-end issue's preview line: the letter's title, else the first highlights."""
    if letter is not None:
        return truncate(letter.title, PREHEADER_CHARS)
    titles = [c.display_title for s in sections for c in s.items][:3]
    return truncate(" · ".join(titles), PREHEADER_CHARS)
