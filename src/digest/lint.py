"""Check a built issue before it goes to a mailing service (pure: works on bytes).

Errors make `digest lint` exit 1; warnings are reported only. `digest build` runs the same
checks on the files it is about to write and records the report in the manifest.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from html import unescape
from html.parser import HTMLParser
from typing import Any

from . import esp, mergetags
from .budget import GMAIL_CLIP, as_sent

FORBIDDEN_TAGS = {
    "script",
    "form",
    "iframe",
    "object",
    "embed",
    "input",
    "button",
    "frame",
    "frameset",
    "applet",
    "base",
    "meta-refresh",
}
PREHEADER_MIN, PREHEADER_MAX = 20, 200
# Findings that make an email unsafe (script, handlers, script links, external fetches) or
# broken (a placeholder left in): `digest build` refuses to publish an issue with any of
# them, since feed content is sanitised and digest.toml validated, they come from templates.
# The other findings are recorded in the manifest and the editor notes.
BLOCKING = frozenset(
    {"forbidden-tag", "event-handler", "unsafe-link", "external-css", "web-font", "placeholder"}
)
_UNSAFE_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data|file):", re.I)
_WEB_FONT = re.compile(r"@font-face|fonts\.googleapis|fonts\.gstatic|use\.typekit|@import", re.I)


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    code: str
    message: str
    where: str = ""


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...] = ()
    checked: tuple[str, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "error" and f.code in BLOCKING)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": sum(f.level == "error" for f in self.findings),
            "warnings": sum(f.level == "warning" for f in self.findings),
            "checked": list(self.checked),
            "stats": self.stats,
            "findings": [asdict(f) for f in self.findings],
        }


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str], int]] = []
        self.html_attrs: dict[str, str] = {}
        self.preheader: str | None = None
        self._in_hidden = 0
        self._hidden_text: list[str] = []
        self._body_seen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values, self.getpos()[0]))
        if tag == "html":
            self.html_attrs = values
        if tag == "body":
            self._body_seen = True
        style = values.get("style", "").replace(" ", "").lower()
        if (
            self._body_seen
            and self.preheader is None
            and tag == "div"
            and "display:none" in style
            and not self._in_hidden
        ):
            self._in_hidden = 1
        elif self._in_hidden:
            self._in_hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if self._in_hidden:
            self._in_hidden -= 1
            if not self._in_hidden:
                self.preheader = " ".join("".join(self._hidden_text).split())

    def handle_data(self, data: str) -> None:
        if self._in_hidden:
            self._hidden_text.append(data)


def lint_issue(
    html: bytes | None,
    text: bytes | None,
    eml: bytes | None,
    *,
    profile: esp.Profile,
    settings: esp.EspSettings | None = None,
    budget: int | None = None,
    allowed_tags: Iterable[str] = (),
) -> Report:
    settings = settings or esp.EspSettings()
    findings: list[Finding] = []
    checked: list[str] = []
    stats: dict[str, Any] = {}

    def add(level: str, code: str, message: str, where: str = "") -> None:
        findings.append(Finding(level, code, message, where))

    html_text = html.decode("utf-8", errors="replace") if html is not None else None
    text_text = text.decode("utf-8", errors="replace") if text is not None else None
    mandatory = _mandatory(profile, settings)
    if html_text is None:
        add("error", "html-missing", "no newsletter.html")
    else:
        checked.append("newsletter.html")
        stats["html_bytes"] = len(html or b"")
        _check_html(html_text, len(html or b""), budget, profile, mandatory, add, stats)
    if text_text is None:
        add("error", "text-missing", "no plain-text part (newsletter.txt)")
    else:
        checked.append("newsletter.txt")
        for tag in mandatory:
            if tag not in text_text:
                add(
                    "error",
                    "esp-tag-missing",
                    f"{profile.label}: the text part lacks the unsubscribe tag {tag}",
                    "newsletter.txt",
                )
        if html_text is not None:
            _check_links_in_text(html_text, text_text, add)
    if eml is not None:
        checked.append("newsletter.eml")
        _check_eml(eml, profile, settings, add)
    own = (*_own_tags(profile, settings), *allowed_tags)
    _check_merge_tags(html_text, "newsletter.html", own, add, markup=True)
    _check_merge_tags(text_text, "newsletter.txt", own, add, markup=False)
    return Report(tuple(findings), tuple(checked), stats)


def _mandatory(profile: esp.Profile, settings: esp.EspSettings) -> tuple[str, ...]:
    if profile.name == "smtp":
        link = esp.smtp_unsubscribe(settings)
        return (link,) if link else ()
    return profile.mandatory


def _check_html(
    html: str,
    size: int,
    budget: int | None,
    profile: esp.Profile,
    mandatory: tuple[str, ...],
    add: Any,
    stats: dict[str, Any],
) -> None:
    where = "newsletter.html"
    _check_size(html, size, budget, add, stats)
    if not re.match(r"\s*<!doctype html>", html, re.I):
        add("error", "doctype", "missing <!doctype html> (clients fall back to quirks mode)", where)
    scan = _Scan()
    scan.feed(html)
    scan.close()
    if not scan.html_attrs.get("lang"):
        add("error", "lang", "<html> has no lang attribute (screen readers need it)", where)
    if scan.html_attrs.get("dir") not in ("ltr", "rtl", "auto"):
        add("warning", "dir", "<html> has no dir attribute", where)
    images = links = 0
    for tag, attrs, line in scan.tags:
        at = f"{where}:{line}"
        if tag in FORBIDDEN_TAGS:
            add("error", "forbidden-tag", f"<{tag}> has no place in an email", at)
        for name in attrs:
            if name.startswith("on"):
                add("error", "event-handler", f"<{tag} {name}=...> (script in an email)", at)
        if tag == "link" and "stylesheet" in attrs.get("rel", "").lower():
            add("error", "external-css", "external stylesheet (clients will not load it)", at)
        if tag == "img":
            images += 1
            if "alt" not in attrs:
                add("error", "img-alt", f"image without alt text: {attrs.get('src', '?')}", at)
            if not attrs.get("width"):
                add(
                    "error",
                    "img-width",
                    f"image without a width attribute (Outlook needs one): {attrs.get('src', '?')}",
                    at,
                )
            if not _web_url(attrs.get("src", "")):
                add(
                    "error",
                    "img-src",
                    f"image source is not an absolute https URL: {attrs.get('src', '')[:80]}",
                    at,
                )
        if tag == "a" and "href" in attrs:
            links += 1
            href = attrs["href"]
            if _UNSAFE_SCHEME.match(href):
                add("error", "unsafe-link", f"link with a script or local scheme: {href[:80]}", at)
            elif not (_web_url(href) or href.startswith("mailto:") or _is_tag(href, profile)):
                add(
                    "error",
                    "link",
                    f"link is not an absolute http(s) or mailto URL: {href[:80]}",
                    at,
                )
            if "digest.invalid" in href:
                add("error", "placeholder", "a digest placeholder was not replaced", at)
    if _WEB_FONT.search(html):
        add("error", "web-font", "web font or @import found (no external fetches)", where)
    stats.update(images=images, links=links)
    _check_attributes(scan.tags, add)
    _check_craft(html, scan.tags, add)
    if scan.preheader is None:
        add("error", "preheader", "no preheader (the hidden preview text)", where)
    else:
        stats["preheader_chars"] = len(scan.preheader)
        if not _is_tag(scan.preheader, profile) and not (
            PREHEADER_MIN <= len(scan.preheader) <= PREHEADER_MAX
        ):
            add(
                "warning",
                "preheader",
                f"preheader is {len(scan.preheader)} characters; "
                f"aim for {PREHEADER_MIN}-{PREHEADER_MAX}",
                where,
            )
    for tag in mandatory:
        if tag not in unescape(html):
            add(
                "error",
                "esp-tag-missing",
                f"{profile.label}: the unsubscribe tag {tag} is "
                "missing; the service will refuse or add its own footer",
                where,
            )


def _check_size(html: str, size: int, budget: int | None, add: Any, stats: dict[str, Any]) -> None:
    """Both figures: the file, and the HTML as a mailing service sends it (every link
    through a click-tracking redirect, transfer-encoded; digest.budget). The budget and
    Gmail's clip apply to the second."""
    where = "newsletter.html"
    sent = as_sent(html)
    stats["html_sent_bytes"] = sent
    if max(size, sent) > GMAIL_CLIP:
        add(
            "error",
            "size",
            f"{size:,} bytes, {sent:,} as sent (links tracked, encoded): Gmail clips HTML "
            "past about 102 KB (and then drops the styles that make it responsive)",
            where,
        )
    elif budget and sent > budget:
        add(
            "warning",
            "size",
            f"{sent:,} bytes as sent (links tracked, encoded), over the {budget:,}-byte budget",
            where,
        )


