"""digest.feedupdate.decide: each rule of a feed's update, without SQLite."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from digest.errors import ParseError
from digest.feedupdate import decide, undated_ids
from digest.models import (
    Entry,
    ErrorKind,
    FeedSource,
    FeedState,
    Fetched,
    FetchStatus,
    ParsedFeed,
)

NOW = datetime(2025, 12, 19, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=3)
SOURCE = FeedSource("A", "https://example.org/feed")
OLD = FeedState(
    url=SOURCE.url,
    etag='"old"',
    last_modified="Mon, 01 Dec 2025 00:00:00 GMT",
    last_success=EARLIER,
    last_fetch=EARLIER,
    redirect_url="https://example.org/moved",
)


def _entry(entry_id: str, *, title: str = "t", dated: bool = True, when: datetime = NOW) -> Entry:
    return Entry(SOURCE.url, "A", entry_id, title, None, when, dated=dated)


def _ok(*, last_modified: str | None = None, permanent_redirect: str | None = None) -> Fetched:
    return Fetched(
        SOURCE,
        FetchStatus.OK,
        body=b"<rss/>",
        etag='"new"',
        last_modified=last_modified,
        permanent_redirect=permanent_redirect,
    )


def _doc(*entries: Entry, bozo: bool = False) -> ParsedFeed:
    return ParsedFeed(SOURCE, "Title", "https://example.org/", entries, ("w",), bozo=bozo)


def test_success_advances_validators_and_resets_failures() -> None:
    old = replace(OLD, failures=3, last_error="HTTP 500", next_retry=NOW, gone=False)
    update = decide(_ok(last_modified="Tue"), _doc(_entry("a")), old, NOW)
    assert update.status is FetchStatus.OK and update.parsed
    state = update.state
    assert state is not None
    assert (state.etag, state.last_modified) == ('"new"', "Tue")
    assert (state.failures, state.last_error, state.next_retry) == (0, None, None)
    assert (state.last_success, state.last_fetch) == (NOW, NOW)
    assert state.redirect_url == OLD.redirect_url  # kept without a new permanent redirect
    assert (update.title, update.link) == ("Title", "https://example.org/")
    report = update.report(new=1, updated=0)
    assert (report.status, report.new, report.entries, report.warnings) == ("ok", 1, 1, ("w",))


def test_a_partly_broken_document_keeps_the_old_validators() -> None:
    update = decide(_ok(), _doc(_entry("a"), bozo=True), OLD, NOW)
    assert update.state is not None
    assert (update.state.etag, update.state.last_modified) == (OLD.etag, OLD.last_modified)
    assert update.entries == (_entry("a"),)  # its entries are still stored
    assert update.state.failures == 0


def test_not_modified_is_a_success_without_a_document() -> None:
    fetched = Fetched(SOURCE, FetchStatus.NOT_MODIFIED, etag='"same"')
    update = decide(fetched, None, replace(OLD, failures=2), NOW)
    assert update.status is FetchStatus.NOT_MODIFIED and not update.parsed
    assert update.state is not None
    assert (update.state.failures, update.state.etag, update.state.last_success) == (
        0,
        '"same"',
        NOW,
    )
    assert update.report().status == "not_modified"


def test_undated_entries_keep_their_first_seen_date() -> None:
    doc = _doc(_entry("u", dated=False), _entry("new-u", dated=False), _entry("d"))
    assert undated_ids(doc) == ["u", "new-u"]
    update = decide(_ok(), doc, OLD, NOW, stored_dates={"u": EARLIER, "d": EARLIER})
    published = {e.entry_id: e.published for e in update.entries}
    # stored undated: its first date; new undated: now; dated: its own date, always
    assert published == {"u": EARLIER, "new-u": NOW, "d": NOW}


def test_a_repeated_guid_keeps_its_first_occurrence() -> None:
    doc = _doc(_entry("a", title="first"), _entry("b"), _entry("a", title="second"))
    update = decide(_ok(), doc, None, NOW)
    assert [(e.entry_id, e.title) for e in update.entries] == [("a", "first"), ("b", "t")]
    assert update.report().entries == 3  # the report counts what the document carried


def test_the_report_names_the_oldest_dated_entry() -> None:
    doc = _doc(_entry("a", when=EARLIER), _entry("u", dated=False, when=EARLIER - timedelta(1)))
    assert decide(_ok(), doc, None, NOW).report().oldest == EARLIER


def test_a_failure_counts_and_keeps_validators_and_entries() -> None:
    fetched = Fetched(
        SOURCE, FetchStatus.FAILED, error="HTTP 500", error_kind=ErrorKind.HTTP_STATUS
    )
    first = decide(fetched, None, None, NOW)
    assert first.state is not None and first.state.failures == 1
    update = decide(fetched, None, replace(OLD, failures=4), NOW)
    state = update.state
    assert state is not None
    assert (state.failures, state.last_error, state.last_fetch) == (5, "HTTP 500", NOW)
    assert (state.etag, state.last_modified, state.last_success) == (
        OLD.etag,
        OLD.last_modified,
        EARLIER,
    )
    assert update.entries == () and not update.parsed
    report = update.report()
    assert (report.status, report.error_kind, report.failures) == ("failed", "http_status", 5)


def test_rate_limiting_sets_the_next_retry() -> None:
    later = NOW + timedelta(hours=2)
    fetched = Fetched(
        SOURCE,
        FetchStatus.FAILED,
        retry_after=later,
        error="HTTP 429",
        error_kind=ErrorKind.RATE_LIMITED,
    )
    update = decide(fetched, None, OLD, NOW)
    assert update.state is not None and update.state.next_retry == later
    assert not update.state.gone


def test_gone_is_remembered_and_a_success_clears_it() -> None:
    fetched = Fetched(SOURCE, FetchStatus.FAILED, gone=True, error="410", error_kind=ErrorKind.GONE)
    update = decide(fetched, None, OLD, NOW)
    assert update.state is not None and update.state.gone
    back = decide(_ok(), _doc(), update.state, NOW)
    assert back.state is not None and not back.state.gone


def test_a_skipped_feed_writes_nothing_and_reports_its_failures() -> None:
    fetched = Fetched(SOURCE, FetchStatus.SKIPPED, error="wait", error_kind=ErrorKind.WAITING)
    update = decide(fetched, None, replace(OLD, failures=2), NOW)
    assert update.state is None and update.entries == ()
    report = update.report()
    assert (report.status, report.error_kind, report.failures) == ("skipped", "waiting", 2)


def test_a_parse_error_is_a_failure_with_its_kind() -> None:
    error = ParseError(SOURCE.url, "not a feed", kind=ErrorKind.NOT_A_FEED)
    update = decide(_ok(), error, replace(OLD, failures=1), NOW)
    assert update.status is FetchStatus.FAILED
    assert update.state is not None
    assert (update.state.failures, update.state.last_error) == (2, "not a feed")
    assert update.state.etag == OLD.etag  # a document that failed never advances validators
    assert (update.error_kind, update.title) == (ErrorKind.NOT_A_FEED, None)


def test_a_document_that_never_came_back_from_the_parser_fails() -> None:
    update = decide(_ok(), None, None, NOW)
    assert (update.status, update.error_kind) == (FetchStatus.FAILED, ErrorKind.PARSER)


def test_a_permanent_redirect_is_remembered_when_it_is_fetchable() -> None:
    moved = decide(_ok(permanent_redirect="https://new.example.org/feed"), _doc(), OLD, NOW)
    assert moved.state is not None
    assert moved.state.redirect_url == "https://new.example.org/feed"
    bad = decide(_ok(permanent_redirect="javascript:alert(1)"), _doc(), OLD, NOW)
    assert bad.state is not None and bad.state.redirect_url == OLD.redirect_url


def test_validators_unfit_to_send_back_are_not_stored() -> None:
    fetched = _ok(last_modified="Mon\r\nX-Evil: 1")
    update = decide(replace(fetched, etag="é" * 3), _doc(), OLD, NOW)
    assert update.state is not None
    assert (update.state.etag, update.state.last_modified) == (None, None)


def test_decide_is_pure() -> None:
    fetched, doc = _ok(), _doc(_entry("a"), _entry("u", dated=False))
    dates = {"u": EARLIER}
    assert decide(fetched, doc, OLD, NOW, stored_dates=dates) == decide(
        fetched, doc, OLD, NOW, stored_dates=dict(dates)
    )
    assert OLD.failures == 0 and dates == {"u": EARLIER}
