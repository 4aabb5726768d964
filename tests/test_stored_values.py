"""Stored values are hostile too (issue 10): rows written by an older digest, or by anything
else, are cleaned again on their way out of the store; a row that cannot be read back is
left out with a note to the editors; a story that still cannot be rendered is left out
alone, never the whole issue. Real SQLite files, the real CLI."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

from digest.config import load_project
from digest.lint import lint_issue
from digest.models import Candidate, Entry, Issue, Section, short_key

from .conftest import DEMO_AS_OF, DEMO_ISSUE, REPO

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FEED = "feeds/samples/northlight-news.rss"


def _insert(project: Path, key: str, **values: object) -> None:
    """A row as a hostile writer might leave it (every column settable)."""
    row: dict[str, object] = {
        "feed_url": FEED,
        "entry_id": f"stored-{key}",
        "key": KEYS[key],
        "title": f"Defender {key} released after two years",
        "link": f"https://northlight.example/stored/{key}",
        "published": "2025-12-18T10:00:00+00:00",
        "updated": None,
        "first_seen": "2025-12-18T10:00:00+00:00",
        "last_seen": "2025-12-18T10:00:00+00:00",
        "dated": 1,
        "author": None,
        "summary_html": "<p>Released.</p>",
        "excerpt": "Released.",
        "image": None,
        "categories": "[]",
        "language": "en",
        "feed_name": "Northlight News",
    }
    row.update(values)
    db = sqlite3.connect(project / "digest.sqlite3")
    with db:
        db.execute(
            f"INSERT INTO entries ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    db.close()


HOSTILE_ROWS: dict[str, dict[str, object]] = {
    "aaaa000001": {  # what a feed's xml:base with a raw 0x19 left in older stores
        "title": "Court \x19win *|EMAIL|* for {{ .Subscriber.Email }}",
        "link": "https://northlight.example/x\x01y?e=*|EMAIL|*",
        "image": json.dumps(
            {"url": "http://exa\x19mple.org/p.png?e=*|EMAIL|*", "alt": "a\x0b", "width": 600}
        ),
        "summary_html": "<p>Freed\x0b</p></mj-text><mj-raw><script>alert(1)</script></mj-raw>"
        '<img src="https://t.example/%recipient.email%.png" width="300">'
        '<a href="javascript:alert(1)" onclick="x()">[unsubscribe]</a>',
        "excerpt": "Freed <%asm_group_unsubscribe_raw_url%> [[UNSUB_LINK_EN]]",
        "author": "*|FNAME|*",
        "categories": json.dumps(["{$email}", "ok\x00"]),
        "feed_name": "Northlight {% raw %}",
    },
    "aaaa000002": {"published": "2025-12-18T25:99:00+00:00"},  # sorts into the window
    "aaaa000003": {"categories": "{not json"},
    "aaaa000004": {"image": json.dumps([1, 2])},
    "aaaa000005": {"published": "2025-12-18 10:00:00", "language": "x<script>"},  # no zone
}


KEYS = {name: short_key(FEED, f"stored-{name}") for name in HOSTILE_ROWS}


def test_hostile_stored_rows_are_cleaned_or_skipped_never_fatal(digest, project: Path) -> None:
    assert digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    for key, values in HOSTILE_ROWS.items():
        _insert(project, key, **values)
    (project / "edits").mkdir()
    (project / "edits" / f"{DEMO_ISSUE}.toml").write_text(
        "".join(f"[items.{KEYS[k]}]\npin = true\n" for k in HOSTILE_ROWS if k != "aaaa000002")
    )
    for service in ("mailchimp", "listmonk", "sendgrid", "mailgun", "sendy", "mailjet"):
        result = digest(
            "build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline", "--force",
            "--esp", service, "-q",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        out = project / "out" / DEMO_ISSUE
        html = (out / "newsletter.html").read_text()
        text = (out / "newsletter.txt").read_text()
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["lint"]["ok"], manifest["lint"]["findings"]
        assert not CONTROL.search(html) and not CONTROL.search(text)
        for bad in ("*|EMAIL|*", "{{ .Subscriber", "*|FNAME|*", "<script", "javascript:"):
            assert bad not in html and bad not in text, (service, bad)
        keys = {item["key"] for item in manifest["items"]}
        readable = ("aaaa000001", "aaaa000003", "aaaa000004", "aaaa000005")
        assert {KEYS[k] for k in readable} <= keys
        assert "Court win" in html  # cleaned, not dropped
        notes = manifest["notes"]
        assert len(notes) == 1 and KEYS["aaaa000002"] in notes[0], notes
        assert KEYS["aaaa000002"] in (out / "editor-notes.txt").read_text()


def test_a_story_that_still_cannot_be_rendered_is_left_out_alone(project: Path) -> None:
    """Bypass every cleaner: an entry MRML rejects costs only itself, with a note."""
    from datetime import UTC, datetime

    from digest.pipeline import make_issue
    from digest.salvage import render_or_skip

    settings = load_project(project)
    now = datetime(2025, 12, 19, 12, tzinfo=UTC)

    def candidate(i: int, summary: str) -> Candidate:
        entry = Entry(
            feed_url=FEED,
            feed_name="Northlight News",
            entry_id=f"e{i}",
            title=f"Story {i}",
            link=f"https://northlight.example/{i}",
            published=now,
            summary_html=summary,
            excerpt="x",
        )
        return Candidate(entry, 1.0, "good_news", section="lead", rank=i)

    good, broken = candidate(1, "<p>fine</p>"), candidate(2, "<p>a\x19b</p>")
    from digest.curate import Curated

    base = make_issue(settings, Curated((), ()), now, issue_id="t", language="en", esp="mailchimp")
    issue: Issue = replace(base, sections=(Section("lead", "Top", (good, broken)),))
    rendered, kept = render_or_skip(settings, issue)
    assert [c.entry.key for c in kept.items] == [good.entry.key]
    assert len(kept.notes) == 1 and broken.entry.key in kept.notes[0]
    assert "Story 1" in rendered.html and "Story 2" not in rendered.html
    report = lint_issue(
        rendered.html.encode(), rendered.text.encode(), None, profile=_profile("mailchimp")
    )
    assert not [f for f in report.findings if f.code == "merge-tag"]


def _profile(name: str):
    from digest import esp

    return esp.profile(name)


def test_demo_store_reads_back_unchanged(digest, project: Path) -> None:
    """Cleaning on the way out is idempotent: clean rows come back exactly as stored."""
    from digest.store import Store

    assert digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    db = sqlite3.connect(project / "digest.sqlite3")
    stored = dict(db.execute("SELECT key, summary_html || title || excerpt FROM entries"))
    db.close()
    with Store(project / "digest.sqlite3") as store:
        entries = store.entries_by_keys(list(stored))
        assert not store.skipped
    assert {e.key: e.summary_html + e.title + e.excerpt for e in entries} == stored
    assert REPO.exists()
