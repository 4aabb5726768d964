"""`digest desk`: the editor's desk in a web browser (and `digest preview`, its look-only
mode)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from .. import esp
from .common import F, Session, emit_json, issue_id_param, session


def _options(func: F) -> F:
    for option in reversed(
        [
            click.option(
                "--port",
                type=click.IntRange(0, 65535),
                default=8025,
                show_default=True,
                help="Port to listen on (0: any free port).",
            ),
            click.option(
                "--issue-id",
                metavar="ID",
                callback=issue_id_param,
                help="Open this issue (default: this week's).",
            ),
            click.option(
                "--esp",
                type=click.Choice(sorted(esp.PROFILES)),
                metavar="SERVICE",
                help="Mailing service to build for (default: [esp] name in digest.toml).",
            ),
            click.option("--template", metavar="NAME", help="Layout (default: digest.toml)."),
            click.option(
                "--letter",
                type=click.Path(dir_okay=False, path_type=Path),
                help="The year-end letter's Markdown file (default: letters/<year>-year-end.md).",
            ),
            click.option(
                "--force-clock",
                is_flag=True,
                help="Fetch even though the clock (or --as-of) is earlier than the store's "
                "last fetch (building from the store with an explicit --as-of is always allowed).",
            ),
            click.option(
                "--open/--no-open",
                "open_browser",
                default=None,
                help="Open it in your web browser (default: when this computer has a screen).",
            ),
        ]
    ):
        func = option(func)
    return func


@click.command()
@session(clock=True)  # no digest.toml defaults: the desk reads it again when it changes
@_options
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1 lets other computers in and needs "
    "a password of at least 10 characters: DIGEST_DESK_PASSWORD in the environment (or "
    "[desk] password in digest.toml).",
)
def desk(s: Session, /, host: str, **options: Any) -> None:
    """Open the editor's desk: shape, check and hand off an issue in your web browser.

    Shows this week's issue with every candidate story (kind, score, reasons, where it
    lands or why it was left out) beside a live preview (desktop, phone, dark mode, the
    text version, the checks). Pin, leave out, drag to reorder or move, retitle, write a
    summary or the introduction: each change is saved at once in edits/<issue-id>.toml
    and the issue is rebuilt (no fetching unless you click "Get new stories"). Download
    the .html, .txt or .eml for your mailing service, or send yourself a test. The
    year-end issue has its letter beside its preview.

    It listens on 127.0.0.1 (this computer only) unless --host says otherwise, which
    needs a password from the environment. Stop it with Ctrl-C.

    \b
    Examples:
      digest desk
      digest desk --as-of 2025-12-19 --no-open
      DIGEST_DESK_PASSWORD=... digest desk --host 0.0.0.0 --port 8025
    """
    _run(s, host=host, read_only=False, **options)


@click.command()
@session(clock=True)
@_options
def preview(s: Session, /, **options: Any) -> None:
    """Look at an issue in your browser without changing it: the desk, read-only.

    The same page as `digest desk` (preview at desktop and phone width, dark mode, the
    text version and the checks, rebuilt when a template, the edits file or digest.toml
    changes), with the editing controls turned off. Listens on 127.0.0.1 only.

    \b
    Examples:
      digest preview --as-of 2025-12-19
      digest preview --template roundup --port 0
    """
    _run(s, host="127.0.0.1", read_only=True, **options)


def _run(
    s: Session,
    *,
    host: str,
    read_only: bool,
    port: int,
    issue_id: str | None,
    letter: Path | None,
    force_clock: bool,
    open_browser: bool | None,
) -> None:
    from ..desk.security import (
        CLEARTEXT,
        check_bind,
        desk_password,
        is_loopback,
        is_wildcard,
        own_name,
    )
    from ..desk.server import serve
    from ..desk.session import Desk

    project = s.project  # a bad --as-of has failed already, not in the browser
    password = desk_password(project.desk.password)
    check_bind(host, password)
    if not is_loopback(host) and not s.output.quiet:
        click.echo(f"digest: warning: {CLEARTEXT}", err=True)
    board = Desk(
        project.root,
        as_of=s.as_of,
        days=s.overrides.days,
        esp=s.overrides.esp,
        template=s.overrides.template,
        letter=letter.resolve() if letter else None,
        read_only=read_only,
        force_clock=force_clock,
    )

    def ready(url: str) -> None:
        page = f"{url}issue/{issue_id or board.this_week()}"
        if s.output.as_json:
            emit_json({"url": url, "page": page, "read_only": read_only, "login": bool(password)})
        elif s.output.human:
            what = "The editor's desk" if not read_only else "The preview (read-only desk)"
            click.echo(f"{what} is open at {page}")
            if is_wildcard(host):
                port_of = url.rstrip("/").rsplit(":", 1)[1]
                click.echo(
                    f"Other computers open it at http://{own_name() or 'THIS-COMPUTER'}"
                    f":{port_of}/ or by this computer's IP address, with the password."
                )
            click.echo("Keep this window open while you work; press Ctrl-C here to stop.")
        sys.stdout.flush()
        if open_browser or (open_browser is None and not s.output.as_json and _has_screen()):
            import webbrowser

            webbrowser.open(page)

    serve(board, host=host, port=port, password=password, ready=ready)


def _has_screen() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
