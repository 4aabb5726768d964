"""The .eml parses with the standard library and is a proper multipart/alternative."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from .conftest import DEMO_AS_OF, DEMO_ISSUE


def _message(digest, project: Path) -> email.message.EmailMessage:
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    raw = (project / "out" / DEMO_ISSUE / "newsletter.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def test_eml_structure_and_headers(digest, project: Path) -> None:
    msg = _message(digest, project)
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]  # text first
    assert msg["Subject"] == "Northlight Weekly: December 19, 2025"
    assert msg["From"].addresses[0].addr_spec == "newsletter@northlight.example"
    assert msg["Date"] == "Fri, 19 Dec 2025 23:59:59 +0000"
    assert msg["Message-ID"].startswith(f"<{DEMO_ISSUE}.")
    assert msg["Message-ID"].endswith("@northlight.example>")
    assert msg["MIME-Version"] == "1.0"


def test_eml_parts_equal_the_files(digest, project: Path) -> None:
    msg = _message(digest, project)
    out = project / "out" / DEMO_ISSUE
    text, html = (p.get_content().replace("\r\n", "\n") for p in msg.iter_parts())
    assert text == (out / "newsletter.txt").read_text(encoding="utf-8")
    assert html == (out / "newsletter.html").read_text(encoding="utf-8")
    for part in msg.iter_parts():
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"


def test_eml_lines_are_crlf_and_short(digest, project: Path) -> None:
    _message(digest, project)
    raw = (project / "out" / DEMO_ISSUE / "newsletter.eml").read_bytes()
    lines = raw.split(b"\r\n")
    assert all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 998  # RFC 5322 hard limit


def test_an_internationalised_domain_is_written_in_ascii(digest, project: Path) -> None:
    """Mail headers are ASCII: an IDN sender or reply-to domain goes in as punycode (before:
    a UnicodeEncodeError traceback)."""
    path = project / "digest.toml"
    text = path.read_text(encoding="utf-8")
    old = 'sender = "Northlight Rights International <newsletter@northlight.example>"'
    assert old in text
    text = text.replace(old, 'sender = "Northlight <news@exämple.org>"')
    old = 'reply_to = "supporters@northlight.example"'
    assert old in text
    path.write_text(text.replace(old, 'reply_to = "amis@exämple.org"'), encoding="utf-8")
    msg = _message(digest, project)
    assert msg["From"].addresses[0].addr_spec == "news@xn--exmple-cua.org"
    assert msg["Reply-To"].addresses[0].addr_spec == "amis@xn--exmple-cua.org"
    assert msg["Message-ID"].endswith("@xn--exmple-cua.org>")


def test_an_encoded_word_in_the_subject_stays_as_typed(digest, project: Path) -> None:
    """The email library decodes RFC 2047 encoded words in a header value it is given: a
    name (or a feed's year-end title) holding "=?utf-8?b?KnxFTUFJTHwq?=" put a live
    *|EMAIL|* in the Subject that the manifest, the HTML and the desk did not show."""
    encoded = "=?utf-8?b?KnxFTUFJTHwq?="  # *|EMAIL|*
    config = project / "digest.toml"
    config.write_text(config.read_text().replace('name = "', f'name = "{encoded} ', 1))
    subject = str(_message(digest, project)["Subject"])
    assert "*|EMAIL|*" not in subject
    assert "?utf-8?b?KnxFTUFJTHwq?=" in subject  # shown as typed, broken by a zero-width space
