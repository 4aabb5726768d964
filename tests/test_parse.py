"""Parsing fetched bytes: dates, images, hostile documents (pure, no network)."""

from __future__ import annotations

import re
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
    future = {**entry(1), "pubDate": "20 Dec 2025 23:00:00 +0000"}
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


def test_a_date_far_ahead_is_no_date() -> None:
    """Clamped to now, "9999-12-31" was new on every fetch and led every issue until sent:
    a date more than two days ahead counts as none (the store keeps the first sighting)."""
    far = {**entry(1), "pubDate": "31 Dec 9999 00:00:00 +0000"}
    near = {**entry(2), "pubDate": "20 Dec 2025 10:00:00 +0000"}  # a clock a day ahead
    by_id = {e.entry_id: e for e in _parse(rss([far, near])).entries}
    assert not by_id["id-1"].dated
    assert by_id["id-2"].dated and by_id["id-2"].published == NOW


def test_a_feed_with_thousands_of_entries_keeps_the_newest() -> None:
    items = [
        {**entry(i), "pubDate": f"{1 + i % 28:02d} Nov 2025 10:00:00 +0000"} for i in range(1500)
    ]
    items.append({**entry(9999), "pubDate": "18 Dec 2025 10:00:00 +0000"})
    parsed = _parse(rss(items))
    assert len(parsed.entries) == 1000
    assert "id-9999" in {e.entry_id for e in parsed.entries}
    assert any("kept the newest 1000 of its 1501 entries" in w for w in parsed.warnings)


def test_long_guids_that_differ_at_the_end_stay_apart() -> None:
    items = [{**entry(i), "guid": "g" * 600 + str(i)} for i in range(3)]
    assert len({e.entry_id for e in _parse(rss(items)).entries}) == 3


def test_merge_tags_in_a_host_and_tracking_pixels_are_dropped() -> None:
    items = [
        {**entry(1), "link": "http://*|EMAIL|*.evil.example/x"},
        {
            **entry(2),
            "description": '<p>x</p><img src="http://{{contact.EMAIL}}.evil.example/p.png"'
            ' width="600"><img src="https://t.example/o.gif" width="1px" height="1px">'
            '<img src="https://t.example/s.gif" style="width:1px;height:1px">'
            '<img src="https://t.example/w.gif" width="600" style="height:0;width:600px">',
        },
        {**entry(3), "link": "https://example.org/" + "a" * 5000},
    ]
    by_id = {e.entry_id: e for e in _parse(rss(items)).entries}
    assert by_id["id-1"].link is None
    assert by_id["id-2"].image is None and "evil" not in by_id["id-2"].summary_html
    assert "t.example" not in by_id["id-2"].summary_html
    assert by_id["id-3"].link is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_entity_declarations_are_refused_in_any_encoding(encoding: str) -> None:
    doc = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]><rss version="2.0"></rss>'
    with pytest.raises(ParseError) as err:
        _parse(doc.encode(encoding))
    assert err.value.kind == "refused"


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


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\u2060 \ufeff", "\u3164", "\u202e\u200f"])
def test_a_title_nobody_can_see_is_no_title(blank: str) -> None:
    """A title of zero-width or blank characters only made an item with an empty link text
    in the email; the entry's text stands in for it, as for a missing title."""
    (e,) = _parse(rss([entry(1, title=blank, description="<p>Prisoner freed today.</p>")])).entries
    assert e.title == "Prisoner freed today."
    raw = f"<author>{blank}</author>"
    (e,) = _parse(rss([entry(1, title=blank, raw=raw)])).entries
    assert e.title == "Body of story 1." and not e.author


def test_a_byte_order_mark_is_dropped_from_titles() -> None:
    """A BOM pasted into a feed's or an entry's title showed as a box in the terminal's
    per-feed lines and reached the email as an invisible character."""
    feed = _parse(rss([entry(1, title="\ufeffFreed \ufefftoday")], title="\ufeffNews"))
    assert feed.title == "News" and feed.entries[0].title == "Freed today"


# -- issue 10: clean once, completely; repair before parsing --------------------------

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _strings(feed) -> list[str]:
    """Every string of every entry (and of the feed) that leaves the clean stage."""
    out = [feed.title or "", feed.link or "", *feed.warnings]
    for e in feed.entries:
        out += [e.title, e.link or "", e.author or "", e.summary_html, e.excerpt]
        out += [*e.categories, e.language or "", e.entry_id]
        if e.image is not None:
            out += [e.image.url, e.image.alt]
    return out


