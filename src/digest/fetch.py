"""Fetch feeds: the only module that does feed I/O.

Remote feeds are fetched concurrently with httpx (a global and a per-host limit), each
under connect/read timeouts and a total deadline, with the *decoded* body capped, at most
five redirects followed by hand (so permanent ones can be recorded), conditional GET and
Retry-After honoured. Local feeds (paths in the project) are read from disk. Nothing here
raises for a single feed: every outcome is a :class:`Fetched` value whose failures carry
an ``error_kind`` (an :class:`~digest.models.ErrorKind`) for scripts and a sentence for people.

Everything from outside is checked before use: a URL (from feeds.toml, a stored redirect
or a Location header) only if it is http(s) with a host and port the client can use,
validators (ETag, Last-Modified) are sent back only if they are short printable ASCII
(digest.feedupdate stores no other), and Retry-After is clamped to a week. Whatever a
hostile server still manages to raise is turned into a failure of that feed in one place,
:func:`_survive`; the run goes on.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from . import __version__
from .config import FetchSettings
from .models import ERROR_KINDS, ErrorKind, FeedSource, FeedState, Fetched, FetchStatus
from .untrusted import clip, retry_after, url_problem, validator

log = logging.getLogger(__name__)
__all__ = ["ERROR_KINDS", "fetch_feeds", "user_agent"]

MAX_REDIRECTS = 5
DEFAULT_BACKOFF = timedelta(hours=1)  # 429/503 without a usable Retry-After
_PERMANENT = {301, 308}
_REDIRECTS = {301, 302, 303, 307, 308}
_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
Progress = Callable[[Fetched], None]
_LOCATION = "digest.location"


def user_agent(contact: str | None) -> str:
    extra = f"; {contact}" if contact else ""
    return (
        f"digest/{__version__} (email newsletter builder; +https://pypi.org/project/digest{extra})"
    )


@dataclass(frozen=True)
class _Attempt:
    """What one HTTP exchange produced, before it becomes a Fetched."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str
    location: str | None = None  # of a redirect, as sent (see _hold_location)


class _TooLarge(Exception):
    pass


def fetch_feeds(
    sources: Sequence[FeedSource],
    states: dict[str, FeedState],
    *,
    root: Path,
    settings: FetchSettings,
    now: datetime,
    progress: Progress | None = None,
    keep_bodies: bool = True,
) -> list[Fetched]:
    """Fetch every source; results come back in the order of `sources`.

    `progress` is called with each result as soon as it is ready (in this thread), so a
    caller can start parsing while other feeds are still downloading; with
    `keep_bodies=False` the returned results then drop their bodies (the callback had them),
    so a large run does not hold every document in memory."""
    return asyncio.run(
        _fetch_all(
            sources,
            states,
            root=root,
            settings=settings,
            now=now,
            progress=progress,
            keep_bodies=keep_bodies,
        )
    )


