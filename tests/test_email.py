"""Email output: every service profile passes lint, lint catches what it should, links are
tagged alike in HTML and text, the size budget holds, three fixture issues are golden."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.esp import PROFILES

from .conftest import DEMO_AS_OF, DEMO_ISSUE

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DIGEST_UPDATE_GOLDEN") == "1"


def _build(digest, project: Path, *args: str) -> Path:
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q", *args)
    assert result.exit_code == 0, result.output
    return project / "out" / DEMO_ISSUE


@pytest.mark.parametrize("service", sorted(PROFILES))
def test_demo_passes_lint_for_every_service(digest, project: Path, service: str) -> None:
    out = _build(digest, project, "--esp", service)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["esp"] == service
    assert manifest["lint"]["ok"], manifest["lint"]["findings"]
    assert manifest["html_sent_bytes"] < 95_000 * 0.8  # at least 20% under the budget
    result = digest("lint", str(out), "--json")
    assert result.exit_code == 0, result.output
    tag = PROFILES[service].unsubscribe
    if tag:
        assert tag in (out / "newsletter.html").read_text()
        assert tag in (out / "newsletter.txt").read_text()


def test_links_with_other_characters_are_one_link_in_html_and_text(digest, project: Path) -> None:
    """Accented paths and international hosts: the HTML carried libxml2's percent-encoding
    of the whole URL (host included), the text part the raw characters, and every build
    reported each such link missing from the text part."""
    links = ["https://example.org/café-libéré", "https://exämple.org/x?q=é"]
    items = "".join(
        f"<item><title>Activist {i} freed</title><link>{link}</link>"
        "<pubDate>Thu, 18 Dec 2025 10:00:00 +0000</pubDate></item>"
        for i, link in enumerate(links)
    )
    (project / "feeds" / "accents.rss").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>A</title>'
        f"<link>https://example.org/</link><description>d</description>{items}</channel></rss>"
    )
    with open(project / "feeds" / "feeds.toml", "a") as f:
        f.write('\n[[feed]]\nname = "Accents"\nurl = "feeds/accents.rss"\nlanguage = "en"\n')
    config = project / "digest.toml"
    config.write_text(
        config.read_text().replace('"https://northlight.example/"', '"https://bücher.example/"')
    )
    out = _build(digest, project)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["lint"]["ok"], manifest["lint"]["findings"]
    html, text = (out / "newsletter.html").read_text(), (out / "newsletter.txt").read_text()
    for url in (
        "https://example.org/caf%C3%A9-lib%C3%A9r%C3%A9",
        "https://xn--exmple-cua.org/x?q=%C3%A9",
        "https://xn--bcher-kva.example/",
    ):
        assert url in html and url in text, url


def test_smtp_profile_adds_list_unsubscribe(digest, project: Path) -> None:
    out = _build(digest, project, "--esp", "smtp")
    msg = email.message_from_bytes(
        (out / "newsletter.eml").read_bytes(), policy=email.policy.default
    )
    assert msg["List-Unsubscribe"] == (
        "<https://northlight.example/newsletter/unsubscribe>, "
        "<mailto:unsubscribe@northlight.example>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_lint_catches_problems(digest, project: Path) -> None:
    out = _build(digest, project, "--esp", "mailchimp")
    html = (out / "newsletter.html").read_text()
    broken = (
        html.replace("<!doctype html>", "")
        .replace("*|UNSUB|*", "https://example.org/nope")
        .replace(
            "</body>",
            '<img src="https://x.example/a.png"><script>x()</script>'
            '<a href="javascript:alert(1)" onclick="y()">z</a></body>',
        )
    )
    (out / "newsletter.html").write_text(broken)
    result = digest("lint", str(out), "--json")
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert {
        "doctype",
        "esp-tag-missing",
        "img-alt",
        "img-width",
        "forbidden-tag",
        "event-handler",
        "unsafe-link",  # javascript: (a relative or odd link is "link")
        "text-link",
    } <= codes
    human = digest("lint", str(out))
    assert "Gmail" not in human.output and "doctype" in human.output


def test_lint_flags_clipping(digest, project: Path) -> None:
    out = _build(digest, project)
    html = (out / "newsletter.html").read_text()
    (out / "newsletter.html").write_text(
        html.replace("</body>", "<p>" + "x" * 110_000 + "</p></body>")
    )
    result = digest("lint", str(out), "--json")
    assert result.exit_code == 1
    assert "size" in {f["code"] for f in json.loads(result.stdout)["findings"]}


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [("[" * 100_000, "JSON nested too deeply"), ("[1, 2]", "not a JSON object")],
)
def test_an_issue_folder_with_a_damaged_manifest_is_refused_clearly(
    digest, tmp_path: Path, manifest: str, problem: str
) -> None:
    """An issue folder handed to `digest lint` may come from elsewhere: its manifest is
    input like any other (deep nesting and a list were tracebacks)."""
    folder = tmp_path / "issue"
    folder.mkdir()
    (folder / "newsletter.html").write_text('<!doctype html><html lang="en"><body>hi</body>')
    (folder / "manifest.json").write_text(manifest)
    result = digest("lint", str(folder))
    assert result.exit_code == 1
    assert f"manifest.json: unreadable manifest ({problem})" in result.stderr
    assert "Traceback" not in result.output


def test_utm_tags_are_the_same_in_html_and_text(digest, project: Path) -> None:
    out = _build(digest, project)
    html = (out / "newsletter.html").read_text().replace("&amp;", "&")
    text = (out / "newsletter.txt").read_text()
    html_links = {u for u in re.findall(r'href="([^"]+)"', html) if u.startswith("http")}
    assert html_links and all(
        "utm_source=newsletter" in u for u in html_links if "unsubscribe" not in u
    )
    for url in html_links:
        assert url in text, url
    assert "&utm;_" not in text and "&amp;" not in text
    assert "https://northlight.example/newsletter/unsubscribe" in html_links  # untagged


def _fixture(
    root: Path,
    name: str,
    entries: list[tuple[str, str, str]],
    *,
    language: str = "en",
    budget: int | None = None,
) -> Path:
    """A project with one local feed of (title, html, category) entries."""
    root.mkdir(parents=True)
    (root / "digest.toml").write_text(
        f'[newsletter]\nname = "{name}"\nsender = "Fixture <news@fixture.example>"\n'
        f'language = "{language}"\nwebsite = "https://fixture.example/"\n'
        "per_feed_cap = 50\nwindow_days = 30\n"
        + (f"html_budget = {budget}\n" if budget else "")
        + '[[section]]\nid = "lead"\ntitle = "Lead"\nkinds = ["year_end"]\nmax = 1\n'
        '[[section]]\nid = "good-news"\ntitle = "Good news"\nkinds = ["good_news"]\nmax = 20\n'
        '[[section]]\nid = "latest"\ntitle = "Latest"\nmax = 30\n'
    )
    (root / "feeds").mkdir()
    (root / "feeds" / "feeds.toml").write_text(
        f'[[feed]]\nname = "Fixture feed"\nurl = "feeds/feed.xml"\nlanguage = "{language}"\n'
    )
    base = datetime(2025, 12, 19, 12, tzinfo=UTC)
    items = []
    for i, (title, body, category) in enumerate(entries):
        when = (base - timedelta(hours=5 * i)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        items.append(
            f"<item><title><![CDATA[{title}]]></title>"
            f"<link>https://fixture.example/{i}</link><guid>fx-{i}</guid>"
            f"<pubDate>{when}</pubDate><category>{category}</category>"
            f"<description><![CDATA[{body}]]></description></item>"
        )
    (root / "feeds" / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        f"<link>https://fixture.example/</link><description>d</description>{''.join(items)}"
        "</channel></rss>",
        encoding="utf-8",
    )
    return root


SMALL = [
    ("Prisoner of conscience released after six years", "<p>Freed on Monday.</p>", "Good News"),
    ("Sign the petition for the Harbour Three", "<p>Add your name today.</p>", "Campaigns"),
    ("Report: torture in police custody", "<p>Our findings.</p>", "Reports"),
]
MANY = [
    (
        f"Story {i}: court acquits journalist number {i}"
        if i % 3 == 0
        else f"Story {i}: activists detained in protest crackdown {i}",
        "<p>" + "A longer paragraph of context about the case. " * 6 + "</p>",
        "Good News" if i % 3 == 0 else "News",
    )
    for i in range(40)
]
WORLD = [
    (
        "Militante libérée après deux ans 🎉",
        "<p>Elle est rentrée chez elle. 🌍</p>",
        "Bonnes nouvelles",
    ),
    ("تم الإفراج عن الناشطة بعد عامين", "<p>عادت إلى منزلها.</p>", "Bonnes nouvelles"),
    ("השופט זיכה את העיתונאים", "<p>כל האישומים בוטלו.</p>", "Bonnes nouvelles"),
    ("Rapport : la répression s'intensifie", "<p>Les arrestations se multiplient.</p>", "Rapports"),
]


@pytest.mark.parametrize(
    ("name", "entries", "language"),
    [("small", SMALL, "en"), ("forty", MANY, "en"), ("world", WORLD, "fr")],
)
def test_fixture_issues_are_golden(
    digest, tmp_path: Path, name: str, entries: list, language: str
) -> None:
    budget = 40_000 if name == "forty" else None  # 40 stories take 62 KB as sent
    project = _fixture(
        tmp_path / name, f"Fixture {name}", entries, language=language, budget=budget
    )
    out = _build(digest, project)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["lint"]["ok"], manifest["lint"]["findings"]
    assert manifest["html_sent_bytes"] <= (budget or 95_000)
    if name == "forty":
        assert manifest["more_stories"], "40 items should overflow into 'More stories'"
        assert "MORE STORIES" in (out / "newsletter.txt").read_text()
        assert "MORE STORIES" in (out / "newsletter.html").read_text().upper()
    for filename in ("newsletter.html", "newsletter.txt"):
        produced = (out / filename).read_bytes()
        golden = GOLDEN / name / filename
        if UPDATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(produced)
            continue
        assert golden.exists(), "no golden file yet: run `make golden`"
        assert produced == golden.read_bytes(), f"{name}/{filename} differs; `make golden`"


def test_lint_reports_sizes_and_attributes_html_does_not_allow(digest, project: Path) -> None:
    out = _build(digest, project)
    human = digest("lint", str(out))
    assert human.exit_code == 0
    assert re.search(r"HTML [\d,]+ bytes, [\d,]+ as sent", human.output)
    html = (out / "newsletter.html").read_text()
    assert 'vertical-align="' not in html and 'height="auto"' not in html
    assert "mso-hide:all" in html and 'name="x-apple-disable-message-reformatting"' in html
    (out / "newsletter.html").write_text(
        html.replace('<td align="left"', '<td vertical-align="middle" align="left"', 1).replace(
            "</body>", '<img src="https://x.example/a.png" alt="" width="10" height="auto"></body>'
        )
    )
    data = json.loads(digest("lint", str(out), "--json").stdout)
    messages = [f["message"] for f in data["findings"] if f["code"] == "attribute"]
    assert any("'vertical-align'" in m for m in messages), messages
    assert any("height='auto'" in m for m in messages), messages
    assert data["stats"]["html_sent_bytes"] > data["stats"]["html_bytes"] * 0.9


def test_the_size_budget_applies_to_the_html_as_sent(tmp_path: Path) -> None:
    """Tracking redirects and transfer encoding: a page of links and non-ASCII text is
    larger as sent than as written, and the .eml uses the shorter encoding."""
    from digest.budget import TRACKING_URL, as_sent, tracked, transfer_encoding

    links = "".join(f'<a href="https://e.example/{i}">x</a>' for i in range(100))
    html = f'<html><body>{links}<a href="mailto:a@b.example">m</a></body></html>'
    assert tracked(html).count(TRACKING_URL) == 100 and "mailto:a@b.example" in tracked(html)
    assert as_sent(html) > len(html) + 100 * (len(TRACKING_URL) - len("https://e.example/99"))
    assert transfer_encoding("plain ASCII text " * 100) == "quoted-printable"
    assert transfer_encoding("نص عربي " * 100) == "base64"


def test_html_budget_setting_is_checked(digest, project: Path) -> None:
    toml = project / "digest.toml"
    toml.write_text(toml.read_text().replace("per_feed_cap = 5", "html_budget = 500", 1))
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline")
    assert result.exit_code == 2
    assert "newsletter.html_budget: must be between 20000 and 102000 bytes" in result.stderr
