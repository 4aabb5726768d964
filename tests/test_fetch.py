"""Fetching over real HTTP on loopback: outcomes, conditional GET, isolation of failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .feeds import entry, rss
from .server import FeedServer, Reply


def _project(root: Path, feeds: list[tuple[str, str]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "digest.toml").write_text(
        '[newsletter]\nname = "Test"\nsender = "Test <t@example.org>"\n'
        "[fetch]\ntimeout = 2\ndeadline = 4\n"
    )
    (root / "feeds").mkdir(exist_ok=True)
    (root / "feeds" / "feeds.toml").write_text(
        "".join(f'[[feed]]\nname = "{name}"\nurl = "{url}"\n' for name, url in feeds)
    )
    return root


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def test_conditional_get_and_not_modified(digest, tmp_path: Path, server: FeedServer) -> None:
    body = rss([entry(1), entry(2)])

    def feed(request, handler):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(
            200,
            body,
            {
                "ETag": '"v1"',
                "Content-Type": "application/rss+xml",
                "Last-Modified": "Thu, 18 Dec 2025 10:00:00 GMT",
            },
        )

    server.route("/feed.xml", feed)
    project = _project(tmp_path / "p", [("A", server.url("/feed.xml"))])
    first = json.loads(digest("fetch", "-p", str(project), "--json").stdout)
    assert first["feeds"][0]["status"] == "ok" and first["new"] == 2
    second = json.loads(digest("fetch", "-p", str(project), "--json").stdout)
    assert second["feeds"][0]["status"] == "not_modified"
    assert server.requests[1].headers["if-none-match"] == '"v1"'
    assert server.requests[1].headers["if-modified-since"] == "Thu, 18 Dec 2025 10:00:00 GMT"
    assert "digest/" in server.requests[0].headers["user-agent"]


def test_one_broken_feed_does_not_stop_the_others(
    digest, tmp_path: Path, server: FeedServer
) -> None:
    server.route("/good.xml", Reply(200, rss([entry(1)])))
    server.route(
        "/error.xml",
        Reply(500, b"<html><body>Internal error</body></html>", {"Content-Type": "text/html"}),
    )
    project = _project(
        tmp_path / "p",
        [
            ("Good", server.url("/good.xml")),
            ("Broken", server.url("/error.xml")),
            ("Missing", server.url("/nope.xml")),
        ],
    )
    result = digest("fetch", "-p", str(project), "--json")
    assert result.exit_code == 4
    feeds = {f["name"]: f for f in json.loads(result.stdout)["feeds"]}
    assert feeds["Good"]["status"] == "ok" and feeds["Good"]["new"] == 1
    assert feeds["Broken"]["error"] == "HTTP 500 Internal Server Error"
    assert feeds["Missing"]["error"].startswith("HTTP 404 Not Found")
    listing = digest("fetch", "-p", str(project))
    assert "✗ Missing" in listing.output and "check the URL in feeds.toml" in listing.output


def test_redirects_are_followed_and_capped(digest, tmp_path: Path, server: FeedServer) -> None:
    server.route("/final.xml", Reply(200, rss([entry(1)])))
    server.route("/moved", Reply(301, headers={"Location": "/final.xml"}))
    server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    server.route("/evil", Reply(302, headers={"Location": "file:///etc/passwd"}))
    project = _project(
        tmp_path / "p",
        [
            ("Moved", server.url("/moved")),
            ("Loop", server.url("/loop")),
            ("Evil", server.url("/evil")),
        ],
    )
    feeds = {
        f["name"]: f
        for f in json.loads(digest("fetch", "-p", str(project), "--json").stdout)["feeds"]
    }
    assert feeds["Moved"]["status"] == "ok"
    assert feeds["Loop"]["error"] == "redirect loop"
    assert "only http and https" in feeds["Evil"]["error"]
