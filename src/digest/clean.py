"""Clean hostile feed content into safe values (pure functions, no I/O).

* :func:`clean_text` strips XML-invalid control characters and collapses whitespace.
* :func:`safe_url` makes a URL absolute against a base and keeps it only if http(s) (or mailto).
* :func:`clean_html` sanitises a fragment with an email-suited allowlist (nh3), makes every
  URL absolute, drops tracking pixels, and re-serialises it so MRML's strict parser accepts it;
  it also extracts the lead image, a plain-text excerpt and a length-bounded HTML summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

from .models import Image

# XML 1.0 forbids C0 controls except tab/newline/CR, surrogates, U+FFFE/U+FFFF; MRML rejects them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_WS = re.compile(r"\s+")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_URL_ATTRS = {("a", "href"), ("img", "src"), ("blockquote", "cite"), ("q", "cite")}
_VOID = {"br", "img"}
_BLOCK = {"p", "li", "blockquote", "figure", "figcaption", "h2", "h3", "h4", "pre", "ul", "ol"}
TRACKING_MAX_PX = 2
LEAD_IMAGE_MIN_PX = 120


def clean_text(value: object, *, limit: int | None = None) -> str:
    """Plain text: control characters removed, whitespace collapsed, optionally truncated."""
    if value is None:
        return ""
    text = _WS.sub(" ", _INVALID_XML.sub("", str(value))).strip()
    return truncate(text, limit) if limit else text


def strip_controls(value: str) -> str:
    return _INVALID_XML.sub("", value)


def truncate(text: str, limit: int) -> str:
    """Cut at a word boundary at most `limit` characters long, adding an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def safe_url(
    url: object,
    base: str | None = None,
    *,
    schemes: frozenset[str] | set[str] = frozenset({"http", "https"}),
) -> str | None:
    """Absolute URL with an allowed scheme, or None. Whitespace and controls are removed."""
    if not isinstance(url, str):
        return None
    url = _INVALID_XML.sub("", url).strip()
    url = re.sub(r"[\s]", "", url) if re.search(r"\s", url) else url
    if not url:
        return None
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in schemes:
        return None
    if parts.scheme.lower() in ("http", "https") and not parts.hostname:
        return None
    return url


@dataclass(frozen=True)
class CleanedHTML:
    html: str  # full sanitised fragment
    summary: str  # well-formed prefix of at most `summary_chars` characters of text
    text: str  # plain text of the fragment, whitespace collapsed
    image: Image | None  # first sizeable image


def clean_html(fragment: str | None, base: str | None, *, summary_chars: int = 900) -> CleanedHTML:
    """Sanitise an untrusted HTML fragment for email."""
    if not fragment:
        return CleanedHTML("", "", "", None)
    fragment = _INVALID_XML.sub("", fragment)

    def keep_attribute(tag: str, attr: str, value: str) -> str | None:
        if (tag, attr) in _URL_ATTRS:
            schemes = URL_SCHEMES if tag == "a" else {"http", "https"}
            return safe_url(value, base, schemes=schemes)
        if attr in ("width", "height"):
            return value if value.strip().isdigit() else None
        return value

    sanitised = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={
            "script",
            "style",
            "template",
            "iframe",
            "object",
            "embed",
            "noscript",
            "svg",
            "math",
            "form",
            "select",
            "textarea",
            "title",
        },
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    serializer = _Reserializer(summary_chars)
    serializer.feed(sanitised)
    serializer.close()
    return serializer.result()


class _Reserializer(HTMLParser):
    """Walks nh3's output once: drops pixels and empty images, closes every tag, and records
    a text-length-bounded prefix, the plain text and the first sizeable image."""

    def __init__(self, summary_chars: int) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.summary: list[str] | None = None  # set once the summary is complete
        self.text: list[str] = []
        self.stack: list[str] = []
        self.text_len = 0
        self.limit = summary_chars
        self.image: Image | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "img":
            self._image(attributes)
            return
        if tag in _BLOCK:
            self.text.append(" ")
        if tag == "br":
            self.text.append(" ")
            self._emit("<br>")
            return
        if tag == "a" and "href" not in attributes:
            self.stack.append("")  # a link whose URL was unsafe: keep its text only
            return
        self.stack.append(tag)
        self._emit(f"<{tag}{_attrs(attributes)}>")

    def _image(self, attributes: dict[str, str]) -> None:
        src = attributes.get("src")
        if not src:
            return
        width, height = _px(attributes.get("width")), _px(attributes.get("height"))
        if (width is not None and width <= TRACKING_MAX_PX) or (
            height is not None and height <= TRACKING_MAX_PX
        ):
            return  # tracking pixel
        if self.image is None and (width is None or width >= LEAD_IMAGE_MIN_PX):
            self.image = Image(src, clean_text(attributes.get("alt")), width, height)
        attributes.setdefault("alt", "")
        self._emit(f"<img{_attrs(attributes)}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and "" in self.stack and "a" not in self.stack:
            self.stack.remove("")
            return
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag:
                self._emit(f"</{open_tag}>")
            if open_tag == tag:
                break
        if tag in _BLOCK:
            self.text.append(" ")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.summary is None and self.text_len + len(data) > self.limit:
            room = max(self.limit - self.text_len, 0)
            cut = escape(truncate(data, room) if room > 10 else "…", quote=False)
            self.summary = [*self.out, cut, *_closing(self.stack)]
        self._emit(escape(data, quote=False))
        self.text_len += len(data)

    def _emit(self, piece: str) -> None:
        self.out.append(piece)

    def result(self) -> CleanedHTML:
        self.out.extend(_closing(self.stack))
        html = "".join(self.out)
        summary = "".join(self.summary) if self.summary is not None else html
        return CleanedHTML(html, summary, clean_text("".join(self.text)), self.image)


def _closing(stack: list[str]) -> list[str]:
    return [f"</{t}>" for t in reversed(stack) if t]


def _attrs(attributes: dict[str, str]) -> str:
    return "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attributes.items())


def _px(value: str | None) -> int | None:
    if value and value.strip().isdigit():
        return int(value.strip())
    return None
