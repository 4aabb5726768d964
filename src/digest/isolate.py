"""Parse feeds in worker processes, each document under a memory and CPU-time limit.

feedparser is pure Python on attacker-controlled input: it has raised on mutated feeds and
expanded entities to gigabytes. Running it in workers keeps a hostile document from taking
the run down, and uses every core. Each worker caps its address space (RLIMIT_AS) and
raises its CPU limit (RLIMIT_CPU) for each document; a document that still hangs or kills
its worker is found by re-running the unfinished ones one at a time, and only that feed
fails. The pool is started lazily: a run where every feed is "not modified" never pays
for it.

No worker outlives the run, however it ends. Each worker exits the moment digest's end of
a pipe closes (which the kernel does even on SIGKILL), and is killed by the kernel if the
forkserver dies (``PR_SET_PDEATHSIG``); the forkserver then exits too, its last client
gone. Workers do not hold the caller's stdout and stderr (cron and CI wait for those to
close). On SIGTERM the pool kills its workers before digest dies of the signal; on Ctrl-C
or any error the pool is killed rather than drained.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from types import FrameType
from typing import Any, TypeVar

from .errors import ParseError
from .models import ErrorKind, Fetched, ParsedFeed

Outcome = ParsedFeed | ParseError
_T = TypeVar("_T")


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 1024 * 1024 * 1024  # address space per worker
    cpu_seconds: int = 30  # CPU time per document
    workers: int = 0  # 0: one per core


class _CpuExceeded(BaseException):
    """Not an Exception: the parser's own `except Exception` (one broken entry must not
    sink a feed) must not swallow the end of the document's CPU time."""


def _on_sigxcpu(signum: int, frame: FrameType | None) -> None:
    raise _CpuExceeded


_PR_SET_PDEATHSIG = 1


def _die_with_the_run() -> None:
    """End this worker the moment digest ends, however it ends (even SIGKILL).

    The worker's parent is the forkserver, and the forkserver only exits once every
    process holding its "alive" pipe is gone, workers included: so each worker watches
    digest itself, through the sentinel pipe multiprocessing gives it (readable once
    digest has died), and the kernel also kills it should the forkserver die first."""
    import ctypes  # here: only workers need it, and the fetch path starts without it

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    sentinel = getattr(multiprocessing.parent_process(), "sentinel", None)
    if sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="digest-run-watch", daemon=True).start()


