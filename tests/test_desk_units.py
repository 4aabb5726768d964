"""The desk's pure parts: actions (a click -> an edit), the edits writer's version check and
atomicity, and the security helpers. No server, no browser."""

from __future__ import annotations

import os
import threading
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomlkit

from digest import pipeline
from digest.config import load_project
from digest.desk.actions import Action, BadAction, describe, plan
from digest.desk.security import (
    LoginLimiter,
    allowed_hosts,
    check_bind,
    check_post,
    host_allowed,
    host_name,
    is_loopback,
    same_secret,
)
from digest.editwrite import NO_FILE, edits_version, set_item, update_edits
from digest.errors import ConfigError, EditConflict
from digest.store import Store

from .conftest import DEMO_AS_OF


@pytest.fixture
def issue(digest, project: Path):
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    loaded = load_project(project)
    now = pipeline.parse_as_of(DEMO_AS_OF, loaded, datetime.now(UTC))
    with Store(loaded.db_path) as store:
        curated = pipeline.gather(loaded, store, now, issue_id="2025-W51")
    return loaded, pipeline.make_issue(loaded, curated, now, issue_id="2025-W51", language="en")


def _apply(project, issue, action: Action) -> dict:
    sections = tuple(s.id for s in project.sections)
    known = {c.entry.key for c in issue.candidates}
    doc = tomlkit.document()
    plan(action, issue, sections, known)(doc)
    return tomllib.loads(tomlkit.dumps(doc))


def test_actions_become_edits(issue) -> None:
    project, iss = issue
    good = [c.entry.key for c in next(s for s in iss.sections if s.id == "good-news").items]
    latest = [c.entry.key for c in next(s for s in iss.sections if s.id == "latest").items]
    assert _apply(project, iss, Action("drop", key=good[0])) == {"items": {good[0]: {"drop": True}}}
    assert _apply(project, iss, Action("intro", intro=" Hi ")) == {"intro": "Hi"}
    down = _apply(project, iss, Action("down", key=good[0]))["items"]
    assert [k for k, v in sorted(down.items(), key=lambda kv: kv[1]["position"])] == [
        good[1], good[0], *good[2:]
    ]  # fmt: skip
    moved = _apply(project, iss, Action("move", key=latest[0], section="good-news"))["items"]
    assert moved[latest[0]] == {"position": len(good) + 1, "section": "good-news"}
    assert [moved[k]["position"] for k in latest[1:]] == list(range(1, len(latest)))
    drag = Action(
        "order", key=latest[0], section="good-news", keys=(latest[0], *good),
        source="latest", source_keys=tuple(latest[1:]),
    )  # fmt: skip
    dragged = _apply(project, iss, drag)["items"]
    assert dragged[latest[0]] == {"position": 1, "section": "good-news"}
    title = iss.candidates[0].entry.title
    same = _apply(project, iss, Action("text", key=iss.candidates[0].entry.key, title=title))
    assert same == {}  # the feed's own title is no override


def test_bad_actions_are_refused(issue) -> None:
    project, iss = issue
    good = [c.entry.key for c in next(s for s in iss.sections if s.id == "good-news").items]
    with pytest.raises(BadAction, match="not in the store"):
        _apply(project, iss, Action("pin", key="ffffffffff"))
    with pytest.raises(BadAction, match="no section"):
        _apply(project, iss, Action("move", key=good[0], section="sports"))
    with pytest.raises(BadAction, match="changed while you were dragging"):
        _apply(project, iss, Action("order", key=good[0], section="good-news", keys=good[:2],
                                    source="good-news"))  # fmt: skip
    with pytest.raises(BadAction, match="at most 300"):
        _apply(project, iss, Action("text", key=good[0], title="x" * 301))
    with pytest.raises(BadAction, match="unknown action"):
        Action.from_form({"op": "delete-everything"})


def test_the_writer_checks_the_version_and_keeps_comments(project: Path) -> None:
    loaded = load_project(project)
    path = project / "edits" / "2025-W51.toml"
    v1 = update_edits(
        path, loaded.sections, lambda d: set_item(d, "abcdef1234", pin=True),
        expected=NO_FILE, header="# ours\n",
    )  # fmt: skip
    assert v1 == edits_version(path) and path.read_text().startswith("# ours\n")
    with pytest.raises(EditConflict):  # a writer that saw no file yet is too late
        update_edits(path, loaded.sections, lambda d: None, expected=NO_FILE)
    path.write_text(path.read_text() + "# a hand-written note\n")
    with pytest.raises(EditConflict):
        update_edits(path, loaded.sections, lambda d: None, expected=v1)
    v2 = update_edits(
        path, loaded.sections, lambda d: set_item(d, "abcdef1234", section="latest"),
        expected=edits_version(path),
    )  # fmt: skip
    assert "# a hand-written note" in path.read_text() and v2 != v1
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="no section 'sports'"):
        update_edits(path, loaded.sections, lambda d: set_item(d, "abcdef1234", section="sports"),
                     expected=v2)  # fmt: skip
    assert path.read_bytes() == before  # nothing half-written or invalid
    assert not list(path.parent.glob(".*.tmp"))


