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
        launched = p.chromium.launch(
            executable_path=path,
            # rebind.test resolves to 127.0.0.1: a DNS-rebinding attacker's name
            args=["--no-sandbox", "--host-resolver-rules=MAP rebind.test 127.0.0.1"],
        )
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
    """Do something that posts a change; wait for the desk's answer and its notice.
    On failure, says what the page asked for meanwhile (a once-seen CI failure found the
    notice gone with no trace of why)."""
    seen: list[str] = []

    def note(r) -> None:
        seen.append(f"{r.request.method} {r.url.split('/', 3)[-1]} -> {r.status}")

    page.on("response", note)
    try:
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            action()
        assert answer.value.status == 200, answer.value.text()
        assert notice in answer.value.text(), "the desk's answer lacks its notice"
        try:
            # a loaded 2-core CI machine can starve the browser for seconds
            expect(page.locator("#workspace .notice")).to_have_text(notice, timeout=15_000)
        except AssertionError as e:
            raise AssertionError(f"{e}\nresponses meanwhile: {seen}") from None
    finally:
        page.remove_listener("response", note)


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


def _config(project: Path) -> Path:
    return project / "digest.toml"


def test_a_broken_config_shows_its_error_and_keeps_the_last_preview(
    browser: Browser, built: Path
) -> None:
    good = _config(built).read_text()
    with desk(built) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url)
        preview = page.frame_locator("#preview-frame")
        expect(_shown(preview, FIRST_GOOD)).to_be_visible()
        broken = good.replace('primary = "#1d3557"', 'primary = "navy"')
        assert broken != good
        line = broken.splitlines().index(next(x for x in broken.splitlines() if "navy" in x)) + 1
        _config(built).write_text(broken)
        problem = page.locator("#status .problem")
        expect(problem).to_contain_text("theme.primary: 'navy' is not a colour")
        expect(problem).to_contain_text(f"In digest.toml, line {line}.")
        expect(_shown(preview, FIRST_GOOD)).to_be_visible()  # the last good preview stays
        # a change is refused while the settings are broken, and says why
        page.get_by_label("A few sentences at the top").fill("Not now.")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Save the introduction").click()
        assert answer.value.status == 400
        refused = page.locator("#workspace .conflict")
        expect(refused).to_contain_text("'navy' is not a colour")
        expect(refused).to_contain_text("Not now.")  # what the editor wrote is given back
        expect(page.get_by_label("A few sentences at the top")).to_have_value("Not now.")
        assert not (built / "edits" / f"{DEMO_ISSUE}.toml").exists()
        _config(built).write_text(good)  # fixed: the problem goes away by itself
        expect(page.locator("#status .problem")).to_have_count(0, timeout=10_000)
        page.close()


def test_two_pages_editing_at_once_lose_nothing(browser: Browser, built: Path) -> None:
    with desk(built) as server:
        first = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        second = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        second.route("**/status?*", lambda route: route.abort())  # it never hears of the first
        third = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        for page in (first, second, third):
            page.goto(server.url)
            expect(page.get_by_role("heading", name=f"Issue {DEMO_ISSUE}")).to_be_visible()
        first.get_by_label("A few sentences at the top").fill("From the first window.")
        _act(
            first,
            lambda: first.get_by_role("button", name="Save the introduction").click(),
            "Saved the introduction.",
        )
        # a third page that was only looking follows by itself
        expect(third.get_by_label("A few sentences at the top")).to_have_value(
            "From the first window.", timeout=15_000
        )
        # the second page still shows the issue from before: its change is not applied on
        # that stale state; it is told, and shown the issue as it is now
        card = _card(second, RETITLED)
        card.get_by_text("Change the title or summary").click()
        card.get_by_label("Title").fill("Free at last")
        with second.expect_response(lambda r: r.request.method == "POST") as answer:
            card.get_by_role("button", name="Save").click()
        assert answer.value.status == 409
        conflict = second.locator("#workspace .conflict")
        expect(conflict).to_contain_text("Your change was not saved")
        expect(conflict).to_contain_text("Free at last")  # what they wrote, to copy
        expect(second.get_by_label("A few sentences at the top")).to_have_value(
            "From the first window."
        )
        card = _card(second, RETITLED)
        # the title's form is open again with what they wrote (the title is unchanged
        # since they saw it, so their text is put back): saving again is one click
        expect(card.get_by_label("Title")).to_have_value("Free at last")
        _act(
            second,
            lambda: card.get_by_role("button", name="Save").click(),
            "Saved the title and summary.",
        )
    edits = _edits(built)
    assert edits["intro"] == "From the first window."
    assert edits["items"][_keys(built)["Free at last"]]["title"] == "Free at last"
    text = (built / "out" / DEMO_ISSUE / "newsletter.txt").read_text()
    assert "From the first window." in text and "Free at last" in text