async def _fetch_all(
    sources: Sequence[FeedSource],
    states: dict[str, FeedState],
    *,
    root: Path,
    settings: FetchSettings,
    now: datetime,
    progress: Progress | None,
    keep_bodies: bool,
) -> list[Fetched]:
    timeout = httpx.Timeout(settings.timeout, connect=_connect_timeout(settings))
    headers = {"User-Agent": user_agent(settings.user_agent_contact), "Accept": _ACCEPT}
    global_gate = asyncio.Semaphore(settings.concurrency)
    gates: dict[str, asyncio.Semaphore] = {}
    clients: dict[tuple[str, str], httpx.AsyncClient] = {}
    contexts: dict[bool, ssl.SSLContext] = {}

    def tls(https: bool) -> ssl.SSLContext:
        # Certificates are loaded (about 50 ms) only once an https URL is met, then shared.
        # Plain http clients get a context with no certificate at all, which still verifies
        # (CERT_REQUIRED, check_hostname), so it fails closed if ever asked for TLS.
        if https not in contexts:
            contexts[https] = (
                httpx.create_ssl_context() if https else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            )
        return contexts[https]

    def client_for(url: str) -> httpx.AsyncClient:
        # One small pool per scheme and host: httpcore scans its whole pool on every request,
        # which turns quadratic with one big shared pool (measured: 180,000 scans for 100
        # feeds). Redirects are followed with the client of their own scheme and host.
        parts = urlsplit(url)
        key = (parts.scheme.lower(), parts.hostname or "")
        if key not in clients:
            clients[key] = httpx.AsyncClient(
                limits=httpx.Limits(
                    max_connections=settings.per_host, max_keepalive_connections=settings.per_host
                ),
                timeout=timeout,
                headers=headers,
                follow_redirects=False,
                event_hooks={"response": [_hold_location]},
                trust_env=False,
                verify=tls(key[0] != "http"),
            )
        return clients[key]

    def gate_for(url: str) -> asyncio.Semaphore:  # politeness: per host, whatever the scheme
        host = urlsplit(url).hostname or ""
        if host not in gates:
            gates[host] = asyncio.Semaphore(settings.per_host)
        return gates[host]

    async def one(source: FeedSource) -> Fetched:
        try:
            result = await fetch_one(source)
        except Exception as e:  # the one boundary: see _survive
            result = _survive(source, e)
        if progress is not None:
            progress(result)
            if not keep_bodies and result.body is not None:
                result = replace(result, body=None)
        return result

    async def fetch_one(source: FeedSource) -> Fetched:
        state = states.get(source.url, FeedState(url=source.url))
        if not source.is_remote:
            return _read_local(source, root, settings, state)
        if (skip := _should_skip(source, state, now)) is not None:
            return skip
        if (problem := url_problem(source.url)) is not None:
            return _failed(source, ErrorKind.URL, f"the feed URL cannot be used: {problem}")
        stale = state.redirect_url is not None and url_problem(state.redirect_url) is not None
        if stale:
            log.debug("%s: ignoring the stored redirect %r", source.url, state.redirect_url)
            state = replace(state, redirect_url=None)
        async with global_gate, gate_for(state.redirect_url or source.url):
            result = await _fetch_remote(client_for, source, state, settings, now)
        if stale and result.permanent_redirect is None:  # overwrite the unusable one
            result = replace(result, permanent_redirect=source.url)
        return result

    try:
        return list(await asyncio.gather(*(one(s) for s in sources)))
    finally:
        for client in clients.values():
            await client.aclose()


def _should_skip(source: FeedSource, state: FeedState, now: datetime) -> Fetched | None:
    if state.gone:
        return Fetched(
            source,
            FetchStatus.SKIPPED,
            gone=True,
            error_kind=ErrorKind.GONE,
            error="the server said this feed is gone (HTTP 410); remove it from feeds.toml, "
            "or run `digest feeds reset` if it is back",
        )
    if state.next_retry is not None and state.next_retry > now:
        until = state.next_retry.astimezone(UTC)
        return Fetched(
            source,
            FetchStatus.SKIPPED,
            retry_after=state.next_retry,
            error_kind=ErrorKind.WAITING,
            error=f"the server asked us to wait until {until:%Y-%m-%d %H:%M} UTC",
        )
    return None


def _read_local(
    source: FeedSource, root: Path, settings: FetchSettings, state: FeedState
) -> Fetched:
    """Read a feed file; its modification time and size serve as the validator."""
    path = root / source.url
    try:
        if not path.resolve().is_relative_to(root.resolve()):  # a link out of the project
            return _failed(source, ErrorKind.FILE, "the path leads outside the project")
        stat = path.stat()
        if not path.is_file():
            return _failed(source, ErrorKind.FILE, "is not a file")
        if stat.st_size > settings.max_bytes:
            return _failed(
                source,
                ErrorKind.TOO_LARGE,
                f"file is larger than the {settings.max_bytes} byte limit",
            )
        stamp = f"{stat.st_mtime_ns}-{stat.st_size}"
        if state.etag == stamp:
            return Fetched(source, FetchStatus.NOT_MODIFIED, etag=stamp)
        body = path.read_bytes()
    except FileNotFoundError:
        return _failed(source, ErrorKind.FILE, "file not found (paths are relative to the project)")
    except OSError as e:
        return _failed(source, ErrorKind.FILE, f"cannot read the file: {e.strerror}")
    except ValueError:  # a NUL character in the path
        return _failed(source, ErrorKind.FILE, "the path is not a valid file name")
    return Fetched(source, FetchStatus.OK, body=body, etag=stamp)


