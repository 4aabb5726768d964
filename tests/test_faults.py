"""Faults with real files and processes (issue 10): a locked, full, read-only or damaged
store, and a clock in the past. Exit 1 leaves the previous issue and its history as they
were; exit 0 means both are in place; the store is never "moved aside" by advice; damaged
stores are checked and recovered, never deleted."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import pipeline
from digest.annual import build_year_end
from digest.config import load_project
from digest.errors import ClockError, StoreError
from digest.publish import restore_interrupted

from .conftest import DEMO_AS_OF, DEMO_ISSUE, copy_demo_project
from .sandbox import (
    digest_cmd,
    run,
    run_on_full_disk,
    run_read_only_mount,
    run_without_write_permission,
)

SUBJECT = 'subject = "{name}: {date}"'
NEW_SUBJECT = 'subject = "{name} - new: {date}"'


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def _record(db: Path) -> tuple[str, str, int]:
    con = sqlite3.connect(db)
    try:
        row = con.execute(
            "SELECT subject, manifest FROM issues WHERE issue_id = ?", (DEMO_ISSUE,)
        ).fetchone()
        builds = con.execute("SELECT COUNT(*) FROM builds").fetchone()[0]
    finally:
        con.close()
    return row[0], row[1], builds


def _sound(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def _no_bad_advice(text: str) -> None:
    assert "Traceback" not in text
    assert "move it aside" not in text
    assert "create a new one" not in text


@pytest.fixture(scope="module")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project with issue 2025-W51 built once for the whole module."""
    project = copy_demo_project(tmp_path_factory.mktemp("faults") / "p")
    result = run(digest_cmd("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q"))
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def built(demo_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built demo project (the store is closed, so copying is safe)."""
    return Path(shutil.copytree(demo_built, tmp_path / "p", symlinks=True))


def _change_subject(project: Path) -> None:
    path = project / "digest.toml"
    path.write_text(path.read_text().replace(SUBJECT, NEW_SUBJECT))


# -- 1. exit codes mean what the README says ---------------------------------------------


def test_locked_store_replaces_nothing_and_exits_1(built: Path, tmp_path: Path) -> None:
    """Before: `build --offline` with the store locked replaced out/<id>/, then exited 1."""
    project = built
    db = project / "digest.sqlite3"
    before, record = _snapshot(project / "out" / DEMO_ISSUE), _record(db)
    _change_subject(project)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run(digest_cmd("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1, result.stderr
    assert "the store is busy" in result.stderr and "wait" in result.stderr
    _no_bad_advice(result.stderr)
    assert _snapshot(project / "out" / DEMO_ISSUE) == before
    assert _record(db) == record
    assert not [p for p in (project / "out").iterdir() if p.name.startswith(".")]
    again = run(digest_cmd("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline"))
    assert again.returncode == 0, again.stderr
    subject, manifest, _ = _record(db)
    assert " - new: " in subject
    files = _snapshot(project / "out" / DEMO_ISSUE)
    assert (
        json.loads(manifest)["manifest_sha256"]
        == hashlib.sha256(files["manifest.json"]).hexdigest()
    )


@pytest.mark.parametrize("free_kb", [0, 24, 96, 4000])
def test_full_disk_leaves_the_previous_issue(built: Path, tmp_path: Path, free_kb: int) -> None:
    """A real ENOSPC (tmpfs) at each stage: staging out/, the WAL, the commit."""
    project = built
    before, record = _snapshot(project / "out" / DEMO_ISSUE), _record(project / "digest.sqlite3")
    _change_subject(project)
    after = tmp_path / "after"
    result = run_on_full_disk(
        project, free_kb, "build", "--as-of", DEMO_AS_OF, "--offline", result=after
    )
    _no_bad_advice(result.stderr)
    db = after / "digest.sqlite3"
    _sound(db)
    assert not [p for p in (after / "out").iterdir() if p.name.startswith(".")]
    if result.returncode == 0:
        assert " - new: " in _record(db)[0]
        assert _snapshot(after / "out" / DEMO_ISSUE) != before
    else:
        assert result.returncode == 1, result.stderr
        assert "space" in result.stderr or "full" in result.stderr, result.stderr
        assert _snapshot(after / "out" / DEMO_ISSUE) == before
        assert _record(db) == record
    if free_kb == 0:
        assert result.returncode == 1
    if free_kb >= 4000:
        assert result.returncode == 0, result.stderr


def test_full_disk_during_fetch_keeps_the_store(built: Path, tmp_path: Path) -> None:
    project = built
    after = tmp_path / "after"
    result = run_on_full_disk(
        project, 0, "fetch", "--as-of", DEMO_AS_OF, "--force-clock", result=after
    )
    assert result.returncode == 1, result.stderr
    assert "free some space" in result.stderr or "No space" in result.stderr, result.stderr
    _no_bad_advice(result.stderr)
    _sound(after / "digest.sqlite3")


# -- read-only ----------------------------------------------------------------------------


def test_read_only_project_can_still_be_read(built: Path, tmp_path: Path) -> None:
    project = built
    rank = run_read_only_mount(project, "rank", "-p", str(project), "--as-of", DEMO_AS_OF)
    assert rank.returncode == 0, rank.stderr
    assert "good-news" in rank.stdout and "Traceback" not in rank.stderr
    for args in (("issues", "list"), ("feeds", "list"), ("store", "check")):
        result = run_read_only_mount(project, *args, "-p", str(project))
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
    build = run_read_only_mount(project, "build", "-p", str(project), "--as-of", DEMO_AS_OF)
    assert build.returncode == 1, build.stderr
    assert "read-only" in build.stderr or "Read-only" in build.stderr
    _no_bad_advice(build.stderr)
    for args in (("edit", "--as-of", "2025-12-26"), ("feeds", "add", "X", "https://x.example/f")):
        result = run_read_only_mount(project, *args, "-p", str(project))
        assert result.returncode == 1 and "cannot write" in result.stderr, (args, result.stderr)
        _no_bad_advice(result.stderr)


def test_project_without_write_permission(built: Path, tmp_path: Path) -> None:
    project = built
    db = project / "digest.sqlite3"
    paths = [project, db, project / "out", project / "out" / DEMO_ISSUE]
    rank = run_without_write_permission(
        paths, "rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--json"
    )
    assert rank.returncode == 0, rank.stderr
    assert json.loads(rank.stdout)["candidates"]
    before = _snapshot(project / "out" / DEMO_ISSUE)
    _change_subject(project)
    build = run_without_write_permission(
        paths, "build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline"
    )
    assert build.returncode == 1, build.stderr
    assert "permission" in build.stderr.lower()
    _no_bad_advice(build.stderr)
    assert _snapshot(project / "out" / DEMO_ISSUE) == before


def test_read_only_store_file_fails_before_replacing(built: Path, tmp_path: Path) -> None:
    """Only the store is read-only: out/ is writable, but nothing is replaced."""
    project = built
    db = project / "digest.sqlite3"
    before, record = _snapshot(project / "out" / DEMO_ISSUE), _record(db)
    _change_subject(project)
    result = run_without_write_permission(
        [db], "build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline"
    )
    assert result.returncode == 1, result.stderr
    assert "cannot write the store" in result.stderr and "permissions" in result.stderr
    _no_bad_advice(result.stderr)
    assert _snapshot(project / "out" / DEMO_ISSUE) == before
    assert _record(db) == record


# -- damaged stores -----------------------------------------------------------------------


def _page_size(db: Path) -> int:
    return int.from_bytes(db.read_bytes()[16:18], "big") or 65536


def _damage(db: Path, how: str) -> None:
    raw = bytearray(db.read_bytes())
    size = _page_size(db)
    if how == "truncated":
        db.write_bytes(raw[: len(raw) // 2 + 100])
    elif how == "pages":
        pages = len(raw) // size
        for page in range(pages // 3, pages // 3 + 3):  # garbage over three pages
            raw[page * size : (page + 1) * size] = bytes((i * 7 + page) % 251 for i in range(size))
        db.write_bytes(bytes(raw))
    elif how == "header":
        raw[:16] = b"definitely not!\0"
        db.write_bytes(bytes(raw))


@pytest.mark.parametrize("how", ["truncated", "pages", "header"])
def test_damaged_store_is_checked_and_recovered(built: Path, tmp_path: Path, how: str) -> None:
    project = built
    db = project / "digest.sqlite3"
    _damage(db, how)
    damaged = db.read_bytes()
    rank = run(digest_cmd("rank", "-p", str(project), "--as-of", DEMO_AS_OF))
    build = run(digest_cmd("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline"))
    for result in (rank, build):
        _no_bad_advice(result.stderr)
        # 0 or 3 ("up to date"): the damage missed what this command reads
        if result.returncode not in (0, 3):
            assert result.returncode == 1, result.stderr
            assert "digest store check" in result.stderr, result.stderr
    check = run(digest_cmd("store", "check", "-p", str(project)))
    assert check.returncode == 1, check.stdout + check.stderr
    assert "DAMAGED" in check.stdout and "Traceback" not in check.stderr
    recover = run(digest_cmd("store", "recover", "-p", str(project)))
    _no_bad_advice(recover.stderr)
    if how == "header":  # nothing readable: a clear error, the file untouched
        assert recover.returncode == 1, recover.stderr
        assert db.read_bytes() == damaged
        return
    assert recover.returncode == 0, recover.stderr
    assert db.read_bytes() == damaged, "recover changed the damaged file"
    new = project / "digest.recovered.sqlite3"
    assert new.exists() and "mv" in recover.stdout and "untouched" in recover.stdout
    recheck = run(digest_cmd("store", "check", str(new), "--json", "-p", str(project)))
    assert recheck.returncode == 0, recheck.stdout
    counts = json.loads(recheck.stdout)["counts"]
    assert counts["feeds"] >= 1  # page 2 survives both kinds of damage
    if how == "pages":  # three garbage pages in the middle: the other entries are kept
        assert counts["entries"] >= 40, counts
    # the recovered store works: switch to it and build
    toml = project / "digest.toml"
    toml.write_text(toml.read_text().replace('path = "digest.sqlite3"', f'path = "{new.name}"'))
    rebuilt = run(digest_cmd("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline"))
    assert rebuilt.returncode in (0, 3), rebuilt.stderr


def test_damaged_rows_are_skipped_with_a_warning(built: Path, tmp_path: Path) -> None:
    project = built
    db = project / "digest.sqlite3"
    con = sqlite3.connect(db)
    keys = [r[0] for r in con.execute("SELECT key FROM entries ORDER BY key LIMIT 4")]
    con.execute("UPDATE entries SET published = '2025-12-18Tlate' WHERE key = ?", (keys[0],))
    con.execute("UPDATE entries SET image = '{not json' WHERE key = ?", (keys[1],))
    # JSON nested past Python's recursion limit is damaged too (it was a traceback)
    con.execute("UPDATE entries SET categories = ? WHERE key = ?", ("[" * 100_000, keys[2]))
    con.execute("UPDATE entries SET updated = 42 WHERE key = ?", (keys[3],))
    con.execute("UPDATE issues SET manifest = ?", ("[" * 100_000,))
    con.execute("UPDATE feeds SET next_retry = 'soon'")
    con.commit()
    con.close()
    rank = run(digest_cmd("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--days", "3650"))
    assert rank.returncode == 0, rank.stderr
    assert "Traceback" not in rank.stderr
    assert f"skipped a damaged entry (key {keys[0]}" in rank.stderr
    assert keys[0] not in rank.stdout and keys[1] in rank.stdout
    for args in (("issues", "list"), ("feeds", "list"), ("issues", "diff", DEMO_ISSUE, DEMO_ISSUE)):
        result = run(digest_cmd(*args, "-p", str(project)))
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
    build = run(digest_cmd("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--force-clock"))
    assert build.returncode == 0, build.stderr
    check = run(digest_cmd("store", "check", "-p", str(project)))
    assert check.returncode == 1
    assert "entries: 4 row(s) with damaged values" in check.stdout, check.stdout
    recover = run(digest_cmd("store", "recover", "-p", str(project), "--json"))
    assert recover.returncode == 0, recover.stderr
    report = json.loads(recover.stdout)
    assert report["skipped"]["entries"] == 1 and report["repaired"]["entries"] == 3
    assert run(digest_cmd("store", "check", report["target"])).returncode == 0


# -- 2. a clock in the past ---------------------------------------------------------------


def _dump(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


@pytest.mark.parametrize("command", ["fetch", "build"])
def test_clock_in_the_past_is_refused_before_anything(
    built: Path, tmp_path: Path, command: str
) -> None:
    """Before: a run in 1970 stored entries dated 1970 and saved the feeds' validators;
    the next correct run pruned them all and got 304 from every feed."""
    project = built
    db = project / "digest.sqlite3"
    state = _dump(db)
    result = run(digest_cmd(command, "-p", str(project), "--as-of", "1970-01-02"))
    assert result.returncode == 1, result.stderr
    assert "1970-01-02" in result.stderr and "--force-clock" in result.stderr
    assert "Traceback" not in result.stderr
    assert _dump(db) == state
    assert sorted(p.name for p in (project / "out").iterdir()) == [DEMO_ISSUE]
    forced = run(digest_cmd("fetch", "-p", str(project), "--as-of", "2025-12-01", "--force-clock"))
    assert forced.returncode == 0, forced.stderr


def test_a_past_date_may_rebuild_from_the_store(built: Path, tmp_path: Path) -> None:
    """An explicit --as-of in the past with --offline (no fetching) rebuilds an old issue."""
    project = built
    result = run(digest_cmd("build", "-p", str(project), "--as-of", "2025-12-12", "--offline"))
    assert result.returncode in (0, 3), result.stderr


def test_library_refuses_a_past_clock_without_fetching(built: Path) -> None:
    """A wall clock in the past (no explicit date) is refused for every writing run."""
    project = load_project(built)
    past = datetime(1970, 1, 5, tzinfo=UTC)
    with pytest.raises(ClockError):
        pipeline.build(project, past, offline=True)
    with pytest.raises(ClockError):
        build_year_end(project, past, year=1970, letter_from_feed=True)
    assert sorted(p.name for p in (project.root / "out").iterdir()) == [DEMO_ISSUE]


# -- 6. interrupted publishing ------------------------------------------------------------


def test_an_issue_swapped_in_but_not_committed_is_put_back(tmp_path: Path) -> None:
    """A run killed between swapping the new folder in and the store's commit: the next
    run restores the issue the store knows, and removes the uncommitted one."""
    out = tmp_path / "out"
    committed, uncommitted = out / ".tmp-W-123", out / "W"
    for folder, text in ((committed, "old"), (uncommitted, "new")):
        folder.mkdir(parents=True)
        (folder / "newsletter.html").write_text(text)
        (folder / "manifest.json").write_text(f'{{"v": "{text}"}}')
    recorded = hashlib.sha256(b'{"v": "old"}').hexdigest()
    restore_interrupted(out, "W", recorded)
    assert (out / "W" / "newsletter.html").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["W"]
    # a leftover that is not what the store knows is simply removed
    stale = out / ".tmp-W-456"
    stale.mkdir()
    (stale / "manifest.json").write_text("{}")
    restore_interrupted(out, "W", recorded)
    assert sorted(p.name for p in out.iterdir()) == ["W"]
    assert (out / "W" / "newsletter.html").read_text() == "old"


def test_another_issues_leftovers_are_not_touched(tmp_path: Path) -> None:
    """Issue W's clean-up leaves alone what issue W-ar's interrupted run left aside: that
    folder may be the W-ar issue its store knows, to be put back by W-ar's next run."""
    out = tmp_path / "out"
    theirs = [out / ".tmp-W-ar-123", out / ".old-W-ar-7", out / ".tmp-W-x-restore"]
    for folder in (*theirs, out / ".tmp-W-9"):
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text("{}")
    restore_interrupted(out, "W", None)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in theirs)