def _release_stdio() -> None:
    """Point stdout and stderr at /dev/null: a worker must not keep the caller's pipes
    open (results and errors come back through the pool, never through stdio)."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)


def _init_worker(memory_bytes: int) -> None:
    _die_with_the_run()
    _release_stdio()
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGXCPU, _on_sigxcpu)
    with contextlib.suppress(OSError):
        os.nice(5)  # parsing yields the CPU to the process doing network I/O
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _parse_task(fetched: Fetched, now: datetime, cpu_seconds: int) -> tuple[Any, ...]:
    """Runs in a worker. Returns plain tuples: our exceptions do not pickle."""
    from .parse import parse_feed

    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (int(used) + cpu_seconds + 1, hard))
    try:
        try:
            return ("ok", parse_feed(fetched, now=now))
        finally:  # no second SIGXCPU while the result is sent back (or the next waits)
            with contextlib.suppress(ValueError, OSError):
                _, hard = resource.getrlimit(resource.RLIMIT_CPU)
                resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    except ParseError as e:
        return ("error", e.kind, e.reason, e.hint)
    except _CpuExceeded:
        return ("error", ErrorKind.PARSER, f"parsing took more than {cpu_seconds} s of CPU", None)
    except MemoryError:
        return (
            "error",
            ErrorKind.PARSER,
            "parsing ran out of memory (the document is too complex)",
            None,
        )
    except RecursionError:
        return ("error", ErrorKind.PARSER, "the document is nested too deeply", None)


def _outcome(url: str, raw: tuple[Any, ...]) -> Outcome:
    if raw[0] == "ok":
        parsed: ParsedFeed = raw[1]
        return parsed
    _, kind, reason, hint = raw
    return ParseError(url, reason, kind=ErrorKind(kind), hint=hint)


class ParserPool:
    """Submit fetched documents as they arrive; take outcomes as they finish.

    Starting a forkserver pool blocks for a few hundred milliseconds (a new interpreter
    imports the parser), and so does the first `submit`. A dedicated thread does both, so
    the caller (the fetch event loop) never stalls: `submit` only queues. Finished jobs are
    announced through a queue by the futures' callbacks, so the caller can drain them with
    `ready()` while fetching goes on, and nothing piles up in memory."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._executor: ProcessPoolExecutor | None = None
        self._incoming: queue.SimpleQueue[tuple[Fetched, datetime] | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[str, Future[tuple[Any, ...]]]] = queue.SimpleQueue()
        self._jobs: dict[str, tuple[Fetched, datetime]] = {}  # until finished, for re-runs
        self._submitted: list[str] = []  # append-only, by the submitter thread
        self._finished: set[str] = set()
        self._broken: set[str] = set()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._live: set[ProcessPoolExecutor] = set()  # every pool started, until ended
        self._previous_sigterm: Any = None

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:  # Ctrl-C or an error: do not wait for documents still being parsed
            self._stop_submitter()
            self._kill_all()
        self._restore_sigterm()

    def _pool(self, workers: int | None = None) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["digest.parse"])
        executor = ProcessPoolExecutor(
            max_workers=workers or self.limits.workers or os.cpu_count() or 2,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.limits.memory_bytes,),
        )
        self._live.add(executor)
        return executor

    def start(self) -> None:
        """Start the workers in the background now (call it when documents are certain to
        come), so their start-up overlaps the first network round trips."""
        self._catch_sigterm()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._submitter, name="digest-parsers", daemon=True
            )
            self._thread.start()

    def submit(self, fetched: Fetched, now: datetime) -> None:
        self.start()
        self._incoming.put((fetched, now))

    def _submitter(self) -> None:
        try:
            self._executor = self._pool()
            for _ in range(self.limits.workers or os.cpu_count() or 2):
                self._executor.submit(os.getpid)  # spawn every worker up front
            while (item := self._incoming.get()) is not None:
                fetched, now = item
                url = fetched.source.url
                self._jobs[url] = (fetched, now)
                self._submitted.append(url)
                future = self._executor.submit(_parse_task, fetched, now, self.limits.cpu_seconds)
                future.add_done_callback(partial(self._announce, url))
        except BaseException as e:  # re-raised by collect() in the caller's thread
            self._failure = e

    def _announce(self, url: str, future: Future[tuple[Any, ...]]) -> None:
        self._done.put((url, future))  # runs in the executor's thread: only queue it

    def _settle(self, url: str, future: Future[tuple[Any, ...]]) -> Outcome | None:
        try:
            outcome = _outcome(url, future.result())
        except BrokenProcessPool:
            self._broken.add(url)  # re-run alone later to find the culprit
            return None
        except (Exception, _CpuExceeded) as e:  # sending the result back failed
            outcome = ParseError(
                url,
                f"the parser failed on this document ({type(e).__name__})",
                kind=ErrorKind.PARSER,
                hint="the feed is probably malformed or far too large; tell its publisher",
            )
        self._finished.add(url)
        self._jobs.pop(url, None)  # drop the document body as soon as it is parsed
        return outcome

    def ready(self) -> Iterator[tuple[str, Outcome]]:
        """Outcomes finished so far, without waiting."""
        while True:
            try:
                url, future = self._done.get_nowait()
            except queue.Empty:
                return
            outcome = self._settle(url, future)
            if outcome is not None:
                yield url, outcome

    def collect(self) -> Iterator[tuple[str, Outcome]]:
        """Every remaining outcome, waiting for them. Documents that hang or crash their
        worker are re-run one at a time at the end to find the culprit."""
        if self._thread is not None:
            self._incoming.put(None)
            self._thread.join()
            self._thread = None
        if self._failure is not None:
            raise self._failure
        stall = self.limits.cpu_seconds * 2 + 5
        while len(self._finished) + len(self._broken) < len(self._submitted):
            try:
                url, future = _patiently(lambda t: self._done.get(timeout=t), stall, queue.Empty)
            except queue.Empty:  # nothing finished for a long time: a worker is stuck
                break
            outcome = self._settle(url, future)
            if outcome is not None:
                yield url, outcome
        unfinished = [url for url in self._submitted if url not in self._finished]
        if unfinished:
            self._kill()
            for url in unfinished:
                yield url, self._run_alone(url)
        self._jobs.clear()

    def _run_alone(self, url: str) -> Outcome:
        fetched, now = self._jobs[url]
        executor = self._pool(workers=1)
        try:
            future = executor.submit(_parse_task, fetched, now, self.limits.cpu_seconds)
            raw = _patiently(future.result, self.limits.cpu_seconds * 2 + 5, TimeoutError)
            return _outcome(url, raw)
        except (BrokenProcessPool, TimeoutError):
            return ParseError(
                url,
                "the parser crashed or hung on this document",
                kind=ErrorKind.PARSER,
                hint="the feed is probably malformed; tell its publisher",
            )
        finally:
            self._terminate(executor)

    def _kill(self) -> None:
        if self._executor is not None:
            self._terminate(self._executor)
            self._executor = None

    def _kill_all(self) -> None:
        for executor in list(self._live):
            self._terminate(executor)
        self._executor = None

    def _stop_submitter(self) -> None:
        if self._thread is not None:
            self._incoming.put(None)
            self._thread.join()
            self._thread = None

    def close(self) -> None:
        self._stop_submitter()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._live.discard(self._executor)
            self._executor = None
        self._restore_sigterm()

    def _terminate(self, executor: ProcessPoolExecutor) -> None:
        processes = dict(getattr(executor, "_processes", None) or {})
        manager = getattr(executor, "_executor_manager_thread", None)  # (shutdown drops it)
        for process in processes.values():
            with contextlib.suppress(Exception):
                process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        self._live.discard(executor)
        if manager is not None:
            _forget_manager(manager)

    # -- SIGTERM: kill the workers, then die of the signal as before --------------------

    def _catch_sigterm(self) -> None:
        if self._previous_sigterm is not None:
            return
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set handlers; PDEATHSIG still holds
        if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
            return  # whoever ignores SIGTERM keeps ignoring it
        self._previous_sigterm = signal.signal(signal.SIGTERM, self._on_sigterm)

    def _restore_sigterm(self) -> None:
        if self._previous_sigterm is not None:
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        previous = self._previous_sigterm
        self._kill_all()
        self._restore_sigterm()
        if callable(previous):
            previous(signum, frame)
        else:
            os.kill(os.getpid(), signum)  # the default action: end as an unhandled SIGTERM


