"""Run safety with real processes: two concurrent builds give one issue and exit 75;
SIGKILL at many points across fetch, parse, store, render, write and commit leaves either
no issue or a complete one, a sound store, and a re-run yields the identical issue."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .conftest import DEMO_AS_OF, DEMO_ISSUE, copy_demo_project
from .feeds import entry, rss
from .server import FeedServer, Reply

FILES = ("newsletter.html", "newsletter.txt", "newsletter.eml", "manifest.json")
KILLS = 50


def _digest(project: Path, *args: str, capture: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "digest",
            "build",
            "-p",
            str(project),
            "--as-of",
            DEMO_AS_OF,
            "-q",
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if capture else subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def test_two_concurrent_builds_make_one_issue(tmp_path: Path) -> None:
    def slow(request, handler):
        time.sleep(2.0)  # keeps the first build inside its lock
        return Reply(200, rss([entry(1)]))

    with FeedServer() as server:
        server.route("/slow.xml", slow)
        project = copy_demo_project(tmp_path / "p")
        with open(project / "feeds" / "feeds.toml", "a") as f:
            f.write(f'\n[[feed]]\nname = "Slow"\nurl = "{server.url("/slow.xml")}"\n')
        first, second = _digest(project, capture=True), _digest(project, capture=True)
        outputs = [p.communicate(timeout=60)[1].decode() for p in (first, second)]
        results = sorted(zip((first.returncode, second.returncode), outputs, strict=True))
    codes = [code for code, _ in results]
    assert codes == [0, 75], results
    assert "another digest run is working on this project" in results[1][1]
    assert [p.name for p in (project / "out").iterdir() if not p.name.startswith(".")] == [
        DEMO_ISSUE
    ]


def _state(project: Path) -> None:
    """The store is sound and the issue folder is absent or complete."""
    db = project / "digest.sqlite3"
    if db.exists():
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    issue = project / "out" / DEMO_ISSUE
    if issue.exists():
        manifest = json.loads((issue / "manifest.json").read_text())
        for name, meta in manifest["files"].items():
            body = (issue / name).read_bytes()
            assert hashlib.sha256(body).hexdigest() == meta["sha256"], f"partial {name}"


def test_sigkill_anywhere_leaves_a_consistent_state(tmp_path: Path) -> None:
    reference = copy_demo_project(tmp_path / "reference")
    assert _digest(reference).wait(timeout=60) == 0
    expected = {n: (reference / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES}

    project = copy_demo_project(tmp_path / "victim")
    started = time.monotonic()
    assert _digest(project).wait(timeout=60) == 0  # measure one build to spread the kills
    duration = time.monotonic() - started
    shutil.rmtree(project / "out" / DEMO_ISSUE)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project / 'digest.sqlite3'}{suffix}").unlink(missing_ok=True)
    killed = 0
    for i in range(KILLS):
        delay = duration * 1.1 * i / KILLS  # from start-up to just past the commit
        proc = _digest(project)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
        _state(project)
    assert killed >= KILLS // 2, f"only {killed} runs were killed before they finished"

    assert _digest(project).wait(timeout=60) == 0  # the re-run after all the crashes
    _state(project)
    got = {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES}
    assert got == expected, "the re-run differs from a clean build"
    assert not [p for p in (project / "out").iterdir() if p.name.startswith(".")]
    con = sqlite3.connect(project / "digest.sqlite3")
    keys = [
        r[0]
        for r in con.execute(
            "SELECT entry_key FROM issue_entries WHERE issue_id = ?", (DEMO_ISSUE,)
        )
    ]
    manifest = json.loads(got["manifest.json"])
    assert sorted(keys) == sorted(i["key"] for i in manifest["items"])  # none lost, none twice
