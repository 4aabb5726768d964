"""Clean hostile feed content into safe values (pure functions, no I/O).

* :func:`clean_text` strips XML-invalid control characters and collapses whitespace.
* :func:`safe_text` does that and breaks mailing-service merge tags (:mod:`digest.mergetags`):
  for every string a reader will see.
* :func:`safe_url` makes a URL absolute against a base and keeps it only if http(s) (or mailto)
  with a valid host and port, controls and whitespace removed *after* joining (a base can
  carry them too) and merge-tag delimiters percent-encoded.
* :func:`clean_html` sanitises a fragment with an email-suited allowlist (nh3), makes every
  URL absolute, drops tracking pixels, breaks merge tags in text and attributes, and
  re-serialises it so MRML's strict parser accepts it; it also extracts the lead image, a
  plain-text excerpt and a length-bounded HTML summary.
* :func:`recheck_entry` runs a stored entry through the same cleaning again: the store is
  read back as hostile input too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html import escape, unescape
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

import nh3

from .lang import lenient
from .mergetags import BREAK, neutralise, neutralise_url
from .models import Entry, Image

# XML 1.0 forbids C0 controls except tab/newline/CR, surrogates, U+FFFE/U+FFFF; MRML rejects them.
# C1 controls and the BMP's other noncharacters go too: they never carry text. (The planes'
# last two code points are left: a class with astral characters makes every search 6x slower.)
# So do the bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069): one
# unclosed override in a feed's title reverses what follows it in the email, a spoofing
# tool; the templates set each item's direction, and the marks (LRM, RLM, ALM) stay.
# U+FEFF is a byte-order mark left in the text (a file's start pasted into a title): it
# shows nothing, and a terminal prints it as a box.
_INVALID_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\ufeff]"
)

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
_WEB = frozenset({"http", "https"})
# Absolute http(s) with nothing to strip, join or encode: the common case, returned as is.
_PLAIN_WEB_URL = re.compile(
    r"^https?://[A-Za-z0-9.-]+(?::[1-9][0-9]{0,3})?(?:[/?#](?:[!#$&-)+-;=?A-Z_a-z~]|%[0-9A-Fa-f]{2})*)?$"
)
MAX_URL = 4096  # characters: browsers and mail clients break longer links anyway
# a host name (letters of any script, digits, hyphens, dots; underscores occur) or an IP
# address: no merge-tag delimiter can be in it, so the host is never percent-encoded
_HOST = re.compile(r"[\w.-]+|[0-9a-f:.]+", re.IGNORECASE)
_URL_ATTRS = {("a", "href"), ("img", "src"), ("blockquote", "cite"), ("q", "cite")}
_VOID = {"br", "img"}
_MAYBE_TAG = re.compile(r"[*|{}\[\]%@]|&lt;")  # could a merge tag be in sanitised HTML?
_BLOCK = {"p", "li", "blockquote", "figure", "figcaption", "h2", "h3", "h4", "pre", "ul", "ol"}
TRACKING_MAX_PX = 2
MAX_DEPTH = 24  # nesting kept in cleaned HTML (20,000 levels crashed MRML with SIGSEGV)
LEAD_IMAGE_MIN_PX = 120
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_INNER_SPACE = re.compile(r"\s+")
# Text that shows nothing: spaces, format characters (zero-width, bidi controls, variation
# selectors, tags) and the letters fonts draw blank (Hangul fillers, the Braille blank).
_BLANK = re.compile(
    "[\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U000e0000-\U000e007f]*"
)
# Lengths of the cleaned fields (characters).
TITLE_CHARS = 300
EXCERPT_CHARS = 320
SUMMARY_CHARS = 1200
AUTHOR_CHARS = 120
CATEGORY_CHARS = 80


def clean_text(value: object, *, limit: int | None = None) -> str:
    """Plain text: control characters removed, whitespace collapsed, optionally truncated."""
    if value is None:
        return ""
    text = strip_controls(str(value))
    text = " ".join(text.split())  # str.split() also splits on every Unicode space
    if _BLANK.fullmatch(text):  # nothing a reader can see: no title, no author
        return ""
    return truncate(text, limit) if limit else text


def safe_text(value: object, *, limit: int | None = None) -> str:
    """Text a reader will see: :func:`clean_text`, with merge tags broken."""
    return neutralise(clean_text(value, limit=limit))


def strip_controls(value: str) -> str:
    return _INVALID_XML.sub("", value) if _INVALID_XML.search(value) else value


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
    """Absolute URL with an allowed scheme, or None. Whitespace and controls are removed
    (after joining: a base can carry them too), the host and port must be valid, and
    merge-tag delimiters are percent-encoded."""
    if not isinstance(url, str) or len(url) > 4 * MAX_URL:
        return None
    if _PLAIN_WEB_URL.match(url) and "http" in schemes:
        return url if len(url) <= MAX_URL else None  # absolute, nothing to strip: usual
    url = _squeeze(url)
    if not url:
        return None
    try:
        if base:
            url = _squeeze(urljoin(base, url))
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number from 0 to 65535
    except ValueError:  # an unparsable IPv6 literal, for one
        return None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return None
    if scheme in ("http", "https") and (not parts.hostname or port == 0):
        return None
    if parts.hostname and not _HOST.fullmatch(parts.hostname):
        return None  # "{{contact.EMAIL}}.evil.example": a merge tag in the host
    if not url.isascii():
        url = ascii_url(url, parts)
        if url is None:
            return None
    if len(url) > MAX_URL:
        return None
    return neutralise_url(url)


def ascii_url(url: str, parts: SplitResult | None = None) -> str | None:
    """The URL as mail clients need it, in ASCII: an internationalised host in its
    punycode form, other characters percent-encoded as UTF-8 (existing escapes kept).
    libxml2 (premailer) would percent-encode the whole URL, host included, and the text
    part would keep the raw characters: two different links. None when the host is not a
    valid international name."""
    parts = parts or urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = (parts.hostname or "").encode("idna").decode("ascii")
        except UnicodeError:
            return None
        if parts.port is not None:
            netloc += f":{parts.port}"
    rest = quote(urlunsplit(("", "", parts.path, parts.query, parts.fragment)), safe=_URL_SAFE)
    return f"{parts.scheme}://{netloc}{rest}" if netloc else f"{parts.scheme}:{rest}"


_URL_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))  # every printable ASCII character


def _squeeze(url: str) -> str:
    """A URL as a browser reads an attribute's: controls, tabs and line breaks removed,
    spaces trimmed at the ends and percent-encoded inside ("my report.pdf" is a link to
    "my%20report.pdf", not to "myreport.pdf")."""
    url = _INVALID_XML.sub("", url) if _INVALID_XML.search(url) else url
    url = _TAB_NEWLINE.sub("", url.strip())
    return _INNER_SPACE.sub(lambda m: quote(m.group(0)), url)


@dataclass(frozen=True)
class CleanedHTML:
    html: str  # full sanitised fragment
    summary: str  # well-formed prefix of at most `summary_chars` characters of text
    text: str  # plain text of the fragment, whitespace collapsed
    image: Image | None  # first sizeable image


_SIZE = re.compile(r"\s*(\d{1,6})(?:\.\d*)?\s*(?:px)?\s*", re.IGNORECASE)
_STYLE_SIZE = re.compile(
    r"(?:^|;)\s*(width|height)\s*:\s*(?:(\d{1,6})(?:\.\d*)?\s*px|(0)(?:\.0*)?)\s*(?=;|$)", re.I
)


def _numeric_sizes(tag: str, attr: str, value: str) -> str | None:
    """Sizes in whole pixels ("1px" is 1: a tracking pixel); an image's style passes to be
    read for its sizes only (_style_sizes), never kept."""
    if attr in ("width", "height"):
        size = _SIZE.fullmatch(value)
        return size.group(1) if size else None
    return value


def _style_sizes(attrs: dict[str, str]) -> None:
    """An image's width and height from its style ("width:1px;height:1px"), which wins over
    its attributes as CSS does in every client; the style itself goes."""
    for name, pixels, zero in _STYLE_SIZE.findall(attrs.pop("style", "")):
        attrs[name.lower()] = pixels or zero


# One reusable sanitiser. Relative URLs pass nh3 (and bad schemes do not); the pass below
# makes every URL absolute against the entry's base and checks its scheme again.
_CLEANER = nh3.Cleaner(
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
    attributes={**ALLOWED_ATTRIBUTES, "img": ALLOWED_ATTRIBUTES["img"] | {"style"}},
    attribute_filter=_numeric_sizes,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)
# nh3 serialises well-formed HTML: lowercase tags, double-quoted attributes, escaped text.
_TOKEN = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*/?>|([^<]+)|<')
_ATTR = re.compile(r'([^\s=>/]+)(?:="([^"]*)")?')


def clean_html(
    fragment: str | None, base: str | None, *, summary_chars: int = 900, merge_tags: bool = False
) -> CleanedHTML:
    """Sanitise an untrusted HTML fragment for email; see the module docstring. Merge tags
    in text are broken unless `merge_tags` (the editors' own text, on request)."""
    if not fragment:
        return CleanedHTML("", "", "", None)
    sanitised = _CLEANER.clean(_shallow(strip_controls(fragment)))
    tags = not merge_tags and _MAYBE_TAG.search(sanitised) is not None  # merge tags to break
    out: list[str] = []
    text: list[str] = []
    stack: list[str] = []  # open tags; "" marks a link whose URL was unsafe (text kept)
    summary: str | None = None
    text_len = 0
    image: Image | None = None
    for match in _TOKEN.finditer(sanitised):
        closing, tag, attr_text, data = match.groups()
        if data is not None or tag is None:
            raw = strip_controls(data) if data is not None else "&lt;"
            plain = strip_controls(unescape(raw))  # &#1; decodes to a control character
            if tags:
                # a tag between two texts may be dropped here or by a later reader ("%<a
                # href='javascript:x'>FNAME%"): a delimiter across them is broken too
                tail = text[-1][-3:] if text else ""
                neutral = neutralise(plain)
                if tail and neutralise(tail + plain) != tail + neutral:
                    neutral = neutralise(BREAK + plain)
                if neutral != plain:
                    plain, raw = neutral, escape(neutral, quote=False).replace("\xa0", "&nbsp;")
            text.append(plain)
            if summary is None and text_len + len(plain) > summary_chars:
                room = max(summary_chars - text_len, 0)
                cut = escape(truncate(plain, room) if room > 10 else "…", quote=False)
                summary = "".join(out) + cut + "".join(_closing(stack))
            text_len += len(plain)
            out.append(raw)
        elif closing:
            if tag in _VOID:
                continue
            if tag == "a" and "a" not in stack and "" in stack:
                stack.remove("")
                continue
            if tag not in stack:
                continue
            while stack:
                open_tag = stack.pop()
                if open_tag:
                    out.append(f"</{open_tag}>")
                if open_tag == tag:
                    break
            if tag in _BLOCK:
                text.append(" ")
        else:
            attrs = _attributes(tag, attr_text, base)
            if tag == "img":
                _style_sizes(attrs)
                kept = _keep_image(attrs)
                if kept is None:
                    continue
                if image is None and (kept.width is None or kept.width >= LEAD_IMAGE_MIN_PX):
                    image = kept
                out.append(f"<img{_attrs(attrs)}>")
            elif tag == "br":
                text.append(" ")
                out.append("<br>")
            elif tag == "a" and ("href" not in attrs or "a" in stack):  # no nested links
                stack.append("")
            elif len(stack) >= MAX_DEPTH:
                continue  # deeper markup is flattened: MRML's parser overflows its stack
            else:
                if tag in _BLOCK:
                    text.append(" ")
                stack.append(tag)
                out.append(f"<{tag}{_attrs(attrs)}>")
    out.extend(_closing(stack))
    html = "".join(out)
    return CleanedHTML(
        html, summary if summary is not None else html, clean_text("".join(text)), image
    )


# nh3's parser takes time that grows faster than the nesting: 20,000 nested <div>s take
# 1.6 s, 100,000 (2.3 MB) minutes, holding the GIL so that the parse time limit cannot stop
# it. Markup nested deeper than this is flattened before nh3 sees it (MAX_DEPTH flattens
# what is left after); only a fragment with many tags is scanned.
PARSE_DEPTH = 256
_SCAN_ABOVE = 2000  # "<" in a fragment before it is scanned
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*?(/?)>")
_VOID_ELEMENTS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)


