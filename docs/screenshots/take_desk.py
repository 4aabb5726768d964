"""Take the README's screenshots of the editor's desk from a real run on the demo project.

    .venv/bin/python docs/screenshots/take_desk.py

Copies the demo project to a temporary folder, builds the demo issue, starts
`digest desk` on 127.0.0.1, makes a few editor's changes in Debian's Chromium (Playwright)
and saves docs/screenshots/desk*.png.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
AS_OF = "2025-12-19"


def digest(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "digest", *args], stdout=subprocess.PIPE, text=True
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "northlight"
        project.mkdir()
        shutil.copy(REPO / "digest.toml", project / "digest.toml")
        shutil.copytree(REPO / "feeds", project / "feeds")
        assert digest("build", "-p", str(project), "--as-of", AS_OF, "-q").wait() == 0
        server = digest(
            "desk", "-p", str(project), "--as-of", AS_OF, "--port", "0", "--json", "--no-open"
        )
        assert server.stdout is not None
        url = json.loads(server.stdout.readline())["url"]
        try:
            shoot(url)
        finally:
            server.terminate()
            server.wait(timeout=15)


def shoot(url: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 960})
        page.goto(url)

        def post(click) -> None:  # type: ignore[no-untyped-def]
            with page.expect_response(lambda r: r.request.method == "POST"):
                click()
            page.wait_for_timeout(300)

        page.get_by_label("A few sentences at the top").fill(
            "Four people walked free this week, and a court halted an execution. "
            "Thank you for every letter you wrote."
        )
        post(page.get_by_role("button", name="Save the introduction").click)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(800)
        page.screenshot(path=HERE / "desk.png")

        section = page.locator("section", has=page.get_by_role("heading", name="Every story in the window"))
        section.scroll_into_view_if_needed()
        section.get_by_text("Why:").nth(1).click()
        section.get_by_text("Why:").nth(9).click()
        section.screenshot(path=HERE / "desk-candidates.png")

        page.get_by_role("button", name="Phone (375 px)").click()
        page.get_by_role("button", name="Dark mode").click()
        page.evaluate("window.scrollTo(0, 0)")
        frame = page.frame_locator("#preview-frame")
        expect(frame.locator("body")).to_have_css("background-color", "rgb(17, 19, 22)")
        page.wait_for_timeout(800)
        page.locator(".preview").screenshot(path=HERE / "desk-phone-dark.png")

        page.get_by_label("Issue", exact=True).select_option("2025-year-end")
        page.get_by_role("button", name="Open").click()
        expect(page.get_by_role("heading", name="Year-end issue 2025")).to_be_visible()
        page.get_by_role("heading", name="The letter").scroll_into_view_if_needed()
        page.wait_for_timeout(1200)
        page.screenshot(path=HERE / "desk-year-end.png")
        browser.close()


if __name__ == "__main__":
    main()
