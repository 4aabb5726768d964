"""What curation is given: the window's entries from the store (and those the editors
pinned from outside it), what was sent before, and the classifier's reading.

Reads the store and the project's rule packs; decides nothing (:mod:`digest.curate` does).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from . import lang as bcp47
from .config import Project
from .edits import Edits, edits_path, load_edits
from .models import Entry
from .session import issue_language
from .store import Store

if TYPE_CHECKING:
    from .curate import Curated


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
    entries = with_pinned(
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


def with_pinned(store: Store, entries: list[Entry], edits: Edits | None) -> list[Entry]:
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