def test_a_folder_where_the_store_goes(digest, project: Path) -> None:
    (project / "digest.sqlite3").mkdir()
    dated = ("--as-of", DEMO_AS_OF)
    for args in (("rank", *dated), ("build", *dated), ("store", "check"), ("store", "recover")):
        result = digest(*args, "-p", str(project))
        assert result.exit_code == 2, args  # [store] path names it: a config error
        assert "digest.toml:" in result.stderr, args
        assert "digest.sqlite3 is a folder, not a store file" in result.stderr, args
        assert "Traceback" not in result.output


def test_a_file_where_out_goes(digest, project: Path) -> None:
    shutil.rmtree(project / "out", ignore_errors=True)
    (project / "out").write_text("not a folder")
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert result.exit_code == 1
    assert "out is a file, not a folder" in result.stderr
    (project / "out").unlink()
    (project / "out").mkdir()
    (project / "out" / DEMO_ISSUE).write_text("a file where the issue goes")
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    assert sorted(p.name for p in (project / "out").iterdir()) == [DEMO_ISSUE]


def test_recover_ends_and_writes_a_sound_store_whatever_the_damage(
    built: Path, tmp_path: Path
) -> None:
    """A sweep of cuts and garbage pages (one cut made a damaged page repeat rowid 0, and
    recover looped): recover always ends, never touches the damaged file, and writes a
    store that `store check` finds sound."""
    from digest.store.check import check_store, recover_store

    original = (built / "digest.sqlite3").read_bytes()
    size = _page_size(built / "digest.sqlite3")
    damages = [("cut", n * size + 79) for n in range(1, len(original) // size, 3)]
    damages += [("cut", 40463)] + [("page", n) for n in range(2, len(original) // size, 4)]

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError("recover did not end")

    previous = signal.signal(signal.SIGALRM, alarm)
    try:
        for i, (how, where) in enumerate(damages):
            db = tmp_path / f"d{i}.sqlite3"
            raw = bytearray(original)
            if how == "cut":
                raw = raw[:where]
            else:
                raw[where * size : (where + 1) * size] = bytes((j * 13) % 256 for j in range(size))
            db.write_bytes(bytes(raw))
            signal.alarm(60)
            try:
                report = recover_store(db)
            except StoreError:
                continue  # nothing readable (the header is gone): a clear error
            finally:
                signal.alarm(0)
            assert db.read_bytes() == bytes(raw), (how, where)
            assert check_store(report.target).ok, (how, where, check_store(report.target).problems)
    finally:
        signal.signal(signal.SIGALRM, previous)
