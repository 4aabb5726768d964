"""Hostile and broken project files (issue 10): every one is a clear error naming the file
and line, exit 2 (or 1), never a traceback, and nothing is written. Values from digest.toml
that reach the email are validated, and escaped where they land."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from .conftest import DEMO_AS_OF, DEMO_ISSUE


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _clean_failure(result, code: int, *needles: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def _nothing_written(project: Path) -> None:
    assert not list(project.glob("*.sqlite3*")), "the store was created"
    out = project / "out"
    assert not out.exists() or not any(out.iterdir()), "out/ was written"


SUBJECT = 'subject = "{name}: {date}"'
WEBSITE = 'website = "https://northlight.example/"'
REPLY_TO = 'reply_to = "supporters@northlight.example"'
SENDER = 'sender = "Northlight Rights International <newsletter@northlight.example>"'
UNSUB = 'unsubscribe_url = "https://northlight.example/newsletter/unsubscribe"'
MAILTO = 'unsubscribe_mailto = "mailto:unsubscribe@northlight.example"'
FONT = 'font_family = "Helvetica, Arial, sans-serif"'
FOOTER = 'footer_address = "Northlight Rights International, 1 Lantern Row'
TAGLINE = 'tagline = "Good news'
LATEST = 'title = "Latest"'


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("window_days = 7", "window_days = 99999999999", "newsletter.window_days: must be"),
        ("retention_days = 400", "retention_days = 99999999999", "store.retention_days: must be"),
        (SUBJECT, 'subject = "{name.nope}"', "newsletter.subject:"),
        (SUBJECT, 'subject = "{name.__class__}"', "newsletter.subject:"),
        (SUBJECT, 'subject = "{0}"', "newsletter.subject:"),
        (SUBJECT, 'subject = "{date:%Q}"', "newsletter.subject:"),
        (SUBJECT, 'subject = "{name[0]}"', "newsletter.subject:"),
        (SUBJECT, 'subject = "{date:{name}}"', "newsletter.subject:"),
        (SUBJECT, 'subject = "{name}\\r\\nBcc: x@example.org"', "newsletter.subject:"),
        (REPLY_TO, 'reply_to = "a@example.org\\r\\nBcc: x@example.org"', "newsletter.reply_to:"),
        (REPLY_TO, 'reply_to = "a@example.org\\u2028Bcc: x@example.org"', "newsletter.reply_to:"),
        (REPLY_TO, 'reply_to = "not an address"', "newsletter.reply_to:"),
        (SENDER, 'sender = "Ann\\u2028Bcc <a@example.org>"', "newsletter.sender:"),
        (SENDER, 'sender = "Ann <a@exa mple.org>"', "newsletter.sender:"),
        (WEBSITE, 'website = "javascript:alert(1)"', "newsletter.website:"),
        (WEBSITE, 'website = "https://x.example/\\" onclick=\\"alert(1)"', "newsletter.website:"),
        (WEBSITE, 'website = "https://exa mple.org/"', "newsletter.website:"),
        (WEBSITE, 'website = "https://[::1/"', "newsletter.website:"),
        (WEBSITE, 'website = "https://x.example:99999/"', "newsletter.website:"),
        (WEBSITE, 'website = "https:///no-host"', "newsletter.website:"),
        (UNSUB, 'unsubscribe_url = "https://x.example/\\"><script>alert(1)</script>"', "esp.unsub"),
        (UNSUB, 'unsubscribe_url = "https://x.example/a b"', "esp.unsubscribe_url:"),
        (MAILTO, 'unsubscribe_mailto = "mailto:u@x.example\\"onclick=\\"a"', "esp.unsubscribe_m"),
        (
            MAILTO,
            MAILTO + '\nweb_version_url = "https://x.example/\\" onclick=\\"alert(1)"',
            "esp.web_version_url:",
        ),
        (FONT, 'font_family = "Arial\\" onload=\\"x"', "theme.font_family:"),
        (FONT, 'font_family = "Arial, url(https://x.example/f)"', "theme.font_family:"),
        (FOOTER, 'footer_address = "1 Lantern \\u0001Row', "theme.footer_address:"),
        (TAGLINE, 'tagline = "Good \\u0085news', "newsletter.tagline:"),
        (TAGLINE, 'tagline = "Good \\uffffnews', "newsletter.tagline:"),
        ('name = "Northlight Weekly"', 'name = "North\\u0000light"', "newsletter.name:"),
        (LATEST, 'title = "Lat\\u001best"', "section.title:"),
        (FONT, FONT + '\nlogo_url = "https://x.example/l.png\\"x"\nlogo_alt = "L"', "theme.logo"),
        ("[store]", "[fetch]\ntimeout = nan\n\n[store]", "fetch.timeout:"),
        ("[store]", "[fetch]\ndeadline = inf\n\n[store]", "fetch.deadline:"),
        ("[store]", "[fetch]\nmax_bytes = 99999999999999999\n\n[store]", "fetch.max_bytes:"),
        ("[store]", "[fetch]\nparse_seconds = 999999999999\n\n[store]", "fetch.parse_seconds:"),
        ("[store]", '[smtp]\nhost = "h"\ntimeout = nan\n\n[store]', "smtp.timeout:"),
        ("[store]", '[smtp]\nhost = "bad host\\r\\n"\n\n[store]', "smtp.host:"),
        ("per_feed_cap = 5", "per_feed_cap = 99999999999999999999", "digest.toml"),
        (SUBJECT, 'subject = "  "', "newsletter.subject: the subject is empty"),
        (SENDER, 'sender = "a@northlight.example, b@x.example"', "is more than one address"),
        (SENDER, 'sender = "Northlight, Leeds <a@northlight.example>"', "more than one address"),
        (LATEST, 'title = " "', "section.title: the title is empty"),
        ("[store]", '[labels.zz]\nunsubscribe = "Bye"\n\n[store]', "unknown language 'zz'"),
        ("[labels.es]", '[labels.es]\nunsubscribe = " "', "labels.es.unsubscribe: the label is"),
        (
            "[labels.es]",
            '[labels.pt]\ntagline = "\\u0001"\n\n[labels.es]',
            "labels.pt.tagline: contains",
        ),
    ],
)
def test_bad_digest_toml_values(digest, project: Path, old: str, new: str, message: str) -> None:
    path = project / "digest.toml"
    _edit(path, old, new)
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, message, f"{path}:")
    assert re.search(r"digest\.toml:\d+:", result.stderr), result.stderr
    _nothing_written(project)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ('"   "', "each feed needs a url"),
        ('"http://[::1/feed"', "not a valid URL"),
        ('"http://x.example:99999/feed"', "not a valid URL"),
        ('"https:///feed"', "not a valid URL"),
        ('"https://exa mple.org/feed"', "not a valid URL"),
        ('"http://xn--/feed"', "not a valid URL"),
        ('"feeds/\\u0000x.xml"', "control character"),
        ('"feeds/x\\u2028.xml"', "control character"),
        ('"/etc/passwd"', "a feed file must be a path inside the project"),
        ('"../outside.rss"', "a feed file must be a path inside the project"),
        ('"feeds/../../outside.rss"', "a feed file must be a path inside the project"),
    ],
)
def test_bad_feed_urls_name_file_and_line(digest, project: Path, url: str, message: str) -> None:
    path = project / "feeds" / "feeds.toml"
    with open(path, "a", encoding="utf-8") as f:
        f.write(f'\n[[feed]]\nname = "Bad"\nurl = {url}\n')
    lines = path.read_text(encoding="utf-8").splitlines()
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, message, f"feeds.toml:{len(lines)}: feed.url:")
    _nothing_written(project)


def test_a_link_out_of_the_project_is_not_read(digest, project: Path, tmp_path: Path) -> None:
    """feeds/x.xml may be a symbolic link: it is followed only inside the project."""
    secret = tmp_path / "secret.rss"
    secret.write_text((project / "feeds" / "samples" / "northlight-news.rss").read_text())
    (project / "feeds" / "link.xml").symlink_to(secret)
    with open(project / "feeds" / "feeds.toml", "a", encoding="utf-8") as f:
        f.write('\n[[feed]]\nname = "Link"\nurl = "feeds/link.xml"\n')
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    assert result.exit_code == 4, result.output  # built, one feed failed
    assert "the path leads outside the project" in result.output


def test_feed_name_with_control_characters(digest, project: Path) -> None:
    path = project / "feeds" / "feeds.toml"
    with open(path, "a", encoding="utf-8") as f:
        f.write('\n[[feed]]\nname = "Bad\\u0007name"\nurl = "https://x.example/feed"\n')
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, "feeds.toml:", "feed.name:")


def test_config_urls_are_escaped_where_they_land(digest, project: Path) -> None:
    """A valid URL with & and ; lands as a well-formed attribute in the HTML and as it
    is in the text part and the List-Unsubscribe header."""
    url = "https://northlight.example/u?a=1&b=2;c=3"
    _edit(project / "digest.toml", UNSUB, f'unsubscribe_url = "{url}"')
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert result.exit_code == 0, result.output
    out = project / "out" / DEMO_ISSUE
    html = (out / "newsletter.html").read_text()
    assert 'href="https://northlight.example/u?a=1&amp;b=2;c=3"' in html
    assert url in (out / "newsletter.txt").read_text()
    assert f"<{url}>" in (out / "newsletter.eml").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["lint"]["ok"], manifest["lint"]


def test_unsafe_markup_from_a_template_fails_the_build(digest, project: Path) -> None:
    """A lint error that makes the email unsafe (script, handler, missing unsubscribe)
    can only come from our own templates or config: the build fails, exit 1, and the
    previous issue stays."""
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in (project / "out" / DEMO_ISSUE).iterdir()}
    templates = project / "templates"
    templates.mkdir()
    (templates / "weekly.mjml").write_text(
        '{% extends "base.mjml" %}{% block body %}<mj-section><mj-column><mj-text>'
        '<a href="https://x.example/" onclick="steal()">x</a></mj-text></mj-column>'
        "</mj-section>{% endblock %}\n"
    )
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline")
    _clean_failure(result, 1, "onclick", "not published")
    after = {p.name: p.read_bytes() for p in (project / "out" / DEMO_ISSUE).iterdir()}
    assert after == before


def test_template_that_is_not_utf8_is_named(digest, project: Path) -> None:
    templates = project / "templates" / "partials"
    templates.mkdir(parents=True)
    (templates / "footer.mjml").write_bytes(b"<mj-section>\ncaf\xe9\n</mj-section>\n")
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, "footer.mjml:2:", "not valid UTF-8")
    assert not (project / "out" / DEMO_ISSUE).exists()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('intro = "Hello \\u0001 world"\n', "2025-W51.toml:1: intro"),
        ('\n[items.6a0ffd]\ntitle = "Bad \\u0085 title"\n', "2025-W51.toml:3: items.6a0ffd.title"),
        ('\n[items.6a0ffd]\nblurb = "Bad \\u2028 blurb"\n', "2025-W51.toml:3: items.6a0ffd.blurb"),
    ],
)
def test_control_characters_in_edits_name_the_edits_file(
    digest, project: Path, text: str, needle: str
) -> None:
    edits = project / "edits"
    edits.mkdir()
    (edits / f"{DEMO_ISSUE}.toml").write_text(text)
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, needle, "control character")
    assert "weekly.mjml" not in result.stderr


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('mode = "extend"\n[kind.good_news]\nphrases = "freed"\n', "en.toml:3: kind.good_news.ph"),
        ('mode = "extend"\n[kind.good_news]\nphrases = [1, 2]\n', "en.toml:3: kind.good_news.ph"),
        ('mode = "extend"\n[kind.good_news]\nphrases = [""]\n', "en.toml:3: kind.good_news.ph"),
        ('mode = "extend"\n[kind.good_news]\nguards = ["*"]\n', "en.toml:3: kind.good_news.gu"),
        (
            'mode = "extend"\n[kind.good_news]\ntitle_guards = ["*"]\n',
            "en.toml:3: kind.good_news.ti",
        ),
        (  # each "*" may skip words: a dozen backtracked for minutes on one title
            'mode = "extend"\n[kind.good_news]\nphrases = ["a * * * * victory"]\n',
            "at most 3 are allowed",
        ),
        (  # a choice of words: {a,b}, no spaces, two or more plain words
            'mode = "extend"\n[kind.good_news]\nphrases = ["{freed, released} early"]\n',
            "en.toml:3: kind.good_news.phrases: '{freed, released} early': '{freed,'",
        ),
        ('mode = "extend"\n[kind.good_news]\nguards = ["{soon}"]\n', "two or more words"),
        ('mode = "extend"\n[kind.good_news]\nphrases = ["{*,x} y"]\n', "two or more words"),
        (
            'mode = "extend"\n[kind.good_news]\nphrases = ["{a,b,c,d} {e,f,g,h} {i,j,k,l,m}"]\n',
            "more than 64 phrases",
        ),
        ('mode = "extend"\nkind = 3\n', "en.toml:2: kind"),
        ('mode = "extend"\n[kind.happy_news]\nphrases = ["x"]\n', "en.toml:2: kind.happy_news"),
        ('mode = "extend"\n[kind.good_news]\npoints = "lots"\n', "en.toml:3: kind.good_news.po"),
        ('mode = "extend"\n[kind.good_news]\npoints = nan\n', "en.toml:3: kind.good_news.po"),
        ('mode = "replace"\n[[count]]\nphrases = ["x"]\n', "en.toml:2: count"),
        ('mode = "sideways"\n', "en.toml:1: mode"),
        ('mode = "extend"\ncolour = "red"\n', "en.toml:2: colour: unknown setting"),
        ('mode = "extend"\n[kind.good_news\n', "en.toml:2: invalid TOML"),
    ],
)
def test_bad_rule_pack_names_file_and_line(digest, project: Path, text: str, needle: str) -> None:
    rules = project / "rules"
    rules.mkdir()
    (rules / "en.toml").write_text(text)
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, needle)
    _nothing_written(project)


def test_rule_pack_not_utf8(digest, project: Path) -> None:
    rules = project / "rules"
    rules.mkdir()
    (rules / "en.toml").write_bytes(b'mode = "extend"\n# caf\xe9\n')
    result = digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, "en.toml:2: file is not valid UTF-8")


def test_rule_pack_changes_are_picked_up(digest, project: Path) -> None:
    """The rule packs are cached per process: an edited file is read again (preview)."""
    rules = project / "rules"
    rules.mkdir()
    (rules / "en.toml").write_text('mode = "extend"\n')
    assert digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    (rules / "en.toml").write_text('mode = "extend"\n[kind.good_news]\nphrases = 3\n')
    _clean_failure(digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF), 2, "en.toml:3:")


@pytest.mark.parametrize(
    "value", ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+00:00", "1969-07-20", "2200-01-01"]
)
def test_extreme_as_of_is_a_usage_error(digest, project: Path, value: str) -> None:
    for command in ("build", "fetch", "rank", "edit"):
        result = digest(command, "-p", str(project), "--as-of", value)
        _clean_failure(result, 2, "--as-of")
    _nothing_written(project)


def test_extreme_since_is_a_usage_error(digest, project: Path) -> None:
    result = digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "--since", "0001-01-01")
    _clean_failure(result, 2, "--since")
    result = digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "--since", "2026-01-01")
    _clean_failure(result, 2, "--since")
    _nothing_written(project)


# -- OPML ---------------------------------------------------------------------------------


def _import(digest, project: Path, opml: Path, *args: str):
    return digest("feeds", "import", str(opml), "-p", str(project), *args)


def test_opml_nested_5000_deep(digest, project: Path, tmp_path: Path) -> None:
    opml = tmp_path / "deep.opml"
    n = 5000
    opml.write_text(
        "<opml><body>\n"
        + '<outline text="a">' * n
        + '<outline xmlUrl="https://x.example/f"/>'
        + "</outline>" * n
        + "</body></opml>"
    )
    before = (project / "feeds" / "feeds.toml").read_text()
    _clean_failure(_import(digest, project, opml), 2, "deep.opml:2:", "nested")
    assert (project / "feeds" / "feeds.toml").read_text() == before


def test_opml_takes_only_http_urls(digest, project: Path, tmp_path: Path) -> None:
    opml = tmp_path / "local.opml"
    opml.write_text(
        "<opml><body>\n"
        '<outline text="p" xmlUrl="/etc/passwd"/>\n'
        '<outline text="q" xmlUrl="file:///etc/passwd"/>\n'
        '<outline text="r" xmlUrl="../../etc/shadow"/>\n'
        '<outline text="s" xmlUrl="javascript:alert(1)"/>\n'
        '<outline text="t" xmlUrl="http://[::1/feed"/>\n'
        '<outline text="Good" xmlUrl="https://good.example/feed"/>\n'
        "</body></opml>"
    )
    result = _import(digest, project, opml, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["url"] for f in data["added"]] == ["https://good.example/feed"]
    assert [r["line"] for r in data["refused"]] == [2, 3, 4, 5, 6]
    text = (project / "feeds" / "feeds.toml").read_text()
    assert "passwd" not in text and "shadow" not in text
    plain = _import(digest, project, opml)
    assert "left out 5 outlines" in plain.stderr and "local.opml:2" in plain.stderr


def test_opml_in_utf16_with_entities_is_refused(digest, project: Path, tmp_path: Path) -> None:
    opml = tmp_path / "bomb.opml"
    doc = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<opml><body><outline text="&b;" xmlUrl="https://x.example/f"/></body></opml>'
    )
    opml.write_bytes(doc.encode("utf-16"))
    _clean_failure(_import(digest, project, opml), 2, "bomb.opml", "refused")
    xxe = tmp_path / "xxe.opml"
    xxe.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE opml SYSTEM "file:///etc/passwd">\n'
        '<opml><body><outline text="x" xmlUrl="https://x.example/f"/></body></opml>'
    )
    _clean_failure(_import(digest, project, xxe), 2, "xxe.opml", "refused")


@pytest.mark.parametrize("encoding", ["utf-7", "big5", "x-mac-foo"])
def test_opml_in_an_encoding_expat_cannot_read_is_refused(
    digest, project: Path, tmp_path: Path, encoding: str
) -> None:
    """expat raises ValueError or LookupError for these, not ExpatError: a traceback."""
    opml = tmp_path / "odd.opml"
    opml.write_text(
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<opml><body><outline text="x" xmlUrl="https://x.example/f"/></body></opml>'
    )
    _clean_failure(_import(digest, project, opml), 2, "odd.opml:1", "save the file as UTF-8")


def test_huge_opml_is_refused(digest, project: Path, tmp_path: Path) -> None:
    opml = tmp_path / "huge.opml"
    with open(opml, "w") as f:
        f.write("<opml><body>\n")
        for i in range(300_000):
            f.write(f'<outline text="feed {i}" xmlUrl="https://x{i}.example/feed"/>\n')
        f.write("</body></opml>\n")
    _clean_failure(_import(digest, project, opml), 2, "huge.opml", "too large")


def test_opml_names_with_control_characters_are_cleaned(
    digest, project: Path, tmp_path: Path
) -> None:
    opml = tmp_path / "c.opml"
    opml.write_text(
        '<opml><body><outline text="Bad&#x85;name&#x2028;x" category="a&#x9;b"'
        ' xmlUrl="https://c.example/feed"/></body></opml>'
    )
    result = _import(digest, project, opml, "--json")
    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)["added"]
    assert added == [{"name": "Bad name x", "url": "https://c.example/feed", "tags": ["a b"]}]


# -- CLI arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "a@example.org\u2028Bcc: c@example.org",
        "a@example.org\u0085",
        "a@example.org\x00",
        '"x\u2029y" <a@example.org>',
        "a@exa mple.org",
        "a@example.org\r\nBcc: c@example.org",
    ],
)
def test_send_refuses_hostile_recipients(digest, project: Path, address: str) -> None:
    result = digest("send", "-p", str(project), "--to", address)
    _clean_failure(result, 2, "--to")


def test_preview_on_a_busy_port(digest, project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = digest("preview", "-p", str(project), "--as-of", DEMO_AS_OF, "--port", str(port))
    _clean_failure(result, 1, f"127.0.0.1:{port}", "--port 0")


def test_a_huge_template_is_refused_not_cut(digest, project: Path) -> None:
    """A text node of 10 MB or more in a template was dropped by the HTML parser under the
    CSS inliner, without a word, and the unsubscribe footer with it: a project file over
    2 MB is an error naming it."""
    templates = project / "templates"
    templates.mkdir()
    (templates / "weekly.mjml").write_text(
        '{% extends "!bundled/weekly.mjml" %}{% block footer %}<mj-section><mj-column>'
        f"<mj-text>{'x' * 11_000_000}</mj-text></mj-column></mj-section>{{% endblock %}}\n"
    )
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, "weekly.mjml: the file is too large", "is this the right file?")
    assert not (project / "out" / DEMO_ISSUE).exists()
    with open(project / "digest.toml", "a", encoding="utf-8") as f:
        f.write("#" + "x" * 3_000_000 + "\n")
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    _clean_failure(result, 2, "digest.toml: the file is too large")


def test_letter_that_is_not_utf8_names_the_line(digest, project: Path, tmp_path: Path) -> None:
    letter = tmp_path / "letter.md"
    letter.write_bytes(b"---\ntitle: T\nauthor: A\n---\nDear caf\xe9\n")
    result = digest(
        "year-end",
        "-p",
        str(project),
        "--year",
        "2025",
        "--letter",
        str(letter),
        "--as-of",
        "2025-12-20",
    )
    _clean_failure(result, 2, "letter.md:5:", "not valid UTF-8")


def test_text_that_looks_like_a_broken_url_is_left_alone(digest, project: Path) -> None:
    """Found by bench/projectfuzz: an intro containing "http://[::1/feed" crashed the
    link tagging of the text part (urlsplit raises on it)."""
    edits = project / "edits"
    edits.mkdir()
    (edits / f"{DEMO_ISSUE}.toml").write_text('intro = "See http://[::1/feed for more."\n')
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert result.exit_code == 0, result.output
    assert "http://[::1/feed" in (project / "out" / DEMO_ISSUE / "newsletter.txt").read_text()


def test_control_characters_in_a_letters_front_matter(digest, project: Path, tmp_path: Path):
    """Found by bench/projectfuzz: a noncharacter in `language:` crashed the date formatting."""
    letter = tmp_path / "letter.md"
    letter.write_text("---\ntitle: T\nauthor: A\nlanguage: e\ufffen\n---\nDear friends\n")
    result = digest(
        "year-end", "-p", str(project), "--year", "2025", "--letter", str(letter),
        "--as-of", "2025-12-20",
    )  # fmt: skip
    _clean_failure(result, 2, "letter.md:4: front matter: language contains a control")


@pytest.mark.parametrize(
    ("front", "needle"),
    [
        ("title: T\ntitle: U\nauthor: A", "letter.md:3: front matter: title is given twice"),
        ("title: [T, U]\nauthor: A", "letter.md:2: front matter: title is one line of text"),
        ("title: T\nauthor: |", "letter.md:3: front matter: author is one line of text"),
        ("title: T\nauthor: {a: 1}", "letter.md:3: front matter: author is one line of text"),
    ],
)
def test_front_matter_that_is_not_one_line_per_key(
    digest, project: Path, tmp_path: Path, front: str, needle: str
) -> None:
    """A second title silently won, and a YAML list was taken as the title's text."""
    letter = tmp_path / "letter.md"
    letter.write_text(f"---\n{front}\n---\nDear friends\n")
    result = digest(
        "year-end", "-p", str(project), "--year", "2025", "--letter", str(letter),
        "--as-of", "2025-12-20",
    )  # fmt: skip
    _clean_failure(result, 2, needle)


def test_an_empty_tagline_label_drops_the_tagline_in_that_language(digest, project: Path):
    _edit(project / "digest.toml", "[labels.es]", '[labels.pt]\ntagline = ""\n\n[labels.es]')
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert result.exit_code == 0, result.output


def test_init_refuses_a_hostile_sender_before_writing(digest, tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = digest("init", str(target), "--sender", "Ann <a@example.org>\r\nBcc: x@example.org")
    _clean_failure(result, 2, "--name/--sender")
    assert not target.exists()
