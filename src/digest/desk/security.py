"""The desk's defences, in one place, as plain functions and small classes.

- **Where it listens**: 127.0.0.1 unless told otherwise; any other address needs a password
  (DIGEST_DESK_PASSWORD or ``[desk] password`` in digest.toml, never the command line),
  else the desk refuses to start (:func:`check_bind`).
- **Who**: with a password set, every page but the login needs a signed session cookie
  (HttpOnly, SameSite=Strict); the password is compared in constant time and failed
  attempts are rate-limited per client and overall (:class:`LoginLimiter`).
- **Which site**: every POST carries the session's CSRF token (header or form field) and
  an Origin (or Referer) of the desk itself (:func:`check_post`); a GET that another
  site's page makes (an image, a script, a frame, a fetch) is refused, and a link followed
  from another site gets a page to open the desk from, not the issue (:func:`cross_site`):
  opening an issue builds its draft, which no other site may set off. The Host header must
  name the desk or be an IP address (DNS rebinding): :func:`host_allowed`, with
  :func:`allowed_hosts`.
- **What the browser may do**: strict Content-Security-Policy on every page, the newsletter
  preview in a sandboxed iframe under its own CSP (no script at all), no framing by other
  sites, nosniff, same-origin referrers (:func:`security_headers`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import ConfigError

PASSWORD_ENV = "DIGEST_DESK_PASSWORD"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
# check_post's answer to a page of the desk itself with an out-of-date token
STALE = "the page's security token is missing or out of date: reload the page"

# style-src-attr: the drag-and-drop library styles the element being dragged through style
# attributes; a style attribute cannot load anything (img-src and the rest stay 'self').
DESK_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# The newsletter as it will be mailed: inline styles and remote images, nothing else. The
# iframe that shows it is sandboxed too (no scripts, a unique origin).
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox"
)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def desk_password(configured: str | None, environ: Mapping[str, str] = os.environ) -> str | None:
    """The password from the environment, else from digest.toml; None when neither."""
    value = environ.get(PASSWORD_ENV) or configured
    return value or None


MIN_PASSWORD = 10  # characters, for a desk other machines can reach
# What the desk says when it listens beyond this machine (it speaks plain HTTP).
CLEARTEXT = (
    "the desk speaks plain HTTP: the password and the pages cross the network "
    "unencrypted. Use it only on a network you trust, or put it behind an HTTPS proxy."
)


def check_bind(host: str, password: str | None) -> None:
    """Refuse to listen beyond this machine without a password, or with one short
    enough to guess."""
    if is_loopback(host):
        return
    where = f"the desk would listen on {host}, where other machines can reach it,"
    if not password:
        raise ConfigError(
            f"{where} and no password is set",
            hint=f"set {PASSWORD_ENV} in the environment (or password in a [desk] table of "
            "digest.toml), or leave --host out to use 127.0.0.1 (this computer only)",
        )
    if len(password) < MIN_PASSWORD:
        raise ConfigError(
            f"{where} and its password has only {len(password)} characters",
            hint=f"choose a password of at least {MIN_PASSWORD} characters (a few words "
            "work well), or leave --host out to use 127.0.0.1 (this computer only)",
        )


def allowed_hosts(host: str, extra: tuple[str, ...] = ()) -> list[str]:
    """Host names the desk answers to: its own address, loopback names when it listens on
    loopback, this computer's own names when it listens on every interface, and those
    configured in [desk] allowed_hosts. (Any IP address is answered too: see
    :func:`host_allowed`.)"""
    names = {host.lower().strip("[]"), *(h.lower() for h in extra)}
    if is_loopback(host):
        names |= {"127.0.0.1", "localhost", "::1"}
    if is_wildcard(host):
        names.discard(host.strip("[]"))
        names |= {"127.0.0.1", "localhost", "::1"} | ({name} if (name := own_name()) else set())
    return sorted(names)


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::")


def own_name() -> str | None:
    """This computer's host name, as colleagues' browsers may use it (not getfqdn: that
    asks the DNS, and a desk starts without touching the network)."""
    import socket

    name = socket.gethostname().lower()
    return name if name and not name.startswith("localhost") else None


def host_name(header: str) -> str:
    """The name in a Host header, without the port or an IPv6 address's brackets."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_allowed(header: str, allowed: list[str]) -> bool:
    """Whether a request's Host header names the desk. A name must be one of `allowed`:
    another name that resolves to this computer is a DNS-rebinding attacker's page. An
    IP address is always answered: only a page served from that very address can send
    it, never another site's."""
    name = host_name(header)
    if not name:
        return False
    if name in allowed:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison (of fixed-length digests, so the length leaks nothing)."""
    a = hashlib.sha256(given.encode("utf-8")).digest()
    b = hashlib.sha256(expected.encode("utf-8")).digest()
    return hmac.compare_digest(a, b)


def check_post(
    headers: Mapping[str, str], form_token: str | None, session_token: str | None
) -> str | None:
    """Why a state-changing request is refused, or None when it may go ahead: it must come
    from a page of the desk itself (Origin, else Referer, naming the Host it was sent to)
    and carry the session's CSRF token."""
    host = headers.get("host", "")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        referer = headers.get("referer")
        if not referer:
            return "the request did not say which page it came from"
        origin = referer
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        return "the request came from another site"
    token = headers.get(CSRF_HEADER) or form_token
    if not token or not session_token or not same_secret(token, session_token):
        return STALE
    return None


def cross_site(headers: Mapping[str, str]) -> str | None:
    """How a GET came from another site, by the browser's Fetch Metadata: "navigate" (a
    link followed to a page of the desk), "refuse" (anything else another site's page asks
    for), or None (the desk's own pages, an address typed in; a client that sends no
    Sec-Fetch-Site is no browser page's doing)."""
    site = headers.get("sec-fetch-site")
    if site is None or site in ("same-origin", "none"):
        return None
    if headers.get("sec-fetch-mode") == "navigate" and headers.get("sec-fetch-dest") in (
        "document",
        None,
    ):
        return "navigate"
    return "refuse"


@dataclass
class LoginLimiter:
    """At most `per_client` failed logins per client and `overall` in all within `window`
    seconds; beyond that, logins are refused until the window has moved on. A client that
    has logged in before is held only to its own limit: many addresses guessing at once
    do not lock the editors out."""

    per_client: int = 5
    overall: int = 50
    window: float = 300.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _all: deque[float] = field(default_factory=deque)
    _known: set[str] = field(default_factory=set)  # clients that logged in
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, client: str, now: float | None = None) -> int:
        """Seconds to wait before this client may try again (0: go ahead)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            mine = self._failures.get(client, deque())
            waits = []
            if len(mine) >= self.per_client:
                waits.append(mine[0] + self.window - now)
            if len(self._all) >= self.overall and client not in self._known:
                waits.append(self._all[0] + self.window - now)
            return max(0, int(max(waits, default=0) + 0.999))

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._failures.setdefault(client, deque()).append(now)
            self._all.append(now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
            if len(self._known) < 10_000:
                self._known.add(client)

    def _expire(self, now: float) -> None:
        cutoff = now - self.window
        for key in list(self._failures):
            q = self._failures[key]
            while q and q[0] <= cutoff:
                q.popleft()
            if not q:
                del self._failures[key]
        while self._all and self._all[0] <= cutoff:
            self._all.popleft()


def security_headers(preview: bool = False) -> dict[str, str]:
    return {
        "content-security-policy": PREVIEW_CSP if preview else DESK_CSP,
        "x-frame-options": "SAMEORIGIN" if preview else "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "cross-origin-opener-policy": "same-origin",
        "cache-control": "no-store",
    }