def _shallow(fragment: str) -> str:
    """The fragment with start tags nested deeper than PARSE_DEPTH (and their end tags)
    removed; the text stays."""
    if fragment.count("<") <= _SCAN_ABOVE:
        return fragment
    depth = dropped = 0

    def keep(m: re.Match[str]) -> str:
        nonlocal depth, dropped
        closing, name, self_closing = m.groups()
        if self_closing or name.lower() in _VOID_ELEMENTS:
            return m.group(0)
        if closing:
            if dropped:
                dropped -= 1
                return ""
            depth = max(depth - 1, 0)
            return m.group(0)
        if depth >= PARSE_DEPTH:
            dropped += 1
            return ""
        depth += 1
        return m.group(0)

    return _ANY_TAG.sub(keep, fragment)


def _attributes(tag: str, attr_text: str, base: str | None) -> dict[str, str]:
    """Attribute values unescaped; URL attributes made absolute or dropped."""
    attrs: dict[str, str] = {}
    for name, value in _ATTR.findall(attr_text or ""):
        value = strip_controls(unescape(value))
        if (tag, name) in _URL_ATTRS:
            schemes = URL_SCHEMES if tag == "a" else _WEB
            safe = safe_url(value, base, schemes=schemes)
            if safe is None:
                continue
            value = safe
        else:
            value = neutralise(value)
        attrs[name] = value
    return attrs


