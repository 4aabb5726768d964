"""Shared fixtures: a throwaway copy of the demo project and a CLI runner."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
DEMO_AS_OF = "2025-12-19"
DEMO_ISSUE = "2025-W51"

# Processes the tests start measure their own coverage, not their helpers' (see there).
_SITE = str(Path(__file__).resolve().parent / "coverage_site")
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_SITE, os.environ.get("PYTHONPATH", "")) if p
)
if _SITE not in sys.path:
    sys.path.append(_SITE)  # for the tests that pass this process's sys.path on


def copy_demo_project(dest: Path) -> Path:
    """The repository root is itself a project: copy its config and sample feeds."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "digest.toml", dest / "digest.toml")
    shutil.copytree(REPO / "feeds", dest / "feeds")
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_demo_project(tmp_path / "project")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def digest(runner: CliRunner):
    """Run `digest ARGS...` in-process; returns the click Result."""
    from digest.cli import cli

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


def need(what: str, why: str) -> None:
    """A tool from outside Python is missing: under CI=true (where .ci/run installs it)
    the test fails, elsewhere it is skipped with the reason."""
    message = f"{what} is not available: {why}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (.ci/run installs it; under CI=true this test must run)")
    pytest.skip(message)


def chromium_path() -> str:
    found = (
        os.environ.get("DIGEST_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not found:
        need("Debian's chromium", "apt-get install chromium")
    assert found
    return found


class Browser:
    """One headless Chromium (Debian's, driven by Playwright) for the whole session, in a
    thread of its own: Playwright's sync API keeps an event loop running in the thread
    that starts it, and digest's fetch stage needs `asyncio.run` in the main thread.
    `run(job)` calls `job(browser)` in that thread and returns its result."""

    def __init__(self, executable: str) -> None:
        import queue
        import threading

        self._jobs: queue.Queue = queue.Queue()
        self._ready: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._serve, args=(executable,), daemon=True)
        self._thread.start()
        error = self._ready.get(timeout=120)
        if error is not None:
            raise error

    def _serve(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=executable,
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                        "--hide-scrollbars",
                    ],
                )
                self._ready.put(None)
                while (item := self._jobs.get()) is not None:
                    job, answer = item
                    try:
                        answer.put((True, job(browser)))
                    except BaseException as e:  # handed back to the test thread
                        answer.put((False, e))
                browser.close()
        except BaseException as e:
            self._ready.put(e)

    def run(self, job):
        import queue

        answer: queue.Queue = queue.Queue()
        self._jobs.put((job, answer))
        ok, value = answer.get(timeout=600)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=60)


@pytest.fixture(scope="session")
def browser():
    """The session's Chromium (see Browser). Never `playwright install`: that would
    download a browser build; Debian's chromium is used as it is."""
    executable = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        need("Playwright for Python", "pip install -e '.[test]'")
    shared = Browser(executable)
    yield shared
    shared.close()


def offline_page(browser, width: int, scheme: str = "light"):
    """A page of `width` CSS pixels in light or dark mode that may load local files only
    (remote images are refused, as in a mail client that blocks them). Call it inside a
    Browser.run job."""
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    return page


# The longest files first (measured with --durations): `make test` hands whole files to its
# two workers in collection order, and a long file handed out last keeps one worker busy
# while the other has nothing left to do. (`--no-loadscope-reorder` in the Makefile:
# pytest-xdist otherwise hands out the files with the most tests first, and
# test_crash.py, four tests and the longest file but one, went last.)
_LONG_FIRST = (
    "test_fetch_hostile.py",
    "test_crash.py",
    "test_desk.py",
    "test_email_checks.py",
    "test_faults.py",
    "test_desk_security.py",
    "test_browser.py",
    "test_fuzz.py",
    "test_orphans.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(_LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable within files
