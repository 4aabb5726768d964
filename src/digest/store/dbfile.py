"""The SQLite file under the store: opening it, and saying what to do when SQLite fails.

Every ``sqlite3`` error becomes a :class:`~digest.errors.StoreError` whose hint protects the
history instead of throwing it away:

    disk full            free space; the store is intact
    busy or locked       another run (or a tool holding it open): wait, then run again
    read-only, no access permissions, owner, a read-only mount; read-only commands still work
    damaged              `digest store check`, then `digest store recover` (copies what is
                         readable into a new file beside the old one, which is kept)

Read-only opening (``mode=ro``, then ``immutable=1`` when the folder cannot hold SQLite's
shared-memory index) lets `digest rank`, `digest issues` and `digest feeds list` read a project
they may not write.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar
from urllib.parse import quote

from ..errors import StoreError

log = logging.getLogger(__name__)

# Primary result codes (https://sqlite.org/rescode.html)
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = (
    3,
    5,
    6,
    8,
    10,
    11,
    13,
    14,
    26,
)
DAMAGED = (_CORRUPT, _NOTADB)
CHECK_HINT = (
    "run `digest store check` to see what is damaged, then `digest store recover` to copy "
    "what is readable into a new file (the damaged file is kept as it is)"
)


def code_of(error: BaseException) -> int:
    """SQLite's primary result code for an error (0 when unknown)."""
    return int(getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def folder_error(path: Path) -> StoreError | None:
    """The error for a folder where the store file goes (the settings name a folder)."""
    if not path.is_dir():
        return None
    return StoreError(
        f"{path} is a folder, not a store file",
        hint="set [store] path in digest.toml to a file name, or move that folder away",
    )


def store_error(error: sqlite3.Error | OSError, path: Path, doing: str = "") -> StoreError:
    """The StoreError for a failed SQLite call on `path`: what happened and what to do."""
    what = f" while {doing}" if doing else ""
    folder = folder_error(path)
    if folder is not None:
        return folder
    if isinstance(error, OSError):
        return StoreError(
            f"{path}: cannot open the store{what} ({error.strerror or error})",
            hint=f"digest needs to read and write {path.parent}: check its permissions",
        )
    code = code_of(error)
    if code == _IOERR and _nearly_full(path.parent):  # SQLite says "I/O" for a full -shm
        code = _FULL
    if code == _FULL:
        return StoreError(
            f"{path}: the disk is full{what} ({error}); nothing was written to the store",
            hint=f"free some space on the disk that holds {path.parent}, then run digest "
            "again: the store is intact",
        )
    if code in (_BUSY, _LOCKED):
        return StoreError(
            f"{path}: the store is busy{what} ({error})",
            hint="another digest run, or a program such as sqlite3 or DB Browser, is using it: "
            "wait for it to finish (or close it), then run digest again; nothing was changed",
        )
    if code in (_READONLY, _PERM, _CANTOPEN):
        return StoreError(
            f"{path}: cannot write the store{what} ({error})",
            hint=f"digest needs write access to {path.name} and to its folder (for the -wal "
            "and -shm files beside it): check permissions, owner, or a read-only mount; "
            "commands that only read (digest rank, issues, feeds list) still work",
        )
    if code in DAMAGED:
        return StoreError(f"{path}: the store is damaged{what} ({error})", hint=CHECK_HINT)
    if code == _IOERR:
        return StoreError(
            f"{path}: disk I/O error{what} ({error}); nothing was written to the store",
            hint="check the disk has free space and is healthy (df, dmesg), then run digest "
            "again; keep the store file as it is",
        )
    return StoreError(f"{path}: SQLite error{what} ({error})", hint=CHECK_HINT)


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False


class _HasPath(Protocol):
    path: Path


S = TypeVar("S", bound=_HasPath)
P = ParamSpec("P")
R = TypeVar("R")


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Turn any sqlite3 error raised by a Store method into a StoreError with advice."""

    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as e:
            raise store_error(e, self.path, "reading") from e  # writes translate their own

    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper


def connect(
    path: Path, *, timeout: float, readonly: bool = False, salvage: bool = False
) -> sqlite3.Connection:
    """Open the store file. Read-only: never creates or changes anything; a WAL database in
    a folder that cannot hold its index is opened as immutable (with a warning when a journal
    left by an interrupted run cannot be applied). `salvage` (read-only, for check and
    recover) also reads a schema SQLite would reject as damaged."""
    if not readonly:
        path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(path, timeout=timeout, isolation_level=None)
    if not path.exists():  # nothing stored yet: an empty store in memory
        return sqlite3.connect(":memory:", isolation_level=None)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    db = _open(uri, timeout, salvage)
    try:
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.Error as e:
        db.close()
        if code_of(e) not in (_READONLY, _CANTOPEN, _PERM):
            if salvage:  # what can be read will be, query by query
                return _open(uri, timeout, salvage)
            raise
    if Path(f"{path}-wal").exists():
        log.warning(
            "%s: read-only, so the journal left by the last run (%s-wal) cannot be applied; "
            "what it holds is not shown",
            path,
            path.name,
        )
    return _open(f"{uri}&immutable=1", timeout, salvage)


def _open(uri: str, timeout: float, salvage: bool) -> sqlite3.Connection:
    db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    if salvage:
        db.execute("PRAGMA writable_schema = ON")  # read-only: nothing can be written
    return db
