"""The command line's session: digest.toml as the default of the options that have a twin
in it (click's default_map), the command line and DIGEST_* over it, resolved into the
Project once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.config import load_project
from digest.errors import ConfigError
from digest.session import Overrides

from .conftest import DEMO_AS_OF, DEMO_ISSUE


def _set(project: Path, old: str, new: str) -> None:
    toml = project / "digest.toml"
    text = toml.read_text()
    assert old in text
    toml.write_text(text.replace(old, new, 1))


def test_overrides_are_resolved_into_the_frozen_project(project: Path) -> None:
    loaded = load_project(project)
    resolved = Overrides(days=3, template="roundup", esp="mailchimp").apply(loaded)
    assert (resolved.window_days, resolved.template, resolved.esp.name) == (
        3,
        "roundup",
        "mailchimp",
    )
    assert resolved.esp.unsubscribe_url == loaded.esp.unsubscribe_url  # the rest of [esp]
    assert resolved.language == loaded.language  # the project's own language stays
    assert Overrides().apply(loaded) == loaded
    with pytest.raises(ConfigError, match="--days"):
        Overrides(days=0).apply(loaded)


def test_window_from_digest_toml_then_environment_then_command_line(
    digest, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    _set(project, "window_days = 7", "window_days = 1")

    def candidates(*extra: str) -> int:
        result = digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--json", *extra)
        assert result.exit_code == 0, result.output
        return len(json.loads(result.output)["candidates"])

    narrow, wide = candidates(), candidates("--days", "30")
    assert 0 < narrow < wide
    monkeypatch.setenv("DIGEST_DAYS", "30")
    assert candidates() == wide  # the environment beats digest.toml
    assert candidates("--days", "1") == narrow  # the command line beats the environment


def test_template_and_service_from_digest_toml_unless_given(digest, project: Path) -> None:
    _set(project, 'template = "weekly"', 'template = "roundup"')

    def manifest(issue_id: str, *extra: str) -> dict[str, object]:
        args = ("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline", "-q")
        assert digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code in (0, 4)
        result = digest(*args, "--issue-id", issue_id, *extra)
        assert result.exit_code == 0, result.output
        data: dict[str, object] = json.loads(
            (project / "out" / issue_id / "manifest.json").read_text()
        )
        return data

    assert manifest("from-toml")["template"] == "roundup"
    given = manifest("from-flag", "--template", "weekly", "--esp", "mailchimp")
    assert (given["template"], given["esp"]) == ("weekly", "mailchimp")


def test_help_never_reads_digest_toml_and_a_broken_one_names_itself(digest, project: Path) -> None:
    (project / "digest.toml").write_text("[newsletter\nname = 1\n")
    assert digest("build", "-p", str(project), "--help").exit_code == 0
    assert digest("rank", "-p", str(project), "--help").exit_code == 0
    for command in ("build", "rank", "fetch"):
        result = digest(command, "-p", str(project), "--as-of", DEMO_AS_OF)
        assert result.exit_code == 2, result.output
        assert "digest.toml" in result.output and "Traceback" not in result.output


def test_an_explicit_language_is_checked_and_the_default_is_the_projects(
    digest, project: Path
) -> None:
    assert digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    base = ("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--issue-id", DEMO_ISSUE)
    assert digest(*base, "--json").exit_code == 0
    bad = digest(*base, "--language", "xx-nonsense-1234567")
    assert bad.exit_code == 2 and "--language" in bad.output
