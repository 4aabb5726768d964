"""The desk's session: one project, one clock and one output folder, built once per
`digest desk` and shared by every request.

It calls the library (``pipeline.build`` and ``build_year_end`` offline, ``render`` and
``publish.package`` for another mailing service, ``send``) and keeps, per issue, the last
good state and the last problem. An editor's change is first written to the edits file
(version-checked and atomic, by ``digest.edits``), then the issue is rebuilt at once; if
the rebuild fails (say digest.toml was broken in the meantime), the change is still on
disk, the problem is shown, and the last good preview stays.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .. import lang, pipeline
from ..config import Project, load_project
from ..edits import Edits, edits_path, resolve_keys
from ..editwrite import edits_version, update_edits
from ..errors import DigestError, EditConflict, LockedError
from ..esp import check_unsubscribe
from ..ids import is_issue_id
from ..lock import write_atomic
from ..models import Entry, Issue
from ..publish import MANIFEST_NAME
from ..session import Overrides
from ..store import IssueRecord, Store
from .actions import Action, describe, plan

# 2025-year-end, or an edition in another language: 2025-year-end-fr (see digest.annual)
MIN_YEAR = 1970  # of a year-end issue: no feed is older
YEAR_END = re.compile(r"^(\d{4})-year-end(?:-([a-z]{2,3}(?:-[a-z0-9]{1,8})*))?$")
LOCK_WAIT = 15.0  # seconds to wait for another digest run (a cron build) to finish
LETTER_START = """---
title: A year of courage, and of thanks
author: Your name
role: Your role
language: en
---
Dear friends,

