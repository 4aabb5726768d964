"""Bad project files: a clear error naming the file (and line), exit 2, nothing written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from digest.config import load_project
from digest.errors import ConfigError


def _nothing_written(project: Path) -> None:
    assert not list(project.glob("*.sqlite3*")), "the store was created"
    out = project / "out"
    assert not out.exists() or not any(out.iterdir()), "out/ was written"


def test_missing_digest_toml(digest, project: Path) -> None:
    (project / "digest.toml").unlink()
    result = digest("build", "-p", str(project))
    assert result.exit_code == 2
    assert "digest.toml: file not found" in result.stderr
    assert "digest init" in result.stderr  # says what to do next
    assert "Traceback" not in result.output
    _nothing_written(project)


def test_malformed_digest_toml_names_the_line(digest, project: Path) -> None:
    text = (project / "digest.toml").read_text().replace('language = "en"', "language = en")
    (project / "digest.toml").write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("language = en"))
    result = digest("build", "-p", str(project))
    assert result.exit_code == 2
    assert f"digest.toml:{line}: invalid TOML" in result.stderr
    _nothing_written(project)


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_a_project_file_that_is_not_a_file_is_refused(digest, project: Path, kind: str) -> None:
    """A FIFO in digest.toml's place held every command (reading waited for a writer for
    ever); a device such as /dev/zero would be read without end."""
    import os

    path = project / "digest.toml"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    result = digest("build", "-p", str(project))
    assert result.exit_code == 2, result.output
    what = "is a folder" if kind == "folder" else "is not a regular file"
    assert f"digest.toml: this {what}" in result.stderr
    _nothing_written(project)


@pytest.mark.parametrize(
    ("value", "message"), [('""', "the store path is empty"), ('"."', "is a folder")]
)
def test_a_store_path_that_cannot_be_a_store_names_the_line(
    digest, project: Path, value: str, message: str
) -> None:
    path = project / "digest.toml"
    text = path.read_text().replace('path = "digest.sqlite3"', f"path = {value}")
    path.write_text(text)
    line = text.splitlines().index(f"path = {value}") + 1
    result = digest("build", "-p", str(project))
    assert result.exit_code == 2, result.output
    assert f"digest.toml:{line}: store.path: " in result.stderr and message in result.stderr
    _nothing_written(project)


DEEP = "x = " + "[" * 600 + "]" * 600
LONG_NUMBER = "x = 1" + "0" * 5000


@pytest.mark.parametrize(
    ("file", "text", "what"),
    [
        ("digest.toml", DEEP, "arrays or tables nested too deeply"),
        ("digest.toml", LONG_NUMBER, "a number too long to read"),
        ("feeds/feeds.toml", DEEP, "arrays or tables nested too deeply"),
        ("edits/2025-W51.toml", LONG_NUMBER, "a number too long to read"),
        ("rules/en.toml", DEEP, "arrays or tables nested too deeply"),
    ],
)
def test_toml_that_python_cannot_read_names_the_line(
    digest, project: Path, file: str, text: str, what: str
) -> None:
    """tomllib reports deep nesting as RecursionError and huge integers as ValueError, not
    as malformed TOML: they were tracebacks."""
    path = project / file
    path.parent.mkdir(exist_ok=True)
    old = path.read_text() if path.exists() else ""
    path.write_text(f"{old}\n{text}\n")
    line = len(old.splitlines()) + 2
    result = digest("build", "-p", str(project), "--offline", "--as-of", "2025-12-19")
    assert result.exit_code == 2, result.output
    assert f"{path.name}:{line}: invalid TOML: {what}" in result.stderr
    assert "Traceback" not in result.output
    _nothing_written(project)


def test_missing_feeds_toml(digest, project: Path) -> None:
    (project / "feeds" / "feeds.toml").unlink()
    result = digest("build", "-p", str(project))
    assert result.exit_code == 2
    assert "feeds.toml: file not found" in result.stderr
    _nothing_written(project)


def test_malformed_feeds_toml(digest, project: Path) -> None:
    path = project / "feeds" / "feeds.toml"
    path.write_text(path.read_text() + "\n[[feed]]\nname = 'broken\n")
    result = digest("build", "-p", str(project))
    assert result.exit_code == 2
    assert "feeds.toml:" in result.stderr and "invalid TOML" in result.stderr
    _nothing_written(project)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            (
                'sender = "Northlight Rights International <newsletter@northlight.example>"',
                'sender = "nobody"',
            ),
            "newsletter.sender: 'nobody' is not an email address",
        ),
        (('primary = "#1d3557"', 'primary = "navy"'), "theme.primary: 'navy' is not a colour"),
        (
            ("window_days = 7", "window_days = 0"),
            "newsletter.window_days: must be between 1 and 3,660",
        ),
        (("window_days = 7", 'window_days = "7"'), "expected an integer, got str"),
        (
            ('template = "weekly"', 'template = "weekly"\ncolour = "red"'),
            "unknown setting 'colour'",
        ),
        (('kinds = ["good_news"]', 'kinds = ["happy"]'), "unknown story kind 'happy'"),
        (('timezone = "UTC"', 'timezone = "Mars/Olympus"'), "unknown time zone"),
    ],
)
def test_invalid_values_name_file_and_line(
    digest, project: Path, edit: tuple[str, str], message: str
) -> None:
    path = project / "digest.toml"
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    result = digest("build", "-p", str(project))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "digest.toml:" in result.stderr
    assert "Traceback" not in result.output
    _nothing_written(project)


def test_feed_errors_point_at_the_feed(tmp_path: Path, project: Path) -> None:
    path = project / "feeds" / "feeds.toml"
    path.write_text(
        '[[feed]]\nname = "A"\nurl = "a.xml"\n\n[[feed]]\nname = "B"\nurl = "javascript:alert(1)"\n'
    )
    with pytest.raises(ConfigError) as err:
        load_project(project)
    assert "feeds.toml:7:" in str(err.value)
    assert "scheme 'javascript' is not allowed" in str(err.value)


def test_duplicate_feed_url(project: Path) -> None:
    path = project / "feeds" / "feeds.toml"
    path.write_text('[[feed]]\nname = "A"\nurl = "a.xml"\n[[feed]]\nname = "B"\nurl = "a.xml"\n')
    with pytest.raises(ConfigError, match="already listed as feed #1"):
        load_project(project)


def test_project_folder_missing(digest, tmp_path: Path) -> None:
    result = digest("build", "-p", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "project folder does not exist" in result.stderr


def test_bad_as_of(digest, project: Path) -> None:
    result = digest("build", "-p", str(project), "--as-of", "last tuesday")
    assert result.exit_code == 2
    assert "--as-of 'last tuesday' is not a date" in result.stderr
    _nothing_written(project)


def test_broken_template_names_file_and_line(digest, project: Path) -> None:
    templates = project / "templates"
    templates.mkdir()
    (templates / "weekly.mjml").write_text(
        '{% extends "base.mjml" %}\n{% block body %}\n{{ issue.nonexistent }}\n{% endblock %}\n'
    )
    result = digest("build", "-p", str(project), "--as-of", "2025-12-19")
    assert result.exit_code == 2
    assert "weekly.mjml:3: template error" in result.stderr
    assert "nonexistent" in result.stderr
    assert not (project / "out" / "2025-W51").exists()


def test_template_syntax_error(digest, project: Path) -> None:
    templates = project / "templates"
    templates.mkdir()
    (templates / "weekly.txt").write_text("line one\n{% for x in %}\n")
    result = digest("build", "-p", str(project), "--as-of", "2025-12-19")
    assert result.exit_code == 2
    assert "weekly.txt:2: template syntax error" in result.stderr
    assert not (project / "out" / "2025-W51").exists()


def test_init_writes_the_defaults_the_loader_uses(tmp_path: Path) -> None:
    """`digest init` writes digest.toml from the defaults: every value it writes is the
    default, and the project it makes loads as a default project."""
    from digest.config import DEFAULT_SECTIONS, Project, Theme
    from digest.config.template import digest_toml
    from digest.scaffold import create_project

    name, sender = "Rights Weekly", "Rights <news@rights.example>"
    create_project(tmp_path, name=name, sender=sender, language="fr", samples=False, force=False)
    text = (tmp_path / "digest.toml").read_text(encoding="utf-8")
    assert text == digest_toml(name=name, sender=sender, language="fr")
    assert "# reply_to = " in text and "# placeholders: {name}, {date}, {issue_id}" in text
    loaded = load_project(tmp_path)
    default = Project(root=tmp_path, name=name, sender=sender, language="fr")
    for key in ("template", "subject", "timezone", "window_days", "per_feed_cap"):
        assert getattr(loaded, key) == getattr(default, key), key
    assert (loaded.store_path, loaded.retention_days) == (default.store_path, 400)
    assert loaded.theme == Theme()
    written = tuple(replace(s, custom=False) for s in loaded.sections)  # titles are written
    assert written == DEFAULT_SECTIONS


def test_an_empty_newsletter_table_takes_every_default(tmp_path: Path) -> None:
    from digest.config import DEFAULT_SECTIONS, Project

    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "feeds.toml").write_text("")
    (tmp_path / "digest.toml").write_text('[newsletter]\nname = "N"\nsender = "n@example.org"\n')
    loaded = load_project(tmp_path)
    assert loaded == Project(
        root=tmp_path, name="N", sender="n@example.org", sections=DEFAULT_SECTIONS
    )


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i for i, s in enumerate(text.splitlines(), 1) if s.startswith(needle)]
    return lines[nth]


@pytest.mark.parametrize(
    ("old", "new", "needle", "nth", "message"),
    [
        ("max = 8", 'max = 8\nkinds = ["good_news", 3]', "kinds =", 2, "section.kinds: expected"),
        ("max = 8", 'max = 8\nkinds = ["happy"]', "kinds =", 2, "unknown story kind 'happy'"),
        ("max = 5", "max = 500", "max = 500", 0, "section.max: must be between 1 and 50"),
        ("max = 1", "max = 1\nmaximum = 2", "maximum", 0, "section.maximum: unknown setting"),
        ('id = "latest"', 'id = "lead"', 'id = "lead"', 1, "section.id: section id 'lead' is"),
        ("grim = 5", "grim = -1", "grim", 0, "year_end.grim: must be between 0 and"),
        ("[store]", "[fetch]\ntimeout = nan\n[store]", "timeout", 0, "must be a number, not"),
        ("[store]", "[smtp]\nport = 70000\n[store]", "port", 0, "smtp.port: must be between 1 and"),
        ("[store]", '[smtp]\nsecurity = "ssl"\n[store]', "security", 0, "smtp.security:"),
        ("[store]", "[desk]\nallowed_hosts = [1]\n[store]", "allowed_hosts", 0, "desk.allo"),
        ("[store]", 'colour = "red"\n[store]', "colour", 0, "unknown setting 'colour'"),
        ('name = "smtp"', 'name = "mailchimp2"', 'name = "mailchimp2"', 0, "mailing service"),
        ("[labels.fr]", "[labels.fr]\nnope = 1", "nope", 0, "labels.fr.nope: unknown label"),
        ("per_feed_cap = 5", "per_feed_cap = 5.5", "per_feed_cap", 0, "expected an integer"),
        ("window_days = 7", "window_days = true", "window_days", 0, "got a boolean"),
        # placeholders: no huge widths (a MemoryError before), only the names each one knows
        ('"{name}: {date}"', '"{name:>99999999999}"', "subject", 0, "may be at most 200"),
        ("# name =", 'name = "{year:>9999999}"\n#', 'name = "{year', 0, "year_end.name: place"),
        ('"weekly-{issue_id}"', '"{nope}"', "utm_campaign", 1, "unknown placeholder {nope}"),
        ('"newsletter"', '"{issue_id}"', "utm_source", 0, "links.utm_source: use letters"),
        # the project's own labels are text like any other (an MJML error before)
        ("[labels.es]", '[labels.es]\nname = "A\\u0007B"', 'name = "A', 0, "control character"),
    ],
)
def test_schema_errors_name_the_line(
    project: Path, old: str, new: str, needle: str, nth: int, message: str
) -> None:
    path = project / "digest.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_project(project)
    assert f"digest.toml:{_line_of(text, needle, nth)}: " in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("feed", "needle", "message"),
    [
        (
            'name = "B"\nurl = "b.xml"\nweight = 11',
            "weight",
            "feed.weight: must be between 0 and 10",
        ),
        ('name = "B"\nurl = "b.xml"\ntags = "x"', "tags", "feed.tags: expected a list"),
        ('name = "B"\nurl = "b.xml"\nlanguage = "xx-yy-zz"', "language", "feed.language:"),
        ('name = "B"\nurl = "b.xml"\ncolour = 1', "colour", "feed.colour: unknown setting"),
        ('name = "B"', "[[feed]]", "each feed needs a url"),
        ('url = "b.xml"', "[[feed]]", "each feed needs a name"),
    ],
)
def test_feed_schema_errors_name_the_feeds_line(
    project: Path, feed: str, needle: str, message: str
) -> None:
    path = project / "feeds" / "feeds.toml"
    text = f'[[feed]]\nname = "A"\nurl = "a.xml"\n\n[[feed]]\n{feed}\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_project(project)
    lines = [i for i, s in enumerate(text.splitlines(), 1) if s.startswith(needle)]
    assert f"feeds.toml:{lines[-1]}: " in str(err.value)
    assert message in str(err.value)
