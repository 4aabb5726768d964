"""No child process outlives `digest fetch` (issue 10).

`digest fetch` runs as a real process against feeds on loopback that take many seconds to
parse, and is killed while its parser workers are busy, with SIGTERM, SIGINT and SIGKILL.
Then no process of its process group, and none of the descendants it had, may survive,
and its stdout and stderr pipes must close (cron and CI wait for that EOF). Found by
scanning /proc; the bounds below are hang guards, not timings, and nothing sleeps: the
test blocks on the processes themselves (pidfds, tests/waiting.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .feeds import entry, fetch_project, rss
from .server import FeedServer, Reply
from .waiting import wait_any

SLOW_ENTRIES = 40_000  # tens of seconds of parsing per document on these machines
GONE_WITHIN = 10.0  # hang guard: orphans used to parse on for minutes
# hang guard: digest answers a signal at once; it used to wait for a document's parse to
# end (about 28 s here when idle, over 60 s in a loaded CI run) when another thread got it
ANSWERS_WITHIN = 20.0


def _stat(pid: int) -> tuple[int, int, str, float] | None:
    """(ppid, pgrp, state, cpu seconds) of a process, None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), int(fields[2]), fields[0], (int(fields[11]) + int(fields[12])) / ticks


def _processes() -> dict[int, tuple[int, int, str, float]]:
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (stat := _stat(int(name))) is not None:
            found[int(name)] = stat
    return found


def _descendants(root: int) -> set[int]:
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (ppid, *_) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _alive(pids: set[int], group: int) -> set[int]:
    """Live (not zombie) processes among `pids` or in process group `group`."""
    return {
        pid
        for pid, (_, pgrp, state, _) in _processes().items()
        if state != "Z" and (pid in pids or pgrp == group)
    }


def _drain(stream, sink: list[bytes]) -> threading.Thread:
    thread = threading.Thread(target=lambda: sink.append(stream.read()), daemon=True)
    thread.start()
    return thread


def _signal_a_thread(pid: int, signum: int) -> int:
    """Send `signum` to digest the way the kernel may deliver it: to any of its threads.
    Python runs handlers in the main thread only, and a main thread blocked on a queue
    for minutes did not notice a Ctrl-C that another thread received (seen in CI, where
    the kernel chooses the thread). So the signal goes to a thread other than the main
    one, the newest (SIGKILL ends the whole process whichever thread it is sent to).
    Returns that thread's id (the process's own when it has no other thread)."""
    threads = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != pid)
    libc = ctypes.CDLL(None, use_errno=True)
    if not threads or not hasattr(libc, "tgkill"):
        os.kill(pid, signum)
        return pid
    if libc.tgkill(pid, threads[-1], signum) != 0:
        raise OSError(ctypes.get_errno(), "tgkill failed")
    return threads[-1]


@contextlib.contextmanager
def _ctrl_c_not_ignored() -> Iterator[None]:
    """Start processes with Ctrl-C at its default, whatever this one inherited. A shell
    starts a background job (`make test &`) ignoring SIGINT, every process started from
    it inherits that, and digest, as any program, then keeps ignoring Ctrl-C: the SIGINT
    case failed in every such run. A handled signal is reset to its default by exec."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _masks(pid: int) -> str:
    """The signal masks of a process and of each of its threads (hexadecimal, /proc), and
    of this test's own thread: what a signal that went unanswered met."""
    lines = []
    for task in sorted(os.listdir(f"/proc/{pid}/task")):
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/task/{task}/status").read_text()
            keep = ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
            fields = [ln.replace("\t", "") for ln in status.splitlines() if ln.startswith(keep)]
            lines.append(f"{task}: {' '.join(fields)}")
    mine = sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))
    return f"{lines}; the test blocks {mine}, its SIGINT handler {signal.getsignal(signal.SIGINT)}"