Write your letter here. Use a blank line between paragraphs, **bold** and *italics*.
"""


@dataclass(frozen=True)
class IssueRef:
    """An issue the desk can show: its id, the clock it is built with, and for a year-end
    issue its year."""

    issue_id: str
    now: datetime
    year: int | None = None
    language: str | None = None  # a year-end edition in another language than the project's


@dataclass(frozen=True)
class Problem:
    """Something the editors must know, with the file and line when there is one."""

    message: str
    path: str | None = None
    line: int | None = None

    @classmethod
    def of(cls, error: DigestError, root: Path) -> Problem:
        path = getattr(error, "path", None)
        shown = None
        if path is not None:
            try:
                shown = str(Path(path).relative_to(root))
            except ValueError:
                shown = str(path)
        return cls(str(error).replace(f"{root}/", ""), shown, getattr(error, "line", None))


@dataclass(frozen=True)
class LetterDoc:
    path: Path
    text: str
    version: str
    exists: bool


@dataclass(frozen=True)
class Snapshot:
    """The issue as last built: everything the views need."""

    ref: IssueRef
    project: Project
    issue: Issue
    status: str
    new_entries: tuple[Entry, ...]
    version: str  # of the edits file this state was built from
    folder: Path | None  # out/<issue-id>/ when it holds a build
    manifest: dict[str, Any] | None
    edits: Edits | None = None  # the editors' changes, keys resolved
    letter: LetterDoc | None = None
    embargo: date | None = None  # the letter's: the year-end issue must not go out before


@dataclass
class _State:
    good: Snapshot | None = None
    problem: Problem | None = None
    stamp: tuple[tuple[str, int, int | str], ...] = ()
    generation: int = 0


@dataclass
class Desk:
    root: Path
    as_of: str | None = None
    days: int | None = None
    esp: str | None = None
    template: str | None = None
    letter: Path | None = None
    read_only: bool = False
    force_clock: bool = False  # fetch even with a clock earlier than the store's last fetch
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _states: dict[str, _State] = field(default_factory=dict)
    _writes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (version, tab)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _project: Project | None = None

    # -- the project and the clock ------------------------------------------------------

    def load(self) -> Project:
        """digest.toml as it is now (it may have been edited); remembered when good."""
        overrides = Overrides(days=self.days, template=self.template, esp=self.esp)
        project = overrides.apply(load_project(self.root))
        self._project = project
        return project

    @property
    def project(self) -> Project:
        return self._project or self.load()

    def now(self) -> datetime:
        return pipeline.parse_as_of(self.as_of, self.project, self.clock())

    def this_week(self) -> str:
        return pipeline.default_issue_id(self.now())

    def ref(self, issue_id: str) -> IssueRef | None:
        """The issue named in a URL, or None when the desk does not know it."""
        if not is_issue_id(issue_id):
            return None
        now = self.now()
        if issue_id == self.this_week():
            return IssueRef(issue_id, now)
        if m := YEAR_END.match(issue_id):
            year = int(m.group(1))
            ref = IssueRef(issue_id, now, year, m.group(2))
            # opening a page builds the issue: this year's or last year's in the project's
            # language, or one built before or with its letter written; not any year in
            # any language a link names ("0000-year-end" has no calendar)
            if not MIN_YEAR <= year <= now.year:
                return None
            if year >= now.year - 1 and (
                ref.language is None or ref.language in self._edition_languages()
            ):
                return ref
            return ref if self._built(issue_id) or self.letter_doc(ref).exists else None
        row = self._built(issue_id)
        if row is None:
            return None
        return IssueRef(issue_id, datetime.fromisoformat(row.as_of).astimezone(now.tzinfo))

    def _built(self, issue_id: str) -> IssueRecord | None:
        """The store's record of the issue, if it was built."""
        with Store(self.project.db_path) as store:
            return next((r for r in store.issues() if r.issue_id == issue_id), None)

    def choices(self) -> list[tuple[str, str]]:
        """(issue id, label) for the issue switcher: this week's, the year-end issue, then
        the issues built before, newest first."""
        now = self.now()
        week, year_end = self.this_week(), f"{now.year}-year-end"
        out = [(week, f"This week: {week}"), (year_end, f"Year-end issue {now.year}")]
        for tag in self._edition_languages():
            name = lang.locale(tag).display_name or tag
            out.append((f"{year_end}-{tag}", f"Year-end issue {now.year}, {name} ({tag})"))
        offered = {value for value, _ in out}
        with Store(self.project.db_path) as store:
            for row in store.issues():
                if row.issue_id not in offered:
                    out.append((row.issue_id, f"{row.issue_id} ({row.as_of[:10]})"))
        return out

    def _edition_languages(self) -> tuple[str, ...]:
        """The other languages the project's year-end issue has editions in (its feeds'
        and its [labels.<tag>] tables'): the switcher offers them, their links open."""
        from ..annual import edition_languages

        return edition_languages(self.project)

    # -- state ---------------------------------------------------------------------------

    def state(self, ref: IssueRef) -> tuple[Snapshot | None, Problem | None, int]:
        """The last good snapshot, the current problem, and a generation number that
        moves whenever a new snapshot replaces the last; rebuilds first when a file the
        issue depends on changed."""
        with self._lock:
            st = self._states.setdefault(ref.issue_id, _State())
            if self._stamp(ref) != st.stamp or (st.good is None and st.problem is None):
                self._rebuild(ref, st)
            return st.good, st.problem, st.generation

    def apply(self, ref: IssueRef, expected: str, action: Action, tab: str = "") -> str:
        """Write the editor's change to the edits file, then rebuild. Returns what was
        done, in plain words. EditConflict when someone else changed the file since the
        version `expected` that the editor saw; changes made since by the same page
        (`tab`, e.g. a click right after a drag) are that editor's own, not a conflict."""
        self._writable()
        with self._lock:
            path = edits_path(self.root, ref.issue_id)
            expected = self._own_writes(ref.issue_id, expected, tab, edits_version(path))
            good, _, _ = self.state(ref)
            if good is None:
                raise DigestError("the issue could not be built yet: see the message above")
            project = self.load()
            known = {c.entry.key for c in good.issue.candidates}
            if action.key and action.key not in known:
                with Store(project.db_path) as store:
                    known |= set(store.keys_with_prefix(action.key)[:1])
            edit = plan(action, good.issue, tuple(s.id for s in project.sections), known)
            written = update_edits(
                path,
                project.sections,
                edit,
                expected=expected,
                header=f"# Editorial changes for issue {ref.issue_id}, made in the editor's "
                "desk.\n# `digest build` re-applies them on every build.\n\n",
            )
            writes = self._writes.setdefault(ref.issue_id, [])
            if not writes or writes[-1][0] != expected:
                writes[:] = [(expected, "")]
            writes.append((written, tab))
            del writes[:-50]
            self.refresh(ref)
            now_good = self._states[ref.issue_id].good
            return describe(action, bool(now_good and now_good.edits and now_good.edits.merge_tags))

    def _own_writes(self, issue_id: str, expected: str, tab: str, current: str) -> str:
        """`current` if every write since `expected` came from this same page, else
        `expected` (so that update_edits reports the conflict)."""
        writes = self._writes.get(issue_id, [])
        versions = [v for v, _ in writes]
        if not tab or expected == current or expected not in versions:
            return expected
        since = writes[versions.index(expected) + 1 :]
        if since and since[-1][0] == current and all(t == tab for _, t in since):
            return current
        return expected

    def refresh(self, ref: IssueRef, *, fetch: bool = False, force: bool = False) -> None:
        """Rebuild now (`fetch`: get new stories from the feeds first; `force`: take in
        the new stories held back from an existing draft)."""
        with self._lock:
            st = self._states.setdefault(ref.issue_id, _State())
            if fetch:
                ref = replace(ref, now=self.now())
            self._rebuild(ref, st, fetch=fetch, force=force)

    def save_letter(self, ref: IssueRef, text: str, expected: str) -> str:
        self._writable()
        with self._lock:
            letter = self.letter_doc(ref)
            if letter.version != expected:
                raise EditConflict(
                    f"{letter.path.name} was changed by someone else since you last saw it",
                    current=letter.version,
                    hint="look at the current version and make your change again",
                )
            letter.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(letter.path, text.replace("\r\n", "\n").encode("utf-8"))
            self.refresh(ref)
            return "Saved the letter."

    def letter_doc(self, ref: IssueRef) -> LetterDoc:
        year = ref.year or ref.now.year
        name = f"{year}-year-end.{ref.language}.md" if ref.language else f"{year}-year-end.md"
        candidates = [
            None if ref.language else self.letter,
            self.root / "letters" / name,
            self.root / "feeds" / "letters" / name,
        ]
        path = next((p for p in candidates if p is not None and p.is_file()), None)
        if path is None:
            path = (None if ref.language else self.letter) or self.root / "letters" / name
            return LetterDoc(path, LETTER_START, edits_version(path), exists=False)
        return LetterDoc(path, path.read_text("utf-8", errors="replace"), edits_version(path), True)

    # -- building --------------------------------------------------------------------------

    def _rebuild(
        self, ref: IssueRef, st: _State, *, fetch: bool = False, force: bool = False
    ) -> None:
        # The inputs are stamped before the build reads them: a file changed during the
        # build (`digest edit`, an editor's text editor) differs from the stamp, so the
        # next look rebuilds, instead of taking the change as seen.
        version = edits_version(edits_path(self.root, ref.issue_id))
        inputs = self._inputs(ref, version)
        try:
            project = self.load()
            snapshot = self._waiting(lambda: self._build(project, ref, fetch, force))
            st.good = replace(snapshot, version=version)
            st.problem = None
            st.generation += 1  # the state to show changed
        except DigestError as e:
            st.problem = Problem.of(e, self.root)
        st.stamp = (*inputs, self._manifest_stamp(ref))

    def _build(self, project: Project, ref: IssueRef, fetch: bool, force: bool) -> Snapshot:
        if ref.year is not None:
            return self._build_year_end(project, ref)
        result = pipeline.build(
            project,
            ref.now,
            offline=not fetch,
            issue_id=ref.issue_id,
            force=force,
            allow_past_clock=self._past_clock_allowed(fetch),
        )
        return self._snapshot(project, ref, result)

    def _build_year_end(self, project: Project, ref: IssueRef) -> Snapshot:
        from ..annual import build_year_end
        from ..yearend import parse_letter

        assert ref.year is not None
        doc = self.letter_doc(ref)
        parsed = parse_letter(doc.path) if doc.exists else None
        result = build_year_end(
            project,
            ref.now,
            year=ref.year,
            letter=parsed.letter if parsed else None,
            language=ref.language or (parsed.language if parsed else None),
            issue_id=ref.issue_id,
            allow_past_clock=self._past_clock_allowed(fetch=False),
        )
        embargo = parsed.embargo if parsed else None
        return replace(self._snapshot(project, ref, result), letter=doc, embargo=embargo)

    def _past_clock_allowed(self, fetch: bool) -> bool:
        """Building from the store as of an explicit date looks back on purpose; fetching
        with a clock earlier than the store's last fetch needs --force-clock (digest.clock)."""
        return self.force_clock or (not fetch and self.as_of is not None)

    def _snapshot(self, project: Project, ref: IssueRef, result: pipeline.BuildResult) -> Snapshot:
        from ..publish import read_manifest

        edits = pipeline.read_edits(project, ref.issue_id)
        if edits:
            with Store(project.db_path) as store:
                edits = resolve_keys(edits, store.keys_with_prefix)
        folder = project.out_dir / ref.issue_id
        manifest = None
        if (folder / MANIFEST_NAME).is_file():
            manifest = read_manifest(folder / MANIFEST_NAME)
        return Snapshot(
            ref=ref,
            project=project,
            issue=result.issue,
            status=str(result.status),
            new_entries=result.new_entries,
            version="",
            folder=folder if manifest is not None else None,
            manifest=manifest,
            edits=edits,
        )

    def _waiting(self, build: Callable[[], Snapshot]) -> Snapshot:
        """Run `build`, waiting a little while another digest run holds the project."""
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                return build()
            except LockedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)

    def _stamp(self, ref: IssueRef) -> tuple[tuple[str, int, int | str], ...]:
        """What the issue is built from, and its manifest (a build from the command line)."""
        version = edits_version(edits_path(self.root, ref.issue_id))
        return (*self._inputs(ref, version), self._manifest_stamp(ref))

    def _manifest_stamp(self, ref: IssueRef) -> tuple[str, int, int | str]:
        return self._file_stamp(self.root / "out" / ref.issue_id / MANIFEST_NAME)

    def _inputs(self, ref: IssueRef, version: str) -> tuple[tuple[str, int, int | str], ...]:
        """Size and time of every file the issue is built from; for the edits file, its
        `version` (its content: two saves within one tick of the file system's clock can
        share a time)."""
        files = [self.root / "digest.toml", self.root / "feeds" / "feeds.toml"]
        for folder in (self.root / "templates", self.root / "rules"):
            if folder.is_dir():
                files += sorted(p for p in folder.rglob("*") if p.is_file())
        if ref.year is not None:
            files.append(self.letter_doc(ref).path)
        return (
            *(self._file_stamp(path) for path in files),
            ("edits", 0, version),
        )

    @staticmethod
    def _file_stamp(path: Path) -> tuple[str, int, int | str]:
        try:
            st = path.stat()
        except FileNotFoundError:
            return (str(path), 0, -1)
        return (str(path), st.st_mtime_ns, st.st_size)

    def _writable(self) -> None:
        if self.read_only:
            raise DigestError(
                "this desk was opened to look only (digest preview)",
                hint="open it with `digest desk` to make changes",
            )

    # -- the rest of the editors' tools --------------------------------------------------

    def search(self, text: str, limit: int = 30) -> list[Entry]:
        text = " ".join(text.split())[:200]
        if len(text) < 2:
            return []
        project = self.project
        with Store(project.db_path) as store:
            return store.search(text, feed_urls=[f.url for f in project.feeds], limit=limit)

    def files_for(self, snapshot: Snapshot, service: str | None) -> dict[str, bytes]:
        """The issue's files for a mailing service: the built ones for the draft's own
        service, else rendered now, in memory (out/ is left as it is)."""
        own = (snapshot.manifest or {}).get("esp")
        if snapshot.folder is not None and (service is None or service == own):
            return {p.name: p.read_bytes() for p in sorted(snapshot.folder.iterdir())}
        from ..publish import package
        from ..render import render_issue

        issue = replace(snapshot.issue, esp=service or snapshot.issue.esp)
        project = snapshot.project
        check_unsubscribe(project.esp, project.config_path, issue.esp)
        return package(project, issue, render_issue(project, issue)).files

    def send_test(self, snapshot: Snapshot, addresses: list[str]) -> str:
        """The same path and limits as `digest send`: at most five testers, "[TEST]"
        subject, the password from the environment, never an issue without a story."""
        from ..publish import EML_NAME
        from ..send import check_recipients, deliver, test_message

        self._writable()
        if snapshot.folder is None:
            raise DigestError("the issue has not been built yet")
        cleaned = check_recipients(addresses)
        msg = test_message(snapshot.folder / EML_NAME, cleaned)
        project = self.load()
        server = deliver(msg, project.smtp, project.sender_address)
        with Store(project.db_path) as store:
            store.record_send(snapshot.ref.issue_id, self.clock(), len(cleaned), server)
        return f"Sent a test of {snapshot.ref.issue_id} to {', '.join(cleaned)}."
