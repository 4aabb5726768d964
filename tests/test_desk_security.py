"""The desk's defences, against a real `digest desk` server on 127.0.0.1 (httpx over real
sockets): where it listens, the login, CSRF and Origin, the Host header, escaping, the
preview's sandbox, and the read-only preview."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import DEMO_AS_OF, DEMO_ISSUE
from .deskserver import desk


def _digest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digest", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def built(digest, project: Path) -> Path:
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    return project


def _page(client: httpx.Client, path: str = f"/issue/{DEMO_ISSUE}") -> tuple[str, str]:
    """The page and its CSRF token and edits version."""
    html = client.get(path).text
    token = re.search(r'name="csrf" value="([^"]+)"', html)
    version = re.search(r'name="version" value="([^"]+)"', html)
    assert token and version, html[:500]
    return token.group(1), version.group(1)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_listening_beyond_this_machine_needs_a_password(built: Path, host: str) -> None:
    result = _digest("desk", "-p", str(built), "--host", host, "--port", "0", "--no-open")
    assert result.returncode == 2
    assert "no password is set" in result.stderr and "DIGEST_DESK_PASSWORD" in result.stderr
    assert result.stdout == ""  # it never said it was listening
    env = {**os.environ, "DIGEST_DESK_PASSWORD": "123456"}
    result = _digest("desk", "-p", str(built), "--host", host, "--port", "0", "--no-open", env=env)
    assert result.returncode == 2 and "has only 6 characters" in result.stderr
    assert result.stdout == ""


def test_the_password_is_never_a_command_line_option(digest) -> None:
    help_text = digest("desk", "--help").output
    assert "--password" not in help_text and "DIGEST_DESK_PASSWORD" in help_text


def test_pages_are_guarded(built: Path) -> None:
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        page = client.get(f"/issue/{DEMO_ISSUE}")
        assert page.status_code == 200
        headers = page.headers
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        cookie = headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        iframe = re.search(r"<iframe[^>]*>", page.text)
        assert iframe and re.search(r"\ssandbox[\s>]", iframe.group(0))
        assert "allow-scripts" not in page.text and "allow-same-origin" not in page.text
        assert not re.search(r"<script(?![^>]*\ssrc=)", page.text), "no inline script"
        assert "https://" not in "".join(re.findall(r'<script[^>]*src="([^"]+)"', page.text))
        preview = client.get(f"/issue/{DEMO_ISSUE}/preview.html")
        assert preview.status_code == 200 and "Veloria" in preview.text
        pcsp = preview.headers["content-security-policy"]
        assert "sandbox" in pcsp and "default-src 'none'" in pcsp and "script-src" not in pcsp
        assert preview.headers["x-frame-options"] == "SAMEORIGIN"


def test_state_changes_need_the_token_and_the_desk_as_origin(built: Path) -> None:
    edits = built / "edits" / f"{DEMO_ISSUE}.toml"
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        token, version = _page(client)
        url = f"/issue/{DEMO_ISSUE}/edit"
        origin = server.url.rstrip("/")
        form = {"op": "intro", "intro": "Hello", "version": version}
        cases = {
            "no token": ({**form}, {"Origin": origin}),
            "wrong token": ({**form, "csrf": "x" * 43}, {"Origin": origin}),
            "no origin": ({**form, "csrf": token}, {}),
            "other site": ({**form, "csrf": token}, {"Origin": "http://evil.example"}),
            "other site by referer": (
                {**form, "csrf": token},
                {"Referer": "http://evil.example/page"},
            ),
            "null origin": ({**form, "csrf": token}, {"Origin": "null"}),
        }
        for name, (data, headers) in cases.items():
            refused = client.post(url, data=data, headers=headers)
            assert refused.status_code == 403, name
        assert not edits.exists()
        ok = client.post(url, data={**form, "csrf": token}, headers={"Origin": origin})
        assert ok.status_code == 303  # a plain form post: back to the page
        assert 'intro = "Hello"' in edits.read_text()
        by_referer = client.post(
            url,
            data={**form, "csrf": token, "intro": "Again", "version": _page(client)[1]},
            headers={"Referer": f"{origin}/issue/{DEMO_ISSUE}"},
        )
        assert by_referer.status_code == 303 and 'intro = "Again"' in edits.read_text()


def test_a_foreign_host_header_is_refused(built: Path) -> None:
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        port = server.url.rstrip("/").rsplit(":", 1)[1]
        for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.nip.io:{port}"):
            response = client.get(f"/issue/{DEMO_ISSUE}", headers={"Host": host})
            assert response.status_code == 400, host
        assert client.get("/", headers={"Host": f"localhost:{port}"}).status_code == 303


def test_the_desk_answers_ip_addresses_and_says_which_names(built: Path) -> None:
    """Only a page served from an IP address can send it as Host, never another site's: the
    desk answers them (a colleague typing the machine's address). A name it does not know
    gets a page saying what to do, not "Invalid host header"."""
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        port = server.url.rstrip("/").rsplit(":", 1)[1]
        for host in (f"127.0.0.2:{port}", f"[::1]:{port}", "192.0.2.7"):
            assert client.get("/", headers={"Host": host}).status_code == 303, host
        refused = client.get("/", headers={"Host": f"desk.example:{port}"})
        assert refused.status_code == 400
        assert "“desk.example”" in refused.text and "allowed_hosts" in refused.text


def test_a_change_from_a_page_older_than_the_desk_gives_the_text_back(built: Path) -> None:
    """The desk restarted (its session key is new) while an editor typed: the answer is the
    issue as it is, with a fresh token and the editor's text, not a bare refusal."""
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        _, version = _page(client)
        origin = {"Origin": server.url.rstrip("/"), "HX-Request": "true"}
        answer = client.post(
            f"/issue/{DEMO_ISSUE}/edit",
            data={"op": "intro", "intro": "Ten minutes of writing", "version": version,
                  "csrf": "from-before-the-restart"},
            headers=origin,
        )  # fmt: skip
        assert answer.status_code == 403
        assert "This page was out of date" in answer.text
        assert "Ten minutes of writing" in answer.text and 'name="csrf"' in answer.text
        assert not (built / "edits" / f"{DEMO_ISSUE}.toml").exists()
        foreign = client.post(
            f"/issue/{DEMO_ISSUE}/edit",
            data={"op": "intro", "intro": "x", "version": version, "csrf": "forged"},
            headers={**origin, "Origin": "http://evil.example"},
        )
        assert foreign.status_code == 403 and "another site" in foreign.text


def test_get_new_stories_reports_no_success_when_the_rebuild_failed(built: Path) -> None:
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        token, _ = _page(client)
        toml = built / "digest.toml"
        toml.write_text(toml.read_text() + "\n[desk\n")
        answer = client.post(
            f"/issue/{DEMO_ISSUE}/refresh",
            data={"csrf": token},
            headers={"Origin": server.url.rstrip("/"), "HX-Request": "true"},
        )
        assert "invalid TOML" in answer.text and "Fetched the feeds" not in answer.text


def test_a_link_builds_only_issues_the_desk_knows(built: Path) -> None:
    """Opening a page builds its issue: a year-end issue of any year in any language named
    in a link was built and published (and year 0 crashed with a 500). The project's own
    languages (its feeds', its [labels.<tag>]) are known; others are not."""
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        for issue in ("0000-year-end", "9999-year-end", "1969-year-end", "2025-year-end-de"):
            assert client.get(f"/issue/{issue}").status_code == 404, issue
        token, _ = _page(client)
        letter = client.post(
            "/issue/9999-year-end/letter",
            data={"letter": "---\ntitle: T\nauthor: A\n---\nHi\n", "csrf": token},
            headers={"Origin": server.url.rstrip("/")},
        )
        assert letter.status_code == 404
        assert client.get("/issue/2025-year-end").status_code == 200
    built_now = {p.name for p in (built / "out").iterdir() if not p.name.startswith(".")}
    assert built_now == {"2025-year-end", DEMO_ISSUE}
    assert not (built / "letters").exists()


def test_another_sites_page_cannot_set_off_a_build(built: Path) -> None:
    """Opening an issue builds it: an <img> on any site the editor visits built and
    recorded year-end issues (no cookie is needed without a password). Browsers say where
    a request comes from (Fetch Metadata): another site's subresource is refused, a link
    followed from another site gets a page to open the desk from, nothing is built."""
    image = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    link = {
        "Sec-Fetch-Site": "cross-site",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
    }
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        for headers in (
            image,
            {**image, "Sec-Fetch-Site": "same-site"},
            {"Sec-Fetch-Site": "cross-site"},
        ):
            answer = client.get("/issue/2025-year-end", headers=headers)
            assert answer.status_code == 403, headers
        followed = client.get("/issue/2025-year-end-fr", headers=link)
        assert followed.status_code == 200 and 'href="/issue/2025-year-end-fr"' in followed.text
        assert "csrf" not in followed.text
        built_now = {p.name for p in (built / "out").iterdir() if not p.name.startswith(".")}
        assert built_now == {DEMO_ISSUE}
        typed = {
            "Sec-Fetch-Site": "none",
            "Sec-Fetch-Mode": "navigate",
            "Sec-Fetch-Dest": "document",
        }
        assert client.get("/issue/2025-year-end", headers=typed).status_code == 200
    assert (built / "out" / "2025-year-end").is_dir()


def test_a_stale_version_is_refused_and_nothing_is_written(built: Path) -> None:
    edits = built / "edits" / f"{DEMO_ISSUE}.toml"
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        token, version = _page(client)
        origin = {"Origin": server.url.rstrip("/"), "HX-Request": "true"}
        url = f"/issue/{DEMO_ISSUE}/edit"
        first = client.post(
            url, data={"op": "intro", "intro": "One", "version": version, "csrf": token},
            headers=origin,
        )  # fmt: skip
        assert first.status_code == 200
        before = edits.read_bytes()
        stale = client.post(
            url, data={"op": "intro", "intro": "Two", "version": version, "csrf": token},
            headers=origin,
        )  # fmt: skip
        assert stale.status_code == 409
        assert "Your change was not saved" in stale.text and "Two" in stale.text
        assert edits.read_bytes() == before


def test_login_is_rate_limited(built: Path) -> None:
    env = {"DIGEST_DESK_PASSWORD": "s3cret-enough"}
    with desk(built, env=env) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/").headers["location"] == "/login"
        login = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
        origin = {"Origin": server.url.rstrip("/")}
        edit = client.post(
            f"/issue/{DEMO_ISSUE}/edit", data={"csrf": token, "op": "intro"}, headers=origin
        )
        assert edit.status_code == 401  # not logged in
        codes = [
            client.post("/login", data={"csrf": token, "password": f"guess{i}"}, headers=origin)
            for i in range(7)
        ]
        assert [c.status_code for c in codes] == [401] * 5 + [429] * 2
        assert "Too many wrong passwords" in codes[-1].text
        right = client.post(
            "/login", data={"csrf": token, "password": "s3cret-enough"}, headers=origin
        )
        assert right.status_code == 429  # even the right one waits: no guessing around it


def test_a_session_ends_at_logout_and_at_restart(built: Path) -> None:
    """A copy of the session cookie (another tab, a shared machine, a stolen cookie) is
    refused once its owner logs out, and every cookie is refused after the desk restarts."""
    env = {"DIGEST_DESK_PASSWORD": "s3cret-enough"}
    with desk(built, env=env) as server, httpx.Client(base_url=server.url) as client:
        origin = {"Origin": server.url.rstrip("/")}
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        data = {"csrf": token, "password": "s3cret-enough"}
        assert client.post("/login", data=data, headers=origin).status_code == 303
        assert client.get(f"/issue/{DEMO_ISSUE}").status_code == 200
        copied = dict(client.cookies)
        with httpx.Client(base_url=server.url, cookies=copied) as thief:
            assert thief.get(f"/issue/{DEMO_ISSUE}").status_code == 200  # the copy works
        page = client.get(f"/issue/{DEMO_ISSUE}").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        out = client.post("/logout", data={"csrf": csrf}, headers=origin)
        assert out.status_code == 303 and out.headers["location"] == "/login"
        with httpx.Client(base_url=server.url, cookies=copied) as thief:
            assert thief.get(f"/issue/{DEMO_ISSUE}").headers.get("location") == "/login"
    with desk(built, env=env) as server, httpx.Client(base_url=server.url) as thief:
        thief.cookies.update(copied)
        assert thief.get(f"/issue/{DEMO_ISSUE}").headers.get("location") == "/login"


def test_feed_content_is_escaped_on_the_desk(built: Path) -> None:
    feed = built / "feeds" / "samples" / "courtwatch.rss"
    hostile = "&lt;img src=x onerror=alert(1)&gt; Bellhaven &lt;script&gt;alert(2)&lt;/script&gt;"
    feed.write_text(feed.read_text().replace("Bellhaven Four released", hostile, 1))
    assert _digest("build", "-p", str(built), "--as-of", DEMO_AS_OF, "-q").returncode in (0, 3)
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        html = client.get(f"/issue/{DEMO_ISSUE}").text
        assert "alert(2)" in html  # the story is shown ...
        assert "<script>alert" not in html and "<img src=x" not in html  # ... as text
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_ids_and_file_names_in_urls_are_checked(built: Path) -> None:
    with desk(built) as server, httpx.Client(base_url=server.url) as client:
        for path in (
            "/issue/..%2F..%2Fetc",
            "/issue/.hidden",
            "/issue/2099-W01",
            f"/issue/{DEMO_ISSUE}/download/..%2Fdigest.toml",
            f"/issue/{DEMO_ISSUE}/download/digest.sqlite3",
            f"/issue/{DEMO_ISSUE}/download?file=manifest.json&esp=bogus",
        ):
            assert client.get(path).status_code == 404, path
        ok = client.get(f"/issue/{DEMO_ISSUE}/download/manifest.json")
        assert ok.status_code == 200 and json.loads(ok.text)["issue_id"] == DEMO_ISSUE
        assert "attachment" in ok.headers["content-disposition"]


def test_preview_is_the_desk_read_only(built: Path) -> None:
    edits = built / "edits" / f"{DEMO_ISSUE}.toml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "preview", "-p", str(built), "--as-of", DEMO_AS_OF,
         "--port", "0", "--json", "--no-open"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        started = json.loads(proc.stdout.readline())
        assert started["read_only"] is True
        with httpx.Client(base_url=started["url"]) as client:
            page = client.get(f"/issue/{DEMO_ISSUE}")
            assert "Save the introduction" not in page.text and "Leave out" not in page.text
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert "Veloria frees" in page.text
            data = {"op": "intro", "intro": "x", "version": "none"}
            if token:
                data["csrf"] = token.group(1)
            refused = client.post(
                f"/issue/{DEMO_ISSUE}/edit",
                data=data,
                headers={"Origin": started["url"].rstrip("/"), "HX-Request": "true"},
            )
            assert refused.status_code in (400, 403) and "look only" in refused.text
        assert not edits.exists()
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
