"""Package a rendered issue and write it into ``out/<issue-id>/``: the only writer of out/.

Files are written into a temporary folder beside the target, flushed to disk, then swapped
into place in one atomic ``renameat2(RENAME_EXCHANGE)`` where the kernel offers it (two
renames otherwise), so a reader or a crash sees either the previous issue or the new one.
The manifest is written last. The swap happens inside the store's write transaction and the
previous issue is only deleted once that commits; if the commit fails it is swapped back,
and if the run dies in between, the next run puts it back (:func:`restore_interrupted`).
Everything here is deterministic: no wall clock, no random MIME boundary, no absolute path.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import email.policy
import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from . import __version__, esp
from .budget import transfer_encoding
from .config import Project
from .errors import DigestError, PublishError
from .lint import Report, lint_issue
from .mergetags import BREAK
from .models import FeedReport, Issue, Rendered
from .records import feed_record, item_record

log = logging.getLogger(__name__)

HTML_NAME = "newsletter.html"
TEXT_NAME = "newsletter.txt"
EML_NAME = "newsletter.eml"
MANIFEST_NAME = "manifest.json"
NOTES_NAME = "editor-notes.txt"
MANIFEST_SCHEMA = 1


@dataclass(frozen=True)
class Package:
    files: dict[str, bytes]  # name -> content, manifest last
    lint: dict[str, Any] = field(default_factory=dict)

    @property
    def sizes(self) -> dict[str, int]:
        return {name: len(body) for name, body in self.files.items()}


def header_text(value: str) -> str:
    """Text from feeds, letters or settings fit for a header as it reads: one line (no
    CR/LF), and an RFC 2047 encoded word ("=?utf-8?b?KnxFTUFJTHwq?=") broken by a
    zero-width space, as merge tags are, for the email library decodes it when the header
    is set: a live "*|EMAIL|*", or words the editors never saw, in the Subject."""
    return " ".join(value.split()).replace("=?", f"={BREAK}?")


def build_eml(project: Project, issue: Issue, rendered: Rendered) -> bytes:
    """A multipart/alternative message: text part first, then HTML (RFC 2046 order)."""
    content_hash = hashlib.sha256(
        (rendered.html + "\x00" + rendered.text).encode("utf-8")
    ).hexdigest()
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = header_text(issue.subject)
    msg["From"] = project.sender_address
    if project.reply_to_address:
        msg["Reply-To"] = project.reply_to_address
    msg["Date"] = format_datetime(issue.generated_at)
    msg["Message-ID"] = f"<{issue.issue_id}.{content_hash[:20]}@{project.sender_address.domain}>"
    msg["X-Digest-Issue"] = issue.issue_id
    if rendered.profile.name == "smtp":  # services add these headers themselves
        targets = [t for t in (project.esp.unsubscribe_url, project.esp.unsubscribe_mailto) if t]
        msg["List-Unsubscribe"] = ", ".join(f"<{t}>" for t in targets)
        if project.esp.unsubscribe_url:  # RFC 8058 one-click needs an https URL
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # each part in the shorter of quoted-printable and base64 (Arabic text: base64)
    text_cte, html_cte = (transfer_encoding(part) for part in (rendered.text, rendered.html))
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte=text_cte)
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte=html_cte)
    msg.set_boundary(f"==digest-{content_hash[:32]}==")
    return msg.as_bytes()


def manifest(
    project: Project,
    issue: Issue,
    files: dict[str, bytes],
    rendered_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rendered_meta = rendered_meta or {}
    return {
        "schema": MANIFEST_SCHEMA,
        "digest_version": __version__,
        "issue_id": issue.issue_id,
        "subject": issue.subject,
        "preheader": issue.preheader,
        "generated_at": issue.generated_at.isoformat(timespec="seconds"),
        "window": {
            "start": issue.window_start.isoformat(timespec="seconds"),
            "end": issue.window_end.isoformat(timespec="seconds"),
        },
        "language": issue.language,
        "template": issue.template,
        "esp": rendered_meta.get("esp"),
        "more_stories": rendered_meta.get("more_stories", []),
        "sender": project.sender,
        "sections": [{"id": s.id, "title": s.title, "items": len(s.items)} for s in issue.sections],
        "items": [item_record(c) for c in issue.items],
        "feeds": [feed_record(f) for f in issue.feeds],
        "files": {
            name: {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
            for name, body in files.items()
        },
        "html_bytes": len(files.get(HTML_NAME, b"")),
        "html_sent_bytes": rendered_meta.get("html_sent_bytes"),
        "html_budget": rendered_meta.get("budget"),
        # only when there are any: stored stories left out, tags the editors opted into
        **({"notes": list(issue.notes)} if issue.notes else {}),
        **({"merge_tags": list(issue.merge_tags)} if issue.merge_tags else {}),
    }


def refuse_unsafe(issue_id: str, report: Report) -> None:
    """An issue whose lint report has a blocking finding (script, event handler, unsafe
    link, web font, missing unsubscribe tag...) is never published."""
    blocking = report.blocking
    if not blocking:
        return
    shown = "; ".join(f"{f.where}: {f.message}" for f in blocking[:3])
    more = f" (and {len(blocking) - 3} more)" if len(blocking) > 3 else ""
    raise PublishError(
        f"issue {issue_id} was not published: the email would be unsafe: {shown}{more}",
        hint="feed content is sanitised, so this comes from your templates or digest.toml: "
        "fix it and build again (the previous issue is untouched)",
    )


def package(project: Project, issue: Issue, rendered: Rendered) -> Package:
    """The issue's files, with the lint report of the other three in the manifest."""
    files = {
        HTML_NAME: rendered.html.encode("utf-8"),
        TEXT_NAME: rendered.text.encode("utf-8"),
        EML_NAME: build_eml(project, issue, rendered),
    }
    report = lint_issue(
        files[HTML_NAME],
        files[TEXT_NAME],
        files[EML_NAME],
        profile=rendered.profile,
        settings=project.esp,
        budget=project.html_budget,
        allowed_tags=issue.merge_tags,
    )
    refuse_unsafe(issue.issue_id, report)
    record = manifest(project, issue, files, rendered.meta)
    record["lint"] = report.as_dict()
    attention = [f for f in issue.feeds if f.failures >= project.warn_after_failures]
    record["attention"] = [
        {
            "name": f.name,
            "url": f.url,
            "failures": f.failures,
            "error": f.error,
            "last_success": f.last_success.isoformat(timespec="seconds")
            if f.last_success
            else None,
        }
        for f in attention
    ]
    notes = editor_notes(issue, attention, report)
    if notes:  # for the editors only: never part of the email
        files[NOTES_NAME] = notes.encode("utf-8")
    files[MANIFEST_NAME] = (
        json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    ).encode("utf-8")
    return Package(files, record["lint"])


