"""One run at a time per project: a non-blocking lock on a dedicated lock file.

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