def test_preview_views_and_hand_off(browser: Browser, built: Path, tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    from .test_send import Inbox, _free_port

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    try:
        with open(_config(built), "a") as f:
            f.write(f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n')
        assert _digest("build", "-p", str(built), "--as-of", DEMO_AS_OF, "-q").returncode in (0, 3)
        out = built / "out" / DEMO_ISSUE
        with desk(built) as server:
            context = browser.new_context(viewport={"width": 1400, "height": 1100})
            context.grant_permissions(["clipboard-read", "clipboard-write"])
            page = context.new_page()
            page.goto(server.url)
            frame = page.locator("#preview-frame")
            assert frame.get_attribute("sandbox") == ""  # no scripts, no same origin
            page.get_by_role("button", name="Phone (375 px)").click()
            expect(frame).to_have_attribute("src", re.compile(r"preview\.html\?v=\d+$"))
            assert round(frame.bounding_box()["width"]) == 375
            page.get_by_role("button", name="Dark mode").click()
            expect(frame).to_have_attribute("src", re.compile("mode=dark"))
            body = page.frame_locator("#preview-frame").locator("body")
            expect(body).to_have_css("background-color", "rgb(17, 19, 22)")
            page.get_by_role("button", name="Text version").click()
            expect(page.locator("#text-part")).to_be_visible()
            expect(page.locator("#text-part")).to_contain_text(FIRST_GOOD)
            page.get_by_role("button", name=re.compile("^Checks")).click()
            expect(page.locator("#checks")).to_be_visible()
            expect(page.locator(".size")).to_contain_text("KB as sent, of the 95 KB budget")
            expect(page.locator("#subject")).to_have_text("Northlight Weekly: December 19, 2025")

            # every candidate, with where it went or why not; filters; search
            french = page.locator("ol.candidates li", has_text="written in fr")
            expect(french.first).to_contain_text("this issue is in en")
            total = page.locator("ol.candidates > li").count()
            page.get_by_label("Kind").select_option("good_news")
            expect(page.locator("#candidate-list .count")).to_contain_text(
                re.compile(rf"^\d+ of {total} stories match")
            )
            kinds = page.locator("ol.candidates .kind").all_inner_texts()
            assert kinds and set(kinds) == {"Good news"}
            page.get_by_label("Kind").select_option("")
            page.get_by_label("Search these stories").fill("Bellhaven")
            expect(page.locator("ol.candidates > li")).to_have_count(1)
            # every control has a label; the keyboard reaches and works everything
            unlabelled = page.evaluate(
                """() => [...document.querySelectorAll('input, select, textarea')]
                .filter(e => e.type !== 'hidden' && !e.closest('[hidden]'))
                .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                .map(e => e.outerHTML.slice(0, 80))"""
            )
            assert unlabelled == []
            first_good = _section(page, "good-news")
            button = _card(page, FIRST_GOOD).get_by_role("button", name=f"Move down: {FIRST_GOOD}")
            button.focus()
            _act(page, lambda: page.keyboard.press("Enter"), "Moved down.")
            assert _section(page, "good-news")[:2] == [first_good[1], first_good[0]]
            focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
            assert focused == f"Move down: {FIRST_GOOD}"  # focus stays where the editor was
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none"  # and it is visible

            # hand-off: the built files, another service's, the HTML on the clipboard
            with page.expect_download() as download:
                page.get_by_role("link", name="A ready email (.eml)").click()
            assert Path(download.value.path()).read_bytes() == (out / "newsletter.eml").read_bytes()
            page.get_by_label("For another mailing service").select_option("mailchimp")
            page.get_by_label("File", exact=True).select_option("newsletter.html")
            with page.expect_download() as download:
                page.get_by_role("button", name="Download", exact=True).click()
            assert download.value.suggested_filename == "2025-W51-mailchimp-newsletter.html"
            assert "*|UNSUB|*" in Path(download.value.path()).read_text()
            page.get_by_role("button", name="Copy the HTML").click()
            expect(page.locator(".copy-result")).to_contain_text("Copied")
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == (out / "newsletter.html").read_text()

            # a test send, with digest send's limits
            page.get_by_label("Send a test email to").fill("editor@example.org")
            _act(
                page,
                lambda: page.get_by_role("button", name="Send a test").click(),
                "Sent a test of 2025-W51 to editor@example.org.",
            )
            (message,) = inbox.messages
            assert message[1] == ["editor@example.org"] and b"Subject: [TEST]" in message[2]
            page.get_by_label("Send a test email to").fill(
                "\n".join(f"p{i}@example.org" for i in range(6))
            )
            with page.expect_response(lambda r: r.request.method == "POST"):
                page.get_by_role("button", name="Send a test").click()
            expect(page.locator("#workspace .error")).to_contain_text("at most 5 people")
            assert len(inbox.messages) == 1
    finally:
        smtp.stop()


def _save_letter(page: Page) -> None:
    _act(
        page,
        lambda: page.get_by_role("button", name="Save the letter and update the preview").click(),
        "Saved the letter.",
    )


def test_the_year_end_letter_beside_its_preview(browser: Browser, built: Path) -> None:
    letter = built / "feeds" / "letters" / "2025-year-end.md"
    with desk(built) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(server.url)
        page.get_by_label("Issue", exact=True).select_option("2025-year-end")
        page.get_by_role("button", name="Open").click()
        expect(page.get_by_role("heading", name="Year-end issue 2025")).to_be_visible()
        box = page.get_by_label("The letter in Markdown")
        expect(box).to_have_value(letter.read_text())
        preview = page.frame_locator("#preview-frame")
        expect(_shown(preview, "A year of courage, and of thanks")).to_be_visible()
        box.fill(letter.read_text().replace("and of thanks", "and of hope"))
        _save_letter(page)
        expect(_shown(preview, "A year of courage, and of hope")).to_be_visible()
    assert "title: A year of courage, and of hope" in letter.read_text()
    html = (built / "out" / "2025-year-end" / "newsletter.html").read_text()
    assert "A year of courage, and of hope" in html


def test_a_year_end_edition_in_another_language_from_the_switcher(
    browser: Browser, built: Path
) -> None:
    """The demo words its labels in Spanish ([labels.es]) but has no Spanish letter yet:
    the switcher offers the Spanish year-end edition, its letter is written on the desk
    (a new file) and the edition is built into its own folder."""
    with desk(built) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(server.url)
        page.get_by_label("Issue", exact=True).select_option(
            label="Year-end issue 2025, español (es)"
        )
        page.get_by_role("button", name="Open").click()
        box = page.get_by_label("The letter in Markdown")
        expect(box).to_be_visible()
        box.fill("---\ntitle: Un año de valentía\nauthor: Amara Diallo\n---\nGracias.\n")
        _save_letter(page)
        expect(_shown(page.frame_locator("#preview-frame"), "Un año de valentía")).to_be_visible()
    assert "Un año de valentía" in (built / "letters" / "2025-year-end.es.md").read_text()
    html = (built / "out" / "2025-year-end-es" / "newsletter.html").read_text()
    assert "Un año de valentía" in html and 'lang="es"' in html


def test_login_when_a_password_is_set(browser: Browser, built: Path) -> None:
    with desk(built, env={"DIGEST_DESK_PASSWORD": "correct horse"}) as server:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url)
        expect(page.get_by_role("heading", name="Log in to the editor's desk")).to_be_visible()
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_have_text("That password is not right.")
        page.get_by_label("Password").fill("correct horse")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name=f"Issue {DEMO_ISSUE}")).to_be_visible()
        (cookie,) = context.cookies()
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", name="Log in to the editor's desk")).to_be_visible()
        # the session cookie copied before logging out no longer lets anyone in
        copied = browser.new_context()
        copied.add_cookies([cookie])
        again = copied.new_page()
        again.goto(server.url)
        expect(again.get_by_role("heading", name="Log in to the editor's desk")).to_be_visible()


