"""What one run changes for one feed, decided without the store (reader's ``Decider``).

:func:`decide` is a pure function of what was fetched, what the parser made of it, what the
store remembered and the run's clock; it returns a :class:`FeedUpdate` that
:meth:`digest.store.Store.apply` writes as it is. Every rule of the update lives here:

- a skipped feed (gone, or waiting for a Retry-After time) changes nothing;
- a failure (transport or parse) counts one more consecutive failure, keeps the validators
  and entries, and records when to retry (Retry-After) and whether the feed is gone (410);
- a success resets the failure count, backoff and "gone" mark, and advances the validators,
  except from a partly broken (bozo) document, whose entries are kept but whose validators
  are not: the next run asks for the whole document again;
- a permanent redirect is remembered (a later success without one keeps it);
- validators and redirect URLs are stored only when they are fit to send back;
- an undated entry keeps the date it was first seen with; a guid repeated inside one
  document keeps its first occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from .errors import ParseError
from .models import (
    Entry,
    ErrorKind,
    FeedReport,
    FeedState,
    Fetched,
    FetchStatus,
    ParsedFeed,
)
from .untrusted import url_problem, validator

__all__ = ["FeedUpdate", "decide", "undated_ids"]


@dataclass(frozen=True)
class FeedUpdate:
    """One feed's outcome in a run, and what the store must write for it."""

    url: str
    name: str
    status: FetchStatus
    # The feed's state after this run; None: nothing is written (a skipped feed).
    state: FeedState | None = None
    # The parsed document's title and link; written only when `parsed` is true.
    title: str | None = None
    link: str | None = None
    parsed: bool = False
    # Entries to store: one per entry id, each with the date to store.
    entries: tuple[Entry, ...] = ()
    error: str | None = None
    error_kind: ErrorKind | None = None
    warnings: tuple[str, ...] = ()
    failures: int = 0  # consecutive failed runs, this one included
    carried: int = 0  # entries in the document, repeated guids included
    oldest: datetime | None = None  # the oldest dated entry the document carries

    def report(self, new: int = 0, updated: int = 0) -> FeedReport:
        """The run's report on this feed, given what the store counted."""
        if self.status is FetchStatus.OK:
            return FeedReport(
                self.name,
                self.url,
                self.status,
                new=new,
                updated=updated,
                entries=self.carried,
                warnings=self.warnings,
                oldest=self.oldest,
            )
        return FeedReport(
            self.name,
            self.url,
            self.status,
            error=self.error,
            error_kind=self.error_kind,
            failures=self.failures,
        )


def undated_ids(parsed: ParsedFeed | ParseError | None) -> list[str]:
    """The ids of the document's undated entries: decide() needs their stored dates."""
    if not isinstance(parsed, ParsedFeed):
        return []
    return [e.entry_id for e in parsed.entries if not e.dated]


def decide(
    fetched: Fetched,
    parsed: ParsedFeed | ParseError | None,
    old: FeedState | None,
    now: datetime,
    *,
    stored_dates: Mapping[str, datetime] | None = None,
) -> FeedUpdate:
    """The update for one feed. `parsed` is the parser's outcome for a fetched document
    (None when there was no body); `old` is what the store holds (None: a new feed);
    `stored_dates` maps the ids of stored entries to their stored dates (only those the
    document carries undated are needed, see :func:`undated_ids`)."""
    source = fetched.source
    old = old if old is not None else FeedState(url=source.url)
    base = FeedUpdate(source.url, source.name, fetched.status)
    if fetched.status in (FetchStatus.SKIPPED, FetchStatus.OFFLINE):
        return replace(
            base,
            status=FetchStatus.SKIPPED,
            error=fetched.error,
            error_kind=fetched.error_kind,
            failures=old.failures,
        )
    if fetched.status is FetchStatus.FAILED:
        return _failed(base, old, now, fetched, fetched.error, fetched.error_kind)
    if fetched.status is FetchStatus.OK and not isinstance(parsed, ParsedFeed):
        error = parsed or ParseError(
            source.url, "the document was not parsed", kind=ErrorKind.PARSER
        )
        return _failed(base, old, now, fetched, error.reason, error.kind)
    document = parsed if isinstance(parsed, ParsedFeed) else None
    keep_validators = document is not None and document.bozo

    def kept(stored: str | None, answered: str | None) -> str | None:
        # a 304 that leaves a validator out keeps the one it answered (RFC 9110 §15.4.5)
        if keep_validators or (document is None and not answered):
            return stored
        return validator(answered)

    state = replace(
        old,
        etag=kept(old.etag, fetched.etag),
        last_modified=kept(old.last_modified, fetched.last_modified),
        last_fetch=now,
        last_success=now,
        last_error=None,
        failures=0,
        next_retry=None,
        gone=False,
        redirect_url=_redirect(fetched.permanent_redirect) or old.redirect_url,
    )
    if document is None:  # not modified
        return replace(base, status=FetchStatus.NOT_MODIFIED, state=state)
    return replace(
        base,
        status=FetchStatus.OK,
        state=state,
        title=document.title,
        link=document.link,
        parsed=True,
        entries=_entries(document.entries, stored_dates or {}),
        warnings=document.warnings,
        carried=len(document.entries),
        oldest=min((e.published for e in document.entries if e.dated), default=None),
    )


def _failed(
    base: FeedUpdate,
    old: FeedState,
    now: datetime,
    fetched: Fetched,
    error: str | None,
    kind: ErrorKind | None,
) -> FeedUpdate:
    state = replace(
        old,
        last_fetch=now,
        last_error=error,
        failures=old.failures + 1,
        next_retry=fetched.retry_after,
        gone=fetched.gone,
    )
    return replace(
        base,
        status=FetchStatus.FAILED,
        state=state,
        error=error,
        error_kind=kind,
        failures=state.failures,
    )


def _redirect(url: str | None) -> str | None:
    """A permanent redirect's target, if it is a URL digest can fetch later."""
    return url if url is not None and url_problem(url) is None else None


def _entries(entries: tuple[Entry, ...], stored_dates: Mapping[str, datetime]) -> tuple[Entry, ...]:
    unique: dict[str, Entry] = {}
    for e in entries:  # a guid repeated inside one document: the first one wins
        unique.setdefault(e.entry_id, e)
    return tuple(
        replace(e, published=stored_dates[e.entry_id])
        if not e.dated and e.entry_id in stored_dates
        else e
        for e in unique.values()
    )