def editor_notes(issue: Issue, attention: list[FeedReport], report: Any) -> str:
    """Things the editors should know before sending; empty when there are none."""
    lines = []
    for f in attention:
        since = (
            f" (last success {f.last_success:%Y-%m-%d})"
            if f.last_success
            else " (never fetched successfully)"
        )
        lines.append(
            f"- Feed {f.name} has failed {f.failures} runs in a row{since}: "
            f"{f.error or 'unknown error'}\n  {f.url}"
        )
    for finding in report.findings:
        lines.append(f"- lint {finding.level}: {finding.message} ({finding.where})")
    lines.extend(f"- {note}" for note in issue.notes)
    if not lines:
        return ""
    return (
        f"Notes for the editors of issue {issue.issue_id} (not part of the email)\n\n"
        + "\n".join(lines)
        + "\n"
    )


def write_issue(out_root: Path, issue_id: str, pkg: Package) -> Path:
    """Write the package into out_root/issue_id atomically; return the folder."""
    staged = stage_issue(out_root, issue_id, pkg)
    try:
        staged.swap()
    except BaseException:
        staged.undo()
        raise
    staged.finish()
    return staged.target


def stage_issue(out_root: Path, issue_id: str, pkg: Package) -> Staged:
    """Write the issue's files into a temporary folder beside out_root/issue_id (flushed to
    disk, manifest last). Nothing visible changes until :meth:`Staged.swap`."""
    tmp = out_root / f".tmp-{issue_id}-{os.getpid()}"
    if out_root.is_symlink() and not out_root.exists():
        raise PublishError(f"{out_root} is a broken link", hint="point it at a folder or remove it")
    if out_root.exists() and not out_root.is_dir():
        raise PublishError(f"{out_root} is a file, not a folder", hint="move the file away")
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        for leftover in _leftovers(out_root, issue_id, ".tmp"):  # a run killed while staging
            shutil.rmtree(leftover, ignore_errors=True)
        tmp.mkdir()
        for name, body in pkg.files.items():  # manifest is last in the dict
            _write_file(tmp / name, body)
        _fsync_dir(tmp)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _publish_error(out_root / issue_id, e) from e
    return Staged(out_root, issue_id, tmp)