def test_a_control_character_in_xml_base_never_reaches_a_url() -> None:
    atom = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://exa\x19mple.org/x/">'
        b"<title>t</title><entry><title>A</title><link href='a.html'/><id>1</id>"
        b"<updated>2025-12-18T10:00:00Z</updated><content type='html'>&lt;p&gt;hi "
        b"&lt;img src='p.png' width='300'&gt; &lt;a href='b\x01.html'&gt;b&lt;/a&gt;&lt;/p&gt;"
        b"</content></entry></feed>"
    )
    feed = _parse(atom)
    (e,) = feed.entries
    assert e.image is not None and e.image.url == "http://example.org/x/p.png"
    for value in _strings(feed):
        assert not _INVALID.search(value), repr(value)


BAD_REFERENCES = [
    b"&#x110000;",
    b"&#0;",
    b"&#x0;",
    b"&#xD800;",
    b"&#57343;",
    b"&#99999999999999999999;",
    b"&#x00000000000000000000041;",
    b"&#xFFFE;",
    b"&#65535;",
    b"&#x1F;",
    b"&#11;",
]


@pytest.mark.parametrize("ref", BAD_REFERENCES, ids=lambda r: r.decode())
@pytest.mark.parametrize("where", ["title", "description", "link", "guid"])
def test_one_bad_character_reference_loses_no_entry(ref: bytes, where: str) -> None:
    items = []
    for i in range(3):
        fields = {
            "title": b"Story %d" % i,
            "description": b"Body %d" % i,
            "link": b"https://example.org/%d" % i,
            "guid": b"id-%d" % i,
        }
        if i == 1:
            fields[where] += ref
        items.append(
            b"<item>"
            + b"".join(b"<%s>%s</%s>" % (k.encode(), v, k.encode()) for k, v in fields.items())
            + b"<pubDate>18 Dec 2025 10:00:00 +0000</pubDate></item>"
        )
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        + b"".join(items)
        + b"</channel></rss>"
    )
    feed = _parse(body)
    assert [e.title.split(" ")[0] for e in feed.entries] == ["Story"] * 3
    assert not feed.bozo  # repaired, not merely survived: the validators may advance
    for value in _strings(feed):
        assert not _INVALID.search(value), repr(value)


def test_windows_1252_references_become_their_characters() -> None:
    feed = _parse(
        rss([entry(1, title="It&#146;s &#147;free&#148; &#128;5")]).replace(b"&amp;#", b"&#")
    )
    assert feed.entries[0].title == "It’s “free” €5"


LIBERATION = "Libération : la défenseure des droits est libérée"


def _utf8_feed(title: str, *, declared: str = "utf-8") -> bytes:
    return rss([entry(1, title=title), entry(2, title="Égalité")]).replace(
        b'encoding="utf-8"', f'encoding="{declared}"'.encode()
    )


@pytest.mark.parametrize("ctype", ["application/rss+xml", "text/xml", "text/plain", None])
def test_one_stray_byte_in_utf8_replaces_that_byte_only(ctype: str | None) -> None:
    body = _utf8_feed(LIBERATION).replace(b"droits", b"dr\xffoits")
    headers = {"content-type": ctype} if ctype else {}
    feed = _parse(body, **headers)
    assert feed.entries[0].title == LIBERATION.replace("droits", "dr\ufffdoits")
    assert feed.entries[1].title == "Égalité"


def test_utf8_mislabelled_as_latin1_is_read_as_utf8() -> None:
    body = _utf8_feed(LIBERATION, declared="ISO-8859-1")
    assert _parse(body, **{"content-type": "application/rss+xml"}).entries[0].title == LIBERATION
    assert (
        _parse(body, **{"content-type": "text/xml; charset=iso-8859-1"}).entries[0].title
        == LIBERATION
    )


@pytest.mark.parametrize(
    "encoding, ctype",
    [
        ("iso-8859-1", "application/rss+xml"),
        ("windows-1252", "text/xml; charset=windows-1252"),
        ("iso-8859-15", None),
        ("utf-16", "application/rss+xml"),
        ("koi8-r", "application/xml"),
        ("shift_jis", "application/rss+xml"),
    ],
)
def test_real_legacy_documents_still_decode(encoding: str, ctype: str | None) -> None:
    title = {
        "koi8-r": "Правозащитник освобождён",
        "shift_jis": "人権活動家が釈放された",
    }.get(encoding, "Libéré à Genève, « enfin »")
    body = (
        rss([entry(1, title=title)])
        .decode()
        .replace('encoding="utf-8"', f'encoding="{encoding}"')
        .encode(encoding)
    )
    headers = {"content-type": ctype} if ctype else {}
    assert _parse(body, **headers).entries[0].title == title


def test_raw_control_bytes_do_not_make_the_document_ill_formed() -> None:
    body = rss(
        [entry(1), entry(2, title="Court\x19 win\x01"), {"title": "Undated \x0b", "guid": "u"}]
    )
    feed = _parse(body)
    assert not feed.bozo  # the strict parser read it: validators advance, undated kept
    assert [e.title for e in feed.entries] == ["Story 1", "Court win", "Undated"]
