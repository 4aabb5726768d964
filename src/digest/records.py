"""The JSON shapes of items and feeds, shared by manifest.json and every `--json` output
(documented in the README; keep them stable)."""

from __future__ import annotations

from typing import Any

from .models import Candidate, FeedReport


def item_record(c: Candidate) -> dict[str, Any]:
    """The item fields shared by the manifest and `digest rank --json`."""
    e = c.entry
    return {
        "key": e.key,
        "rank": c.rank,
        "title": c.display_title,
        "url": e.link,
        "feed": e.feed_name,
        "sources": list(c.sources),
        "published": e.published.isoformat(timespec="seconds"),
        "kind": c.kind,
        "section": c.section,
        "left_out": c.left_out,
        "score": c.score,
        "reasons": [{"signal": r.signal, "points": r.points, "text": r.text} for r in c.reasons],
    }


def feed_record(f: FeedReport) -> dict[str, Any]:
    return {
        "failures": f.failures,
        "name": f.name,
        "url": f.url,
        "status": f.status,
        "entries": f.entries,
        "error": f.error,
        "error_kind": f.error_kind,
        "warnings": list(f.warnings),
    }
