"""`digest preview`: a local web page showing an issue at desktop and phone width with its
text part beside it, rebuilt (offline) whenever a template, the edits file or digest.toml
changes. Loopback only; nothing here is meant to face a network.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import DigestError

log = logging.getLogger(__name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>digest preview: {issue}</title>
<style>
 body {{ margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #e9e7e2; color: #222; }}
 header {{ display: flex; gap: 12px; align-items: center; padding: 10px 16px; background: #1d3557;
          color: #fff; position: sticky; top: 0; }}
 header button {{ border: 0; padding: 6px 12px; border-radius: 4px; cursor: pointer; }}
 header button.on {{ background: #e9a23b; }}
 main {{ display: flex; gap: 16px; padding: 16px; align-items: flex-start; }}
 iframe {{ border: 0; background: #fff; height: 85vh; box-shadow: 0 1px 6px #0003; }}
 pre {{ flex: 1; background: #fff; padding: 16px; margin: 0; height: 85vh; overflow: auto;
        white-space: pre-wrap; box-shadow: 0 1px 6px #0003; }}
 #error {{ background: #b00020; color: #fff; padding: 10px 16px; white-space: pre-wrap; }}
</style></head><body>
<header><strong>digest preview</strong> <span>{issue}</span>
 <button id="desktop" class="on">Desktop 600 px</button><button id="phone">Phone 375 px</button>
 <span id="status"></span></header>
<div id="error" hidden></div>
<main><iframe id="html" src="issue/newsletter.html" width="600"></iframe>
<pre id="text"></pre></main>
<script>
 const frame = document.getElementById("html");
 for (const [id, width] of [["desktop", 600], ["phone", 375]]) {{
   document.getElementById(id).onclick = () => {{
     frame.width = width;
     document.querySelectorAll("header button").forEach(b => b.classList.toggle("on", b.id === id));
   }};
 }}
 let version = null;
 async function refresh() {{
   const state = await (await fetch("state")).json();
   const box = document.getElementById("error");
   box.hidden = !state.error; box.textContent = state.error || "";
   document.getElementById("status").textContent = "built " + state.builds + "x";
   if (state.version !== version) {{
     version = state.version;
     frame.src = "issue/newsletter.html?v=" + version;
     const text = await fetch("issue/newsletter.txt");
     const notes = await fetch("issue/editor-notes.txt");
     document.getElementById("text").textContent =
       (notes.ok ? (await notes.text()) + "\n----\n\n" : "") + await text.text();
   }}
 }}
 refresh(); setInterval(refresh, 1500);
</script></body></html>
"""


@dataclass
class Previewer:
    """Rebuilds the issue when its sources change; serves the latest good build."""

    build: Callable[[], Path]  # builds the issue offline, returns its folder
    watched: Callable[[], list[Path]]  # files whose change triggers a rebuild
    folder: Path | None = None
    error: str | None = None
    builds: int = 0
    version: int = 0
    _stamp: tuple[tuple[str, int], ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> None:
        with self._lock:
            stamp = tuple(
                sorted((str(p), p.stat().st_mtime_ns) for p in self.watched() if p.exists())
            )
            if stamp == self._stamp and self.builds:
                return
            self._stamp = stamp
            try:
                self.folder = self.build()
                self.error = None
                self.version += 1
            except DigestError as e:  # show it in the page; keep serving the last good one
                self.error = str(e)
            self.builds += 1


def serve(previewer: Previewer, host: str, port: int, issue_id: str) -> ThreadingHTTPServer:
    """A server bound to `host` (loopback); call serve_forever() on it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._send(PAGE.format(issue=issue_id).encode(), "text/html; charset=utf-8")
            elif path == "/state":
                previewer.refresh()
                body = {
                    "version": previewer.version,
                    "error": previewer.error,
                    "builds": previewer.builds,
                }
                self._send(json.dumps(body).encode(), "application/json")
            elif path in (
                "/issue/newsletter.html",
                "/issue/newsletter.txt",
                "/issue/editor-notes.txt",
            ):
                previewer.refresh()
                name = path.rsplit("/", 1)[1]
                if previewer.folder is None or not (previewer.folder / name).exists():
                    self._send(b"not built yet", "text/plain", HTTPStatus.SERVICE_UNAVAILABLE)
                    return
                kind = "text/html" if name.endswith(".html") else "text/plain"
                self._send((previewer.folder / name).read_bytes(), f"{kind}; charset=utf-8")
            else:
                self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)

        def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

    try:
        return ThreadingHTTPServer((host, port), Handler)
    except OSError as e:
        raise DigestError(
            f"port {port} on {host} is not available ({e.strerror or e})",
            hint="another program (perhaps another digest preview) is using it: "
            "choose another with --port, or --port 0 for any free port",
        ) from e
