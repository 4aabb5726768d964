"""The editing workflow, made exact: an existing draft is kept only when new feed entries
arrived, never because of the editors' own edits, pins or window; re-running a period with
nothing new and no edit exits 3 and rewrites nothing; an empty issue is never written or
sent; issue ids are checked in the library."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import load_project
from digest.edits import edits_path
from digest.errors import ConfigError
from digest.history import built_manifest
from digest.store import Store

from .conftest import DEMO_AS_OF, DEMO_ISSUE


def _build(digest, project: Path, *args: str):
    return digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--json", *args)


def _snapshot(project: Path) -> dict[str, object]:
    """Every byte and timestamp a build could rewrite: the issue's files and its records."""
    out = project / "out" / DEMO_ISSUE
    files = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.iterdir())}
    con = sqlite3.connect(project / "digest.sqlite3")
    issues = con.execute("SELECT * FROM issues").fetchall()
    builds = con.execute("SELECT * FROM builds").fetchall()
    con.close()
    return {"files": files, "issues": issues, "builds": builds, "mtime": out.stat().st_mtime_ns}


def _keys(digest, project: Path, *args: str) -> dict[str, str]:
    ranked = digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--json", *args)
    return {c["title"]: c["key"] for c in json.loads(ranked.stdout)["candidates"]}


def _edit(project: Path, text: str) -> None:
    path = project / "edits" / f"{DEMO_ISSUE}.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)


def test_three_runs_exit_0_3_3_and_rewrite_nothing(digest, project: Path) -> None:
    codes = []
    first = _build(digest, project)
    codes.append(first.exit_code)
    before = _snapshot(project)
    for _ in range(2):
        run = _build(digest, project)
        codes.append(run.exit_code)
        assert json.loads(run.stdout)["status"] == "unchanged"
    assert codes == [0, 3, 3]
    assert _snapshot(project) == before, "an unchanged re-run rewrote something"
    human = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    assert human.exit_code == 3 and "up to date" in human.output


def test_an_edit_between_runs_rebuilds(digest, project: Path) -> None:
    assert _build(digest, project).exit_code == 0
    assert _build(digest, project).exit_code == 3
    _edit(project, 'intro = "A week of releases."\n')
    rebuilt = _build(digest, project)
    assert rebuilt.exit_code == 0 and json.loads(rebuilt.stdout)["status"] == "written"
    assert "A week of releases." in (project / "out" / DEMO_ISSUE / "newsletter.txt").read_text()
    assert _build(digest, project).exit_code == 3
    # comments and layout are not edits: nothing to rebuild for
    _edit(project, '# the intro\nintro   =   "A week of releases."\n')
    assert _build(digest, project).exit_code == 3


def test_pinning_from_outside_the_window_rebuilds_instead_of_keeping(digest, project: Path) -> None:
    assert _build(digest, project).exit_code == 0
    old = _keys(digest, project, "--days", "60")
    pinned = old["Supreme Court orders release of environmental defender Lina Moravec"]
    assert pinned not in _keys(digest, project)  # outside the 7-day window
    _edit(project, f"[items.{pinned[:6]}]\npin = true\n")
    result = _build(digest, project)
    record = json.loads(result.stdout)
    assert result.exit_code == 0 and record["status"] == "written", record["status"]
    assert record["new_entries"] == []
    assert pinned in [i["key"] for i in record["items"]]
    assert "Lina Moravec" in (project / "out" / DEMO_ISSUE / "newsletter.html").read_text()


def test_a_wider_window_rebuilds_instead_of_keeping(digest, project: Path) -> None:
    assert _build(digest, project).exit_code == 0
    wider = _build(digest, project, "--days", "14")
    assert wider.exit_code == 0 and json.loads(wider.stdout)["status"] == "written"
    assert json.loads(wider.stdout)["new_entries"] == []
    assert _build(digest, project, "--days", "14").exit_code == 3


def test_new_entries_are_named_and_held_back_while_edits_still_apply(digest, project: Path) -> None:
    feed = project / "feeds" / "samples" / "courtwatch.rss"
    original = feed.read_text()
    start = original.index("<item>")
    end = original.index("</item>", start) + len("</item>")
    feed.write_text(original[:start] + original[end:])  # one story is not out yet
    assert _build(digest, project).exit_code == 0
    feed.write_text(original)  # ... now it is
    kept = _build(digest, project)
    record = json.loads(kept.stdout)
    assert kept.exit_code == 3 and record["status"] == "kept"
    (new,) = record["new_entries"]
    _edit(project, 'intro = "Edited while the new story waits."\n')
    edited = _build(digest, project)
    record = json.loads(edited.stdout)
    assert edited.exit_code == 0 and record["status"] == "written"
    assert [e["key"] for e in record["new_entries"]] == [new["key"]]
    assert new["key"] not in [i["key"] for i in record["items"]]
    text = (project / "out" / DEMO_ISSUE / "newsletter.txt").read_text()
    assert "Edited while the new story waits." in text
    forced = json.loads(_build(digest, project, "--force").stdout)
    assert new["key"] in [i["key"] for i in forced["items"]]
    assert (
        "Edited while the new story waits."
        in (project / "out" / DEMO_ISSUE / "newsletter.txt").read_text()
    )


