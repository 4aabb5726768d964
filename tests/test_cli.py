"""The command line on a temporary project: exit codes, files, JSON, help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from digest.cli import cli

from .conftest import DEMO_AS_OF, DEMO_ISSUE, REPO

FILES = ("newsletter.html", "newsletter.txt", "newsletter.eml", "manifest.json")


def test_build_writes_the_four_files(digest, project: Path) -> None:
    result = digest("build", "--project", str(project), "--as-of", DEMO_AS_OF)
    assert result.exit_code == 0, result.output
    out = project / "out" / DEMO_ISSUE
    for name in FILES:
        assert (out / name).stat().st_size > 0
    assert f"Built issue {DEMO_ISSUE}" in result.output
    assert "Northlight News" in result.output  # per-feed fetch summary
    assert not list((project / "out").glob(".tmp-*"))


def test_build_json_is_one_document(digest, project: Path) -> None:
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["status"] == "written"
    assert data["issue_id"] == DEMO_ISSUE
    assert set(data["files"]) == set(FILES)
    assert data["items"][0]["section"] == "lead"
    assert {f["status"] for f in data["feeds"]} == {"ok"}
    assert {"title", "url", "feed", "section", "score", "reasons"} <= set(data["items"][0])


def test_group_level_project_option(digest, project: Path) -> None:
    result = digest("--project", str(project), "build", "--as-of", DEMO_AS_OF, "-q")
    assert result.exit_code == 0
    assert result.output == ""
    assert (project / "out" / DEMO_ISSUE / "manifest.json").exists()


def test_issue_id_and_days(digest, project: Path) -> None:
    result = digest(
        "build",
        "-p",
        str(project),
        "--as-of",
        DEMO_AS_OF,
        "--days",
        "14",
        "--issue-id",
        "december-special",
        "--json",
    )
    data = json.loads(result.stdout)
    assert data["issue_id"] == "december-special"
    manifest = json.loads((project / "out" / "december-special" / "manifest.json").read_text())
    assert manifest["window"]["start"].startswith("2025-12-05")
    assert len(manifest["items"]) > 9  # a wider window holds more stories


def test_bad_issue_id_is_a_usage_error(digest, project: Path) -> None:
    result = digest("build", "-p", str(project), "--issue-id", "../escape")
    assert result.exit_code == 2
    assert "--issue-id" in result.output


def test_offline_build_uses_the_store(digest, project: Path) -> None:
    assert digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    (project / "feeds" / "samples" / "northlight-news.rss").unlink()  # would fail if fetched
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["feeds"] == []
    assert any(i["feed"] == "Northlight News" for i in data["items"])


def test_failed_feed_is_reported_and_the_issue_still_built(digest, project: Path) -> None:
    (project / "feeds" / "samples" / "courtwatch.rss").write_text("<html><body>moved</body>")
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--json")
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    failed = [f for f in data["feeds"] if f["status"] == "failed"]
    assert [f["name"] for f in failed] == ["Courtwatch Collective"]
    assert "not an RSS or Atom feed" in failed[0]["error"]
    assert "feed failed: Courtwatch Collective" in result.stderr
    assert data["status"] == "written_with_failures"
    assert len(data["items"]) >= 5


def test_empty_window_writes_nothing_and_exits_3(digest, project: Path) -> None:
    result = digest("build", "-p", str(project), "--as-of", "2026-06-03", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["status"] == "empty"
    assert not (project / "out" / "2026-W23").exists()
    result = digest("build", "-p", str(project), "--as-of", "2026-06-03", "--allow-empty", "-q")
    assert result.exit_code == 0
    assert (project / "out" / "2026-W23" / "newsletter.html").exists()


def test_fetch_summary_then_not_modified(digest, project: Path) -> None:
    first = json.loads(digest("fetch", "-p", str(project), "--json").stdout)
    assert first["new"] == 50
    assert {f["status"] for f in first["feeds"]} == {"ok"}
    second = json.loads(digest("fetch", "-p", str(project), "--json").stdout)
    assert {f["status"] for f in second["feeds"]} == {"not_modified"}
    assert second["new"] == 0


def test_rank_lists_every_candidate_with_placement(digest, project: Path) -> None:
    digest("fetch", "-p", str(project), "-q")
    result = digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--json")
    data = json.loads(result.stdout)
    cands = data["candidates"]
    assert cands[0]["section"] == "lead"
    assert cands[0]["title"].startswith("A year of courage")
    assert [c["rank"] for c in cands] == list(range(1, len(cands) + 1))
    left_out = [c for c in cands if c["section"] is None]
    assert left_out and all(c["left_out"] for c in left_out)
    table = digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--limit", "3")
    assert table.exit_code == 0
    assert "A year of courage" in table.output and "more (use --limit)" in table.output


def test_rank_explain(digest, project: Path) -> None:
    digest("fetch", "-p", str(project), "-q")
    data = json.loads(digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--json").stdout)
    key = data["candidates"][1]["key"]
    result = digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--explain", key[:6])
    assert result.exit_code == 0
    assert "score breakdown" in result.output
    missing = digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--explain", "zzzz")
    assert missing.exit_code == 1
    assert "no candidate" in missing.stderr


def test_init_scaffolds_a_project_that_builds(digest, tmp_path: Path) -> None:
    target = tmp_path / "news"
    result = digest("init", str(target), "--name", "Rights Weekly", "--samples")
    assert result.exit_code == 0, result.output
    for rel in (
        "digest.toml",
        "feeds/feeds.toml",
        "out/.gitkeep",
        ".gitignore",
        "feeds/samples/campaigns.atom",
    ):
        assert (target / rel).exists(), rel
    assert not (target / "templates").exists()  # the bundled templates are used
    built = digest("build", "-p", str(target), "--as-of", DEMO_AS_OF, "--json")
    assert built.exit_code == 0
    assert json.loads(built.stdout)["subject"].startswith("Rights Weekly")
    again = digest("init", str(target))
    assert again.exit_code == 2
    assert "already exists" in again.stderr


def test_init_eject_copies_every_bundled_template(digest, tmp_path: Path) -> None:
    """--eject copies all the bundled templates; the copies build the same issue, byte for
    byte, and a copy the editors changed is kept by a later `init --force --eject`."""
    plain, ejected = tmp_path / "plain", tmp_path / "ejected"
    assert digest("init", str(plain), "--samples", "-q").exit_code == 0
    result = digest("init", str(ejected), "--samples", "--eject")
    assert result.exit_code == 0, result.output
    assert "templates/weekly.mjml" in result.output
    bundled = REPO / "templates"
    expected = {p.relative_to(bundled): p.read_bytes() for p in bundled.rglob("*") if p.is_file()}
    copies = ejected / "templates"
    assert {p.relative_to(copies): p.read_bytes() for p in copies.rglob("*") if p.is_file()} == (
        expected
    )
    for project in (plain, ejected):
        built = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
        assert built.exit_code == 0, built.output
    for name in FILES:
        produced = (ejected / "out" / DEMO_ISSUE / name).read_bytes()
        assert produced == (plain / "out" / DEMO_ISSUE / name).read_bytes(), name
    footer = copies / "partials" / "footer.mjml"
    footer.write_text(footer.read_text().replace("<strong>", "<strong>Ours: "))
    again = digest("init", str(ejected), "--samples", "--eject", "--force")
    assert again.exit_code == 0, again.output
    assert "templates/" not in again.output
    assert "Ours: " in footer.read_text()


def test_init_without_samples_builds_an_empty_project(digest, tmp_path: Path) -> None:
    target = tmp_path / "blank"
    assert digest("init", str(target), "-q").exit_code == 0
    result = digest("build", "-p", str(target), "--json")
    assert result.exit_code == 3


def _commands() -> list[str]:
    return cli.list_commands(click.Context(cli))


def _all_commands() -> list[tuple[str, ...]]:
    ctx = click.Context(cli)
    found = []
    for name in cli.list_commands(ctx):
        found.append((name,))
        command = cli.get_command(ctx, name)
        for sub in sorted(getattr(command, "commands", {})):
            found.append((name, sub))
    return found


@pytest.mark.parametrize("command", _all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(digest, command: tuple[str, ...]) -> None:
    result = digest(*command, "--help")
    assert result.exit_code == 0
    assert re.search(r"Examples?:", result.output), (
        f"`digest {' '.join(command)} --help` lacks an example"
    )


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    readme = (REPO / "README.md").read_text()
    assert f"digest {command}" in readme, f"README does not show `digest {command}`"


def test_build_help_documents_exit_codes(digest) -> None:
    out = digest("build", "--help").output
    for code in ("0", "1", "2", "3", "4"):
        assert re.search(rf"^\s+{code}\s", out, re.M)


def test_version(digest) -> None:
    assert digest("--version").output.startswith("digest, version")


def test_readme_documents_every_error_kind() -> None:
    """The error_kind table in the README is the --json contract: it matches the code."""
    from digest.fetch import ERROR_KINDS

    readme = (REPO / "README.md").read_text()
    table = readme.split("| error_kind | meaning |", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M)) == set(ERROR_KINDS)
