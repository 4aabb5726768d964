"""Start `digest desk` as a real server process on 127.0.0.1 with an ephemeral port, and
drive it: over HTTP with httpx, or in real Chromium with Playwright."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import DEMO_AS_OF


@dataclass
class Running:
    url: str
    process: subprocess.Popen[str]
    project: Path


@contextmanager
def desk(
    project: Path, *args: str, env: dict[str, str] | None = None, as_of: str | None = DEMO_AS_OF
) -> Iterator[Running]:
    """`digest desk` on port 0; yields once it listens (its JSON line names the URL)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    environ.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "desk", "-p", str(project),
         *(["--as-of", as_of] if as_of else []),
         "--port", "0", "--json", "--no-open", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the desk did not start: {proc.communicate(timeout=10)[1]}")
        yield Running(json.loads(line)["url"], proc, project)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def chromium() -> str:
    """Debian's chromium; under CI=true a missing browser fails instead of skipping."""
    found = os.environ.get("DIGEST_CHROMIUM") or shutil.which("chromium")
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required under CI=true (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed")
    return found
