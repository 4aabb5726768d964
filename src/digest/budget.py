"""How large an issue's HTML is as a mailing service sends it, and how it is encoded.

Gmail clips a message's HTML past about 102 KB. What it measures is not the file digest
writes but what the mailing service sends: every link rewritten to a click-tracking
redirect (typically about 100 characters, often longer than the link it replaces), an
open-tracking pixel added, merge tags filled in, and the whole body transfer-encoded
(quoted-printable or base64). :func:`as_sent` models that, and the size budget (95 KB by
default, ``html_budget`` in digest.toml) applies to that figure.

:func:`transfer_encoding` picks, for a body, the shorter of quoted-printable and base64:
the .eml uses it, so the figure matches the file (mostly ASCII text is smaller as
quoted-printable; Arabic or Greek text as base64).
"""

from __future__ import annotations

import re
from email.message import EmailMessage

DEFAULT_BUDGET = 95_000  # bytes, as sent
GMAIL_CLIP = 102_000  # Gmail clips HTML bodies past about 102 KB and drops head styles
TRACKING_URL = "https://click.mailing-service.example/ls/click?upn=" + "x" * 48  # 100 chars
OPEN_PIXEL = (
    '<img src="https://open.mailing-service.example/o/' + "x" * 64 + '.gif" width="1" '
    'height="1" alt="" style="display:block;height:1px!important;width:1px!important;'
    'border:0!important;margin:0!important;padding:0!important">'
)
_HREF = re.compile(r'href="(?!mailto:)[^"]*"')


def tracked(html: str) -> str:
    """The HTML as a service sends it: every non-mailto link through a redirect of
    ``len(TRACKING_URL)`` characters, an open-tracking pixel before ``</body>``."""
    html = _HREF.sub(f'href="{TRACKING_URL}"', html)
    at = html.rfind("</body>")
    return html[:at] + OPEN_PIXEL + html[at:] if at >= 0 else html + OPEN_PIXEL


def encoded(text: str, cte: str) -> str:
    """`text` (UTF-8) transfer-encoded exactly as the .eml carries it."""
    import email.policy  # here: config imports this module's defaults on the fetch path

    msg = EmailMessage(policy=email.policy.SMTP)
    msg.set_content(text, subtype="html", charset="utf-8", cte=cte)
    return str(msg.get_payload())


def transfer_encoding(text: str) -> str:
    """The shorter of quoted-printable and base64 for this body."""
    qp = len(encoded(text, "quoted-printable"))
    b64 = len(encoded(text, "base64"))
    return "quoted-printable" if qp <= b64 else "base64"


def as_sent(html: str) -> int:
    """Bytes of the HTML part as a mailing service sends it (tracked, then encoded)."""
    body = tracked(html)
    return min(len(encoded(body, cte)) for cte in ("quoted-printable", "base64"))