def test_an_empty_issue_is_never_written_or_sent(digest, project: Path) -> None:
    empty = digest("build", "-p", str(project), "--as-of", "2026-06-03", "--json")
    assert empty.exit_code == 3 and json.loads(empty.stdout)["status"] == "empty"
    assert not (project / "out" / "2026-W23").exists()
    history = digest("issues", "list", "-p", str(project), "--json")
    assert json.loads(history.stdout) == []
    forced = digest("build", "-p", str(project), "--as-of", "2026-06-03", "--allow-empty", "-q")
    assert forced.exit_code == 0 and (project / "out" / "2026-W23").exists()
    with open(project / "digest.toml", "a") as f:
        f.write('\n[smtp]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n')
    sent = digest("send", "-p", str(project), "--to", "a@example.org", "--issue-id", "2026-W23")
    assert sent.exit_code == 1
    assert "issue 2026-W23 has no story: nothing to send" in sent.stderr


@pytest.mark.parametrize("bad", ["../x", "..", "a/b", ".hidden", "x" * 65, "", "a\\b", "a..b"])
def test_issue_ids_are_checked_in_the_library(project: Path, bad: str) -> None:
    loaded = load_project(project)
    now = pipeline.parse_as_of(DEMO_AS_OF, loaded, datetime.now(UTC))
    with pytest.raises(ConfigError, match="not a valid issue id"):
        edits_path(project, bad)
    if bad:
        with pytest.raises(ConfigError, match="not a valid issue id"):
            pipeline.build(loaded, now, offline=True, issue_id=bad)
    with pytest.raises(ConfigError, match="not a valid issue id"):
        built_manifest(loaded.out_dir, bad)
    with Store(loaded.db_path) as store, pytest.raises(ConfigError, match="not a valid issue"):
        store.record_send(bad, now, 1, "127.0.0.1:25")
    assert not (project.parent / "x").exists()


def test_cli_refuses_a_path_as_issue_id(digest, project: Path) -> None:
    for command in ("build", "edit", "rank"):
        result = digest(command, "-p", str(project), "--issue-id", "../x")
        assert result.exit_code == 2, (command, result.output)
    # a built issue outside out/ is neither shown nor sent (it was, and recorded)
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    elsewhere = project.parent / "elsewhere" / "secret"
    shutil.copytree(project / "out" / DEMO_ISSUE, elsewhere)
    with open(project / "digest.toml", "a") as f:
        f.write('\n[smtp]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n')
    for args in (
        ("issues", "show", "../elsewhere/secret"),
        ("issues", "show", "x" * 5000),
        ("send", "--to", "a@example.org", "--issue-id", "../elsewhere/secret"),
    ):
        result = digest(*args, "-p", str(project))
        assert result.exit_code == 2 and "Traceback" not in result.output, (args, result.output)
    assert not (project.parent / "x").exists() and not (project / "x.toml").exists()


def test_edit_command_changes_the_file_keeping_comments(digest, project: Path) -> None:
    digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert digest("edit", "-p", str(project), "--as-of", DEMO_AS_OF).exit_code == 0
    path = project / "edits" / f"{DEMO_ISSUE}.toml"
    path.write_text(path.read_text() + "\n# our own note, keep it\n")
    old = _keys(digest, project, "--days", "60")
    pinned = old["Supreme Court orders release of environmental defender Lina Moravec"]
    dropped = _keys(digest, project)["Executions in Kastoria reach a ten-year high"]
    changed = digest(
        "edit", "-p", str(project), "--as-of", DEMO_AS_OF,
        "--pin", pinned[:6], "--drop", dropped, "--intro", "Hello, supporters.",
    )  # fmt: skip
    assert changed.exit_code == 0 and "Changed" in changed.output
    text = path.read_text()
    assert "# our own note, keep it" in text and "# A year of courage" in text
    assert f"[items.{pinned}]\npin = true" in text and f"[items.{dropped}]\ndrop = true" in text
    assert text.index('intro = "Hello, supporters."') < text.index("# [items.")
    record = json.loads(_build(digest, project).stdout)
    keys = [i["key"] for i in record["items"]]
    assert pinned in keys and dropped not in keys
    bad = digest("edit", "-p", str(project), "--as-of", DEMO_AS_OF, "--pin", "ffff")
    assert bad.exit_code == 2 and "no entry with a key starting 'ffff'" in bad.stderr


def test_what_digest_bundles_is_part_of_a_drafts_inputs(tmp_path: Path) -> None:
    """An upgrade that changes a bundled rule pack, template or the classifier rebuilds the
    draft, even with the same version number: their files are in the inputs fingerprint,
    Python's byte-code caches aside (they come and go)."""
    from digest.drafts import bundled_signature, folders_signature

    rules, model = tmp_path / "rules", tmp_path / "model"
    rules.mkdir()
    model.mkdir()
    (rules / "en.toml").write_text("[kind.good_news]\n")
    (model / "classifier.npz").write_bytes(b"weights")
    before = folders_signature([rules, model])
    assert folders_signature([rules, model]) == before
    (rules / "__pycache__").mkdir()
    (rules / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"cache")
    assert folders_signature([rules, model]) == before
    (model / "classifier.npz").write_bytes(b"retrained")
    assert folders_signature([rules, model]) != before
    (model / "classifier.npz").write_bytes(b"weights")
    assert folders_signature([model, rules]) != before  # which folder a file is in counts
    assert folders_signature([rules, tmp_path / "missing", model]) != before
    assert len(bundled_signature()) == 16
