"""Parse fetched bytes into cleaned entries.

feedparser never sees a URL or a raw ``bytes`` value (it would open a local file whose path
equals the body): it gets a ``BytesIO`` and the response headers. Its own sanitiser is off
(it keeps ``javascript:`` and ``data:`` URLs); :mod:`digest.clean` does that job. Documents
declaring ``<!ENTITY`` are refused before parsing: feedparser's loose fallback expands them
without limit. Any exception from feedparser becomes a :class:`ParseError` for that feed.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from html import escape
from typing import Any

import feedparser

from .clean import (
    AUTHOR_CHARS,
    CATEGORY_CHARS,
    EXCERPT_CHARS,
    SUMMARY_CHARS,
    TITLE_CHARS,
    clean_html,
    clean_text,
    safe_text,
    safe_url,
)
from .errors import ParseError
from .lang import lenient
from .models import Entry, ErrorKind, Fetched, Image, ParsedFeed
from .repair import repair_encoding, repair_markup

_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
# entries read from one document: a feed is the latest posts; a document with 100,000
# costs minutes of parsing and grows the store on every fetch
MAX_ENTRIES = 1000
FUTURE_SKEW = timedelta(days=2)  # a date further ahead than this is no date
_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def parse_feed(fetched: Fetched, *, now: datetime) -> ParsedFeed:
    """Parse one fetched document. Raises ParseError when nothing usable is in it."""
    assert fetched.body is not None
    url = fetched.source.url
    base = fetched.final_url if fetched.source.is_remote else None
    body = fetched.body
    if not body.strip():
        raise ParseError(url, "the server sent an empty document", kind=ErrorKind.NOT_A_FEED)
    if _declares_entities(body):
        raise ParseError(
            url,
            "the document declares XML entities (<!ENTITY); refused for safety",
            kind=ErrorKind.REFUSED,
            hint="feeds never need entity declarations; contact the publisher",
        )
    # No content-location: feedparser would urljoin every link itself (a third of its time);
    # digest.clean resolves URLs against the document URL, or xml:base where one is given.
    headers = dict(fetched.headers)
    headers.pop("content-location", None)
    repaired = repair_encoding(body, headers)
    parsed, failure = _feedparser(repaired.body, repaired.headers)
    if parsed is None or (parsed.get("bozo") and not _benign(parsed)):
        # Broken, or feedparser gave up: repair raw controls and bad character references
        # (which cost whole feeds) and parse again; keep whichever reading is sound.
        fixed = repair_markup(repaired.body, utf8=repaired.utf8)
        if fixed is not repaired.body:
            again, failure_again = _feedparser(fixed, repaired.headers)
            if again is not None:
                parsed = again
            failure = failure or failure_again
    if parsed is None:
        assert failure is not None
        raise ParseError(
            url,
            f"the feed parser failed ({type(failure).__name__}: {failure})",
            kind=ErrorKind.PARSER,
        ) from failure

    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    bozo = bool(parsed.get("bozo"))
    if not version and not raw_entries:
        ctype = headers.get("content-type", "")
        what = (
            "an HTML page"
            if b"<html" in body[:2048].lower() or "html" in ctype
            else "something else"
        )
        raise ParseError(
            url,
            f"this is not an RSS or Atom feed (looks like {what})",
            kind=ErrorKind.NOT_A_FEED,
            hint="check the URL in feeds.toml points at the feed itself",
        )
    warnings: list[str] = []
    exc = parsed.get("bozo_exception")
    if bozo and isinstance(exc, _BENIGN):
        bozo = False  # a wrong charset or content type, but the XML itself is sound
        warnings.append(f"the server mislabels the feed: {clean_text(exc, limit=200)}")
    elif bozo:
        warnings.append(f"feed is not well-formed: {clean_text(exc, limit=200)}")

    feed = parsed.get("feed") or {}
    feed_link = safe_url(feed.get("link"), base)
    doc_base = base or feed_link
    feed_language = _language(feed.get("language"))
    if len(raw_entries) > MAX_ENTRIES:
        warnings.append(f"kept the newest {MAX_ENTRIES} of its {len(raw_entries)} entries")
        raw_entries = _newest(raw_entries, MAX_ENTRIES)
    entries: list[Entry] = []
    skipped = 0
    for raw in raw_entries:
        try:
            entry = _entry(raw, fetched, doc_base, feed_language, now)
        except Exception as e:  # one broken entry must not sink the feed
            warnings.append(f"skipped an entry: {type(e).__name__}: {clean_text(e, limit=120)}")
            continue
        if entry is None or (bozo and not (entry.link and entry.dated)):
            # from a broken document keep only entries that validate: link and date
            skipped += 1
            continue
        entries.append(entry)
    if skipped:
        warnings.append(f"skipped {skipped} incomplete entr{'y' if skipped == 1 else 'ies'}")
    if bozo and not entries:
        raise ParseError(
            url,
            warnings[0] if warnings else "the feed could not be parsed",
            kind=ErrorKind.MALFORMED,
        )
    return ParsedFeed(
        source=fetched.source,
        title=safe_text(feed.get("title"), limit=TITLE_CHARS) or None,
        link=feed_link,
        entries=tuple(entries),
        warnings=tuple(warnings),
        bozo=bozo,
    )


def _feedparser(body: bytes, headers: dict[str, str]) -> tuple[Any, Exception | None]:
    """feedparser's reading of a document, or the exception it raised instead."""
    try:
        return (
            feedparser.parse(
                io.BytesIO(body),
                response_headers=headers,
                sanitize_html=False,
                resolve_relative_uris=False,
            ),
            None,
        )
    except Exception as e:  # feedparser raises instead of flagging bozo on some inputs
        return None, e


