"""Issue history, feed health notes for editors, and builds that are kept or forced."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import DEMO_AS_OF, DEMO_ISSUE


def _build(digest, project: Path, *args: str):
    return digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--json", *args)


def test_list_show_and_diff(digest, project: Path) -> None:
    assert _build(digest, project).exit_code == 0
    edits = project / "edits"
    edits.mkdir()
    manifest = json.loads((project / "out" / DEMO_ISSUE / "manifest.json").read_text())
    dropped = manifest["items"][1]["key"]
    (edits / f"{DEMO_ISSUE}.toml").write_text(f"[items.{dropped}]\ndrop = true\n")
    assert _build(digest, project).exit_code == 0
    listing = json.loads(digest("issues", "list", "-p", str(project), "--json").stdout)
    assert listing[0]["issue_id"] == DEMO_ISSUE and listing[0]["builds"] == 2
    assert listing[0]["lint_ok"] is True
    human = digest("issues", "list", "-p", str(project)).output
    assert DEMO_ISSUE in human and "2 build(s)" in human
    shown = digest("issues", "show", DEMO_ISSUE, "-p", str(project))
    assert "A year of courage" in shown.output and "[good-news]" in shown.output
    diff = json.loads(
        digest("issues", "diff", f"{DEMO_ISSUE}@1", DEMO_ISSUE, "-p", str(project), "--json").stdout
    )
    assert [i["key"] for i in diff["removed"]] == [dropped]
    text = digest("issues", "diff", f"{DEMO_ISSUE}@1", DEMO_ISSUE, "-p", str(project)).output
    assert f"- {dropped}" in text
    bad = digest("issues", "diff", f"{DEMO_ISSUE}@9", DEMO_ISSUE, "-p", str(project))
    assert bad.exit_code == 1 and "has builds 1 to 2" in bad.stderr


def test_unchanged_rebuilds_are_not_new_builds(digest, project: Path) -> None:
    _build(digest, project)
    _build(digest, project)
    listing = json.loads(digest("issues", "list", "-p", str(project), "--json").stdout)
    assert listing[0]["builds"] == 1


def test_existing_issue_is_kept_when_new_entries_arrive(digest, project: Path) -> None:
    feed = project / "feeds" / "samples" / "courtwatch.rss"
    original = feed.read_text()
    # the first build is made before a new story appears in the window
    story = original.index("<title>Bellhaven Four released")
    start = original.rindex("<item>", 0, story)
    end = original.index("</item>", story) + len("</item>")
    trimmed = original[:start] + original[end:]
    assert "Bellhaven Four released" not in trimmed and trimmed.count("<item>") == (
        original.count("<item>") - 1
    )
    feed.write_text(trimmed)
    assert json.loads(_build(digest, project).stdout)["status"] == "written"
    before = (project / "out" / DEMO_ISSUE / "newsletter.html").read_bytes()
    feed.write_text(original)
    kept = _build(digest, project)
    record = json.loads(kept.stdout)
    assert kept.exit_code == 3 and record["status"] == "kept" and record["new_since_built"] == 1
    (new,) = record["new_entries"]
    assert new["title"].startswith("Bellhaven Four released")
    assert new["feed"] == "Courtwatch Collective"
    assert (project / "out" / DEMO_ISSUE / "newsletter.html").read_bytes() == before
    message = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF).output
    assert new["key"] in message and "Bellhaven Four released" in message
    assert "digest build --force" in message
    forced = json.loads(_build(digest, project, "--force").stdout)
    assert forced["status"] == "written"
    assert (
        "Bellhaven Four released" in (project / "out" / DEMO_ISSUE / "newsletter.html").read_text()
    )


def test_chronically_failing_feeds_are_flagged_for_editors(digest, project: Path) -> None:
    (project / "feeds" / "samples" / "courtwatch.rss").write_text("<html>moved</html>")
    for _ in range(3):
        digest("fetch", "-p", str(project), "-q", "--as-of", DEMO_AS_OF)
    result = _build(digest, project)
    assert result.exit_code == 4
    out = project / "out" / DEMO_ISSUE
    manifest = json.loads((out / "manifest.json").read_text())
    (flag,) = manifest["attention"]
    assert flag["name"] == "Courtwatch Collective" and flag["failures"] == 4
    notes = (out / "editor-notes.txt").read_text()
    assert "Courtwatch Collective has failed 4 runs in a row" in notes
    for part in ("newsletter.html", "newsletter.txt", "newsletter.eml"):
        assert "failed 4 runs" not in (out / part).read_text()  # never in the email


def test_experiments_on_the_same_day_do_not_hide_stories(digest, project: Path) -> None:
    """A trial build under another id must not empty the real issue; last week's issue does
    count as sent."""
    assert _build(digest, project, "--issue-id", "trial").exit_code == 0
    real = json.loads(_build(digest, project).stdout)
    assert real["status"] == "written" and len(real["items"]) >= 8
    next_week = json.loads(
        digest(
            "build", "-p", str(project), "--as-of", "2025-12-22", "--days", "14", "--json"
        ).stdout
    )
    assert all(i["key"] not in {r["key"] for r in real["items"]} for i in next_week["items"]), (
        "stories sent last week came back"
    )
