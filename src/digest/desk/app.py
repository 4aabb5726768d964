"""The desk's web application: Starlette, with its security middleware, the login, and
the shared helpers of the routes (templates, forms, the guard every request passes).

Imported only by `digest desk` (and `digest preview`), never on the fetch path.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .security import (
    CSRF_FIELD,
    STALE,
    LoginLimiter,
    allowed_hosts,
    check_post,
    cross_site,
    host_allowed,
    host_name,
    new_token,
    same_secret,
    security_headers,
)
from .session import Desk

HERE = Path(__file__).parent
MAX_BODY = 256 * 1024  # the longest form is a letter: far below this
SESSION_HOURS = 12


@dataclass
class Context:
    """What every route needs: the desk session, how to log in, and the templates."""

    desk: Desk
    password: str | None
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    # sessions logged out: their cookies, copied before, no longer let anyone in
    ended: set[str] = field(default_factory=set)
    templates: jinja2.Environment = field(init=False)
    # what a page of the desk gets back for a change sent with an out-of-date token
    stale: Callable[[Request, Context, dict[str, str]], Awaitable[Response | None]] | None = None

    def __post_init__(self) -> None:
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def page(self, request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("notice", None)
        values.setdefault("error", None)
        html = self.templates.get_template(name).render(
            csrf=csrf_token(request),
            logged_in=bool(self.password and request.session.get("user")),
            read_only=self.desk.read_only,
            project_name=self.desk.project.name,
            **values,
        )
        return HTMLResponse(html, status_code=status)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = new_token()
        request.session["csrf"] = token
    return token


async def read_form(request: Request) -> dict[str, str]:
    """A urlencoded form (what browsers and htmx send), size-capped; the last value wins."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", ""):
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return {}
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return dict(pairs[:200])


Handler = Callable[[Request, Context], Awaitable[Response]]
_FROM_ELSEWHERE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>digest desk</title>'
    "<p>You followed a link to the editor's desk from another site. Pages of the desk build"
    " drafts, so they open only from the desk itself or from the address bar.</p>"
    '<p><a href="{path}">Open it</a></p></html>'
)


def guarded(ctx: Context, handler: Handler, *, login: bool = True) -> Callable[..., Any]:
    """Every request passes here: the login (when a password is set), then, for a POST,
    the origin and the CSRF token. The checked form is handed on in request.state.form."""

    async def endpoint(request: Request) -> Response:
        if request.method == "GET" and (how := cross_site(request.headers)):
            if how == "refuse":
                return refusal(request, "Refused: the request came from another site.", 403)
            return HTMLResponse(_FROM_ELSEWHERE.format(path=escape(request.url.path)))
        if request.session.get("sid") in ctx.ended:
            request.session.clear()
        if login and ctx.password and not request.session.get("user"):
            if request.method == "GET":
                return RedirectResponse("/login", status_code=303)
            return refusal(request, "Please log in again.", 401, redirect="/login")
        if request.method == "POST":
            form = await read_form(request)
            why = check_post(request.headers, form.get(CSRF_FIELD), request.session.get("csrf"))
            if why == STALE and ctx.stale is not None and request.headers.get("hx-request"):
                page = await ctx.stale(request, ctx, form)
                if page is not None:
                    return page
            if why:
                return refusal(request, f"Refused: {why}.", 403)
            request.state.form = form
        return await handler(request, ctx)

    return endpoint


def refusal(request: Request, message: str, status: int, redirect: str | None = None) -> Response:
    headers = {"HX-Redirect": redirect} if redirect and request.headers.get("hx-request") else {}
    return PlainTextResponse(message, status_code=status, headers=headers)


async def login_page(request: Request, ctx: Context) -> Response:
    if not ctx.password or request.session.get("user"):
        return RedirectResponse("/", status_code=303)
    return ctx.page(request, "login.html")


async def login(request: Request, ctx: Context) -> Response:
    client = request.client.host if request.client else "?"
    wait = ctx.limiter.wait(client)
    if wait:
        return ctx.page(
            request,
            "login.html",
            429,
            error=f"Too many wrong passwords. Try again in {wait} seconds.",
        )
    given = request.state.form.get("password", "")
    if not ctx.password or not same_secret(given, ctx.password):
        ctx.limiter.failed(client)
        return ctx.page(request, "login.html", 401, error="That password is not right.")
    ctx.limiter.succeeded(client)
    request.session.clear()  # a fresh session (and CSRF token) after logging in
    request.session["user"] = True
    request.session["sid"] = new_token()
    request.session["csrf"] = new_token()
    return RedirectResponse("/", status_code=303)


async def logout(request: Request, ctx: Context) -> Response:
    sid = request.session.get("sid")
    if isinstance(sid, str):
        ctx.ended.add(sid)
    request.session.clear()
    return RedirectResponse("/login" if ctx.password else "/", status_code=303)


class HostCheck:
    """Answers only requests whose Host header names the desk (security.host_allowed);
    the others get a page saying how to reach it and how to add their name."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = Headers(scope=scope).get("host", "")
            if not host_allowed(header, self.allowed):
                shown = host_name(header)[:100] or "(none)"
                message = (  # (no list of the names: a rebinding page could read it)
                    f"This desk does not answer to the name “{shown}” (a protection against"
                    " other sites reaching it). Open it by this computer's IP address or"
                    " the address the desk printed when it started; or add"
                    f" “{shown}” to allowed_hosts in the [desk] table of digest.toml and"
                    " start the desk again."
                )
                await PlainTextResponse(message, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds the security headers to every response that has not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in security_headers().items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)


def create_app(desk: Desk, *, host: str, password: str | None) -> Starlette:
    """The desk for `desk`'s project, answering to `host` (and its configured names)."""
    from . import routes

    ctx = Context(desk, password, stale=routes.stale)
    extra = desk.project.desk.allowed_hosts
    static = StaticFiles(directory=HERE / "static")
    return Starlette(
        routes=[
            Route("/login", guarded(ctx, login_page, login=False), methods=["GET"]),
            Route("/login", guarded(ctx, login, login=False), methods=["POST"]),
            Route("/logout", guarded(ctx, logout), methods=["POST"]),
            Mount("/static", app=static, name="static"),
            *routes.routes(ctx, guarded),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(HostCheck, allowed=allowed_hosts(host, extra)),
            Middleware(
                SessionMiddleware,
                secret_key=secrets.token_hex(32),
                session_cookie="digest_desk",
                max_age=SESSION_HOURS * 3600,
                same_site="strict",
                https_only=False,
            ),
        ],
        max_body_size=MAX_BODY,
    )
