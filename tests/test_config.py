"""Bad project files: a clear error naming the file (and line), exit 2, nothing written."""

from __future__ import annotations

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
        (("window_days = 7", "window_days = 0"), "newsletter.window_days: must be at least 1"),
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