def _failed(source: FeedSource, kind: ErrorKind, message: str) -> Fetched:
    return Fetched(
        source,
        FetchStatus.FAILED,
        error=message,
        error_kind=kind,
    )


async def _fetch_remote(
    client_for: Callable[[str], httpx.AsyncClient],
    source: FeedSource,
    state: FeedState,
    settings: FetchSettings,
    now: datetime,
) -> Fetched:
    url = state.redirect_url or source.url
    conditional = {}
    if (etag := validator(state.etag)) is not None:
        conditional["If-None-Match"] = etag
    if (modified := validator(state.last_modified)) is not None:
        conditional["If-Modified-Since"] = modified
    try:
        async with asyncio.timeout(settings.deadline):
            return await _follow(client_for, source, url, conditional, settings, now)
    except TimeoutError:
        return _failed(
            source,
            ErrorKind.TIMEOUT,
            f"gave up after {settings.deadline:g} s (total deadline per feed)",
        )
    except _TooLarge:
        return _failed(
            source,
            ErrorKind.TOO_LARGE,
            f"the response is larger than {settings.max_bytes} bytes once decompressed",
        )
    except httpx.TimeoutException as e:
        limit = _connect_timeout(settings) if isinstance(e, httpx.ConnectTimeout) else None
        return _failed(
            source,
            ErrorKind.TIMEOUT,
            f"{_timeout_kind(e)} timed out after {limit or settings.timeout:g} s",
        )


def _survive(source: FeedSource, error: Exception) -> Fetched:
    """Survivable versus fatal, decided once: whatever a feed server, a URL or a stored
    value made the HTTP stack or the standard library raise fails that feed alone, with a
    typed `error_kind`; the traceback goes to the debug log."""
    log.debug("%s: %s", source.url, type(error).__name__, exc_info=error)
    detail = clip(str(error) or type(error).__name__)
    if isinstance(error, httpx.DecodingError):
        return _failed(source, ErrorKind.DECODING, f"could not decompress the response ({detail})")
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return _failed(source, ErrorKind.URL, f"the URL cannot be used: {detail}")
    if isinstance(error, httpx.HTTPError | OSError):
        return _failed(
            source,
            ErrorKind.CONNECTION,
            f"connection failed: {detail} (the server or the network broke off; the next run"
            " tries again)",
        )
    return _failed(
        source,
        ErrorKind.INTERNAL,
        f"unexpected {type(error).__name__} ({detail}); a bug in digest: please report it",
    )


def _connect_timeout(settings: FetchSettings) -> float:
    return min(settings.timeout, 10.0)


def _timeout_kind(e: httpx.TimeoutException) -> str:
    if isinstance(e, httpx.ConnectTimeout):
        return "connecting"
    if isinstance(e, httpx.ReadTimeout):
        return "reading the response"
    return "the request"


async def _follow(
    client_for: Callable[[str], httpx.AsyncClient],
    source: FeedSource,
    url: str,
    conditional: dict[str, str],
    settings: FetchSettings,
    now: datetime,
) -> Fetched:
    permanent: str | None = None
    all_permanent = True
    seen: set[str] = set()
    start = url
    for _ in range(MAX_REDIRECTS + 1):
        if seen and (problem := url_problem(url)) is not None:
            return _failed(
                source,
                ErrorKind.REDIRECT,
                f"refusing to follow a redirect: {problem} (only http and https URLs with a "
                "valid host and port are followed)",
            )
        if url in seen:
            return _failed(source, ErrorKind.REDIRECT, "redirect loop")
        seen.add(url)
        attempt = await _request(client_for(url), url, conditional, settings.max_bytes)
        if attempt.status in _REDIRECTS:
            location = attempt.location
            if not location:
                return _failed(
                    source,
                    ErrorKind.REDIRECT,
                    f"HTTP {attempt.status} redirect without a Location header",
                )
            try:
                url = urljoin(url, location.strip())
            except ValueError:  # an unparsable IPv6 literal, for one
                url = location.strip()
            all_permanent = all_permanent and attempt.status in _PERMANENT
            if all_permanent:
                permanent = url
            continue
        if attempt.status == 304 and not conditional:
            return _failed(
                source,
                ErrorKind.HTTP_STATUS,
                "HTTP 304 Not Modified to a request that asked for the whole feed (the server"
                " is misconfigured: tell its publisher)",
            )
        remembered = url == start != source.url  # no redirect now: the stored one
        return _outcome(source, attempt, permanent, now, remembered=remembered)
    return _failed(source, ErrorKind.REDIRECT, f"more than {MAX_REDIRECTS} redirects")


