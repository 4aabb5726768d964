"""Fetching over real HTTP on loopback: outcomes, conditional GET, isolation of failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .feeds import entry, fetch_project, rss
from .server import FeedServer, Reply


def _project(root: Path, feeds: list[tuple[str, str]]) -> Path:
    return fetch_project(root, feeds, "timeout = 2\ndeadline = 4\n")


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


def test_a_304_without_validators_keeps_the_stored_ones(
    digest, tmp_path: Path, server: FeedServer
) -> None:
    def feed(request, handler):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304)  # no ETag, no Last-Modified: the stored ones still hold
        return Reply(
            200,
            rss([entry(1)]),
            {"ETag": '"v1"', "Last-Modified": "Thu, 18 Dec 2025 10:00:00 GMT"},
        )

    server.route("/feed.xml", feed)
    project = _project(tmp_path / "p", [("A", server.url("/feed.xml"))])
    for _ in range(3):
        digest("fetch", "-p", str(project), "--json")
    assert [r.headers.get("if-none-match") for r in server.requests] == [None, '"v1"', '"v1"']
    assert server.requests[2].headers["if-modified-since"] == "Thu, 18 Dec 2025 10:00:00 GMT"


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


# What `digest fetch` never loads (cron runs it often, and bench/fetch times its start-up):
# the later stages and their libraries. Parsing happens in worker processes.
NOT_ON_THE_FETCH_PATH = (
    "digest.pipeline",
    "digest.gather",
    "digest.compose",
    "digest.drafts",
    "digest.edits",
    "digest.curate",
    "digest.render",
    "digest.templating",
    "digest.publish",
    "digest.clean",
    "digest.parse",
    "digest.i18n",
    "feedparser",
    "numpy",
    "jinja2",
    "mjml",
    "babel",
    "nh3",
    "premailer",
    "html2text",
    "markdown_it",
)
_LOADED = "loaded: "


def _fetch_in_a_process(*args: str) -> tuple[int, str, list[str]]:
    """Run `digest ARGS` in a fresh interpreter: its exit code, its output, and which of
    NOT_ON_THE_FETCH_PATH it loaded."""
    code = (
        "import sys\n"
        "from digest.cli import main\n"
        f"sys.argv = {['digest', *args]!r}\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    status = e.code\n"
        f"loaded = [m for m in {NOT_ON_THE_FETCH_PATH!r} if m in sys.modules]\n"
        f"print({_LOADED!r} + ' '.join(loaded), status)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *output, last = run.stdout.splitlines()
    assert last.startswith(_LOADED), run.stderr
    *loaded, status = last.removeprefix(_LOADED).split(" ")
    return int(status), "\n".join(output), [m for m in loaded if m]


def test_fetch_loads_only_the_fetch_stage(tmp_path: Path, server: FeedServer) -> None:
    def feed(request, handler):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(200, rss([entry(1), entry(2)]), {"ETag": '"v1"'})

    server.route("/feed.xml", feed)
    project = _project(tmp_path / "p", [("Web", server.url("/feed.xml")), ("File", "local.xml")])
    (project / "local.xml").write_bytes(rss([entry(3)]))
    args = ("fetch", "-p", str(project), "--as-of", "2025-12-19")

    status, out, loaded = _fetch_in_a_process(*args, "--json")  # cold: parsed in workers
    assert (status, loaded) == (0, [])
    assert [(f["status"], f["new"]) for f in json.loads(out)["feeds"]] == [("ok", 2), ("ok", 1)]
    status, out, loaded = _fetch_in_a_process(*args)  # warm: nothing to parse
    assert (status, loaded) == (0, [])
    assert "· Web" in out and "· File" in out and "not modified" in out
    status, out, loaded = _fetch_in_a_process("fetch", "--help")
    assert (status, loaded) == (0, [])
    assert "Fetch every feed in feeds/feeds.toml into the store" in out


SELF_SIGNED = Path(__file__).parent / "data" / "tls" / "self-signed-127.0.0.1.pem"  # tests only


def test_https_is_verified_even_after_a_plain_http_start(
    digest, tmp_path: Path, server: FeedServer
) -> None:
    """Certificates load only once an https URL is met (plain http runs skip them), and
    every TLS connection is verified: a self-signed server is refused, whether the feed
    URL says https or a plain http feed redirects there."""
    import ssl

    with FeedServer() as tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(SELF_SIGNED)
        tls.httpd.socket = context.wrap_socket(tls.httpd.socket, server_side=True)
        tls.route("/feed.xml", Reply(200, rss([entry(1)])))
        secure = tls.url("/feed.xml").replace("http://", "https://")
        server.route("/plain.xml", Reply(200, rss([entry(2)])))
        server.route("/moved.xml", Reply(302, headers={"Location": secure}))
        project = _project(
            tmp_path / "p",
            [
                ("Plain", server.url("/plain.xml")),
                ("Moved", server.url("/moved.xml")),
                ("Direct", secure),
            ],
        )
        result = digest("fetch", "-p", str(project), "--json")
    feeds = {f["name"]: f for f in json.loads(result.stdout)["feeds"]}
    assert feeds["Plain"]["status"] == "ok"
    for name in ("Moved", "Direct"):
        assert feeds[name]["status"] == "failed", feeds[name]
        assert feeds[name]["error_kind"] == "connection"
        assert "CERTIFICATE_VERIFY_FAILED" in feeds[name]["error"], feeds[name]["error"]
    assert not tls.requests  # no request went through an unverified connection
