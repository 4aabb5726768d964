"""Frozen data passed between the stages.

fetch -> :class:`Fetched` -> parse/clean -> :class:`Entry` -> store -> curate ->
:class:`Candidate` / :class:`Issue` -> render -> :class:`Rendered` -> publish.

Collections are tuples and every optional field defaults to ``None`` or ``()``, so values
compare, hash and serialise predictably. Datetimes are timezone-aware. Those read from a
feed or from the store are UTC; the run's clock (`now`, from the CLI or `--as-of`) is in the
project's time zone, and so is what is computed from it (an undated entry's first-seen date,
a Retry-After delay) until the store writes it as UTC. Aware datetimes compare by instant;
convert with ``.astimezone(UTC)`` before printing one labelled UTC.

The vocabularies that reach scripts (`--json`, the manifest) are StrEnums defined here once:
:class:`FetchStatus` for a feed's outcome and :class:`ErrorKind` for why it failed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .esp import Profile


def short_key(*parts: str) -> str:
    """A short, stable, URL-safe key (used to refer to entries in overrides and `rank`)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:10]


@dataclass(frozen=True)
class FeedSource:
    """One `[[feed]]` from feeds.toml. `url` is http(s) or a path relative to the project."""

    name: str
    url: str
    weight: float = 1.0
    tags: tuple[str, ...] = ()
    language: str | None = None
    line: int | None = None  # where it is declared in feeds.toml, for error messages

    @property
    def is_remote(self) -> bool:
        return self.url.startswith(("http://", "https://"))


@dataclass(frozen=True)
class FeedState:
    """What the store remembers about a feed between runs."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    failures: int = 0
    next_retry: datetime | None = None
    gone: bool = False
    redirect_url: str | None = None
    last_fetch: datetime | None = None  # by the clock of the run that fetched it


class FetchStatus(StrEnum):
    """A feed's outcome in a run: what fetch returns, and the status of a FeedReport."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    SKIPPED = "skipped"  # Retry-After not reached yet, or the feed is gone (410)
    FAILED = "failed"
    OFFLINE = "offline"  # reports only: the build did not fetch (`--offline`)


class ErrorKind(StrEnum):
    """Why a feed failed: a stable word for scripts (`error_kind` in `--json` output and
    the manifest). ERROR_KINDS explains each one; the README's table lists them."""

    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    HTTP_STATUS = "http_status"
    GONE = "gone"
    RATE_LIMITED = "rate_limited"
    URL = "url"
    REDIRECT = "redirect"
    CONNECTION = "connection"
    DECODING = "decoding"
    FILE = "file"
    WAITING = "waiting"
    NOT_A_FEED = "not_a_feed"
    REFUSED = "refused"
    MALFORMED = "malformed"
    PARSER = "parser"
    INTERNAL = "internal"


ERROR_KINDS: dict[ErrorKind, str] = {
    ErrorKind.TIMEOUT: "the server was too slow (timeout or total deadline)",
    ErrorKind.TOO_LARGE: "the body exceeded the size cap once decompressed",
    ErrorKind.HTTP_STATUS: "the server answered with an error status",
    ErrorKind.GONE: "HTTP 410: the feed was removed; it is skipped until reset",
    ErrorKind.RATE_LIMITED: "HTTP 429/503: skipped until the Retry-After time",
    ErrorKind.URL: "the feed URL is not http(s) with a valid host and port, or cannot be parsed",
    ErrorKind.REDIRECT: "redirect loop, too many redirects, or a redirect to a URL that is not "
    "http(s) with a valid host and port",
    ErrorKind.CONNECTION: "could not connect (DNS, refused, reset, TLS)",
    ErrorKind.DECODING: "the response could not be decompressed, or is compressed more than "
    "once (a compression bomb)",
    ErrorKind.FILE: "a local feed file is missing or unreadable",
    ErrorKind.WAITING: "skipped: a Retry-After time has not passed yet",
    ErrorKind.NOT_A_FEED: "the document is not RSS or Atom (an HTML page, empty, ...)",
    ErrorKind.REFUSED: "the document declares XML entities; refused for safety",
    ErrorKind.MALFORMED: "the XML is broken and no valid entry could be kept",
    ErrorKind.PARSER: "the parser crashed, ran out of time or memory on this document",
    ErrorKind.INTERNAL: "an unexpected error (a bug in digest: run with -v and report it)",
}


@dataclass(frozen=True)
class Fetched:
    """The raw result of fetching one feed. `body` is set only when status is OK."""

    source: FeedSource
    status: FetchStatus
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    final_url: str | None = None
    etag: str | None = None  # as the server sent them: see digest.feedupdate
    last_modified: str | None = None
    permanent_redirect: str | None = None
    retry_after: datetime | None = None
    gone: bool = False
    error: str | None = None
    error_kind: ErrorKind | None = None


