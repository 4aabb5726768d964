"""`digest send`: mail a built issue to a few people as a test, over SMTP.

digest drafts; mailing services send. This refuses more than a handful of recipients,
prefixes the subject with "[TEST]", and takes the password from the environment or
digest.toml, never from the command line (it would end up in shell history and `ps`).
"""

from __future__ import annotations

import email
import email.policy
import os
import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

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
    password = os.environ.get(settings.password_env) or settings.password
    server = f"{settings.host}:{settings.port}"
    context = ssl.create_default_context()
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
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


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
