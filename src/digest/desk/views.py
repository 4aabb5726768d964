"""What the desk shows: pure functions from a built issue to plain view models, so the
templates only lay things out (and autoescape everything: feed text is never markup here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..esp import PROFILES
from ..models import Candidate, FeedReport
from ..records import item_record
from .session import Snapshot

KIND_LABELS = {
    "year_end": "Year-end message",
    "good_news": "Good news",
    "campaign": "Campaign",
    "grim": "Grim news",
    "other": "Other",
}
SHOWN = 150  # candidates listed at once (a year-end issue has a year of them): filter for more
STATUS_TEXT = {
    "written": "The draft was just rebuilt.",
    "unchanged": "The draft is up to date.",
    "kept": "New stories arrived since this draft was built; it was kept as it is.",
    "empty": "There is no story in this issue's window yet.",
}


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    feed: str = ""
    language: str = ""
    query: str = ""

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        return cls(
            kind=str(params.get("kind", ""))[:40],
            feed=str(params.get("feed", ""))[:200],
            language=str(params.get("language", ""))[:20],
            query=str(params.get("q", ""))[:200],
        )

    @property
    def active(self) -> bool:
        return bool(self.kind or self.feed or self.language or self.query)


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    feed_title: str  # the title as the feed gave it
    retitled: bool
    blurb: str
    excerpt: str
    link: str | None
    feed: str
    sources: tuple[str, ...]
    date: str
    language: str
    kind: str
    kind_label: str
    score: str
    reasons: tuple[tuple[str, str], ...]  # (points, text)
    section: str | None
    where: str  # where it lands, or why it was left out
    pinned: bool
    dropped: bool
    rank: int


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class FeedRow:
    name: str
    url: str
    failing: bool
    status: str
    entries: int
    detail: str


@dataclass(frozen=True)
class Finding:
    level: str
    message: str
    where: str


@dataclass(frozen=True)
class IssueView:
    issue_id: str
    heading: str
    year_end: bool
    subject: str
    preheader: str
    intro: str
    status: str
    status_text: str
    new_entries: tuple[tuple[str, str, str], ...]  # key, title, feed
    sections: tuple[SectionView, ...]
    candidates: tuple[Item, ...]  # those matching the filters, at most SHOWN
    matching: int
    total: int
    kinds: tuple[tuple[str, str, int], ...]  # value, label, count
    feeds: tuple[str, ...]
    languages: tuple[str, ...]
    findings: tuple[Finding, ...]
    lint_ok: bool
    html_bytes: int
    budget: int
    files: tuple[tuple[str, str], ...]  # name, size
    built: bool
    esp: str
    profiles: tuple[tuple[str, str], ...]
    feed_rows: tuple[FeedRow, ...]
    smtp_ready: bool
    text_part: str


def issue_view(snap: Snapshot, filters: Filters = Filters()) -> IssueView:
    project, issue = snap.project, snap.issue
    tz = project.tz
    titles = {s.id: s.title for s in issue.sections}
    titles.update({s.id: s.title for s in project.sections})
    edits = _edit_flags(snap)

    def item(c: Candidate) -> Item:
        e = c.entry
        pinned, dropped = edits.get(e.key, (False, False))
        where = (
            f"In “{titles.get(c.section, c.section)}”" if c.section else (c.left_out or "Left out")
        )
        return Item(
            key=e.key,
            title=c.display_title,
            feed_title=e.title,
            retitled=c.title is not None,
            blurb=c.blurb or "",
            excerpt=_clip(e.excerpt, 280),
            link=e.link,
            feed=e.feed_name,
            sources=c.sources,
            date=f"{e.published.astimezone(tz):%d %b %Y}",
            language=e.language or "",
            kind=c.kind,
            kind_label=KIND_LABELS.get(c.kind, c.kind),
            score=f"{c.score:.1f}",
            reasons=tuple((f"{r.points:+.1f}", r.text) for r in c.reasons),
            section=c.section,
            where=where,
            pinned=pinned,
            dropped=dropped,
            rank=c.rank,
        )

    by_key = {c.entry.key: item(c) for c in issue.candidates}
    placed = {s.id: tuple(by_key[c.entry.key] for c in s.items) for s in issue.sections}
    if snap.ref.year is None:  # every configured section, so stories can be moved into any
        sections = tuple(SectionView(s.id, s.title, placed.get(s.id, ())) for s in project.sections)
    else:
        sections = tuple(SectionView(s.id, s.title, placed[s.id]) for s in issue.sections)
    everything = [by_key[c.entry.key] for c in issue.candidates]
    matching = [i for i in everything if _matches(i, filters)]
    kinds: dict[str, int] = {}
    for i in everything:
        kinds[i.kind] = kinds.get(i.kind, 0) + 1
    manifest = snap.manifest or {}
    lint = manifest.get("lint") or {}
    text_part = ""
    if snap.folder is not None and (snap.folder / "newsletter.txt").is_file():
        text_part = (snap.folder / "newsletter.txt").read_text("utf-8", errors="replace")
    return IssueView(
        issue_id=issue.issue_id,
        heading=f"Year-end issue {snap.ref.year}" if snap.ref.year else f"Issue {issue.issue_id}",
        year_end=snap.ref.year is not None,
        subject=manifest.get("subject", issue.subject),
        preheader=manifest.get("preheader", issue.preheader),
        intro=issue.intro or "",
        status=snap.status,
        status_text=STATUS_TEXT.get(snap.status, ""),
        new_entries=tuple((e.key, e.title, e.feed_name) for e in snap.new_entries),
        sections=sections,
        candidates=tuple(matching[:SHOWN]),
        matching=len(matching),
        total=len(everything),
        kinds=tuple((k, KIND_LABELS.get(k, k), kinds[k]) for k in KIND_LABELS if k in kinds),
        feeds=tuple(sorted({i.feed for i in everything})),
        languages=tuple(sorted({i.language for i in everything if i.language})),
        findings=tuple(
            Finding(f.get("level", ""), f.get("message", ""), f.get("where", ""))
            for f in lint.get("findings", [])
        ),
        lint_ok=bool(lint.get("ok", True)),
        # as a mailing service sends it (links tracked, encoded): what the budget measures
        html_bytes=int(manifest.get("html_sent_bytes") or manifest.get("html_bytes") or 0),
        budget=int(manifest.get("html_budget") or project.html_budget),
        files=tuple(
            (name, _size(meta.get("bytes", 0)))
            for name, meta in (manifest.get("files") or {}).items()
            if name in DOWNLOADS
        ),
        built=snap.folder is not None,
        esp=str(manifest.get("esp") or issue.esp or project.esp.name),
        profiles=tuple((p.name, p.label) for p in PROFILES.values()),
        feed_rows=tuple(_feed_row(f) for f in issue.feeds),
        smtp_ready=bool(project.smtp.host),
        text_part=text_part,
    )


DOWNLOADS = ("newsletter.html", "newsletter.txt", "newsletter.eml", "manifest.json")


def search_results(snap: Snapshot, entries: list[Any]) -> tuple[tuple[Any, str], ...]:
    """Store search hits, each with where it stands in this issue."""
    known = {c.entry.key: c for c in snap.issue.candidates}
    out = []
    for e in entries:
        c = known.get(e.key)
        if c is None:
            where = "outside this issue's window"
        elif c.section:
            where = "already in the issue"
        else:
            where = c.left_out or "left out"
        out.append((e, where))
    return tuple(out)


def json_record(snap: Snapshot) -> dict[str, Any]:
    """The state as JSON (for scripts and tests): the same shapes as `digest rank --json`."""
    return {
        "issue_id": snap.issue.issue_id,
        "status": snap.status,
        "version": snap.version,
        "items": [item_record(c) for c in snap.issue.items],
    }


def _edit_flags(snap: Snapshot) -> dict[str, tuple[bool, bool]]:
    """Per entry key: (pinned or moved in by the editors, dropped by them)."""
    if snap.edits is None:
        return {}
    return {i.key: (i.includes, i.drop) for i in snap.edits.items}


def _matches(i: Item, f: Filters) -> bool:
    if f.kind and i.kind != f.kind:
        return False
    if f.feed and i.feed != f.feed:
        return False
    if f.language and i.language != f.language:
        return False
    if f.query:
        hay = f"{i.title} {i.feed_title} {i.excerpt} {i.blurb} {i.feed}".casefold()
        return all(word in hay for word in f.query.casefold().split())
    return True


def _feed_row(f: FeedReport) -> FeedRow:
    failing = f.status == "failed" or f.failures > 0
    if failing:
        since = f"last worked {f.last_success:%d %b %Y}" if f.last_success else "never worked"
        detail = f"Failing {f.failures}x ({since}): {f.error or 'unknown error'}"
    else:
        detail = f"Working; {f.entries} stories in this issue's window"
    return FeedRow(f.name, f.url, failing, f.status, f.entries, detail)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"