def _keep_image(attrs: dict[str, str]) -> Image | None:
    """None for images without a source and for tracking pixels."""
    src = attrs.get("src")
    if not src:
        return None
    width, height = _px(attrs.get("width")), _px(attrs.get("height"))
    if (width is not None and width <= TRACKING_MAX_PX) or (
        height is not None and height <= TRACKING_MAX_PX
    ):
        return None
    attrs.setdefault("alt", "")
    return Image(src, clean_text(attrs.get("alt")), width, height)


def _closing(stack: list[str]) -> list[str]:
    return [f"</{t}>" for t in reversed(stack) if t]


def _attrs(attributes: dict[str, str]) -> str:
    return "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attributes.items())


def _px(value: str | None) -> int | None:
    size = _SIZE.fullmatch(value) if value else None
    return int(size.group(1)) if size else None


def recheck_entry(entry: Entry) -> Entry:
    """A stored entry cleaned again on its way out of the store: a row written by an older
    digest, or by anything else, is hostile input like a feed. Clean values come back as
    they are (the cleaning is idempotent)."""
    image = entry.image
    if image is not None:
        url = safe_url(image.url)
        image = (
            Image(url, safe_text(image.alt), _dimension(image.width), _dimension(image.height))
            if url
            else None
        )
    link = safe_url(entry.link)
    language = entry.language if isinstance(entry.language, str) else None
    return replace(
        entry,
        feed_name=safe_text(entry.feed_name, limit=TITLE_CHARS),
        title=safe_text(entry.title, limit=TITLE_CHARS) or link or "",
        link=link,
        author=safe_text(entry.author, limit=AUTHOR_CHARS) or None,
        summary_html=clean_html(entry.summary_html, None).html,
        excerpt=safe_text(entry.excerpt, limit=EXCERPT_CHARS),
        image=image,
        categories=tuple(
            dict.fromkeys(
                c for c in (safe_text(c, limit=CATEGORY_CHARS) for c in entry.categories) if c
            )
        ),
        language=lenient(language) if language else None,
    )


def _dimension(value: object) -> int | None:
    return value if isinstance(value, int) and 0 < value < 10_000 else None
