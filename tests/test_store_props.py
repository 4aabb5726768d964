"""Property tests of the store (Hypothesis): what goes in comes back out.

An entry is stored as the cleaner left it, so the property is: any entry, once cleaned
(clean.recheck_entry, the cleaning the store applies on the way out), comes back from the
store equal. A feed's state comes back equal whatever its values. Times are kept to the
second, in UTC (the store's ISO 8601 format).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.clean import recheck_entry
from digest.feedupdate import FeedUpdate
from digest.models import Entry, FeedSource, FeedState, Fetched, FetchStatus, Image, ParsedFeed
from digest.store import Store

SOURCE = FeedSource("Feed", "https://example.org/feed")
NOW = datetime(2025, 12, 19, 12, 0, tzinfo=UTC)

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
short = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)
times = st.builds(
    lambda when, tz: when.replace(tzinfo=UTC).astimezone(tz),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30)).map(
        lambda d: d.replace(microsecond=0)
    ),
    zones,
)
urls = st.one_of(
    st.none(),
    st.builds("https://example.org/{}".format, st.text("abcxyz0-9/_%?=&", max_size=20)),
    text,
)
html = st.lists(
    st.one_of(
        text,
        st.sampled_from(
            ["<p>", "</p>", "<b>bold</b>", '<a href="https://x.org/">x</a>', "<script>x</script>"]
        ),
    ),
    max_size=5,
).map("".join)
images = st.one_of(
    st.none(),
    st.builds(
        Image,
        st.sampled_from(["https://example.org/i.png", "javascript:x", "", "/relative.jpg"]),
        short,
        st.one_of(st.none(), st.integers(-5, 20_000)),
        st.one_of(st.none(), st.integers(-5, 20_000)),
    ),
)
entries = st.builds(
    Entry,
    feed_url=st.just(SOURCE.url),
    feed_name=short,
    entry_id=st.text(min_size=1, max_size=30),
    title=text,
    link=urls,
    published=times,
    updated=st.one_of(st.none(), times),
    author=st.one_of(st.none(), short),
    summary_html=html,
    excerpt=text,
    image=images,
    categories=st.lists(short, max_size=4).map(tuple),
    language=st.one_of(st.none(), st.sampled_from(["en", "fr-CA", "ar", "x y", ""])),
    dated=st.booleans(),
)


def _store() -> tuple[tempfile.TemporaryDirectory[str], Store]:
    folder = tempfile.TemporaryDirectory()
    return folder, Store(Path(folder.name) / "s.sqlite3")


@settings(max_examples=100, deadline=None)
@given(entries)
def test_an_entry_comes_back_as_it_was_stored(entry: Entry) -> None:
    clean = recheck_entry(entry)
    folder, store = _store()
    with folder, store:
        fetched = Fetched(SOURCE, FetchStatus.OK, body=b"x")
        store.record_fetch(fetched, ParsedFeed(SOURCE, None, None, (clean,)), NOW)
        (back,) = store.entries_by_keys([clean.key])
        assert back == clean
        assert back.key == clean.key
        # stored again unchanged: neither new nor updated
        counts = store.record_fetch(fetched, ParsedFeed(SOURCE, None, None, (back,)), NOW)
        assert (counts.new, counts.updated) == (0, 0)


states = st.builds(
    FeedState,
    url=st.text(min_size=1, max_size=40),
    etag=st.one_of(st.none(), text),
    last_modified=st.one_of(st.none(), text),
    last_success=st.one_of(st.none(), times),
    last_error=st.one_of(st.none(), text),
    failures=st.integers(0, 2**31),
    next_retry=st.one_of(st.none(), times),
    gone=st.booleans(),
    redirect_url=st.one_of(st.none(), text),
    last_fetch=times,
)


@settings(max_examples=100, deadline=None)
@given(states, short)
def test_a_feed_state_comes_back_as_it_was_applied(state: FeedState, name: str) -> None:
    folder, store = _store()
    with folder, store:
        store.apply(FeedUpdate(state.url, name, FetchStatus.OK, state=state))
        assert store.feed_states() == {state.url: state}
