"""One run at a time per project: a non-blocking lock on a dedicated lock file; and the
two helpers of the editors' writers (a blocking lock between them, an atomic write).

Never the SQLite file itself (locking it would fight SQLite's own locking). The lock is
held by the open file description, so it disappears with the process, even after
SIGKILL: a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DigestError, LockedError

LOCK_NAME = ".digest.lock"


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise DigestError(
            f"cannot create the lock file {path} ({e.strerror or e})",
            hint="fetching and building write to the project folder: check its permissions "
            "(or a read-only mount); read-only commands (digest rank, issues, feeds list) "
            "still work",
        ) from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another run"
            raise LockedError(
                f"another digest run is working on this project (pid {holder})",
                hint=f"wait for it to finish; the lock is {path}",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, fsync, rename over it, fsync the folder: a crash leaves
    the old file or the new one, never half of either."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextmanager
def file_lock(lock_path: Path) -> Iterator[None]:
    """Serialise the writers of one file (a blocking lock on `lock_path`)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
