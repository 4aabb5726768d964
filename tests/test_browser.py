"""The issues in real headless Chromium at phone (375 px) and desktop (600 px) widths: no
horizontal scroll, columns stack, images inside the viewport. Screenshots are saved in
tests/artifacts/ for a person to look at.

Headless Chromium will not make its window narrower than 500 px, so each issue is framed
in an iframe of the wanted width and measured from inside (same-origin file:// pages).
Needs Debian's `chromium`; .ci/run installs it, and under CI=true a missing browser fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import DEMO_AS_OF, DEMO_ISSUE
from .test_email import MANY, SMALL, WORLD, _fixture

ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--allow-file-access-from-files",
    "--disable-quic",
]
PROBE = """<!doctype html><html><body style="margin:0">
<iframe id="f" src="{src}" style="width:{width}px;height:2600px;border:0;display:block"></iframe>
<pre id="result">pending</pre>
<script>
document.getElementById("f").addEventListener("load", () => {{
  const d = document.getElementById("f").contentDocument;
  const rects = [...d.images].map(i => i.getBoundingClientRect());
  const cols = [...d.querySelectorAll('[class*="mj-column-per"]')].map(
    c => Math.round(c.getBoundingClientRect().width));
  document.getElementById("result").textContent = JSON.stringify({{
    scrollWidth: d.documentElement.scrollWidth,
    viewport: d.documentElement.clientWidth,
    imageRight: Math.max(0, ...rects.map(r => Math.ceil(r.right))),
    columns: cols,
  }});
}});
</script></body></html>"""


def _chromium() -> str:
    found = (
        os.environ.get("DIGEST_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required under CI=true (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed")
    return found


def _run(args: list[str], tmp: Path) -> str:
    profile = tmp / "chromium-profile"
    profile.mkdir(exist_ok=True)
    proc = subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
    )
    return proc.stdout


def _measure(issue: Path, width: int, tmp: Path) -> dict:
    probe = issue / f"probe-{width}.html"
    probe.write_text(PROBE.format(src="newsletter.html", width=width))
    dom = _run(
        ["--window-size=800,2700", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()], tmp
    )
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert found and found.group(1) != "pending", dom[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


def _screenshot(issue: Path, width: int, name: str, tmp: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    probe = issue / f"probe-{width}.html"
    window = max(width, 500)
    _run(
        [
            f"--window-size={window},2600",
            "--virtual-time-budget=10000",
            f"--screenshot={ARTIFACTS / f'{name}-{width}.png'}",
            probe.as_uri(),
        ],
        tmp,
    )


def _issues(digest, project: Path, tmp_path: Path) -> dict[str, Path]:
    issues = {}
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    issues["demo"] = project / "out" / DEMO_ISSUE
    for name, entries, lang in (
        ("small", SMALL, "en"),
        ("forty", MANY, "en"),
        ("world", WORLD, "fr"),
    ):
        fixture = _fixture(tmp_path / name, f"Fixture {name}", entries, language=lang)
        assert digest("build", "-p", str(fixture), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
        issues[name] = fixture / "out" / DEMO_ISSUE
    return issues


def test_issues_in_chromium_at_phone_and_desktop_width(
    digest, project: Path, tmp_path: Path
) -> None:
    _chromium()
    for name, issue in _issues(digest, project, tmp_path).items():
        for width in (375, 600):
            m = _measure(issue, width, tmp_path)
            assert m["scrollWidth"] <= width, f"{name} scrolls sideways at {width}px: {m}"
            assert m["imageRight"] <= width, f"{name}: an image overflows at {width}px: {m}"
            assert m["columns"], f"{name}: no MJML columns found"
            if width == 375:  # one column per row: each spans the phone's width
                assert all(c >= width - 10 for c in m["columns"]), (name, m)
            _screenshot(issue, width, name, tmp_path)
    assert (ARTIFACTS / "demo-375.png").stat().st_size > 10_000
