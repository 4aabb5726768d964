#!/usr/bin/env python3
"""Take the README's screenshots from real builds of the demo project.

Copies digest.toml and feeds/ into a temporary folder, adds the Arabic sample feed,
builds the weekly issue (English, dark mode, Arabic), the roundup and the year-end
issue (English and Arabic), and photographs them in Debian's chromium through
Playwright (remote images blocked, as in a mail client that does not load them: the
sample organisation's image URLs do not exist).

    .venv/bin/python docs/screenshots/take.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from playwright.sync_api import sync_playwright

from digest.cli import cli

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


def build(root: Path) -> dict[str, Path]:
    shutil.copyfile(REPO / "digest.toml", root / "digest.toml")
    shutil.copytree(REPO / "feeds", root / "feeds")
    p = str(root)
    run("feeds", "add", "Northlight Arabic", "feeds/samples/northlight-ar.atom",
        "--language", "ar", "-p", p, "-q")  # fmt: skip
    run("fetch", "-p", p, "--since", "2025-01-01", "--as-of", "2025-12-19", "-q")
    run("build", "-p", p, "--offline", "--as-of", "2025-12-19", "-q")
    run("build", "-p", p, "--offline", "--as-of", "2025-12-19", "--template", "roundup",
        "--issue-id", "roundup", "-q")  # fmt: skip
    run("build", "-p", p, "--offline", "--as-of", "2025-12-19", "--language", "ar",
        "--issue-id", "weekly-ar", "-q")  # fmt: skip
    letters = root / "feeds" / "letters"
    run("year-end", "-p", p, "--year", "2025", "--letter", str(letters / "2025-year-end.md"),
        "--as-of", "2025-12-20", "-q")  # fmt: skip
    run("year-end", "-p", p, "--year", "2025", "--letter",
        str(letters / "2025-year-end.ar.md"), "--as-of", "2025-12-20", "-q")  # fmt: skip
    out = root / "out"
    return {
        "weekly": out / "2025-W51",
        "roundup": out / "roundup",
        "weekly-ar": out / "weekly-ar",
        "year-end": out / "2025-year-end",
        "year-end-ar": out / "2025-year-end-ar",
    }


SHOTS = [  # file, issue, width, colour scheme, height (None: the whole page)
    ("weekly-desktop.png", "weekly", 640, "light", None),
    ("weekly-phone.png", "weekly", 375, "light", 1300),
    ("weekly-dark-phone.png", "weekly", 375, "dark", 1300),
    ("roundup-desktop.png", "roundup", 640, "light", 1700),
    ("year-end-desktop.png", "year-end", 640, "light", 1700),
    ("year-end-letter.png", "year-end", 640, "light", 1250),
    ("year-end-dark.png", "year-end", 640, "dark", 1700),
    ("arabic-phone.png", "weekly-ar", 375, "light", 1300),
    ("arabic-year-end.png", "year-end-ar", 640, "light", 1700),
    ("arabic-dark-phone.png", "weekly-ar", 375, "dark", 1300),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        issues = build(Path(tmp))
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox"]
            )
            for name, issue, width, scheme, height in SHOTS:
                page = browser.new_page(
                    viewport={"width": width, "height": height or 900}, color_scheme=scheme
                )
                page.route(
                    "**/*",
                    lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
                )
                page.goto((issues[issue] / "newsletter.html").as_uri())
                page.screenshot(path=str(HERE / name), full_page=height is None)
                page.close()
                print(f"docs/screenshots/{name}")
            browser.close()


if __name__ == "__main__":
    main()
