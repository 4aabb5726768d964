"""digest send against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from .conftest import DEMO_AS_OF, DEMO_ISSUE


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"right-password"
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=_authenticator,
        auth_require_tls=False,
    )
    controller.start()
    yield inbox, controller.port
    controller.stop()


def _configure(project: Path, port: int) -> None:
    with open(project / "digest.toml", "a") as f:
        f.write(
            f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "editor"\n'
        )


def test_send_delivers_both_parts_text_first(
    digest, project: Path, smtp_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    _configure(project, port)
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "right-password")
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    result = digest(
        "send",
        "-p",
        str(project),
        "--to",
        "editor@northlight.example",
        "--to",
        "sg@northlight.example",
    )
    assert result.exit_code == 0, result.output
    assert f"Sent {DEMO_ISSUE}" in result.output
    ((mail_from, rcpt, content),) = inbox.messages
    assert mail_from == "newsletter@northlight.example"
    assert rcpt == ["editor@northlight.example", "sg@northlight.example"]
    msg = email.message_from_bytes(content, policy=email.policy.default)
    assert msg["Subject"] == "[TEST] Northlight Weekly: December 19, 2025"
    assert msg["To"] == "editor@northlight.example, sg@northlight.example"
    assert msg["From"].addresses[0].addr_spec == "newsletter@northlight.example"
    assert msg["List-Unsubscribe"] and msg["Message-ID"] and msg["Date"]
    parts = [p.get_content_type() for p in msg.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    history = json.loads(digest("issues", "list", "-p", str(project), "--json").stdout)
    assert history[0]["issue_id"] == DEMO_ISSUE and history[0]["test_sends"] == 1


def test_service_tags_are_pointed_out(
    digest, project: Path, smtp_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    _configure(project, port)
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "right-password")
    digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q", "--esp", "mailchimp")
    result = digest("send", "-p", str(project), "--to", "editor@northlight.example")
    assert result.exit_code == 0
    assert "built for Mailchimp" in result.stderr
    assert b"*|UNSUB|*" in inbox.messages[0][2]


def test_refused_login_is_a_clear_error(
    digest, project: Path, smtp_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    _configure(project, port)
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "wrong-password")
    digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    result = digest("send", "-p", str(project), "--to", "editor@northlight.example")
    assert result.exit_code == 1
    assert f"127.0.0.1:{port} refused the login for editor (535" in result.stderr
    assert "DIGEST_SMTP_PASSWORD" in result.stderr
    assert "Traceback" not in result.output
    assert inbox.messages == []


def test_refuses_a_mailing_list(digest, project: Path) -> None:
    digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    many = [arg for i in range(6) for arg in ("--to", f"p{i}@example.org")]
    result = digest("send", "-p", str(project), *many)
    assert result.exit_code == 2
    assert "at most 5 people" in result.stderr


def test_needs_a_server(digest, project: Path) -> None:
    digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    result = digest("send", "-p", str(project), "--to", "a@example.org")
    assert result.exit_code == 2
    assert "no SMTP server configured" in result.stderr


def test_a_server_that_never_finishes_its_greeting_is_given_up(digest, project: Path) -> None:
    """Each read has [smtp] timeout, but a server sending a "220-" continuation line more
    often than that held `digest send` for ever (the desk's "Send a test" too)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            while not stop.wait(0.1):
                try:
                    conn.sendall(b"220-still greeting\r\n")
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()
    try:
        with open(project / "digest.toml", "a") as f:
            port = listener.getsockname()[1]
            f.write(f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n')
            f.write("timeout = 0.5\n")
        digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
        result = digest("send", "-p", str(project), "--to", "editor@northlight.example")
    finally:
        stop.set()
        listener.close()
    assert result.exit_code == 1
    assert "did not finish within 2 s; nothing was sent" in result.stderr
    assert "Traceback" not in result.output