@dataclass(frozen=True)
class Image:
    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Entry:
    """A cleaned feed entry: every string is safe text, `summary_html` is sanitised HTML."""

    feed_url: str
    feed_name: str
    entry_id: str  # stable within the feed: guid, else link, else content hash
    title: str
    link: str | None
    published: datetime
    updated: datetime | None = None
    author: str | None = None
    summary_html: str = ""
    excerpt: str = ""
    image: Image | None = None
    categories: tuple[str, ...] = ()
    language: str | None = None
    dated: bool = True  # False when `published` fell back to first-seen

    @cached_property
    def key(self) -> str:
        """Short stable id (feed URL + entry id); editors and `digest rank` use it."""
        return short_key(self.feed_url, self.entry_id)


@dataclass(frozen=True)
class ParsedFeed:
    """The cleaned result of parsing one fetched document."""

    source: FeedSource
    title: str | None
    link: str | None
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...] = ()
    bozo: bool = False


@dataclass(frozen=True)
class Reason:
    """One signal's contribution to a candidate's score, worded for an editor."""

    signal: str
    points: float
    text: str


@dataclass(frozen=True)
class Candidate:
    """An entry as curation sees it: its score, story kind, reasons and placement."""

    entry: Entry
    score: float
    kind: str  # one of digest.kinds.STORY_KINDS
    reasons: tuple[Reason, ...] = ()
    section: str | None = None  # section id, or None when left out
    left_out: str | None = None  # why it did not make the issue
    rank: int = 0
    sources: tuple[str, ...] = ()  # feed names carrying the same story
    title: str | None = None  # editor's retitle
    blurb: str | None = None  # editor's blurb

    @property
    def display_title(self) -> str:
        return self.title or self.entry.title


@dataclass(frozen=True)
class SectionSpec:
    """A section as configured in digest.toml."""

    id: str
    title: str
    kinds: tuple[str, ...] = ()  # empty: takes any kind
    max_items: int = 6
    titles: tuple[tuple[str, str], ...] = ()  # (language tag, title) translations
    custom: bool = False  # the project set `title` itself (else: the built-in title)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Candidate, ...]


@dataclass(frozen=True)
class FeedReport:
    """Per-feed outcome of a run, for the CLI summary and the manifest."""

    name: str
    url: str
    status: FetchStatus
    new: int = 0
    updated: int = 0
    entries: int = 0
    error: str | None = None
    error_kind: ErrorKind | None = None
    warnings: tuple[str, ...] = ()
    oldest: datetime | None = None  # the oldest dated entry the feed still carries
    failures: int = 0  # consecutive failed runs, from the store
    last_success: datetime | None = None


@dataclass(frozen=True)
class Letter:
    """A personal letter that opens an issue (the year-end layout), HTML sanitised."""

    title: str
    html: str
    author: str
    role: str | None = None
    portrait_url: str | None = None
    portrait_alt: str = ""
    signature_url: str | None = None


@dataclass(frozen=True)
class Count:
    """A computed figure for the highlights, such as (12, "people released")."""

    number: int
    label: str


@dataclass(frozen=True)
class Issue:
    """A curated issue, ready to render."""

    issue_id: str
    subject: str
    preheader: str
    generated_at: datetime
    window_start: datetime
    window_end: datetime
    language: str
    template: str
    sections: tuple[Section, ...]
    intro: str | None = None
    feeds: tuple[FeedReport, ...] = ()
    esp: str | None = None  # mailing-service profile; None: the project's default
    letter: Letter | None = None
    counts: tuple[Count, ...] = ()
    candidates: tuple[Candidate, ...] = field(default=(), compare=False)
    name: str | None = None  # the issue's own masthead name (the year-end issue's)
    tagline: str = ""  # ... and the line under it
    utm_campaign: str | None = None  # utm_campaign for this issue instead of [links]'
    notes: tuple[str, ...] = ()  # for the editors: stored entries skipped, and why
    merge_tags: tuple[str, ...] = ()  # tags the editors wrote on purpose (edits merge_tags)

    @property
    def items(self) -> tuple[Candidate, ...]:
        return tuple(c for s in self.sections for c in s.items)


@dataclass(frozen=True)
class Rendered:
    """Rendered bodies of one issue."""

    html: str
    text: str
    mjml: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    # the mailing service rendered for, resolved once (digest.render) for the package too
    profile: Profile = field(default_factory=lambda: _no_profile(), compare=False)


def _no_profile() -> Profile:
    """The profile of a Rendered made without one (esp imports errors, which imports us)."""
    from .esp import PROFILES

    return PROFILES["none"]
