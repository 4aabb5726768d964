"""Parsing fetched bytes: dates, images, hostile documents (pure, no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.errors import ParseError
from digest.models import FeedSource, Fetched, FetchStatus
from digest.parse import parse_feed

from .feeds import entry, rss

NOW = datetime(2025, 12, 19, 12, 0, tzinfo=UTC)
URL = "https://example.org/feed.xml"


def _parse(body: bytes, **headers: str):
    fetched = Fetched(
        FeedSource("T", URL),
        FetchStatus.OK,
        body=body,
        final_url=URL,
        headers=tuple(headers.items()),
    )
    return parse_feed(fetched, now=NOW)


def test_future_dates_are_clamped_and_missing_dates_marked() -> None:
    future = {**entry(1), "pubDate": "01 Jan 2031 00:00:00 +0000"}
    undated = {k: v for k, v in entry(2).items() if k != "pubDate"}
    parsed = _parse(rss([future, undated]))
    by_id = {e.entry_id: e for e in parsed.entries}
    assert by_id["id-1"].published == NOW and by_id["id-1"].dated
    assert by_id["id-2"].published == NOW and not by_id["id-2"].dated


def test_lead_image_from_enclosure_media_or_content() -> None:
    items = [
        {
            **entry(1),
            "raw": '<enclosure url="https://cdn.example/a.jpg" type="image/jpeg" length="1"/>',
        },
        {
            **entry(2),
            "raw": '<media:content xmlns:media="http://search.yahoo.com/mrss/" '
            'url="https://cdn.example/b.jpg" medium="image" width="800" '
            'height="600"/>',
        },
        {**entry(3), "description": '<p>x</p><img src="/c.jpg" width="640" alt="Crowd">'},
        {**entry(4), "description": '<img src="javascript:alert(1)"><img src="data:x">'},
    ]
    images = {e.entry_id: e.image for e in _parse(rss(items)).entries}
    assert images["id-1"].url == "https://cdn.example/a.jpg"
    assert (images["id-2"].url, images["id-2"].width, images["id-2"].height) == (
        "https://cdn.example/b.jpg",
        800,
        600,
    )
    assert (images["id-3"].url, images["id-3"].alt) == ("https://example.org/c.jpg", "Crowd")
    assert images["id-4"] is None


def test_entity_declarations_are_refused_even_in_utf16() -> None:
    doc = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]><rss version="2.0"></rss>'
    for body in (doc.encode(), doc.encode("utf-16")):
        with pytest.raises(ParseError) as err:
            _parse(body)
        assert err.value.kind == "refused"


def test_a_body_that_is_a_file_path_is_not_opened() -> None:
    with pytest.raises(ParseError) as err:
        _parse(b"/etc/passwd")
    assert err.value.kind == "not_a_feed"


def test_entry_links_must_be_web_urls() -> None:
    items = [{**entry(1), "link": "javascript:alert(1)"}, {**entry(2), "link": "/relative"}]
    links = {e.entry_id: e.link for e in _parse(rss(items)).entries}
    assert links["id-1"] is None
    assert links["id-2"] == "https://example.org/relative"


def test_html_title_is_reduced_to_text() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><title type="html">&lt;b&gt;Freed&lt;/b&gt; &amp;amp; home</title>'
        b'<id>x</id><link href="https://example.org/x"/>'
        b"<updated>2025-12-18T10:00:00Z</updated></entry></feed>"
    )
    (e,) = _parse(atom).entries
    assert e.title == "Freed & home"
