"""Parse goldens: every feed file in tests/data/feeds/ and feeds/samples/ against the entries
expected from it (tests/golden/parse/<file>.json), as the fetch stage hands a local file
to digest.parse (which cleans every field with digest.clean). Regenerate after an intended
change with `make golden` (DIGEST_UPDATE_GOLDEN=1) and review the diff like code.

Also pins that cleaning is a fixed point: an entry read back from the store goes through
`recheck_entry`, which must leave a freshly parsed entry unchanged.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.clean import recheck_entry
from digest.errors import ParseError
from digest.models import Entry, FeedSource, Fetched, FetchStatus, ParsedFeed
from digest.parse import parse_feed

from .conftest import REPO

GOLDEN = Path(__file__).parent / "golden" / "parse"
UPDATE = os.environ.get("DIGEST_UPDATE_GOLDEN") == "1"
NOW = datetime(2025, 12, 19, 12, 0, tzinfo=UTC)  # future dates clamp to it, undated take it
FEEDS = sorted(
    p.relative_to(REPO).as_posix()
    for folder in ("tests/data/feeds", "feeds/samples")
    for p in (REPO / folder).iterdir()
    if p.is_file() and p.suffix in {".rss", ".atom", ".rdf", ".xml"}
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def reading(relative: str) -> dict[str, Any]:
    """What digest makes of one feed file, as plain JSON data."""
    source = FeedSource(Path(relative).stem, relative)
    fetched = Fetched(source, FetchStatus.OK, body=(REPO / relative).read_bytes())
    try:
        parsed: ParsedFeed = parse_feed(fetched, now=NOW)
    except ParseError as e:
        return {"feed": relative, "error": {"kind": e.kind, "message": str(e)}}
    entries = [{"key": e.key, **asdict(e)} for e in parsed.entries]
    return _plain(
        {
            "feed": relative,
            "title": parsed.title,
            "link": parsed.link,
            "bozo": parsed.bozo,
            "warnings": parsed.warnings,
            "entries": entries,
        }
    )


def test_there_are_feeds_to_pin() -> None:
    assert len(FEEDS) >= 20, FEEDS


@pytest.mark.parametrize("relative", FEEDS)
def test_parse_matches_golden(relative: str) -> None:
    produced = json.dumps(reading(relative), ensure_ascii=False, indent=1) + "\n"
    golden = GOLDEN / f"{Path(relative).name}.json"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
        pytest.skip(f"updated {golden}")
    assert golden.exists(), f"no golden for {relative}: run `make golden`"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    got = json.loads(produced)
    assert got == expected, f"{relative} parses differently; if intended run `make golden`"


def test_no_golden_without_its_feed() -> None:
    names = {f"{Path(r).name}.json" for r in FEEDS}
    assert {p.name for p in GOLDEN.glob("*.json")} <= names, "a golden for a removed feed"


def _entries(relative: str) -> tuple[Entry, ...]:
    source = FeedSource(Path(relative).stem, relative)
    fetched = Fetched(source, FetchStatus.OK, body=(REPO / relative).read_bytes())
    return parse_feed(fetched, now=NOW).entries


@pytest.mark.parametrize("relative", FEEDS)
def test_cleaning_is_a_fixed_point(relative: str) -> None:
    entries = _entries(relative)
    assert entries, f"{relative} gave no entries"
    for entry in entries:  # the language: see the next test
        assert replace(recheck_entry(entry), language=entry.language) == entry, entry.entry_id


def test_a_regional_language_survives_the_store_recheck() -> None:
    regional = [e for r in FEEDS for e in _entries(r) if e.language and "-" in e.language]
    assert regional, "no feed with a regional language tag"
    assert [recheck_entry(e).language for e in regional] == [e.language for e in regional]