async def _request(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], max_bytes: int
) -> _Attempt:
    async with client.stream("GET", url, headers=headers) as response:
        chunks: list[bytes] = []
        if response.status_code == 200:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _TooLarge
            codings = response.headers.get("content-encoding", "").lower().split(",")
            if len([c for c in codings if c.strip() not in ("", "identity")]) > 1:
                # each layer multiplies: gzip(gzip(4 GiB)) is 7 KB, and one network chunk
                # decodes to gigabytes before the size cap can see it
                raise httpx.DecodingError(
                    "it is compressed more than once, as compression bombs are: refused"
                )
            size = 0
            async for chunk in response.aiter_bytes():  # decoded: gzip bombs hit the cap
                size += len(chunk)
                if size > max_bytes:
                    raise _TooLarge
                chunks.append(chunk)
        location = response.extensions.get(_LOCATION)
        return _Attempt(
            response.status_code, response.headers, b"".join(chunks), str(url), location
        )


async def _hold_location(response: httpx.Response) -> None:
    """Even when it does not follow redirects, httpx parses every Location to prepare the
    next request, and raises on one it cannot parse. We follow redirects by hand and check
    each target ourselves (`url_problem`), so the header is kept out of its sight."""
    if "location" in response.headers:
        response.extensions[_LOCATION] = response.headers["location"]
        del response.headers["location"]


def _outcome(
    source: FeedSource,
    attempt: _Attempt,
    permanent: str | None,
    now: datetime,
    *,
    remembered: bool = False,  # the URL fetched is a permanent redirect stored earlier
) -> Fetched:
    status, headers = attempt.status, attempt.headers
    base = Fetched(
        source,
        FetchStatus.FAILED,
        final_url=attempt.url,
        permanent_redirect=permanent,
        etag=headers.get("etag"),  # checked by digest.feedupdate before it is stored
        last_modified=headers.get("last-modified"),
    )
    if status == 200:
        return replace(
            base,
            status=FetchStatus.OK,
            body=attempt.body,
            headers=tuple((k.lower(), v) for k, v in headers.items()),
        )
    if status == 304:
        return replace(base, status=FetchStatus.NOT_MODIFIED)
    if status == 410:
        return replace(
            base,
            gone=True,
            error_kind=ErrorKind.GONE,
            error="HTTP 410 Gone: the publisher removed this feed",
        )
    if status in (429, 503):
        retry = retry_after(headers.get("retry-after"), now) or now + DEFAULT_BACKOFF
        when = f"; skipped until {retry.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        return replace(
            base,
            retry_after=retry,
            error_kind=ErrorKind.RATE_LIMITED,
            error=f"HTTP {status} {_reason(status)}{when}",
        )
    hint = {
        401: " (the feed needs a login)",
        403: " (the server refused us)",
        404: " (check the URL in feeds.toml)",
    }.get(status, "")
    if attempt.url != source.url:  # a redirect now, or a permanent one remembered
        hint = f" at {clip(attempt.url, 200)}, where the feed's URL led" + (
            f' before (if it moved back, `digest feeds reset "{clip(source.name, 60)}"`'
            " forgets that)"
            if remembered
            else hint
        )
    return replace(
        base, error_kind=ErrorKind.HTTP_STATUS, error=f"HTTP {status} {_reason(status)}{hint}"
    )


def _reason(status: int) -> str:
    return str(httpx.codes.get_reason_phrase(status))