def _benign(parsed: Any) -> bool:
    return isinstance(parsed.get("bozo_exception"), _BENIGN)


def _declares_entities(body: bytes) -> bool:
    """Whether the document declares an entity, in any encoding: in UTF-16 and UTF-32
    (either byte order, with or without a byte-order mark) "<!ENTITY" is its ASCII bytes
    with zero bytes between, which go."""
    if b"\x00" in body[:64]:
        body = body.replace(b"\x00", b"")
    return _ENTITY_DECL.search(body) is not None


def _newest(raw_entries: list[Any], limit: int) -> list[Any]:
    """The `limit` newest entries by their feed's date (undated ones last), in the
    document's order."""

    def when(i: int) -> tuple[int, ...]:
        raw = raw_entries[i]
        stamp = raw.get("published_parsed") or raw.get("updated_parsed")
        try:
            return tuple(int(x) for x in stamp[:6]) if stamp else (0,)
        except (TypeError, ValueError):
            return (0,)

    keep = sorted(sorted(range(len(raw_entries)), key=when, reverse=True)[:limit])
    return [raw_entries[i] for i in keep]


def _entry(
    raw: Any, fetched: Fetched, base: str | None, feed_language: str | None, now: datetime
) -> Entry | None:
    get = partial(dict.get, raw)  # plain keys: FeedParserDict.get re-maps every lookup
    link = safe_url(get("link"), base)
    entry_base = base or link
    html, html_base = _best_html(raw)
    cleaned = clean_html(html, html_base or entry_base, summary_chars=SUMMARY_CHARS)
    title = safe_text(_plain(get("title_detail"), get("title")), limit=TITLE_CHARS)
    if not title:
        title = safe_text(cleaned.text, limit=90)
    if not title and not link:
        return None
    guid = clean_text(get("id"))
    if len(guid) > 500:  # cut, two guids differing at the end would become one entry
        guid = _content_hash(guid)
    entry_id = guid or link or _content_hash(title, cleaned.text)
    published, dated = _date(raw, now)
    updated = _struct(_own(raw, "updated_parsed"))
    categories = tuple(
        dict.fromkeys(
            safe_text(t.get("term") or t.get("label"), limit=CATEGORY_CHARS)
            for t in get("tags") or ()
            if (t.get("term") or t.get("label"))
        )
    )
    author = safe_text(get("author"), limit=AUTHOR_CHARS) or None
    language = (
        fetched.source.language
        or _language(
            (get("title_detail") or {}).get("language")
            or (get("summary_detail") or {}).get("language")
        )
        or feed_language
    )
    return Entry(
        feed_url=fetched.source.url,
        feed_name=fetched.source.name,
        entry_id=entry_id,
        title=title or link or "",
        link=link,
        published=published,
        updated=min(updated, now) if updated else None,
        author=author,
        summary_html=cleaned.summary,
        excerpt=safe_text(cleaned.text, limit=EXCERPT_CHARS),
        image=_lead_image(raw, base, title) or cleaned.image,
        categories=categories,
        language=language,
        dated=dated,
    )


def _best_html(raw: Any) -> tuple[str, str | None]:
    """The richest HTML body: full content if present, else the summary."""
    for item in dict.get(raw, "content") or ():
        if item.get("value"):
            return _as_html(item), item.get("base")
    detail = dict.get(raw, "summary_detail") or {}
    summary = dict.get(raw, "summary")
    if summary:
        return _as_html({**detail, "value": summary}), detail.get("base")
    return "", None


def _as_html(detail: Any) -> str:
    value = str(detail.get("value") or "")
    if "html" in str(detail.get("type") or "text/html"):
        return value
    return escape(value)


def _plain(detail: Any, value: Any) -> str:
    """A title may be declared as HTML; reduce it to its text."""
    if value and detail and "html" in str(detail.get("type") or ""):
        return clean_html(str(value), None).text
    return str(value or "")


def _date(raw: Any, now: datetime) -> tuple[datetime, bool]:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        when = _struct(_own(raw, key))
        if when is not None and when <= now + FUTURE_SKEW:
            return min(when, now), True  # a clock a little ahead: clamped to now
    # no date, or one far ahead ("9999-12-31", which clamped to now would be new on every
    # fetch): counts from when it was first seen (the store keeps that)
    return now, False


def _own(raw: Any, key: str) -> Any:
    """Read a key the document really has: FeedParserDict maps `updated*` to `published*`
    with a DeprecationWarning (feedparser issue 310)."""
    return dict.get(raw, key)


def _struct(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _lead_image(raw: Any, base: str | None, title: str) -> Image | None:
    candidates: list[tuple[Any, Any, Any]] = []
    for enc in raw.get("enclosures") or ():
        if str(enc.get("type") or "").startswith("image/"):
            candidates.append((enc.get("href") or enc.get("url"), None, None))
    for media in raw.get("media_content") or ():
        if media.get("medium") == "image" or str(media.get("type") or "").startswith("image/"):
            candidates.append((media.get("url"), media.get("width"), media.get("height")))
    for thumb in raw.get("media_thumbnail") or ():
        candidates.append((thumb.get("url"), thumb.get("width"), thumb.get("height")))
    for url, width, height in candidates:
        safe = safe_url(url, base)
        if safe:
            return Image(safe, title, _int(width), _int(height))
    return None


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 10_000 else None


def _language(value: Any) -> str | None:
    """A feed's language as a BCP 47 tag (en, en-US, pt-BR); None when it is not one."""
    return lenient(clean_text(value))


def _content_hash(*parts: str) -> str:
    return "sha1:" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
