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
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from digest.publish import restore_interrupted
from digest.update import BATCH_ENTRIES

from .conftest import DEMO_AS_OF, DEMO_ISSUE, copy_demo_project
from .feeds import entry, fetch_project, rss
from .server import FeedServer, Reply
from .waiting import wait_any

FILES = ("newsletter.html", "newsletter.txt", "newsletter.eml", "manifest.json")
KILLS = 50
REBUILD_KILLS = 12


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


def _timed(proc: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    assert proc.wait(timeout=60) == 0
    return time.monotonic() - started


def _kill_across(
    project: Path,
    args: tuple[str, ...],
    fractions: list[float],
    first: float,
    after: Callable[[Path], None],
) -> int:
    """Start a build and SIGKILL it at each fraction of a build's duration, estimated from
    the runs that finish (the median of the last few, starting from `first`): a loaded
    machine or a faster warm build moves the estimate, not the spread. A point whose run
    finished first is tried again (three times at most). `after` checks the project after
    every run. Returns how many runs were killed."""
    durations = [first]
    killed = 0
    for fraction in fractions:
        for _ in range(3):
            estimate = statistics.median(durations[-5:])
            started = time.monotonic()
            proc = _digest(project, *args)
            try:  # the kill point: the run either ends before it or is killed there
                code = proc.wait(timeout=estimate * fraction)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=60)
                killed += 1
                after(project)
                break
            assert code == 0
            durations.append(time.monotonic() - started)
            after(project)
    return killed


def test_two_concurrent_builds_make_one_issue(tmp_path: Path) -> None:
    inside, release = threading.Event(), threading.Event()

    def slow(request, handler):
        inside.set()
        release.wait(60)  # keeps the build that holds the lock inside it (60 s: hang guard)
        return Reply(200, rss([entry(1)]))

    with FeedServer() as server:
        server.route("/slow.xml", slow)
        project = copy_demo_project(tmp_path / "p")
        with open(project / "feeds" / "feeds.toml", "a") as f:
            f.write(f'\n[[feed]]\nname = "Slow"\nurl = "{server.url("/slow.xml")}"\n')
        first, second = _digest(project, capture=True), _digest(project, capture=True)
        try:
            assert inside.wait(60), "no build reached the slow feed"
            # the other build finds the lock taken and ends while the first still holds it
            assert wait_any((first.pid, second.pid), 60), "the second build did not give up"
        finally:
            release.set()
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
    first = _timed(_digest(project))
    shutil.rmtree(project / "out" / DEMO_ISSUE)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project / 'digest.sqlite3'}{suffix}").unlink(missing_ok=True)
    # from start-up to just past the commit; --force: a whole build every time
    fractions = [1.1 * i / KILLS for i in range(KILLS)]
    killed = _kill_across(project, ("--force",), fractions, first, _state)
    assert killed >= KILLS // 2, f"only {killed} runs were killed before they finished"

    assert _digest(project, "--force").wait(timeout=60) == 0  # the re-run after the crashes
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


def _agree(project: Path) -> None:
    """What the next run does first (put back an issue swapped in but not committed), after
    which the issue's files are the ones the store records."""
    con = sqlite3.connect(project / "digest.sqlite3")
    try:
        row = con.execute(
            "SELECT manifest FROM issues WHERE issue_id = ?", (DEMO_ISSUE,)
        ).fetchone()
    finally:
        con.close()
    recorded = json.loads(row[0]).get("manifest_sha256") if row else None
    restore_interrupted(project / "out", DEMO_ISSUE, recorded)
    if recorded:
        manifest = (project / "out" / DEMO_ISSUE / "manifest.json").read_bytes()
        assert hashlib.sha256(manifest).hexdigest() == recorded, "files and history disagree"