# Attributes an email's HTML may carry: HTML's global ones, each element's own, and the
# presentational ones Outlook still needs on tables and images (obsolete, not invalid).
_GLOBAL = {"class", "style", "id", "dir", "lang", "title", "role", "hidden", "xml:lang"}
_LEGACY = {"align", "valign", "bgcolor", "width", "height", "border"}
_OWN: dict[str, set[str]] = {
    "html": {"xmlns", "xmlns:v", "xmlns:o"},
    "meta": {"name", "content", "http-equiv", "charset", "property"},
    "style": {"type", "media"},
    "body": {"bgcolor"},
    "a": {"href", "target", "rel", "name"},
    "img": {"src", "alt", "width", "height", "border"},
    "table": {"cellpadding", "cellspacing", "summary", *_LEGACY},
    "td": {"colspan", "rowspan", "headers", "scope", *_LEGACY},
    "th": {"colspan", "rowspan", "headers", "scope", *_LEGACY},
    "tr": {"align", "valign", "bgcolor"},
    "tbody": {"align", "valign"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "abbr": set(),
}
_KNOWN = {
    *_OWN,
    *[
        "head",
        "title",
        "div",
        "span",
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "small",
        "sub",
        "sup",
        "code",
        "pre",
        "ul",
        "figure",
        "figcaption",
        "cite",
        "hr",
        "center",
        "font",
    ],
}


def _check_attributes(tags: list[tuple[str, dict[str, str], int]], add: Any) -> None:
    """No attribute HTML does not define on its element (MRML once put `vertical-align`
    on a cell), numeric width and height on images and tables (`height="auto"` is not)."""
    for tag, attrs, line in tags:
        at = f"newsletter.html:{line}"
        if tag not in _KNOWN:
            continue
        allowed = _GLOBAL | _OWN.get(tag, set())
        for name in attrs:
            if name in allowed or name.startswith(("aria-", "data-")) or name.startswith("on"):
                continue
            add("error", "attribute", f"<{tag}> may not have the attribute {name!r}", at)
        for name in ("width", "height"):
            value = attrs.get(name)
            if value is None or tag not in ("img", "table", "td") or value.isdigit():
                continue
            if tag == "img" or not (value.endswith("%") and value[:-1].isdigit()):
                add("error", "attribute", f"<{tag} {name}={value!r}>: must be a number", at)


def _check_craft(html: str, tags: list[tuple[str, dict[str, str], int]], add: Any) -> None:
    """What email clients need beyond valid HTML (warnings): Apple and phone meta tags,
    colour-scheme support, a preheader Outlook hides, one h1."""
    where = "newsletter.html"
    metas = {attrs.get("name", "").lower() for tag, attrs, _ in tags if tag == "meta"}
    for name, why in (
        ("x-apple-disable-message-reformatting", "Apple Mail rescales the layout"),
        ("format-detection", "iOS turns dates and numbers into links"),
        ("color-scheme", "clients do not know it supports dark mode"),
    ):
        if name not in metas:
            add("warning", "meta", f"no <meta name={name!r}>: {why}", where)
    hidden = re.search(r"<body[^>]*>\s*<div style=\"(display:\s*none[^\"]*)\"", html)
    if hidden and "mso-hide:all" not in hidden.group(1).replace(" ", ""):
        add("warning", "preheader", "the preheader lacks mso-hide:all (Outlook shows it)", where)
    h1 = sum(1 for tag, _, _ in tags if tag == "h1")
    if h1 != 1:
        add("warning", "headings", f"{h1} h1 elements; an issue has one (its title)", where)


def _check_links_in_text(html: str, text: str, add: Any) -> None:
    hrefs = {unescape(h) for h in re.findall(r'href="([^"]+)"', html)}
    for href in sorted(hrefs):
        if (
            href.startswith(("http://", "https://", "mailto:"))
            and href not in text
            and href.removeprefix("mailto:") not in text
        ):
            add(
                "error",
                "text-link",
                f"link missing from the text part: {href[:100]}",
                "newsletter.txt",
            )


def _check_eml(raw: bytes, profile: esp.Profile, settings: esp.EspSettings, add: Any) -> None:
    where = "newsletter.eml"
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(msg, EmailMessage) or msg.get_content_type() != "multipart/alternative":
        add("error", "eml-structure", "not a multipart/alternative message", where)
        return
    types = [p.get_content_type() for p in msg.iter_parts()]
    if types != ["text/plain", "text/html"]:
        add("error", "eml-parts", f"parts are {types}; expected text/plain then text/html", where)
    for header in ("Subject", "From", "Date", "Message-ID", "MIME-Version"):
        if not msg[header]:
            add("error", "eml-header", f"missing {header} header", where)
    if profile.name == "smtp" and not msg["List-Unsubscribe"]:
        add("error", "eml-header", "the smtp profile needs a List-Unsubscribe header", where)


def _web_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+", value))


def _is_tag(value: str, profile: esp.Profile) -> bool:
    return value in {profile.unsubscribe, profile.web_version, profile.preview} - {None}


# -- merge tags (issue 10) -----------------------------------------------------------------


def _own_tags(profile: esp.Profile, settings: esp.EspSettings) -> tuple[str, ...]:
    tags = [profile.unsubscribe, profile.web_version, profile.preview]
    if profile.name == "smtp":
        tags += [esp.smtp_unsubscribe(settings), settings.web_version_url]
    return tuple(t for t in tags if t)


def _check_merge_tags(
    source: str | None, where: str, own: tuple[str, ...], add: Any, *, markup: bool
) -> None:
    """Only the profile's own tags (and those the editors opted into) may reach the mailing
    service: any other merge-tag-looking sequence could make it substitute subscriber data."""
    if source is None:
        return
    for tag in dict.fromkeys(mergetags.foreign_tags(source, own, markup=markup)):
        add(
            "error",
            "merge-tag",
            f"{tag[:80]!r} looks like a mailing-service merge tag that digest did not write; "
            "the service could replace it with subscriber data",
            where,
        )
