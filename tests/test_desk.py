"""The editor's desk in real Chromium (Playwright driving Debian's chromium), against a real
`digest desk` server on 127.0.0.1: what an editor does, what ends up on disk, what the
preview shows. Under CI=true these tests run, never skip."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from .conftest import DEMO_AS_OF, DEMO_ISSUE
from .deskserver import chromium, desk

OUTSIDE = "Supreme Court orders release of environmental defender Lina Moravec"
DROPPED = "Executions in Kastoria reach a ten-year high"
MOVED = "Write for Rights: 2.1 million letters and counting"
FIRST_GOOD = "Veloria frees 37 prisoners of conscience in year-end amnesty"
THIRD_GOOD = "Kastoria: lawyer Daniel Osei-Varga acquitted of 'insulting the state'"
RETITLED = "Bellhaven Four released after appeal court overturns convictions"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = chromium()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield launched
        launched.close()


def _digest(*args: str) -> subprocess.CompletedProcess[str]:
    """A digest command in its own process (Playwright's event loop runs in this one)."""
    return subprocess.run(
        [sys.executable, "-m", "digest", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def built(project: Path) -> Path:
    assert _digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").returncode == 0
    return project


def _edits(project: Path) -> dict:
    path = project / "edits" / f"{DEMO_ISSUE}.toml"
    return tomllib.loads(path.read_text()) if path.exists() else {}


def _keys(project: Path) -> dict[str, str]:
    manifest = json.loads((project / "out" / DEMO_ISSUE / "manifest.json").read_text())
    return {i["title"]: i["key"] for i in manifest["items"]}


def _card(page: Page, title: str):
    return page.locator("ol.items > li.item", has=page.get_by_role("heading", name=title))


def _section(page: Page, section: str) -> list[str]:
    return page.locator(f'ol.items[data-section="{section}"] > li.item').evaluate_all(
        "els => els.map(e => e.dataset.key)"
    )


def _drag(page: Page, source, target, *, below: bool = False) -> None:
    """Drag `source`'s handle onto `target` the way a person does: press, move, release.
    (The page is tall enough to show both: the mouse works in the visible viewport.)"""
    page.locator("#sections-h").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('sections-h').scrollIntoView()")
    handle = source.locator(".handle").bounding_box()
    box = target.bounding_box()
    assert handle and box
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    y = box["y"] + (box["height"] * 0.8 if below else 8)
    page.mouse.move(box["x"] + 40, y, steps=12)
    page.mouse.move(box["x"] + 42, y + (2 if below else -2), steps=4)
    page.mouse.up()


def _shown(frame, text: str):
    """Visible text in the newsletter (its hidden preheader repeats titles and intro)."""
    return frame.get_by_text(text).filter(visible=True).first


def _act(page: Page, action: Callable[[], None], notice: str) -> None:
    """Do something that posts a change; wait for the desk's answer and its notice."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        action()
    assert answer.value.status == 200, answer.value.text()
    expect(page.locator("#workspace .notice")).to_have_text(notice)


def test_an_editor_shapes_the_issue(browser: Browser, built: Path) -> None:
    keys = _keys(built)
    with desk(built) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 3600})
        page.goto(server.url)
        expect(page.get_by_role("heading", name=f"Issue {DEMO_ISSUE}")).to_be_visible()
        preview = page.frame_locator("#preview-frame")
        expect(_shown(preview, FIRST_GOOD)).to_be_visible()

        # leave one out
        _act(
            page,
            lambda: (
                _card(page, DROPPED).get_by_role("button", name=f"Leave out: {DROPPED}").click()
            ),
            "Left out of the issue.",
        )
        expect(_card(page, DROPPED)).to_have_count(0)

        # pin a story from outside the window, found by searching the store
        page.get_by_label("Words from its title or text").fill("Lina Moravec")
        hit = page.locator("#search-results li", has=page.get_by_role("heading", name=OUTSIDE))
        expect(hit.locator(".where")).to_have_text("Outside this issue's window")
        _act(
            page,
            lambda: hit.get_by_role("button", name=f"Add to the issue: {OUTSIDE}").click(),
            "Added to the issue.",
        )
        expect(_card(page, OUTSIDE)).to_be_visible()

        # move one to another section by dragging it there
        _act(
            page,
            lambda: _drag(page, _card(page, MOVED), _card(page, FIRST_GOOD)),
            "Saved the new order.",
        )
        good = _section(page, "good-news")
        assert good.index(keys[MOVED]) == good.index(keys[FIRST_GOOD]) - 1, good

        # reorder by dragging inside a section
        _act(
            page,
            lambda: _drag(page, _card(page, THIRD_GOOD), _card(page, MOVED)),
            "Saved the new order.",
        )
        good = _section(page, "good-news")
        assert good.index(keys[THIRD_GOOD]) == good.index(keys[MOVED]) - 1, good
        shown_order = good

        # retitle, and write the intro
        card = _card(page, RETITLED)
        card.get_by_text("Change the title or summary").click()
        card.get_by_label("Title").fill("The Bellhaven Four are free")
        card.get_by_label("Summary").fill("After fourteen months, the painters are home.")
        _act(
            page,
            lambda: card.get_by_role("button", name="Save").click(),
            "Saved the title and summary.",
        )
        page.get_by_label("A few sentences at the top").fill("Four people walked free this week.")
        _act(
            page,
            lambda: page.get_by_role("button", name="Save the introduction").click(),
            "Saved the introduction.",
        )

        # the preview shows it all
        preview = page.frame_locator("#preview-frame")
        expect(_shown(preview, "Four people walked free this week.")).to_be_visible()
        expect(_shown(preview, "The Bellhaven Four are free")).to_be_visible()
        expect(_shown(preview, OUTSIDE)).to_be_visible()
        expect(preview.get_by_text(DROPPED)).to_have_count(0)
        expect(page.locator("#preheader")).to_have_text(re.compile("^Four people walked free"))
        page.close()

    # ... and so does the edits file
    edits = _edits(built)
    assert edits["intro"] == "Four people walked free this week."
    items = edits["items"]
    (pinned,) = [k for k, v in items.items() if v.get("pin")]
    assert items[keys[DROPPED]] == {"drop": True}
    assert items[keys[MOVED]]["section"] == "good-news"
    assert items[keys[THIRD_GOOD]]["position"] + 1 == items[keys[MOVED]]["position"]
    assert items[keys[RETITLED]]["title"] == "The Bellhaven Four are free"
    text = (built / "edits" / f"{DEMO_ISSUE}.toml").read_text()
    assert text.startswith("# Editorial changes for issue 2025-W51")
    # ... and the rebuilt files in out/
    out = built / "out" / DEMO_ISSUE
    manifest = json.loads((out / "manifest.json").read_text())
    placed = {i["key"]: i["section"] for i in manifest["items"]}
    assert placed[keys[MOVED]] == "good-news" and pinned in placed
    assert keys[DROPPED] not in placed
    good = [i["key"] for i in manifest["items"] if i["section"] == "good-news"]
    assert good == shown_order
    for name in ("newsletter.html", "newsletter.txt", "newsletter.eml"):
        body = (out / name).read_bytes()
        if name == "newsletter.eml":
            import email
            import email.policy

            msg = email.message_from_bytes(body, policy=email.policy.default)
            body = msg.get_body(("plain",)).get_content().encode()
        assert b"Four people walked free this week." in body, name
        assert b"The Bellhaven Four are free" in body, name
        assert DROPPED.encode() not in body, name
    # the CLI agrees: nothing new, no edit since the desk's last build
    again = _digest("build", "-p", str(built), "--as-of", DEMO_AS_OF, "--offline", "-q")
    assert again.returncode == 3, again.stderr
