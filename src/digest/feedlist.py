"""Edit feeds/feeds.toml (add, remove, import OPML) and export it as OPML.

Edits are textual so the user's comments and layout survive; every new version is
validated by loading it before it atomically replaces the file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .config import load_feeds
from .errors import ConfigError
from .lang import lenient
from .models import FeedSource

_HEADER = re.compile(r"^\s*\[")


@dataclass(frozen=True)
class NewFeed:
    name: str
    url: str
    weight: float | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None


def add_feeds(path: Path, feeds: list[NewFeed]) -> tuple[list[NewFeed], list[NewFeed]]:
    """Append feeds not already listed (by URL). Returns (added, skipped)."""
    existing = {f.url for f in load_feeds(path)}
    added, skipped = [], []
    blocks = []
    for feed in feeds:
        if feed.url in existing:
            skipped.append(feed)
            continue
        existing.add(feed.url)
        added.append(feed)
        blocks.append(_block(feed))
    if added:
        text = path.read_text(encoding="utf-8")
        _replace(path, text.rstrip("\n") + "\n" + "".join(blocks))
    return added, skipped


def _block(feed: NewFeed) -> str:
    lines = ["", "[[feed]]", f"name = {_toml(feed.name)}", f"url = {_toml(feed.url)}"]
    if feed.weight is not None:
        lines.append(f"weight = {feed.weight:g}")
    if feed.tags:
        lines.append("tags = [" + ", ".join(_toml(t) for t in feed.tags) + "]")
    if feed.language:
        lines.append(f"language = {_toml(feed.language)}")
    return "\n".join(lines) + "\n"


def remove_feed(path: Path, which: str) -> FeedSource:
    """Remove the feed whose name or URL is `which`; returns it."""
    feeds = load_feeds(path)
    matches = [f for f in feeds if which in (f.name, f.url)]
    if not matches:
        raise ConfigError(
            f"no feed named or at {which!r}",
            path=path,
            hint="`digest feeds list` shows the names and URLs",
        )
    if len(matches) > 1:
        raise ConfigError(
            f"{len(matches)} feeds are named {which!r}; give the URL instead", path=path
        )
    feed = matches[0]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = (feed.line or 1) - 1
    end = start + 1
    while end < len(lines) and not _HEADER.match(lines[end]):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # keep the blank lines that separate the next table
    _replace(path, "".join(lines[:start] + lines[end:]))
    return feed


def _replace(path: Path, text: str) -> None:
    """Validate the new text as a feeds file, then atomically replace the old one."""
    fd, tmp = tempfile.mkstemp(prefix=".feeds-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        load_feeds(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_opml(path: Path) -> list[NewFeed]:
    """Feeds from an OPML file; folder outlines become tags."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read the file: {e.strerror}", path=path) from e
    if re.search(rb"<!\s*(ENTITY|DOCTYPE)", raw, re.IGNORECASE):
        raise ConfigError("OPML with a DOCTYPE or entity declarations is refused", path=path)
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        line = e.position[0] if e.position else None
        raise ConfigError(f"not valid OPML/XML: {e}", path=path, line=line) from e
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ConfigError("not an OPML file (no <opml><body>)", path=path)
    feeds: list[NewFeed] = []
    _walk(body, (), feeds)
    return feeds


def _walk(node: ET.Element, folders: tuple[str, ...], out: list[NewFeed]) -> None:
    for outline in node.findall("outline"):
        attrs = {k.lower(): v.strip() for k, v in outline.attrib.items()}
        title = attrs.get("text") or attrs.get("title") or ""
        url = attrs.get("xmlurl")
        if url:
            tags = list(folders)
            for category in attrs.get("category", "").split(","):
                tag = category.strip().strip("/")
                if tag and tag not in tags:
                    tags.append(tag)
            language = lenient(attrs.get("language"))  # not a BCP 47 tag: left out
            out.append(NewFeed(title or url, url, tags=tuple(tags), language=language))
        _walk(outline, (*folders, title) if not url and title else folders, out)


def to_opml(title: str, feeds: tuple[FeedSource, ...]) -> tuple[str, list[FeedSource]]:
    """OPML 2.0 for the remote feeds; returns the document and the local ones left out."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_xml_text(title)}</title></head>",
        "  <body>",
    ]
    local = []
    for feed in feeds:
        if not feed.is_remote:
            local.append(feed)
            continue
        attrs = f' type="rss" text={quoteattr(feed.name)} title={quoteattr(feed.name)}'
        attrs += f" xmlUrl={quoteattr(feed.url)}"
        if feed.tags:
            attrs += f" category={quoteattr(','.join(feed.tags))}"
        if feed.language:
            attrs += f" language={quoteattr(feed.language)}"
        lines.append(f"    <outline{attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines), local


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