# The longest the caller's thread blocks at a time. A signal (Ctrl-C, SIGTERM) may be
# received by any thread of the process, and Python runs its handler in the main thread
# only when that thread next runs: a main thread blocked for minutes on a queue left
# `digest fetch` deaf to Ctrl-C until a document finished parsing (seen in CI).
_SLICE = 0.2


def _patiently(wait: Callable[[float], _T], timeout: float, expired: type[Exception]) -> _T:
    """`wait(timeout)` (which raises `expired` when its time is up), asked in slices of
    _SLICE so that signal handlers run in between."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return wait(max(0.0, min(_SLICE, deadline - time.monotonic())))
        except expired:
            if time.monotonic() >= deadline:
                raise


def _forget_manager(manager: threading.Thread) -> None:
    """Let a pool's manager thread end (its workers are dead) before the interpreter
    does: on Python 3.11 the exit hook of concurrent.futures wakes it through a pipe the
    thread may be closing at that moment, and prints an "OSError: Bad file descriptor"
    traceback (a race discussed in python/cpython pull request 6084). If it is still
    running, the hook is told to leave it."""
    from concurrent.futures import process as futures_process

    manager.join(timeout=1.0)
    if manager.is_alive():
        with contextlib.suppress(Exception):
            futures_process._threads_wakeups.pop(manager, None)