def test_concurrent_writers_never_lose_a_change(project: Path) -> None:
    loaded = load_project(project)
    path = project / "edits" / "2025-W51.toml"
    keys = [f"{i:04x}abcdef" for i in range(12)]

    def writer(key: str) -> None:
        while True:  # what a desk tab does after a conflict: look again, redo
            try:
                update_edits(path, loaded.sections, lambda d: set_item(d, key, pin=True),
                             expected=edits_version(path))  # fmt: skip
                return
            except EditConflict:
                continue

    threads = [threading.Thread(target=writer, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(tomllib.loads(path.read_text())["items"]) == sorted(keys)


def test_security_helpers() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.8.9.1") and is_loopback("::1")
    assert is_loopback("localhost") and not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.5") and not is_loopback("desk.example.org")
    check_bind("127.0.0.1", None)
    check_bind("127.0.0.1", "pw")  # this computer only: any password will do
    check_bind("0.0.0.0", "ten chars!")
    with pytest.raises(ConfigError, match="no password is set"):
        check_bind("0.0.0.0", None)
    with pytest.raises(ConfigError, match="password has only 2 characters"):
        check_bind("192.168.1.5", "pw")
    assert "localhost" in allowed_hosts("127.0.0.1")
    assert allowed_hosts("192.168.1.5", ("desk.lan",)) == ["192.168.1.5", "desk.lan"]
    assert "0.0.0.0" not in allowed_hosts("0.0.0.0")
    assert same_secret("a", "a") and not same_secret("a", "b") and not same_secret("", "a")
    ok = {"host": "127.0.0.1:8025", "origin": "http://127.0.0.1:8025"}
    assert check_post(ok, "t", "t") is None
    assert check_post({**ok, "x-csrf-token": "t"}, None, "t") is None
    assert check_post(ok, None, "t") and check_post(ok, "t", None)
    assert check_post({**ok, "origin": "http://127.0.0.1:9999"}, "t", "t")
    assert check_post({"host": ok["host"]}, "t", "t")


def test_login_limiter() -> None:
    limiter = LoginLimiter(per_client=3, overall=5, window=60)
    for _ in range(3):
        assert limiter.wait("a", now=0) == 0
        limiter.failed("a", now=0)
    assert limiter.wait("a", now=1) == 59 and limiter.wait("b", now=1) == 0
    limiter.failed("b", now=1)
    limiter.failed("c", now=1)
    assert limiter.wait("d", now=2) == 58  # too many failures overall
    assert limiter.wait("a", now=61) == 0  # the window moved on
    limiter.succeeded("e")
    for client in "fghij":
        limiter.failed(client, now=62)
    assert limiter.wait("k", now=63) > 0  # many addresses guessing: strangers wait
    assert limiter.wait("e", now=63) == 0  # an editor who logged in before does not


def test_host_names_and_addresses() -> None:
    assert host_name("Desk.Example:8025") == "desk.example"
    assert host_name("[::1]:8025") == "::1" and host_name("::1") == "::1"
    assert host_allowed("192.0.2.7:80", []) and host_allowed("[fd00::2]:80", [])
    assert not host_allowed("evil.example", ["127.0.0.1"]) and not host_allowed("", [])
    assert host_allowed("desk.lan:8025", allowed_hosts("0.0.0.0", ("desk.lan",)))


def test_a_merge_tag_typed_in_the_desk_is_pointed_out() -> None:
    note = describe(Action("intro", intro="Dear *|FNAME|*,"))
    assert note.startswith("Saved the introduction.") and "*|FNAME|*" in note
    assert "merge_tags = true" in note
    assert describe(Action("intro", intro="Dear *|FNAME|*,"), True) == "Saved the introduction."
    assert describe(Action("text", key="k", title="Plain")) == "Saved the title and summary."


def test_a_change_made_while_the_desk_builds_is_not_taken_as_seen(digest, project: Path) -> None:
    """`digest edit` writing the edits file while the desk rebuilds: the desk stamped the
    file after the build, so it showed the older issue as current and refused every later
    change as a conflict. The inputs are stamped before the build now."""
    from dataclasses import dataclass

    from digest.desk.session import Desk
    from digest.edits import edits_path
    from digest.editwrite import edit_items

    assert digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    path = edits_path(project, "2025-W51")
    sections = load_project(project).sections

    @dataclass
    class Racing(Desk):
        intro: str | None = None

        def _build(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if self.intro is not None:  # another writer, just before the build reads it
                edit_items(path, sections, intro=self.intro)
                self.intro = None
            return super()._build(*args, **kwargs)

    desk = Racing(project, as_of=DEMO_AS_OF)
    ref = desk.ref("2025-W51")
    assert ref is not None
    good, problem, _ = desk.state(ref)
    assert good is not None and problem is None
    desk.intro = "Written with digest edit"
    desk.refresh(ref)  # the build reads the new text, the stamp is the old one
    good, _, _ = desk.state(ref)  # so this look rebuilds
    assert good is not None and good.issue.intro == "Written with digest edit"
    assert good.version == edits_version(path)
    done = desk.apply(ref, good.version, Action("intro", intro="From the desk"))
    assert done and "From the desk" in path.read_text()

    # a save within one tick of the file system's clock, same size: seen by its content
    stat = path.stat()
    path.write_text(path.read_text().replace("From the desk", "From the DESK"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    good, _, _ = desk.state(ref)
    assert good is not None and good.issue.intro == "From the DESK"