def test_unsaved_typing_outlives_other_changes(browser: Browser, built: Path) -> None:
    """Every change replaces the workspace; text typed in another form and not yet saved
    stays (it was wiped), and leaving the page with it asks first."""
    with desk(built) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url)
        intro = page.get_by_label("A few sentences at the top")
        intro.fill("Half a sentence")
        card = _card(page, FIRST_GOOD)
        _act(page, lambda: card.get_by_role("button", name="Move down").click(), "Moved down.")
        expect(intro).to_have_value("Half a sentence")
        assert not (built / "edits" / f"{DEMO_ISSUE}.toml").read_text().count("Half a")
        leaving = """() => { const e = new Event("beforeunload", {cancelable: true});
            window.dispatchEvent(e); return e.defaultPrevented; }"""
        assert page.evaluate(leaving)  # the browser asks "leave the page?"
        asked: list[str] = []
        page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
        with page.expect_download() as download:  # a download is no departure: no question
            page.locator("form.service button").click()
        assert download.value.suggested_filename.endswith(".html") and asked == []
        expect(intro).to_have_value("Half a sentence")
        intro.fill("")
        assert not page.evaluate(leaving)
        page.close()


def test_a_page_waiting_for_its_own_change_does_not_follow_it(
    browser: Browser, built: Path
) -> None:
    """While this page's change is on its way back, a status poll says the issue changed
    (it did: this page changed it). The page waits for its own answer instead of fetching
    the issue again, which could replace that answer and its notice (seen once on a
    loaded machine: "Moved down." gone, "The draft was just rebuilt." in its place)."""
    with desk(built) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url)
        expect(page.get_by_role("heading", name=f"Issue {DEMO_ISSUE}")).to_be_visible()

        def poll() -> None:
            page.wait_for_event("response", lambda r: "/status?" in r.url, timeout=15_000)

        def slow(route) -> None:
            answer = route.fetch()  # the desk has made the change ...
            poll()  # ... and two polls (every 2 s) hear of it before the page does
            poll()
            route.fulfill(response=answer)

        page.route("**/edit", slow)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url.split("/", 3)[-1]))
        card = _card(page, FIRST_GOOD)
        _act(page, lambda: card.get_by_role("button", name="Move down").click(), "Moved down.")
        polls = [a for a in asked if "/status?" in a]
        assert len(polls) >= 2, asked
        assert not [a for a in asked if a.endswith("/workspace")], asked
        poll()  # and once it has its answer, the polls are quiet
        expect(page.locator("#workspace .notice")).to_have_text("Moved down.")
        assert not [a for a in asked if a.endswith("/workspace")], asked
        page.close()


