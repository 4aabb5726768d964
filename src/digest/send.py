"""`digest send`: mail a built issue to a few people as a test, over SMTP.

digest drafts; mailing services send. This refuses more than a handful of recipients,
prefixes the subject with "[TEST]", and takes the password from the environment or
digest.toml, never from the command line (it would end up in shell history and `ps`).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import smtplib
import socket
import ssl
import threading
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from . import validate
from .config import SmtpSettings
from .errors import ConfigError, DigestError

MAX_RECIPIENTS = 5
SUBJECT_PREFIX = "[TEST] "


def test_message(eml: Path, recipients: Sequence[str]) -> EmailMessage:
    """The issue's .eml, addressed to the testers, with a [TEST] subject."""
    try:
        raw = eml.read_bytes()
    except FileNotFoundError:
        raise DigestError(
            f"{eml} not found", hint="build the issue first: `digest build`"
        ) from None
    check_not_empty(eml.parent)
    msg = email.message_from_bytes(raw, policy=email.policy.SMTP)
    assert isinstance(msg, EmailMessage)
    subject = str(msg["Subject"] or "")
    del msg["Subject"]
    msg["Subject"] = subject if subject.startswith(SUBJECT_PREFIX) else SUBJECT_PREFIX + subject
    del msg["To"]
    msg["To"] = ", ".join(recipients)
    return msg


def check_not_empty(folder: Path) -> None:
    """Refuse an issue with no story (a weekly built with --allow-empty, say): nobody
    should receive an empty newsletter, not even a tester."""
    from .publish import MANIFEST_NAME, read_manifest

    manifest = read_manifest(folder / MANIFEST_NAME)
    if not manifest.get("items") and manifest.get("template") != "year-end":
        raise DigestError(
            f"issue {manifest.get('issue_id', folder.name)} has no story: nothing to send",
            hint="fetch feeds and rebuild it when the window has stories (`digest build`)",
        )


def check_recipients(recipients: Sequence[str]) -> list[str]:
    if not recipients:
        raise ConfigError("give at least one --to address")
    if len(recipients) > MAX_RECIPIENTS:
        raise ConfigError(
            f"{len(recipients)} recipients: test sends go to at most {MAX_RECIPIENTS} people",
            hint="digest drafts; send the real issue with your mailing service",
        )
    cleaned = []
    for value in recipients:
        problem = validate.mailbox(value)
        if problem:
            raise ConfigError(
                f"--to {value!r}: {problem}", hint="give a plain address like editor@example.org"
            )
        cleaned.append(parseaddr(value)[1])
    return cleaned


def deliver(msg: EmailMessage, settings: SmtpSettings, sender: Address) -> str:
    """Send through the configured server; returns "host:port". Errors say what to do."""
    if not settings.host:
        raise ConfigError(
            "no SMTP server configured",
            hint="add [smtp] host (and port, security, user) to digest.toml",
        )
    server = f"{settings.host}:{settings.port}"
    try:
        _converse(msg, settings, sender, server)
    except smtplib.SMTPAuthenticationError as e:
        raise DigestError(
            f"{server} refused the login for {settings.user} ({e.smtp_code} {_text(e.smtp_error)})",
            hint=f"check [smtp] user and {settings.password_env}",
        ) from e
    except smtplib.SMTPNotSupportedError as e:
        raise DigestError(
            f"{server}: {e}", hint="check [smtp] security (starttls, tls, none) and port"
        ) from e
    except smtplib.SMTPRecipientsRefused as e:
        refused = ", ".join(sorted(e.recipients))
        raise DigestError(f"{server} refused the recipients: {refused}") from e
    except smtplib.SMTPException as e:
        raise DigestError(f"{server}: the SMTP server said {e}") from e
    except (TimeoutError, ConnectionError, socket.gaierror, ssl.SSLError, OSError) as e:
        raise DigestError(
            f"could not reach the SMTP server {server}: {e}",
            hint="check [smtp] host, port and security",
        ) from e
    return server


DEADLINE_TIMEOUTS = 4  # a whole send may take this many times [smtp] timeout


def _converse(msg: EmailMessage, settings: SmtpSettings, sender: Address, server: str) -> None:
    """The SMTP conversation, within a deadline: [smtp] timeout bounds each read, and a
    server that drips bytes or continuation lines would otherwise hold a send for ever."""
    password = os.environ.get(settings.password_env) or settings.password
    context = ssl.create_default_context()
    deadline = settings.timeout * DEADLINE_TIMEOUTS
    expired = threading.Event()
    bounds = (deadline, expired)
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = _BoundedSMTPSSL(
                settings.host,
                settings.port,
                timeout=settings.timeout,
                context=context,
                deadline=bounds,
            )
        else:
            client = _BoundedSMTP(
                settings.host, settings.port, timeout=settings.timeout, deadline=bounds
            )
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.user:
                if not password:
                    raise ConfigError(
                        f"no password for {settings.user}",
                        hint=f"set {settings.password_env} in the environment",
                    )
                client.login(settings.user, password)
            client.send_message(msg, from_addr=sender.addr_spec)
    except (smtplib.SMTPException, OSError) as e:
        if not expired.is_set():
            raise
        raise DigestError(
            f"the SMTP server {server} did not finish within {deadline:g} s; nothing was sent",
            hint="it answers too slowly or not at all: check [smtp] host and port (a send "
            f"may take {DEADLINE_TIMEOUTS} times [smtp] timeout)",
        ) from e


class _Deadline:
    """An SMTP client whose socket is shut down when its deadline passes, ending any read
    in progress (the constructor's greeting included); `expired` says it happened."""

    def __init__(self, *args: Any, deadline: tuple[float, threading.Event], **kwargs: Any):
        seconds, self._expired = deadline
        self._timer = threading.Timer(seconds, self._abort)
        self._timer.daemon = True
        self._timer.start()
        try:
            super().__init__(*args, **kwargs)
        except BaseException:
            self._timer.cancel()
            raise

    def _abort(self) -> None:
        self._expired.set()
        sock = getattr(self, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()
        super().close()  # type: ignore[misc]


class _BoundedSMTP(_Deadline, smtplib.SMTP):
    pass


class _BoundedSMTPSSL(_Deadline, smtplib.SMTP_SSL):
    pass


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