@dataclass
class Staged:
    """An issue written beside its folder, swapped in by :meth:`swap` (inside the store's
    write transaction), then either kept (:meth:`finish`, after the commit) or taken back
    (:meth:`undo`, when the commit failed): exit 1 never leaves a replaced issue behind."""

    out_root: Path
    issue_id: str
    tmp: Path
    aside: Path | None = None  # where the previous issue waits until finish()
    swapped: bool = False

    @property
    def target(self) -> Path:
        return self.out_root / self.issue_id

    def swap(self) -> None:
        target = self.target
        try:
            if not target.exists():
                os.rename(self.tmp, target)
            elif _exchange(self.tmp, target):
                self.aside = self.tmp  # the previous issue now sits in the temporary folder
            else:
                self.aside = self.out_root / f".old-{self.issue_id}-{os.getpid()}"
                os.rename(target, self.aside)
                os.rename(self.tmp, target)
            self.swapped = True
            _fsync_dir(self.out_root)
        except OSError as e:
            raise _publish_error(target, e) from e

    def undo(self) -> None:
        """Put the previous issue back (or remove a first one); never raises."""
        target = self.target
        try:
            if self.swapped and self.aside is None:
                os.rename(target, self.tmp)  # there was no previous issue
            elif self.swapped and self.aside == self.tmp:
                if not _exchange(self.tmp, target):
                    raise OSError("cannot swap the previous issue back")
            elif self.swapped and self.aside is not None:
                os.rename(target, self.tmp)
                os.rename(self.aside, target)
            self.swapped = False
            _fsync_dir(self.out_root)
        except OSError:
            log.error("could not put the previous issue back in %s", target, exc_info=True)
            return
        shutil.rmtree(self.tmp, ignore_errors=True)

    def finish(self) -> None:
        aside = self.aside or self.tmp
        if aside.is_dir() and not aside.is_symlink():
            shutil.rmtree(aside, ignore_errors=True)
        else:  # what stood where the issue goes was a file
            aside.unlink(missing_ok=True)


def restore_interrupted(out_root: Path, issue_id: str, recorded: str | None) -> None:
    """Clean up after a run that died while publishing. `recorded` is the sha-256 of the
    manifest.json the store knows for this issue: a folder left aside that holds it (a run
    killed between swapping the folder in and committing) goes back in place; so does an
    issue caught between two renames. Every other leftover is removed."""
    target = out_root / issue_id
    leftovers = _leftovers(out_root, issue_id, ".tmp") + _leftovers(out_root, issue_id, ".old")
    current = manifest_sha(target)
    for leftover in leftovers:
        held = manifest_sha(leftover)
        wanted = held is not None and held == recorded and current != recorded
        orphan = not target.exists() and held is not None and leftover.name.startswith(".old-")
        try:
            if wanted and target.exists():
                if not _exchange(leftover, target):
                    os.rename(target, out_root / f".tmp-{issue_id}-restore")
                    os.rename(leftover, target)
                    leftover = out_root / f".tmp-{issue_id}-restore"
                current = held
            elif wanted or orphan:
                os.rename(leftover, target)
                current = held
                continue
        except OSError as e:
            raise _publish_error(target, e) from e
        shutil.rmtree(leftover, ignore_errors=True)