@pytest.mark.parametrize("width", [320, 375])
def test_the_desk_fits_a_phone(browser: Browser, built: Path, width: int) -> None:
    with desk(built) as server:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(server.url)
        expect(page.get_by_role("heading", name=f"Issue {DEMO_ISSUE}")).to_be_visible()
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"the page is {wide} px wide on a {width} px screen"
        page.close()


def test_forged_requests_are_refused(browser: Browser, built: Path) -> None:
    with desk(built) as server:
        page = browser.new_page()
        page.goto(server.url)
        expect(page.get_by_role("heading", name=f"Issue {DEMO_ISSUE}")).to_be_visible()
        base = server.url.rstrip("/")
        edit = f"{base}/issue/{DEMO_ISSUE}/edit"
        form = {"op": "intro", "intro": "forged", "version": "none"}
        no_token = page.request.post(edit, form=form, headers={"Origin": base})
        assert no_token.status == 403 and "security token" in no_token.text()
        token = page.locator('input[name="csrf"]').first.get_attribute("value")
        other_site = page.request.post(
            edit, form={**form, "csrf": token}, headers={"Origin": "https://evil.example"}
        )
        assert other_site.status == 403 and "another site" in other_site.text()
        assert not (built / "edits" / f"{DEMO_ISSUE}.toml").exists()
        # a page on another name that resolves to this machine (DNS rebinding)
        port = base.rsplit(":", 1)[1]
        rebound = page.goto(f"http://rebind.test:{port}/")
        assert rebound is not None and rebound.status == 400


def test_new_stories_wait_until_the_editors_take_them(browser: Browser, project: Path) -> None:
    feed = project / "feeds" / "samples" / "courtwatch.rss"
    original = feed.read_text()
    start = original.index("<item>")
    end = original.index("</item>", start) + len("</item>")
    feed.write_text(original[:start] + original[end:])  # one story is not out yet
    assert _digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").returncode == 0
    with desk(project) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url)
        page.get_by_label("A few sentences at the top").fill("Our week.")
        _act(
            page,
            lambda: page.get_by_role("button", name="Save the introduction").click(),
            "Saved the introduction.",
        )
        feed.write_text(original)  # ... now it is
        _act(
            page,
            lambda: page.get_by_role("button", name="Get new stories from the feeds").click(),
            "Fetched the feeds and rebuilt the issue.",
        )
        waiting = page.locator(".new-stories")
        expect(waiting).to_contain_text("1 new story arrived after this draft was built")
        expect(waiting).to_contain_text(RETITLED)
        expect(_card(page, RETITLED)).to_have_count(0)
        _act(
            page,
            lambda: page.get_by_role("button", name="Add the new stories to the issue").click(),
            "Added the new stories.",
        )
        expect(_card(page, RETITLED)).to_be_visible()
        expect(page.locator(".new-stories")).to_have_count(0)
    text = (project / "out" / DEMO_ISSUE / "newsletter.txt").read_text()
    assert "Our week." in text and RETITLED in text


def test_an_empty_week_is_never_written_and_failing_feeds_are_named(project: Path) -> None:
    import httpx

    (project / "feeds" / "samples" / "courtwatch.rss").write_text("<html>moved</html>")
    _digest("fetch", "-p", str(project), "-q")
    with desk(project, as_of=None) as server, httpx.Client(base_url=server.url) as client:
        page = client.get("/", follow_redirects=True)
        assert page.status_code == 200
        assert "There is no story in this issue&#39;s window yet." in page.text
        assert "Failing." in page.text and "Courtwatch Collective" in page.text
        assert "looks like an HTML page" in page.text
    assert not (project / "out").exists() or not any((project / "out").iterdir())
    history = _digest("issues", "list", "-p", str(project), "--json")
    assert json.loads(history.stdout) == []
