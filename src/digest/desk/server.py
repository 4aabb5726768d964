"""Serve the desk with uvicorn on a socket bound here (so port 0 gives a free port whose
number is known before the first request)."""

from __future__ import annotations

import socket
from collections.abc import Callable

from ..errors import DigestError
from .security import check_bind, is_wildcard
from .session import Desk


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as e:
        sock.close()
        raise DigestError(
            f"cannot listen on {host}:{port}: {e.strerror or e}",
            hint="another program (another desk?) may use that port: try --port 0 for any "
            "free port",
        ) from e
    sock.listen(128)
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    """The desk's address for this computer's browser (every interface: loopback's)."""
    port = sock.getsockname()[1]
    if is_wildcard(host):
        host = "127.0.0.1" if sock.family == socket.AF_INET else "::1"
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    desk: Desk,
    *,
    host: str,
    port: int,
    password: str | None,
    ready: Callable[[str], None] = lambda url: None,
) -> None:
    """Listen until interrupted (Ctrl-C). Refuses a non-loopback address without a
    password before anything listens."""
    import uvicorn

    from .app import create_app

    check_bind(host, password)
    app = create_app(desk, host=host, password=password)
    sock = bind(host, port)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    ready(url_of(sock, host))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
