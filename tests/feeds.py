"""Small feed documents for tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape


def rss(
    items: list[dict[str, str]], *, title: str = "Test feed", link: str = "https://example.org/"
) -> bytes:
    parts = [
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{link}</link><description>t</description>"
    ]
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "pubDate"):
            if key in item:
                parts.append(f"<{key}>{escape(item[key])}</{key}>")
        if "description" in item:
            parts.append(f"<description>{escape(item['description'])}</description>")
        if "raw" in item:
            parts.append(item["raw"])
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def entry(n: int, *, day: int = 18, **extra: str) -> dict[str, str]:
    return {
        "title": f"Story {n}",
        "link": f"https://example.org/{n}",
        "guid": f"id-{n}",
        "pubDate": f"{day:02d} Dec 2025 10:00:00 +0000",
        "description": f"<p>Body of story {n}.</p>",
        **extra,
    }


def fetch_project(root: Path, feeds: Iterable[tuple[str, str]], fetch: str = "") -> Path:
    """A project folder with these (name, URL) feeds and `fetch`, the lines of its [fetch]
    table ("timeout = 2\n")."""
    (root / "feeds").mkdir(parents=True, exist_ok=True)
    (root / "digest.toml").write_text(
        '[newsletter]\nname = "Test"\nsender = "Test <t@example.org>"\n'
        + (f"[fetch]\n{fetch}" if fetch else "")
    )
    (root / "feeds" / "feeds.toml").write_text(
        "".join(f'[[feed]]\nname = "{name}"\nurl = "{url}"\n' for name, url in feeds)
    )
    return root
