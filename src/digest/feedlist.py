"""Edit feeds/feeds.toml (add, remove, import OPML) and export it as OPML.

Edits are textual so the user's comments and layout survive; every new version is
validated by loading it before it atomically replaces the file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from . import validate
from .config import load_feeds
from .errors import ConfigError, DigestError
from .lang import lenient
from .models import FeedSource
from .textfile import read_bytes

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
    try:
        fd, tmp = tempfile.mkstemp(prefix=".feeds-", suffix=".toml", dir=path.parent)
    except OSError as e:
        raise DigestError(
            f"cannot write {path}: {e.strerror or e}", hint="check the folder's permissions"
        ) from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            load_feeds(Path(tmp))
        except ConfigError as e:  # name the real file, not the temporary one
            raise ConfigError(
                f"the change would make it invalid: {e.message.replace(tmp, str(path))}",
                hint=e.hint,
            ) from e
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise DigestError(f"cannot write {path}: {e.strerror or e}") from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


MAX_OPML_BYTES = 8 * 1024 * 1024  # a reader's export of thousands of feeds is < 2 MB
MAX_OPML_DEPTH = 64  # folders inside folders; real exports nest two or three deep


@dataclass(frozen=True)
class Refused:
    """An OPML outline left out of an import: where it is and why."""

    url: str
    line: int
    reason: str


def parse_opml(path: Path) -> tuple[list[NewFeed], list[Refused]]:
    """Feeds from an OPML file; folder outlines become tags. Only http(s) URLs are taken:
    the others (local paths, file:, javascript:, unparsable URLs) come back as Refused.
    The file is hostile until read: DOCTYPEs and entities are refused in any encoding,
    and its size and nesting are capped."""
    from xml.parsers import expat

    raw = read_bytes(
        path,
        missing="file not found",
        hint=None,
        limit=MAX_OPML_BYTES,
        too_big="split it, or import the feeds you need",
    )
    reader = _OpmlReader(path)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = reader.refuse
    parser.EntityDeclHandler = reader.refuse
    parser.ExternalEntityRefHandler = reader.refuse_reference
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    reader.parser = parser
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as e:
        raise ConfigError(f"not valid OPML/XML: {e}", path=path, line=e.lineno) from e
    except (ValueError, LookupError) as e:  # an encoding expat cannot read (utf-7, big5)
        raise ConfigError(
            f"not readable OPML: {e}", path=path, line=1, hint="save the file as UTF-8"
        ) from e
    if not reader.body_seen:
        raise ConfigError("not an OPML file (no <opml><body>)", path=path)
    return reader.feeds, reader.refused


class _OpmlReader:
    """expat callbacks: streams the outlines (no recursion, whatever the nesting)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parser: Any = None
        self.stack: list[str] = []
        self.folders: list[str | None] = []  # one slot per open outline
        self.body_seen = False
        self.feeds: list[NewFeed] = []
        self.refused: list[Refused] = []

    def refuse(self, *_: object) -> None:
        raise ConfigError(
            "OPML with a DOCTYPE or entity declarations is refused",
            path=self.path,
            line=self.parser.CurrentLineNumber,
        )

    def refuse_reference(self, *_: object) -> int:
        self.refuse()
        return 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.stack.append(tag)
        line = self.parser.CurrentLineNumber
        if len(self.stack) > MAX_OPML_DEPTH:
            raise ConfigError(
                f"outlines nested more than {MAX_OPML_DEPTH} deep", path=self.path, line=line
            )
        if self.stack[0] != "opml":
            raise ConfigError("not an OPML file (no <opml><body>)", path=self.path, line=line)
        if tag == "body" and len(self.stack) == 2:
            self.body_seen = True
        if tag != "outline" or len(self.stack) < 3 or self.stack[1] != "body":
            return
        attrs = {k.lower(): v.strip() for k, v in attributes.items()}
        title = _plain(attrs.get("text") or attrs.get("title") or "")
        url = attrs.get("xmlurl")
        self.folders.append(title if not url and title else None)
        if not url:
            return
        problem = validate.web_url(url)
        if problem:
            # shown on a terminal: no line break or escape sequence of the file's gets there
            self.refused.append(Refused(validate.strip_controls(url), line, problem))
            return
        tags = [f for f in self.folders[:-1] if f]
        for category in attrs.get("category", "").split(","):
            tag_name = _plain(category).strip("/")
            if tag_name and tag_name not in tags:
                tags.append(tag_name)
        language = lenient(attrs.get("language"))  # not a BCP 47 tag: left out
        self.feeds.append(NewFeed(title or url, url, tags=tuple(tags), language=language))

    def end(self, tag: str) -> None:
        self.stack.pop()
        if tag == "outline" and self.folders:
            self.folders.pop()


def _plain(value: str) -> str:
    """A name or tag from a hostile file: control characters become spaces, runs of
    whitespace one space."""
    return " ".join(validate.strip_controls(value).split())


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
