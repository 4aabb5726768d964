"""The desk's pages and actions. Each route reads the request, calls the session (in a
worker thread: builds are CPU work), and renders a view model; htmx requests get the
workspace fragment back, plain form posts are redirected to the page (no JavaScript
needed to edit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import DigestError, EditConflict
from .actions import Action
from .app import Context, Handler, refusal
from .security import security_headers
from .session import IssueRef, Snapshot
from .views import DOWNLOADS, Filters, issue_view, search_results

MEDIA = {
    "newsletter.html": "text/html; charset=utf-8",
    "newsletter.txt": "text/plain; charset=utf-8",
    "newsletter.eml": "message/rfc822",
    "manifest.json": "application/json",
}
DARK = b"@media (prefers-color-scheme: dark)"


def routes(ctx: Context, guarded: Callable[..., Any]) -> list[Route]:
    def r(path: str, handler: Handler, method: str = "GET") -> Route:
        return Route(path, guarded(ctx, handler), methods=[method])

    return [
        r("/", home),
        r("/go", go),
        r("/issue/{issue_id}", page),
        r("/issue/{issue_id}/workspace", workspace),
        r("/issue/{issue_id}/status", status),
        r("/issue/{issue_id}/candidates", candidates),
        r("/issue/{issue_id}/search", search),
        r("/issue/{issue_id}/preview.html", preview),
        r("/issue/{issue_id}/download", download),
        r("/issue/{issue_id}/download/{name}", download),
        r("/issue/{issue_id}/edit", edit, "POST"),
        r("/issue/{issue_id}/refresh", refresh, "POST"),
        r("/issue/{issue_id}/letter", letter, "POST"),
        r("/issue/{issue_id}/send", send, "POST"),
    ]


async def home(request: Request, ctx: Context) -> Response:
    week = await run_in_threadpool(ctx.desk.this_week)
    return RedirectResponse(f"/issue/{week}", status_code=303)


async def go(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx, request.query_params.get("id", ""))
    if ref is None:
        return _not_found(request, ctx)
    return RedirectResponse(f"/issue/{ref.issue_id}", status_code=303)


async def page(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    if ref is None:
        return _not_found(request, ctx)
    return await _render(request, ctx, ref, full=True)


async def workspace(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    if ref is None:
        return _not_found(request, ctx)
    return await _render(request, ctx, ref)


async def status(request: Request, ctx: Context) -> Response:
    """Polled every few seconds: the problem banner, and whether the issue changed."""
    ref = await _ref(request, ctx)
    if ref is None:
        return _not_found(request, ctx)
    _, problem, generation = await run_in_threadpool(ctx.desk.state, ref)
    seen = request.query_params.get("generation", "")[:20]
    return ctx.page(
        request,
        "status.html",
        issue_id=ref.issue_id,
        problem=problem,
        seen=seen,
        changed=seen != str(generation),
    )


async def candidates(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    if ref is None:
        return _not_found(request, ctx)
    good, _, _ = await run_in_threadpool(ctx.desk.state, ref)
    if good is None:
        return HTMLResponse("")
    view = issue_view(good, Filters.from_query(request.query_params))
    return ctx.page(
        request,
        "candidates.html",
        view=view,
        filters=Filters.from_query(request.query_params),
        version=good.version,
        base=f"/issue/{ref.issue_id}",
    )


async def search(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    if ref is None:
        return _not_found(request, ctx)
    text = request.query_params.get("q", "")
    good, _, _ = await run_in_threadpool(ctx.desk.state, ref)
    hits = await run_in_threadpool(ctx.desk.search, text)
    return ctx.page(
        request,
        "search.html",
        hits=search_results(good, hits) if good else (),
        query=text,
        version=good.version if good else "",
        base=f"/issue/{ref.issue_id}",
    )


async def preview(request: Request, ctx: Context) -> Response:
    """The newsletter itself, for the sandboxed iframe: its own strict CSP, no script."""
    ref = await _ref(request, ctx)
    good = (await run_in_threadpool(ctx.desk.state, ref))[0] if ref else None
    if good is None or good.folder is None:
        body = b"<!doctype html><p>Nothing built yet.</p>"
    else:
        body = (good.folder / "newsletter.html").read_bytes()
        if request.query_params.get("mode") == "dark":  # what a dark-mode client applies
            body = body.replace(DARK, b"@media all")
    return Response(body, media_type="text/html; charset=utf-8", headers=security_headers(True))


async def download(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    name = request.path_params.get("name") or request.query_params.get("file", "")
    if ref is None or name not in DOWNLOADS:
        return _not_found(request, ctx)
    good, _, _ = await run_in_threadpool(ctx.desk.state, ref)
    service = request.query_params.get("esp") or None
    if good is None:
        return _not_found(request, ctx)
    if service is not None and service not in dict(issue_view(good).profiles):
        return _not_found(request, ctx)
    try:
        files = await run_in_threadpool(ctx.desk.files_for, good, service)
    except DigestError as e:
        return refusal(request, str(e), 409)
    if name not in files:
        return _not_found(request, ctx)
    stem = f"{ref.issue_id}{'-' + service if service else ''}"
    filename = f"{stem}-{name}"
    return Response(
        files[name],
        media_type=MEDIA[name],
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


async def edit(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    if ref is None:
        return _not_found(request, ctx)
    form = request.state.form
    try:
        action = Action.from_form(form)
        notice = await run_in_threadpool(
            ctx.desk.apply, ref, form.get("version", ""), action, form.get("tab", "")[:64]
        )
    except EditConflict:
        return await _render(request, ctx, ref, status=409, conflict=_attempt(form))
    except DigestError as e:
        return await _render(request, ctx, ref, status=400, conflict=_attempt(form), why=str(e))
    return await _render(request, ctx, ref, notice=notice)


async def refresh(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    if ref is None:
        return _not_found(request, ctx)
    force = request.state.form.get("op") == "force"
    if ctx.desk.read_only:
        return await _render(request, ctx, ref, status=403, error="This desk is for looking only.")
    await run_in_threadpool(lambda: ctx.desk.refresh(ref, fetch=True, force=force))
    _, problem, _ = await run_in_threadpool(ctx.desk.state, ref)
    if problem is not None:  # the banner says what went wrong: no success to report
        return await _render(request, ctx, ref)
    notice = "Added the new stories." if force else "Fetched the feeds and rebuilt the issue."
    return await _render(request, ctx, ref, notice=notice)


async def letter(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    if ref is None or ref.year is None:
        return _not_found(request, ctx)
    form = request.state.form
    try:
        notice = await run_in_threadpool(
            ctx.desk.save_letter, ref, form.get("letter", ""), form.get("letter_version", "")
        )
    except EditConflict:
        return await _render(request, ctx, ref, status=409, conflict=_attempt(form))
    except DigestError as e:
        return await _render(request, ctx, ref, status=400, conflict=_attempt(form), why=str(e))
    return await _render(request, ctx, ref, notice=notice)


async def send(request: Request, ctx: Context) -> Response:
    ref = await _ref(request, ctx)
    if ref is None:
        return _not_found(request, ctx)
    good, _, _ = await run_in_threadpool(ctx.desk.state, ref)
    addresses = [a for a in request.state.form.get("to", "").replace(",", "\n").split() if a]
    try:
        if good is None:
            raise DigestError("the issue has not been built yet")
        notice = await run_in_threadpool(ctx.desk.send_test, good, addresses)
    except DigestError as e:
        return await _render(request, ctx, ref, status=400, error=f"Not sent: {e}")
    return await _render(request, ctx, ref, notice=notice)


# -- helpers ---------------------------------------------------------------------------


async def _ref(request: Request, ctx: Context, issue_id: str | None = None) -> IssueRef | None:
    wanted = issue_id if issue_id is not None else request.path_params.get("issue_id", "")
    try:
        return await run_in_threadpool(ctx.desk.ref, wanted)
    except DigestError:
        return None


async def _render(
    request: Request,
    ctx: Context,
    ref: IssueRef,
    *,
    full: bool = False,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
    conflict: dict[str, str] | None = None,
    why: str | None = None,
) -> Response:
    if request.method == "POST" and not request.headers.get("hx-request") and status < 400:
        return RedirectResponse(f"/issue/{ref.issue_id}", status_code=303)
    good, problem, generation = await run_in_threadpool(ctx.desk.state, ref)
    choices = (
        await run_in_threadpool(ctx.desk.choices)
        if full or not request.headers.get("hx-request")
        else []
    )
    return ctx.page(
        request,
        "desk.html" if full or not request.headers.get("hx-request") else "workspace.html",
        status,
        view=issue_view(good) if good else None,
        snap=good,
        letter=_letter(good),
        filters=Filters(),
        problem=problem,
        generation=generation,
        issue_id=ref.issue_id,
        base=f"/issue/{ref.issue_id}",
        version=good.version if good else "",
        choices=choices,
        notice=notice,
        error=error,
        conflict=conflict,
        why=why,
    )


def _letter(snap: Snapshot | None) -> dict[str, Any] | None:
    if snap is None or snap.letter is None:
        return None
    doc = snap.letter
    try:
        shown = str(doc.path.relative_to(snap.project.root))
    except ValueError:
        shown = str(doc.path)
    return {
        "text": doc.text,
        "version": doc.version,
        "path": shown,
        "exists": doc.exists,
        "embargo": f"{snap.embargo:%d %B %Y}"
        if snap.embargo and snap.ref.now.date() < snap.embargo
        else None,
    }


def _attempt(form: dict[str, str]) -> dict[str, str]:
    """What the editor tried to save, to show it back when it was not saved."""
    labels = {"title": "title", "blurb": "summary", "intro": "introduction", "letter": "letter"}
    return {labels[k]: v for k, v in form.items() if k in labels and v.strip()}


async def stale(request: Request, ctx: Context, form: dict[str, str]) -> Response | None:
    """A change sent from a page of the desk whose security token is out of date (the desk
    restarted, or the session ended): the issue as it is now, with a fresh token, and
    the editor's text given back to save again. None where the URL names no issue."""
    ref = await _ref(request, ctx)
    if ref is None:
        return None
    why = "This page was out of date (the desk was restarted, or your session ended)."
    return await _render(request, ctx, ref, status=403, conflict=_attempt(form), why=why)


def _not_found(request: Request, ctx: Context) -> Response:
    return ctx.page(request, "missing.html", 404)
