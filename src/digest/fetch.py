"""Fetch feeds: the only module that does feed I/O.

Remote feeds are fetched concurrently with httpx (a global and a per-host limit), each
under connect/read timeouts and a total deadline, with the *decoded* body capped, at most
five redirects followed by hand (so permanent ones can be recorded), conditional GET and
Retry-After honoured. Local feeds (paths in the project) are read from disk. Nothing here
raises for a single feed: every outcome is a :class:`Fetched` value whose failures carry
an ``error_kind`` (see :data:`ERROR_KINDS`) for scripts and a sentence for people.

Everything from outside is checked before use: a URL (from feeds.toml, a stored redirect
or a Location header) only if it is http(s) with a host and port the client can use,
validators (ETag, Last-Modified) only if they are short printable ASCII, both when they
arrive and when they are sent back, and Retry-After is clamped to a week. Whatever a
hostile server still manages to raise is turned into a failure of that feed in one place,
:func:`_survive`; the run goes on.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from . import __version__
from .config import FetchSettings
from .models import FeedSource, FeedState, Fetched, FetchStatus
from .untrusted import clip, retry_after, url_problem, validator

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
DEFAULT_BACKOFF = timedelta(hours=1)  # 429/503 without a usable Retry-After
_PERMANENT = {301, 308}
_REDIRECTS = {301, 302, 303, 307, 308}
_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
ERROR_KINDS = {
    "timeout": "the server was too slow (timeout or total deadline)",
    "too_large": "the body exceeded the size cap once decompressed",
    "http_status": "the server answered with an error status",
    "gone": "HTTP 410: the feed was removed; it is skipped until reset",
    "rate_limited": "HTTP 429/503: skipped until the Retry-After time",
    "url": "the feed URL is not http(s) with a valid host and port, or cannot be parsed",
    "redirect": "redirect loop, too many redirects, or a redirect to a URL that is not "
    "http(s) with a valid host and port",
    "connection": "could not connect (DNS, refused, reset, TLS)",
    "decoding": "the response could not be decompressed",
    "file": "a local feed file is missing or unreadable",
    "waiting": "skipped: a Retry-After time has not passed yet",
    "not_a_feed": "the document is not RSS or Atom (an HTML page, empty, ...)",
    "refused": "the document declares XML entities; refused for safety",
    "malformed": "the XML is broken and no valid entry could be kept",
    "parser": "the parser crashed, ran out of time or memory on this document",
    "internal": "an unexpected error (a bug in digest: run with -v and report it)",
}
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
    timeout = httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0))
    headers = {"User-Agent": user_agent(settings.user_agent_contact), "Accept": _ACCEPT}
    global_gate = asyncio.Semaphore(settings.concurrency)
    hosts: dict[str, tuple[asyncio.Semaphore, httpx.AsyncClient]] = {}
    ssl_context: list[ssl.SSLContext] = []

    def host_client(host: str) -> tuple[asyncio.Semaphore, httpx.AsyncClient]:
        # One small pool per host: httpcore scans its whole pool on every request, which
        # turns quadratic with one big shared pool (measured: 180,000 scans for 100 feeds).
        if host not in hosts:
            if not ssl_context:
                ssl_context.append(httpx.create_ssl_context())  # loaded once, shared
            client = httpx.AsyncClient(
                limits=httpx.Limits(
                    max_connections=settings.per_host, max_keepalive_connections=settings.per_host
                ),
                timeout=timeout,
                headers=headers,
                follow_redirects=False,
                event_hooks={"response": [_hold_location]},
                trust_env=False,
                verify=ssl_context[0],
            )
            hosts[host] = (asyncio.Semaphore(settings.per_host), client)
        return hosts[host]

    async def one(source: FeedSource) -> Fetched:
        start = time.monotonic()
        try:
            result = await fetch_one(source)
        except Exception as e:  # the one boundary: see _survive
            result = _survive(source, e, start)
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
            return _failed(
                source, "url", f"the feed URL cannot be used: {problem}", time.monotonic()
            )
        stale = state.redirect_url is not None and url_problem(state.redirect_url) is not None
        if stale:
            log.debug("%s: ignoring the stored redirect %r", source.url, state.redirect_url)
            state = replace(state, redirect_url=None)
        gate, client = host_client(urlsplit(state.redirect_url or source.url).hostname or "")
        async with global_gate, gate:
            result = await _fetch_remote(client, source, state, settings, now)
        if stale and result.permanent_redirect is None:  # overwrite the unusable one
            result = replace(result, permanent_redirect=source.url)
        return result

    try:
        return list(await asyncio.gather(*(one(s) for s in sources)))
    finally:
        for _, client in hosts.values():
            await client.aclose()


def _should_skip(source: FeedSource, state: FeedState, now: datetime) -> Fetched | None:
    if state.gone:
        return Fetched(
            source,
            FetchStatus.SKIPPED,
            gone=True,
            error_kind="gone",
            error="the server said this feed is gone (HTTP 410); remove it from feeds.toml, "
            "or run `digest feeds reset` if it is back",
        )
    if state.next_retry is not None and state.next_retry > now:
        return Fetched(
            source,
            FetchStatus.SKIPPED,
            retry_after=state.next_retry,
            error_kind="waiting",
            error=f"the server asked us to wait until {state.next_retry:%Y-%m-%d %H:%M} UTC",
        )
    return None


def _read_local(
    source: FeedSource, root: Path, settings: FetchSettings, state: FeedState
) -> Fetched:
    """Read a feed file; its modification time and size serve as the validator."""
    path = root / source.url
    start = time.monotonic()
    try:
        stat = path.stat()
        if not path.is_file():
            return _failed(source, "file", "is not a file", start)
        if stat.st_size > settings.max_bytes:
            return _failed(
                source,
                "too_large",
                f"file is larger than the {settings.max_bytes} byte limit",
                start,
            )
        stamp = f"{stat.st_mtime_ns}-{stat.st_size}"
        if state.etag == stamp:
            return Fetched(
                source, FetchStatus.NOT_MODIFIED, etag=stamp, elapsed=time.monotonic() - start
            )
        body = path.read_bytes()
    except FileNotFoundError:
        return _failed(source, "file", "file not found (paths are relative to the project)", start)
    except OSError as e:
        return _failed(source, "file", f"cannot read the file: {e.strerror}", start)
    except ValueError:  # a NUL character in the path
        return _failed(source, "file", "the path is not a valid file name", start)
    return Fetched(source, FetchStatus.OK, body=body, etag=stamp, elapsed=time.monotonic() - start)


def _failed(
    source: FeedSource, kind: str, message: str, start: float, http_status: int | None = None
) -> Fetched:
    return Fetched(
        source,
        FetchStatus.FAILED,
        error=message,
        error_kind=kind,
        http_status=http_status,
        elapsed=time.monotonic() - start,
    )


async def _fetch_remote(
    client: httpx.AsyncClient,
    source: FeedSource,
    state: FeedState,
    settings: FetchSettings,
    now: datetime,
) -> Fetched:
    start = time.monotonic()
    url = state.redirect_url or source.url
    conditional = {}
    if (etag := validator(state.etag)) is not None:
        conditional["If-None-Match"] = etag
    if (modified := validator(state.last_modified)) is not None:
        conditional["If-Modified-Since"] = modified
    try:
        async with asyncio.timeout(settings.deadline):
            return await _follow(client, source, url, conditional, settings, now, start)
    except TimeoutError:
        return _failed(
            source,
            "timeout",
            f"gave up after {settings.deadline:g} s (total deadline per feed)",
            start,
        )
    except _TooLarge:
        return _failed(
            source,
            "too_large",
            f"the response is larger than {settings.max_bytes} bytes once decompressed",
            start,
        )
    except httpx.TimeoutException as e:
        return _failed(
            source, "timeout", f"{_timeout_kind(e)} timed out after {settings.timeout:g} s", start
        )


def _survive(source: FeedSource, error: Exception, start: float) -> Fetched:
    """Survivable versus fatal, decided once: whatever a feed server, a URL or a stored
    value made the HTTP stack or the standard library raise fails that feed alone, with a
    typed `error_kind`; the traceback goes to the debug log."""
    log.debug("%s: %s", source.url, type(error).__name__, exc_info=error)
    detail = clip(str(error) or type(error).__name__)
    if isinstance(error, httpx.DecodingError):
        return _failed(source, "decoding", f"could not decompress the response ({detail})", start)
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return _failed(source, "url", f"the URL cannot be used: {detail}", start)
    if isinstance(error, httpx.HTTPError | OSError):
        return _failed(source, "connection", f"connection failed: {detail}", start)
    return _failed(
        source,
        "internal",
        f"unexpected {type(error).__name__} ({detail}); a bug in digest: please report it",
        start,
    )


def _timeout_kind(e: httpx.TimeoutException) -> str:
    if isinstance(e, httpx.ConnectTimeout):
        return "connecting"
    if isinstance(e, httpx.ReadTimeout):
        return "reading the response"
    return "the request"


async def _follow(
    client: httpx.AsyncClient,
    source: FeedSource,
    url: str,
    conditional: dict[str, str],
    settings: FetchSettings,
    now: datetime,
    start: float,
) -> Fetched:
    permanent: str | None = None
    all_permanent = True
    seen: set[str] = set()
    for _ in range(MAX_REDIRECTS + 1):
        if seen and (problem := url_problem(url)) is not None:
            return _failed(
                source,
                "redirect",
                f"refusing to follow a redirect: {problem} (only http and https URLs with a "
                "valid host and port are followed)",
                start,
            )
        if url in seen:
            return _failed(source, "redirect", "redirect loop", start)
        seen.add(url)
        attempt = await _request(client, url, conditional, settings.max_bytes)
        if attempt.status in _REDIRECTS:
            location = attempt.location
            if not location:
                return _failed(
                    source,
                    "redirect",
                    f"HTTP {attempt.status} redirect without a Location header",
                    start,
                    attempt.status,
                )
            try:
                url = urljoin(url, location.strip())
            except ValueError:  # an unparsable IPv6 literal, for one
                url = location.strip()
            all_permanent = all_permanent and attempt.status in _PERMANENT
            if all_permanent:
                permanent = url
            continue
        return _outcome(source, attempt, permanent, now, start)
    return _failed(source, "redirect", f"more than {MAX_REDIRECTS} redirects", start)


async def _request(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], max_bytes: int
) -> _Attempt:
    async with client.stream("GET", url, headers=headers) as response:
        chunks: list[bytes] = []
        if response.status_code == 200:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _TooLarge
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
    source: FeedSource, attempt: _Attempt, permanent: str | None, now: datetime, start: float
) -> Fetched:
    status, headers = attempt.status, attempt.headers
    base = Fetched(
        source,
        FetchStatus.FAILED,
        final_url=attempt.url,
        http_status=status,
        permanent_redirect=permanent,
        elapsed=time.monotonic() - start,
        etag=validator(headers.get("etag")),
        last_modified=validator(headers.get("last-modified")),
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
            error_kind="gone",
            error="HTTP 410 Gone: the publisher removed this feed",
        )
    if status in (429, 503):
        retry = retry_after(headers.get("retry-after"), now) or now + DEFAULT_BACKOFF
        when = f"; skipped until {retry:%Y-%m-%d %H:%M} UTC" if retry else ""
        return replace(
            base,
            retry_after=retry,
            error_kind="rate_limited",
            error=f"HTTP {status} {_reason(status)}{when}",
        )
    hint = {
        401: " (the feed needs a login)",
        403: " (the server refused us)",
        404: " (check the URL in feeds.toml)",
    }.get(status, "")
    return replace(base, error_kind="http_status", error=f"HTTP {status} {_reason(status)}{hint}")


def _reason(status: int) -> str:
    return str(httpx.codes.get_reason_phrase(status))
