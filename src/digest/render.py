"""Render a curated issue into HTML email and plain text. Pure: no network, no clock.

One Jinja environment (autoescape on for ``.mjml``, ``StrictUndefined``): project templates
override or extend the bundled ones (:mod:`digest.templating`). MJML is compiled by MRML
with no web fonts; premailer inlines the CSS with network access off and cssutils silenced;
the doctype premailer drops is restored, and what MRML gets wrong for email clients is
fixed (:func:`fix_html`). The text part comes from its own template; html2text only
converts entry fragments (:mod:`digest.plaintext`).

Language: labels and typography come from :mod:`digest.i18n`, dates and numbers from
Babel through :mod:`digest.lang`, and right-to-left languages get a mirrored layout.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from html import escape
from types import SimpleNamespace as NS
from typing import Any

import mjml
from babel.numbers import format_decimal
from markupsafe import Markup

from . import budget, esp, i18n, lang
from .compose import issue_date
from .config import Project
from .errors import RenderError
from .links import tag_html, tag_text
from .models import Candidate, Image, Issue, Letter, Rendered
from .plaintext import tidy
from .templating import environment
from .templating import render as render_template

DARK = NS(  # the dark-mode palette: every pair keeps a contrast of at least 4.5:1
    page="#111316",
    card="#1b1e23",
    head="#0c1a2b",
    text="#e8e6e3",
    muted="#b4bcc5",
    heading="#f2c27a",
    link="#9cc3ff",
    rule="#3a3f47",
    button="#335f96",
)
CONTENT_WIDTH = 552  # 600 px less the 28 px side padding


def _silence_cssutils() -> None:
    import cssutils

    cssutils.log.setLevel(logging.CRITICAL)
    logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
    logging.getLogger("CSSUTILS").propagate = False


def render_issue(project: Project, issue: Issue) -> Rendered:
    """Render the issue's MJML and text templates into final HTML and plain text for the
    issue's mailing service. If the HTML, as a mailing service would send it (links
    tracked, transfer-encoded: :mod:`digest.budget`), would exceed the project's size
    budget, the lowest-ranked items move into a compact "more stories" list until it fits."""
    chosen = esp.profile(issue.esp or project.esp.name, issue.language)  # the one lookup
    env = environment(project)
    sections = [list(s.items) for s in issue.sections]
    more: list[Candidate] = []
    while True:
        context = build_context(project, issue, chosen, sections, more)
        mjml_source = render_template(env, f"{issue.template}.mjml", context)
        html = fix_html(inline_css(compile_mjml(mjml_source, f"{issue.template}.mjml", project)))
        html = _finish(html, project, issue, chosen, html=True)
        sent = budget.as_sent(html)
        if sent <= project.html_budget or not _overflow(sections, more, sent, project.html_budget):
            break
    text = tidy(render_template(env, f"{issue.template}.txt", context))
    text = _finish(text, project, issue, chosen, html=False)
    meta = {
        "esp": chosen.name,
        "html_bytes": len(html.encode("utf-8")),
        "html_sent_bytes": sent,
        "budget": project.html_budget,
        "more_stories": [c.entry.key for c in more],
    }
    return Rendered(html=html, text=text, mjml=mjml_source, meta=meta, profile=chosen)


def _overflow(
    sections: list[list[Candidate]], more: list[Candidate], size: int, budget: int
) -> bool:
    """Move the lowest-ranked full items into `more`; False when nothing can move.
    The lead (first section's single item) always stays."""
    movable = [
        (i, c)
        for i, items in enumerate(sections)
        for c in items
        if not (i == 0 and len(items) == 1)
    ]
    if not movable:
        return False
    per_item = size / max(len(movable), 1)
    count = max(1, min(len(movable), int((size - budget) / max(per_item * 0.8, 1)) + 1))
    for i, c in sorted(movable, key=lambda ic: ic[1].rank)[-count:]:
        sections[i].remove(c)
        more.append(c)
    more.sort(key=lambda c: c.rank)
    return True


def _finish(body: str, project: Project, issue: Issue, chosen: esp.Profile, *, html: bool) -> str:
    """Tag links, then replace the neutral placeholders with the service's literal tags."""
    content = {c.entry.link: c.entry.key for c in issue.items if c.entry.link}
    utm = project.utm
    if issue.utm_campaign and utm.enabled:
        utm = replace(utm, campaign=issue.utm_campaign)
    if html:
        body = tag_html(body, utm, issue.issue_id, content)
    else:
        body = tag_text(body, utm, issue.issue_id, content)
    preheader = escape(issue.preheader) if html else issue.preheader
    return esp.substitute(body, chosen, project.esp, preheader, html=html)


def build_context(
    project: Project,
    issue: Issue,
    chosen: esp.Profile,
    sections: list[list[Candidate]],
    more: list[Candidate],
) -> dict[str, Any]:
    """What the templates see. `sections` and `more` are the issue's items after the size
    budget moved some of them into the compact "more stories" list. Every text from feeds,
    letters and labels gets the language's typography."""
    tag = issue.language
    words = i18n.pack(tag, project.labels)
    rtl = lang.direction(tag) == "rtl"

    def typeset(text: str) -> str:
        return i18n.typeset(text, words)

    def item(c: Candidate) -> NS:
        return _item(c, project, tag, words)

    organisation = project.sender_address.display_name or project.name
    name = words.labels.get("name", project.name)  # [labels.<tag>] name and tagline
    tagline = words.labels.get("tagline", project.tagline)
    return {
        "newsletter": NS(
            name=issue.name or name,
            tagline=typeset(issue.tagline if issue.name else tagline),
            website=project.website,
            sender_name=organisation,
            footer_name=organisation if issue.name else name,
        ),
        "theme": project.theme,
        "dark": DARK,
        "labels": {k: typeset(v) for k, v in words.labels.items()},
        "lang": tag,
        "dir": "rtl" if rtl else "ltr",
        "start": "right" if rtl else "left",
        "end": "left" if rtl else "right",
        "arrow": "←" if rtl else "→",
        "spacing": "0" if rtl else "2px",  # letter-spacing breaks cursive scripts apart
        "spacing_small": "0" if rtl else "1px",
        "pad": lambda top, end, bottom, start: _padding(top, end, bottom, start, rtl),
        "links": NS(
            unsubscribe=esp.UNSUBSCRIBE if esp.has_unsubscribe(chosen, project.esp) else None,
            web_version=esp.WEB_VERSION if esp.has_web_version(chosen, project.esp) else None,
        ),
        "issue": NS(
            id=issue.issue_id,
            subject=issue.subject,
            preheader=esp.PREVIEW,
            date=issue_date(min(issue.window_end, issue.generated_at), project, tag),
            intro=typeset(issue.intro) if issue.intro else None,
            sections=[
                NS(id=s.id, title=typeset(s.title), items=[item(c) for c in items])
                for s, items in zip(issue.sections, sections, strict=True)
                if items
            ],
            more=[item(c) for c in more],
        ),
        "letter": _letter(issue, words),
        "highlights": NS(
            counts=[
                NS(number=format_decimal(c.number, locale=lang.locale(tag)), label=c.label)
                for c in issue.counts
            ]
        ),
    }


def _padding(top: int, end: int, bottom: int, start: int, rtl: bool) -> str:
    """CSS padding (top right bottom left) from logical sides, mirrored right to left."""
    right, left = (start, end) if rtl else (end, start)
    return " ".join(f"{v}px" if v else "0" for v in (top, right, bottom, left))


def _letter(issue: Issue, words: i18n.Pack) -> NS | None:
    """The issue's letter, else its lead item when that is a year-end message."""
    letter = issue.letter
    if letter is None:
        lead = next((s.items[0] for s in issue.sections if s.id == "lead" and s.items), None)
        if lead is None or lead.kind != "year_end":
            return None
        # the editors' own summary, where they wrote one, stands for the feed's text
        letter = Letter(
            title=lead.display_title,
            html=_own_words(lead) or lead.entry.summary_html,
            author=lead.entry.author or lead.entry.feed_name,
        )
    text = re.sub(r"<[^>]+>", " ", letter.html)
    return NS(
        title=i18n.typeset(letter.title, words),
        html=Markup(_below_h3(i18n.typeset_html(letter.html, words))),
        author=letter.author,
        signed=letter.author in text[-300:],  # the letter already ends with the name
        role=letter.role,
        portrait_url=letter.portrait_url,
        portrait_alt=letter.portrait_alt or letter.author,
        signature_url=letter.signature_url,
    )


def _own_words(c: Candidate) -> str:
    """The editors' summary as HTML, where they wrote one: it stands for the feed's text
    (sanitised, `summary_html`) wherever an item shows that, as the lead does."""
    return f"<p>{escape(c.blurb)}</p>" if c.blurb else ""


def _item(c: Candidate, project: Project, tag: str, words: i18n.Pack) -> NS:
    e = c.entry
    return NS(
        key=e.key,
        title=i18n.typeset(c.display_title, words),
        url=e.link,
        excerpt=i18n.typeset(c.blurb or e.excerpt, words),
        html=Markup(_below_h3(i18n.typeset_html(_own_words(c) or e.summary_html, words))),
        date=issue_date(e.published, project, tag),
        feed=e.feed_name,
        author=e.author,
        also=[s for s in c.sources if s != e.feed_name],
        kind=c.kind,
        image=_image(e.image, e.title) if e.image is not None else None,
    )


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def _below_h3(html: str) -> str:
    """Headings inside feed content and letters go below the issue's own (h1 masthead,
    h2 sections, h3 stories): h1-h2 become h4, h3 h5, h4-h6 h6."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, max(4, int(m.group(2)) + 2))}", html)


def _image(image: Image, title: str) -> NS:
    """Numeric width and height attributes for Outlook; in CSS, 100% of the column up to
    the natural width (never upscaled) and `height: auto`, so the aspect ratio holds at
    every width. An image of unknown size is shown at its natural size, at most the
    column's width (`fluid` false)."""
    if image.width:
        width = min(image.width, CONTENT_WIDTH)
        height = round(image.height * width / image.width) if image.height else None
        return NS(url=image.url, alt=image.alt or title, width=width, height=height, fluid=True)
    return NS(url=image.url, alt=image.alt or title, width=CONTENT_WIDTH, height=None, fluid=False)


_PREHEADER = re.compile(r'(<body[^>]*>\s*<div style=")(display:\s*none;[^"]*)(")')
# No colour: white-on-background hidden text is what spam filters look for
# (SpamAssassin's HTML_FONT_LOW_CONTRAST); hidden is hidden.
_PREHEADER_STYLE = (
    "display:none;font-size:1px;line-height:1px;max-height:0px;max-width:0px;"
    "opacity:0;overflow:hidden;mso-hide:all;"
)
_BAD_ATTRIBUTE = re.compile(
    r'(<td\b[^>]*?) vertical-align="[^"]*"|(<img\b[^>]*?) height="auto"'
    r'|(<a\b[^>]*?) target="_blank"'
)


def fix_html(html: str) -> str:
    """What MRML emits that email clients or validators object to: the preheader gets
    `mso-hide:all` (Outlook shows it otherwise); a `vertical-align` attribute on the button
    cell and `height="auto"` on images are not HTML and go, and so does the button's
    `target` (Gmail ignores it, links in email open a browser anyway)."""
    html = _PREHEADER.sub(lambda m: m.group(1) + _PREHEADER_STYLE + m.group(3), html, count=1)
    return _BAD_ATTRIBUTE.sub(lambda m: m.group(1) or m.group(2) or m.group(3), html)


# MRML writes every attribute value with Rust's escape_debug: a backslash doubled, quotes
# and tabs escaped, and any character Rust deems unprintable or combining as the literal
# text "\u{202f}" (French typography's narrow space, U+00A0, the zero-width space that
# breaks merge tags, ZWJ in emoji, Devanagari and Arabic combining marks). Read back,
# left to right, inside tags only (text between tags is not escaped).
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_QUOTED = re.compile(r'="((?:[^"\\]|\\.)*)"')
_RUST_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|(.))", re.DOTALL)
_RUST_SIMPLE = {"t": "\t", "r": "\r", "n": "\n", "0": ""}


