"""Project templates that extend the bundled ones (`{% extends "!bundled/weekly.mjml" %}`):
one block overridden, the rest as bundled; through `digest build`, `digest lint` and the
desk; and every mistake named by file and line."""

from __future__ import annotations

import json
import os
import re
from html import escape, unescape
from pathlib import Path

import pytest

from .conftest import DEMO_AS_OF, DEMO_ISSUE, REPO

FOOTER_MJML = """\
{% extends "!bundled/weekly.mjml" %}
{% block footer %}
    <mj-section padding="28px 0 36px">
      <mj-column>
        <mj-text font-size="13px" align="center" css-class="dm-muted">
          Our own footer. <a href="{{ links.unsubscribe }}">{{ labels.unsubscribe }}</a>
        </mj-text>
      </mj-column>
    </mj-section>
{% endblock %}
"""
FOOTER_TXT = """\
{% extends "!bundled/weekly.txt" %}
{% block footer %}

--
Our own footer.
{{ labels.unsubscribe }}: {{ links.unsubscribe }}
{% endblock %}
"""


def _templates(project: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = project / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _build(digest, project: Path, *args: str):
    return digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--esp", "mailchimp", *args)


def test_one_block_overridden_builds_and_lints(digest, project: Path) -> None:
    assert _build(digest, project, "-q").exit_code == 0
    bundled = {
        n: (project / "out" / DEMO_ISSUE / n).read_text()
        for n in ("newsletter.html", "newsletter.txt")
    }
    _templates(project, {"weekly.mjml": FOOTER_MJML, "weekly.txt": FOOTER_TXT})
    result = _build(digest, project, "-q", "--force")
    assert result.exit_code == 0, result.output
    out = project / "out" / DEMO_ISSUE
    html, text = (out / "newsletter.html").read_text(), (out / "newsletter.txt").read_text()
    assert "Our own footer." in html and "Our own footer." in text
    assert "1 Lantern Row" not in html  # the bundled footer is gone...
    assert "*|UNSUB|*" in html and "*|UNSUB|*" in text  # ...its merge tag is in ours
    # everything above the footer is the bundled layout, byte for byte
    last = json.loads((out / "manifest.json").read_text())["items"][-1]["title"]
    ref = bundled["newsletter.html"]
    same = next((i for i, (a, b) in enumerate(zip(html, ref, strict=False)) if a != b), 0)
    assert 0 < ref.index(escape(last, quote=False)) < same
    assert text.split("\n--\n")[0] == bundled["newsletter.txt"].split("\n--\n")[0]
    lint = digest("lint", str(out))
    assert lint.exit_code == 0, lint.output


def test_a_scoped_section_block_sees_its_section(digest, project: Path) -> None:
    """`section` is in scope in the per-section block; super() keeps the bundled cards."""
    template = (
        '{% extends "!bundled/weekly.mjml" %}\n'
        "{% block section %}\n"
        '{% if section.id == "good-news" %}\n'
        '    <mj-section><mj-column><mj-text><p>Cheers for {{ section["items"] | length }}'
        " wins</p></mj-text></mj-column></mj-section>\n"
        "{% endif %}\n"
        "{{ super() }}\n"
        "{% endblock %}\n"
    )
    _templates(project, {"weekly.mjml": template})
    result = _build(digest, project, "-q")
    assert result.exit_code == 0, result.output
    html = (project / "out" / DEMO_ISSUE / "newsletter.html").read_text()
    assert re.search(r"Cheers for \d+ wins", html)
    assert html.count("Cheers for") == 1
    assert "1 Lantern Row" in html  # the bundled footer is still there


@pytest.mark.parametrize("layout", ["roundup", "year-end"])
def test_every_layout_has_the_shared_blocks(digest, project: Path, layout: str) -> None:
    _templates(
        project,
        {
            f"{layout}.mjml": FOOTER_MJML.replace("weekly", layout),
            f"{layout}.txt": FOOTER_TXT.replace("weekly", layout),
        },
    )
    result = _build(digest, project, "-q", "--template", layout)
    assert result.exit_code == 0, result.output
    out = project / "out" / DEMO_ISSUE
    assert "Our own footer." in (out / "newsletter.html").read_text()
    assert "Our own footer." in (out / "newsletter.txt").read_text()


@pytest.mark.parametrize(
    ("template", "needle"),
    [
        (  # a misspelt block would silently never show: refused with the blocks there are
            '{% extends "!bundled/weekly.mjml" %}\n\n{% block foter %}x{% endblock %}\n',
            "weekly.mjml:3: block 'foter' is not in '!bundled/weekly.mjml'",
        ),
        (
            '{% extends "!bundled/weekly.mjml" %}\n{% block footer %}\n{% if %}\n{% endblock %}\n',
            "weekly.mjml:3: template syntax error",
        ),
        (  # the natural mistake: extending the file itself instead of the bundled one
            '{% extends "weekly.mjml" %}\n{% block footer %}x{% endblock %}\n',
            "weekly.mjml:1: template 'weekly.mjml' extends itself",
        ),
        (
            '{# ours #}\n{% extends "!bundled/weekley.mjml" %}\n',
            "weekly.mjml:2: extends '!bundled/weekley.mjml', which does not exist",
        ),
        (  # an error while rendering an overridden block names the project file
            '{% extends "!bundled/weekly.mjml" %}\n{% block footer %}\n{{ issue.nope }}\n'
            "{% endblock %}\n",
            "weekly.mjml:3: template error",
        ),
        (  # MJML the project's template breaks (Jinja is fine): it was exit 1, no file
            '{% extends "!bundled/weekly.mjml" %}\n{% block footer %}<mj-section><mj-column>'
            "{% endblock %}\n",
            "weekly.mjml: MJML compilation of weekly.mjml failed",
        ),
        (
            '{% extends "!bundled/weekly.mjml" %}\n{% block footer %}'
            '<mj-include path="partials/missing.mjml"/>{% endblock %}\n',
            "failed: unable to load included template",
        ),
    ],
    ids=[
        "bad-block",
        "syntax",
        "extends-itself",
        "missing-parent",
        "render-error",
        "mjml",
        "mj-include",
    ],
)
def test_mistakes_name_the_file_and_line(digest, project: Path, template: str, needle: str) -> None:
    _templates(project, {"weekly.mjml": template})
    result = _build(digest, project)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert str(project / "templates") in result.stderr  # the project's file, not ours
    assert "Traceback" not in result.output + result.stderr
    assert not (project / "out" / DEMO_ISSUE).exists()


def test_bad_block_hint_lists_the_blocks(digest, project: Path) -> None:
    _templates(
        project, {"weekly.mjml": '{% extends "!bundled/weekly.mjml" %}{% block x %}{% endblock %}'}
    )
    result = _build(digest, project)
    hint = result.stderr.split("hint:")[1]
    for block in ("masthead", "intro", "lead", "section", "more", "footer"):
        assert block in hint


def test_a_shadowing_file_still_replaces_the_bundled_one(digest, project: Path) -> None:
    """Before !bundled, a project overrode a whole partial by name: that still works, and
    the bundled layout that includes it picks it up."""
    footer = (
        "    <mj-section><mj-column><mj-text>Whole-file footer"
        '{% if links.unsubscribe %} <a href="{{ links.unsubscribe }}">x</a>{% endif %}'
        "</mj-text></mj-column></mj-section>\n"
    )
    _templates(project, {"partials/footer.mjml": footer})
    assert _build(digest, project, "-q").exit_code == 0
    assert "Whole-file footer" in (project / "out" / DEMO_ISSUE / "newsletter.html").read_text()


def test_the_desk_previews_the_project_template(digest, project: Path) -> None:
    """The desk rebuilds the draft when a template appears, through the same loaders."""
    import httpx

    from .deskserver import desk

    assert _build(digest, project, "-q").exit_code == 0
    _templates(project, {"weekly.mjml": FOOTER_MJML, "weekly.txt": FOOTER_TXT})
    with desk(project) as server, httpx.Client(base_url=server.url) as client:
        assert client.get(f"/issue/{DEMO_ISSUE}").status_code == 200
        preview = client.get(f"/issue/{DEMO_ISSUE}/preview.html")
        assert preview.status_code == 200
        assert "Our own footer." in preview.text
        _templates(project, {"weekly.mjml": '{% extends "!bundled/weekly.mjml" %}\n{% block x %}'})
        page = client.get(f"/issue/{DEMO_ISSUE}")  # a broken template: its file and line
        assert "weekly.mjml:2: template syntax error" in page.text


def test_the_readme_override_builds_and_lints(digest, project: Path) -> None:
    """The one-block override the README shows, as written there."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```jinja\n(.*?)```", readme, re.S)
    mjml = next(b for b in blocks if b.startswith('{% extends "!bundled/weekly.mjml" %}'))
    text = next(b for b in blocks if b.startswith('{% extends "!bundled/weekly.txt" %}'))
    _templates(project, {"weekly.mjml": mjml, "weekly.txt": text})
    assert _build(digest, project, "-q").exit_code == 0
    out = project / "out" / DEMO_ISSUE
    for name in ("newsletter.html", "newsletter.txt"):
        assert "written by volunteers in Leeds" in (out / name).read_text()
    lint = digest("lint", str(out))
    assert lint.exit_code == 0, lint.output


def test_a_changed_parent_is_checked_again(project: Path) -> None:
    """A long-running desk: when a template the project's template extends changes, the
    block check runs again (Jinja itself only watches the file it loads)."""
    from digest.config import load_project
    from digest.errors import TemplateError
    from digest.templating import check_blocks, environment

    base = (REPO / "templates" / "base.mjml").read_text()
    _templates(
        project,
        {
            "base.mjml": base.replace(
                "{% block body %}", "{% block notice %}{% endblock %}\n{% block body %}"
            ),
            "weekly.mjml": '{% extends "!bundled/weekly.mjml" %}\n'
            "{% block notice %}Closed on Monday{% endblock %}\n",
        },
    )
    env = environment(load_project(project))
    check_blocks(env, env.get_template("weekly.mjml"))  # base.mjml (ours) has `notice`
    (project / "templates" / "base.mjml").write_text(base)
    stamp = (project / "templates" / "base.mjml").stat().st_mtime + 2
    os.utime(project / "templates" / "base.mjml", (stamp, stamp))
    with pytest.raises(TemplateError, match=r"weekly\.mjml:2: block 'notice' is not in"):
        check_blocks(env, env.get_template("weekly.mjml"))


def test_attribute_values_reach_the_email_as_written() -> None:
    """MRML writes attribute values with Rust's escape_debug: French typography's narrow
    space in every French issue's aria-label, emoji joiners and Devanagari or Arabic marks
    in alt text, the zero-width space that breaks merge tags, reached readers as the text
    "\\u{202f}", and a backslash twice."""
    from digest.render import compile_mjml

    written = (
        "Rapport\u202f: « nbsp\u00a0» *\u200b|FNAME|\u200b* 👨\u200d👩\u200d👧 हिन्दी"
        " مُحَمَّد back\\slash \\u{41} it&#39;s &quot;q&quot;"
    )
    html = compile_mjml(
        "<mjml><mj-body><mj-section><mj-column>"
        f'<mj-image src="https://example.org/a.png" alt="{written}" />'
        f'<mj-text><p title="{written}">x\\u{{41}}</p></mj-text>'
        "</mj-column></mj-section></mj-body></mjml>",
        "test",
    )
    values = re.findall(r'(?:alt|title)="([^"]*)"', html)
    assert len(values) == 2
    for value in values:
        assert unescape(value) == unescape(written)  # as the email shows it
    assert "x\\u{41}</p>" in html  # text between tags is not MRML's to escape


def test_golden_issues_hold_no_rust_escapes() -> None:
    for page in (REPO / "tests" / "golden").glob("*/newsletter.html"):
        assert "\\u{" not in page.read_text(), page
