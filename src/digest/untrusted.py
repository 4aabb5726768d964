"""Values from feed servers and the store, checked before the HTTP client uses them.

Pure functions. A value that fails a check is dropped (a validator), refused with a reason
(a URL) or clamped (Retry-After): never passed on to raise later, in every later run.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

RETRY_CAP = timedelta(days=7)  # the longest a Retry-After can make us wait
_VALIDATOR = re.compile(r"[\x20-\x7e]{1,1024}")
_PLAIN_URL = re.compile(
    r"https?://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?)(?::([0-9]{1,5}))?(?:[/?#][!-~]*)?"
)


def url_problem(url: str) -> str | None:
    """Why the HTTP client cannot use this URL, or None: http(s) only, a host that parses
    (IDNA included), a port from 1 to 65535, no control characters or spaces."""
    plain = _PLAIN_URL.fullmatch(url)  # the common case, without parsing it twice
    if plain and "xn--" not in plain[1].lower() and 0 < int(plain[2] or 80) < 65536:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
        if parts.scheme not in ("http", "https"):
            return f"{clip(repr(url), 120)} is not an http or https URL"
        if not parts.hostname:
            return f"{clip(repr(url), 120)} has no host"
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"port {port} out of range")
        if not url.isprintable() or " " in parts.netloc:
            raise ValueError("control characters or spaces")
        if not httpx.URL(url).host:  # decoding IDNA raises on "xn--" alone
            return f"{clip(repr(url), 120)} has no host"
    except (ValueError, httpx.InvalidURL) as e:  # IDNA errors are ValueErrors too
        return f"{clip(repr(url), 120)} is not a valid URL ({clip(str(e), 100)})"
    return None


def validator(value: str | None) -> str | None:
    """An ETag or Last-Modified value fit to store and send back (printable ASCII, at most
    1 KB), else None: a bad one would make every later request fail."""
    if value is not None and _VALIDATOR.fullmatch(value):
        return value
    return None


def retry_after(value: str | None, now: datetime, *, cap: timedelta = RETRY_CAP) -> datetime | None:
    """Parse a Retry-After header (seconds or HTTP date) into an absolute time between now
    and now + `cap`; None when it is not understood (negative, garbage, an impossible date)."""
    if not value:
        return None
    value = value.strip()
    latest = now + cap
    if value.isascii() and value.isdigit():
        if len(value) > 9 or int(value) > cap.total_seconds():
            return latest
        return now + timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(when, now), latest)


def clip(text: str, limit: int = 300) -> str:
    """Printable and at most `limit` characters: for messages quoting a hostile value."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