def _rust_char(m: re.Match[str]) -> str:
    if m.group(1) is None:
        return _RUST_SIMPLE.get(m.group(2), m.group(2))
    code = int(m.group(1), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code < 0x20 or 0x7F <= code < 0xA0:
        return ""  # not a character, or a control (cleaning removed them before MRML)
    return chr(code)


def _attribute(m: re.Match[str]) -> str:
    value = _RUST_ESCAPE.sub(_rust_char, m.group(1))
    return '="' + value.replace('"', "&quot;") + '"'


def unescape_attributes(html: str) -> str:
    """MRML's output with its attribute values as written (see _TAG above)."""
    if "\\" not in html:
        return html
    return _TAG.sub(
        lambda t: _QUOTED.sub(_attribute, t.group(0)) if "\\" in t.group(0) else t.group(0), html
    )


def compile_mjml(source: str, name: str, project: Project | None = None) -> str:
    """The HTML MRML makes of the rendered template `name`; a failure names the project's
    file when it has one, and the rendered line MRML points at (digest.salvage tells a
    story's fault from the template's)."""
    try:
        return unescape_attributes(str(mjml.mjml2html(source, fonts={}, disable_comments=True)))
    except (ValueError, RuntimeError) as e:
        own = project.templates_dir / name if project is not None else None
        near = _near(source, str(e))
        raise RenderError(
            f"MJML compilation of {name} failed: {e}" + (f"; near: {near}" if near else ""),
            template=own if own is not None and own.is_file() else None,
            hint="check the MJML structure of the template and the partials it includes "
            "(an unclosed tag, an mj-include of a missing file)",
        ) from e


def _near(source: str, message: str) -> str:
    """The rendered line holding the byte MRML points at ("at position 4752:4762" are
    byte offsets), to find it in a template."""
    found = re.search(r"position (\d+):(\d+)", message)
    data = source.encode("utf-8")
    if not found or not 0 <= int(found.group(1)) < len(data):
        return ""
    start = int(found.group(1))
    line = data[data.rfind(b"\n", 0, start) + 1 :].split(b"\n", 1)[0]
    return repr(line.decode("utf-8", errors="replace").strip()[:120])


INLINE_MARK = "/* digest:inline */"
_STYLE_OPEN = re.compile(rf"<style(?![^>]*data-premailer)([^>]*)>(?!\s*{re.escape(INLINE_MARK)})")


def inline_css(html: str) -> str:
    """Inline our own rules (mj-style blocks starting with /* digest:inline */) with
    premailer, offline. MRML's resets and every media query stay in the head, as MJML
    intends: inlining them into every cell added a quarter to the size. The doctype
    premailer drops is put back."""
    import premailer

    _silence_cssutils()
    html = _STYLE_OPEN.sub(r'<style data-premailer="ignore"\1>', html)
    try:
        result = premailer.Premailer(
            html,
            allow_network=False,
            keep_style_tags=False,
            remove_classes=False,
            strip_important=False,
            disable_validation=True,
            disable_leftover_css=False,
            cssutils_logging_level=logging.CRITICAL,
            exclude_pseudoclasses=True,
            disable_basic_attributes=["align", "valign", "bgcolor", "width", "height"],
        ).transform()
    except Exception as e:  # premailer/cssutils raise assorted types (see TRAPS.md)
        raise RenderError(f"CSS inlining failed: {type(e).__name__}: {e}") from e
    result = str(result).replace(' data-premailer="ignore"', "")
    return "<!doctype html>\n" + minify(result.strip()) + "\n"


_STRUCTURE = (
    r"(?:table|tbody|thead|tr|td|th|div|p|h[1-6]|ul|ol|li|head|meta|title|style|body|html|center"
    r"|!--|!\[endif)"
)
_BETWEEN_TAGS = re.compile(rf"(?<=>)\s*\n\s*(?=</?{_STRUCTURE}\b)")


def minify(html: str) -> str:
    """Drop whitespace that contains a line break and stands before a structural tag
    (table parts, divs, head elements, conditional comments): browsers never render it.
    Whitespace between inline elements and inside text is left alone."""
    return _BETWEEN_TAGS.sub("", html)