def test_sigkill_during_a_rebuild_keeps_files_and_history_together(tmp_path: Path) -> None:
    """Kills across rebuilds that replace an existing issue (issue 10): the swap happens
    inside the store's transaction, so after each kill the issue is the previous one or
    the new one, and (once the next run has put back an uncommitted swap) it is always the
    one the history records."""
    project = copy_demo_project(tmp_path / "victim")
    assert _digest(project).wait(timeout=60) == 0
    toml = project / "digest.toml"
    toml.write_text(toml.read_text().replace('subject = "{name}: {date}"', 'subject = "{name}!"'))
    reference = tmp_path / "reference"
    shutil.copytree(project, reference)
    first = _timed(_digest(reference, "--offline"))
    expected = {n: (reference / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES}

    def check(project: Path) -> None:
        _state(project)
        _agree(project)

    # render, write, commit; --force: a whole rebuild every time, never "unchanged"
    fractions = [0.3 + 0.8 * i / REBUILD_KILLS for i in range(REBUILD_KILLS)]
    killed = _kill_across(project, ("--offline", "--force"), fractions, first, check)
    assert killed >= REBUILD_KILLS // 3, f"only {killed} runs were killed before they finished"
    assert _digest(project, "--offline", "--force").wait(timeout=60) == 0
    _agree(project)
    got = {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES}
    assert got == expected


KILL_AFTER_SWAP = """
import os, signal, sys
from digest import publish
swap = publish.Staged.swap
def swap_then_die(self):
    swap(self)  # the new folder is in place; the store has not committed yet
    os.kill(os.getpid(), signal.SIGKILL)
publish.Staged.swap = swap_then_die
from digest.cli import main
sys.argv = ["digest", *sys.argv[1:]]
main()
"""


def test_killed_between_swap_and_commit_the_next_run_puts_the_issue_back(
    tmp_path: Path,
) -> None:
    """A SIGKILL at the one instant where the new folder is in place but the store has not
    committed (injected right after the real swap): the next run, even one that then
    fails on a busy store, puts back the issue the history records."""
    project = copy_demo_project(tmp_path / "p")
    assert _digest(project).wait(timeout=60) == 0
    before = {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES}
    toml = project / "digest.toml"
    toml.write_text(toml.read_text().replace('subject = "{name}: {date}"', 'subject = "{name}!"'))
    args = ["build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run([sys.executable, "-c", KILL_AFTER_SWAP, *args], env=env)
    assert killed.returncode == -signal.SIGKILL
    swapped = {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES}
    assert swapped != before  # the uncommitted issue is in place ...
    assert list((project / "out").glob(".tmp-*"))  # ... and the previous one aside
    holder = sqlite3.connect(project / "digest.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the next run will fail to publish
    try:
        nxt = subprocess.run(
            [sys.executable, "-m", "digest", *args], env=env, capture_output=True, text=True
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert nxt.returncode == 1 and "busy" in nxt.stderr, nxt.stderr
    assert {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in FILES} == before
    assert not [p for p in (project / "out").iterdir() if p.name.startswith(".")]
    _agree(project)


def _fetch(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "fetch", "-p", str(project), "--as-of", DEMO_AS_OF],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def _stored(project: Path) -> dict[str, tuple[str | None, int]]:
    """Per feed URL: its stored ETag and how many entries it has."""
    con = sqlite3.connect(f"file:{project / 'digest.sqlite3'}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            url: (etag, count)
            for url, etag, count in con.execute(
                "SELECT url, etag, (SELECT COUNT(*) FROM entries WHERE feed_url = url) FROM feeds"
            )
        }
    except sqlite3.OperationalError:  # no table yet: the first commit has not happened
        return {}
    finally:
        con.close()


def test_fetch_killed_between_batched_commits(tmp_path: Path) -> None:
    """`digest fetch` commits whole feeds in batches (digest.update): killed after one
    batch is committed and before the last, the store holds each feed either whole, with
    its validator, or not at all; the re-run fetches the rest and asks the stored ones
    conditionally."""
    # the quick feeds hold more than a batch's worth of entries: once parsed, adding them
    # commits the batch. Parsed feeds are added when another one arrives, so the later
    # feeds are let through one at a time until a batch is committed, while the stuck
    # feed is still out (waiting for that condition, not for a time slice)
    quick, later = 8, 8
    per_feed = BATCH_ENTRIES // quick + 1
    hang, release = threading.Event(), threading.Event()
    served: list[str] = []
    run = [1]  # which run a request came from: the killed run's requests still held by
    # the server are answered after the kill, and must not count as the re-run's

    def feed(n: int, wait: threading.Event | None) -> Callable[..., Reply]:
        def reply(request, handler):
            mine = run[0]
            if wait is not None:
                wait.wait(60)
            if request.headers.get("if-none-match") == f'"v{n}"':
                return Reply(304, headers={"ETag": f'"v{n}"'})
            if mine == run[0]:
                served.append(request.path)
            items = [entry(n * 100 + j) for j in range(per_feed)]
            return Reply(200, rss(items), {"ETag": f'"v{n}"'})

        return reply

    def stuck(request, handler):
        hang.set()
        release.wait(60)  # 60 s: hang guard
        return Reply(200, rss([entry(9999)]), {"ETag": '"stuck"'})

    late = [threading.Event() for _ in range(later)]
    with FeedServer() as server:
        urls = []
        for n in range(quick + later):
            server.route(f"/f{n}.xml", feed(n, None if n < quick else late[n - quick]))
            urls.append(server.url(f"/f{n}.xml"))
        server.route("/stuck.xml", stuck)
        urls.append(server.url("/stuck.xml"))
        project = fetch_project(
            tmp_path / "p",
            ((f"F{i}", u) for i, u in enumerate(urls)),
            "per_host = 64\ntimeout = 90\ndeadline = 120\n",
        )
        proc = _fetch(project)
        try:
            assert hang.wait(60), "the run never reached the stuck feed"
            poll = threading.Event()  # never set: its wait is the polling interval
            for event in late:
                event.set()
                deadline = time.monotonic() + 5
                while not _stored(project) and time.monotonic() < deadline:
                    poll.wait(0.05)
                if _stored(project):
                    break
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        finally:
            for event in (*late, release):
                event.set()
        stored = _stored(project)
        assert stored, "no batch was committed before the kill"
        assert server.url("/stuck.xml") not in stored, "the run was not killed mid-way"
        for url, (etag, count) in stored.items():  # every stored feed is whole
            assert etag is not None and count == per_feed, (url, etag, count)

        run[0] = 2
        served.clear()
        assert _fetch(project).wait(timeout=60) == 0  # the re-run
        after = _stored(project)
    assert len(after) == quick + later + 1
    assert all(etag for etag, _ in after.values())
    assert sum(count for _, count in after.values()) == (quick + later) * per_feed + 1
    # what was committed is asked for conditionally (304); only the rest is sent again
    assert sorted(served) == sorted(
        f"/f{n}.xml" for n in range(quick + later) if server.url(f"/f{n}.xml") not in stored
    )