def _leftovers(out_root: Path, issue_id: str, prefix: str) -> list[Path]:
    """This issue's leftover folders of one kind (`.tmp-<issue>-<pid>`, `.tmp-<issue>-restore`),
    never another issue's: `.tmp-2025-W51-ar-123` belongs to 2025-W51-ar, not 2025-W51."""
    exact = re.compile(rf"{re.escape(prefix)}-{re.escape(issue_id)}-(?:\d+|restore)")
    return sorted(p for p in out_root.glob(f"{prefix}-*") if exact.fullmatch(p.name))


def manifest_sha(folder: Path) -> str | None:
    try:
        return hashlib.sha256((folder / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        return None


def _publish_error(target: Path, e: OSError) -> PublishError:
    return PublishError(
        f"could not write {target}: {e.strerror or e}",
        hint="check the folder is writable and the disk has space; the previous issue is untouched",
    )


def _write_file(path: Path, body: bytes) -> None:
    with open(path, "wb") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when unsupported."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: fall back to two renames
        return False
    raise OSError(err, os.strerror(err))


def lint_built(target: Path, service: str | None, budget: int) -> tuple[Report, str]:
    """`digest lint`: check a built issue (its folder, or an HTML file in it) for a mailing
    service (`service`, else the manifest's, else none). Returns the report and the
    service checked for."""
    folder = target if target.is_dir() else target.parent
    html_path = target if target.is_file() else folder / HTML_NAME
    record: dict[str, object] = {}
    if (folder / MANIFEST_NAME).exists():
        record = read_manifest(folder / MANIFEST_NAME)
    name = service or str(record.get("esp") or "none")
    settings = esp.EspSettings(name=name)
    if name == "smtp":  # the .eml's header names the real unsubscribe target
        settings = _smtp_settings(folder / EML_NAME)
    tags = record.get("merge_tags")
    report = lint_issue(
        _read(html_path),
        _read(folder / TEXT_NAME),
        _read(folder / EML_NAME) if target.is_dir() else None,
        profile=esp.profile(name, str(record.get("language") or "en")),
        settings=settings,
        budget=budget,
        allowed_tags=[str(t) for t in tags] if isinstance(tags, list) else [],
    )
    return report, name


def read_manifest(path: Path, hint: str = "rebuild the issue: `digest build`") -> dict[str, Any]:
    """A built issue's manifest.json as a dict, or a DigestError naming the file: an issue
    folder may come from elsewhere or be damaged (not JSON, not an object, or nested past
    Python's recursion limit)."""
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError) as e:
        problem = "JSON nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise DigestError(f"{path}: unreadable manifest ({problem})", hint=hint) from None
    if not isinstance(manifest, dict):
        raise DigestError(f"{path}: unreadable manifest (not a JSON object)", hint=hint)
    return manifest


def built_service(folder: Path) -> str:
    """The mailing service a built issue was made for ("none" when unknown)."""
    try:
        return str(read_manifest(folder / MANIFEST_NAME).get("esp") or "none")
    except DigestError:
        return "none"


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _smtp_settings(eml: Path) -> esp.EspSettings:
    if not eml.exists():
        return esp.EspSettings(name="smtp")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    targets = [t.strip(" <>") for t in str(msg["List-Unsubscribe"] or "").split(",")]
    url = next((t for t in targets if t.startswith("https://")), None)
    mailto = next((t for t in targets if t.startswith("mailto:")), None)
    return esp.EspSettings("smtp", url, mailto)
