"""Conversions between the store's rows and the models: times as ISO 8601 UTC strings
(which sort), images and categories as JSON. Decoding is tolerant: a damaged value is logged
and dropped, a damaged entry skipped, so one bad row never stops a run (`digest store check`
finds them).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..models import Entry, Image

log = logging.getLogger("digest.store")


def iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat(timespec="seconds") if when else None


def dt(value: str | None) -> datetime | None:
    return parse_time(value, None, "a date")


def parse_time(value: Any, path: Path | None, what: str) -> datetime | None:
    """A stored ISO time; a damaged one (not a string, not ISO) is None, with a warning."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        log.warning(
            "%s: ignored a damaged %s (%r); run `digest store check`", path or "store", what, value
        )
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# What decoding a stored JSON value raises when the value is damaged: not text, not JSON,
# or hostile (nested past Python's recursion limit).
DAMAGED_JSON = (TypeError, ValueError, RecursionError)


def parse_json(value: Any, path: Path | None, what: str, default: Any) -> Any:
    try:
        return json.loads(value)
    except DAMAGED_JSON:
        log.warning(
            "%s: ignored a damaged %s (%.60r); run `digest store check`",
            path or "store",
            what,
            value,
        )
        return default


# Entry columns compared to decide whether a stored entry changed.
CONTENT = (
    "title",
    "link",
    "published",
    "updated",
    "dated",
    "author",
    "summary_html",
    "excerpt",
    "image",
    "categories",
    "language",
)


def content_values(e: Entry, published: datetime) -> tuple[Any, ...]:
    return (
        e.title,
        e.link,
        iso(published),
        iso(e.updated),
        int(e.dated),
        e.author,
        e.summary_html,
        e.excerpt,
        image_json(e.image),
        json.dumps(list(e.categories), ensure_ascii=False),
        e.language,
    )


def image_json(image: Image | None) -> str | None:
    if image is None:
        return None
    return json.dumps(
        {"url": image.url, "alt": image.alt, "width": image.width, "height": image.height},
        ensure_ascii=False,
        sort_keys=True,
    )


def entries(
    rows: Iterable[sqlite3.Row], path: Path, skipped: list[str] | None = None
) -> Iterator[Entry]:
    """Entries from stored rows, each cleaned again (stored values are hostile input too).
    A damaged row (a date that is not ISO, a missing value) is skipped with a warning and,
    when `skipped` is given, a note for the editors there; a damaged image or category list
    is dropped."""
    from ..clean import clean_text, recheck_entry  # here: a fetch only writes entries

    for r in rows:
        try:
            yield recheck_entry(entry(r, path))
        except (TypeError, ValueError, LookupError, AttributeError, OverflowError) as e:
            log.warning(
                "%s: skipped a damaged entry (key %s, feed %s): %s; run `digest store check`",
                path,
                r["key"],
                r["feed_url"],
                e,
            )
            if skipped is not None:
                note = clean_text(
                    f"Skipped stored entry {r['key']} of {r['feed_url']}: it cannot be read "
                    f"back ({type(e).__name__}: {e})",
                    limit=300,
                )
                if note not in skipped:
                    skipped.append(note)


def entry(r: sqlite3.Row, path: Path | None = None) -> Entry:
    image = parse_json(r["image"], path, f"image of entry {r['key']}", None) if r["image"] else None
    categories = parse_json(r["categories"], path, f"categories of entry {r['key']}", [])
    return Entry(
        feed_url=r["feed_url"],
        feed_name=r["feed_name"],
        entry_id=r["entry_id"],
        title=r["title"],
        link=r["link"],
        published=aware(datetime.fromisoformat(r["published"])),
        updated=parse_time(r["updated"], path, f"update time of entry {r['key']}"),
        author=r["author"],
        summary_html=r["summary_html"],
        excerpt=r["excerpt"],
        image=stored_image(image),
        categories=tuple(str(c) for c in categories) if isinstance(categories, list) else (),
        language=r["language"],
        dated=bool(r["dated"]),
    )


def stored_image(data: Any) -> Image | None:
    """A stored image's JSON as an Image; anything unexpected in it is dropped."""
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    width, height = data.get("width"), data.get("height")
    return Image(
        data["url"],
        str(data.get("alt") or ""),
        width if isinstance(width, int) else None,
        height if isinstance(height, int) else None,
    )


def aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)
