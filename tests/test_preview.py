"""digest preview: a real HTTP server on loopback that rebuilds when a template changes."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from digest import pipeline
from digest.config import load_project
from digest.preview import Previewer, serve

from .conftest import DEMO_AS_OF


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # loopback only
        return response.read().decode()


def test_preview_serves_and_rebuilds_on_template_change(digest, project: Path) -> None:
    digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")  # one clock
    loaded = load_project(project)
    now = pipeline.parse_as_of(DEMO_AS_OF, loaded, datetime.now(UTC))
    templates = project / "templates"
    templates.mkdir()
    bundled = Path(__file__).resolve().parent.parent / "templates"
    (templates / "weekly.txt").write_text((bundled / "weekly.txt").read_text())

    def build() -> Path:
        result = pipeline.build(load_project(project), now, offline=True, allow_empty=True)
        assert result.out_dir is not None
        return result.out_dir

    previewer = Previewer(build, lambda: sorted(templates.glob("*")))
    server = serve(previewer, "127.0.0.1", 0, "2025-W51")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        page = _get(base)
        assert 'iframe id="html"' in page and "Phone 375 px" in page
        assert "A year of courage" in _get(base + "issue/newsletter.html")
        first = json.loads(_get(base + "state"))
        assert first["error"] is None
        (templates / "weekly.txt").write_text("EDITED {{ newsletter.name }}\n")
        second = json.loads(_get(base + "state"))
        assert second["version"] == first["version"] + 1, second
        assert _get(base + "issue/newsletter.txt").startswith("EDITED Northlight Weekly")
        (templates / "weekly.txt").write_text("{% broken\n")
        third = json.loads(_get(base + "state"))
        assert "weekly.txt:1: template syntax error" in third["error"]
        assert _get(base + "issue/newsletter.txt").startswith("EDITED")  # last good build
    finally:
        server.shutdown()
        server.server_close()