def _answer(proc: subprocess.Popen[bytes], signum: int) -> bool:
    """Signal a thread of `proc`; True once it has ended, False if it still runs after
    ANSWERS_WITHIN. A thread that ends as it is signalled takes the signal with it (glibc
    blocks signals in an exiting thread; the kernel never gives a process's signal to such
    a thread): then another thread is signalled."""
    until = time.monotonic() + ANSWERS_WITHIN
    for _ in range(3):
        thread = _signal_a_thread(proc.pid, signum)
        while time.monotonic() < until:
            try:
                proc.wait(timeout=min(1.0, until - time.monotonic()))
                return True
            except subprocess.TimeoutExpired:
                if not os.path.exists(f"/proc/{proc.pid}/task/{thread}"):
                    break  # the thread ended: signal another
    return proc.poll() is not None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_no_child_process_outlives_digest(tmp_path: Path, signum: int) -> None:
    slow = rss([entry(i) for i in range(SLOW_ENTRIES)])
    with FeedServer() as server:
        for i in range(3):
            server.route(f"/slow{i}.xml", Reply(200, slow))
        project = fetch_project(
            tmp_path / "p",
            ((f"Slow {i}", server.url(f"/slow{i}.xml")) for i in range(3)),
            "max_bytes = 50000000\nparse_seconds = 600\n",
        )
        with _ctrl_c_not_ignored():
            proc = subprocess.Popen(
                [sys.executable, "-m", "digest", "fetch", "-p", str(project), "-q"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, to find every descendant
                env={
                    **os.environ,
                    "PYTHONPATH": os.pathsep.join(sys.path),
                    "PYTHONFAULTHANDLER": "1",
                },
            )
        try:
            for _ in range(1200):  # until a parser worker is busy (hang guard: 120 s)
                family = _descendants(proc.pid)
                if any((s := _stat(p)) and s[3] > 1.0 for p in family):
                    break
                try:  # a tenth of a second for the workers to get going; digest must not end
                    proc.wait(timeout=0.1)
                except subprocess.TimeoutExpired:
                    continue
                pytest.fail(proc.stderr.read().decode() if proc.stderr else "digest ended")
            else:
                pytest.fail("the workers never started parsing")
            family = _descendants(proc.pid)
            assert family, "parsing runs in child processes"
            output: list[bytes] = []
            readers = [_drain(proc.stdout, output), _drain(proc.stderr, output)]
            if not _answer(proc, signum):  # say where digest is stuck
                masks = _masks(proc.pid)
                os.kill(proc.pid, signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack
                proc.wait(timeout=30)
                for reader in readers:
                    reader.join(GONE_WITHIN)
                pytest.fail(
                    f"digest still ran {ANSWERS_WITHIN:g} s after {signal.Signals(signum).name}"
                    f"; its signal masks: {masks}; its stacks:\n"
                    + b"".join(output).decode(errors="replace")
                )
            until = time.monotonic() + GONE_WITHIN
            while (left := _alive(family, proc.pid)) and time.monotonic() < until:
                wait_any(left, until - time.monotonic())  # returns as soon as one exits
            assert not left, f"processes outlived digest after {signal.Signals(signum).name}"
            for reader in readers:
                reader.join(GONE_WITHIN)
                assert not reader.is_alive(), "a child still holds digest's stdout or stderr"
            assert b"Traceback" not in b"".join(output), b"".join(output).decode()
        finally:
            for pid in _alive(_descendants(proc.pid) | {proc.pid}, proc.pid):
                os.kill(pid, signal.SIGKILL)
            proc.wait(timeout=60)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


def test_a_killed_pool_leaves_nothing_for_the_exit_hook_to_race() -> None:
    """Killing the workers on Ctrl-C left the pool's manager thread to the interpreter's
    exit hook, which could write to a pipe the thread was closing and print a traceback
    ("OSError: Bad file descriptor", seen once in a full run of the test above)."""
    from concurrent.futures import process

    from digest.isolate import ParserPool

    pool = ParserPool()
    executor = pool._pool(workers=1)
    job = executor.submit(signal.pause)  # busy until killed
    manager = executor._executor_manager_thread  # type: ignore[attr-defined]
    assert manager is not None and manager.is_alive() and not job.done()
    pool._kill_all()
    assert not manager.is_alive() or manager not in process._threads_wakeups  # type: ignore[attr-defined]
