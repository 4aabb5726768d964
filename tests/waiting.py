"""Waiting for processes without sleeping: a pidfd (Linux 5.3+) becomes readable when its
process exits, so a test blocks on the event itself; the timeout is only a hang guard."""

from __future__ import annotations

import os
import select
from collections.abc import Iterable


def wait_any(pids: Iterable[int], timeout: float) -> set[int]:
    """Block until one of `pids` has exited, or `timeout` seconds have passed; return the
    ones that have exited (zombies count as exited; empty on timeout)."""
    fds: dict[int, int] = {}
    gone: set[int] = set()
    try:
        for pid in pids:
            try:
                fds[os.pidfd_open(pid)] = pid
            except ProcessLookupError:
                gone.add(pid)
        if fds and not gone:
            ready, _, _ = select.select(list(fds), [], [], max(timeout, 0.0))
            gone.update(fds[fd] for fd in ready)
    finally:
        for fd in fds:
            os.close(fd)
    return gone
