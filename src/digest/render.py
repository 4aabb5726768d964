"""Render a curated issue into HTML email and plain text. Pure: no network, no clock.

One Jinja environment (autoescape on for ``.mjml``, ``StrictUndefined``); project templates
override the bundled ones. MJML is compiled by MRML with no web fonts; premailer inlines the
CSS with network access off and cssutils silenced; the doctype premailer drops is restored.
The text part comes from its own template; html2text only converts entry fragments.
"""

from __future__ import annotations

import logging
import re
import textwrap
import traceback
from collections.abc import Callable
from datetime import datetime
from html import escape, unescape
from pathlib import Path
from types import SimpleNamespace as NS
from typing import Any

import html2text
import jinja2
import mjml
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup

from . import esp
from .config import Project
from .errors import RenderError, TemplateError
from .links import tag_html, tag_text
from .models import Candidate, Issue, Letter, Rendered
from .resources import bundled_templates

TEXT_WIDTH = 72
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_BLANK_RUNS = re.compile(r"\n{3,}")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "read_more": "Read more",
        "also": "Also reported by",
        "in_this_issue": "In this issue",
        "view_online": "Visit our website",
        "why": "You receive this email because you signed up for news from",
        "issue": "Issue",
        "by": "by",
        "more_stories": "More stories",
        "unsubscribe": "Unsubscribe",
        "web_version": "View in your browser",
        "good_news_count": "Good news this week: %d",
        "letter_from": "A letter to our supporters",
        "signature_of": "Signature of %s",
        "year_in_numbers": "The year in numbers",
    },
    "fr": {
        "read_more": "Lire la suite",
        "also": "Également publié par",
        "in_this_issue": "Dans ce numéro",
        "view_online": "Visiter notre site",
        "why": "Vous recevez ce message car vous êtes abonné·e aux nouvelles de",
        "issue": "Numéro",
        "by": "par",
        "more_stories": "Autres articles",
        "unsubscribe": "Se désabonner",
        "web_version": "Voir dans le navigateur",
        "good_news_count": "Les bonnes nouvelles de la semaine : %d",
        "letter_from": "Une lettre à nos sympathisants",
        "signature_of": "Signature de %s",
        "year_in_numbers": "L'année en chiffres",
    },
}
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb"}


def _silence_cssutils() -> None:
    import cssutils

    cssutils.log.setLevel(logging.CRITICAL)
    logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
    logging.getLogger("CSSUTILS").propagate = False


def environment(project: Project) -> jinja2.Environment:
    """The one Jinja environment: project templates first, then the bundled ones."""
    loaders: list[jinja2.BaseLoader] = []
    if project.templates_dir.is_dir():
        loaders.append(_Loader(project.templates_dir))
    loaders.append(_Loader(bundled_templates()))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wrap"] = wrap
    env.filters["fragment_text"] = fragment_text
    return env


class _Loader(jinja2.FileSystemLoader):
    """A FileSystemLoader whose unreadable or non-UTF-8 templates are errors naming the
    file and line (Jinja itself raises a bare UnicodeDecodeError)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:  # an OSError too: the next loader may have it
            raise
        except UnicodeDecodeError as e:
            path = self._path(template)
            raw = path.read_bytes() if path.is_file() else b""
            raise TemplateError(
                "file is not valid UTF-8",
                path=path,
                line=raw[: e.start].count(b"\n") + 1 if raw else None,
                hint="save the template as UTF-8",
            ) from e
        except OSError as e:
            raise TemplateError(
                f"cannot read the template: {e.strerror or e}", path=self._path(template)
            ) from e

    def _path(self, template: str) -> Path:
        for base in self.searchpath:
            candidate = Path(base, *template.split("/"))
            if candidate.exists():
                return candidate
        return Path(template)


def _autoescape(name: str | None) -> bool:
    return name is None or not name.endswith(".txt")


def render_issue(project: Project, issue: Issue) -> Rendered:
    """Render the issue's MJML and text templates into final HTML and plain text for the
    issue's mailing service. If the HTML would exceed the project's size budget, the
    lowest-ranked items move into a compact "more stories" list until it fits."""
    chosen = esp.profile(issue.esp or project.esp.name, issue.language)
    env = environment(project)
    sections = [list(s.items) for s in issue.sections]
    more: list[Candidate] = []
    while True:
        context = build_context(project, issue, chosen, sections, more)
        mjml_source = _render(env, f"{issue.template}.mjml", context)
        html = inline_css(compile_mjml(mjml_source, f"{issue.template}.mjml"))
        html = _finish(html, project, issue, chosen, html=True)
        size = len(html.encode("utf-8"))
        if size <= project.html_budget or not _overflow(sections, more, size, project.html_budget):
            break
    text = _tidy_text(_render(env, f"{issue.template}.txt", context))
    text = _finish(text, project, issue, chosen, html=False)
    meta = {
        "esp": chosen.name,
        "html_bytes": size,
        "budget": project.html_budget,
        "more_stories": [c.entry.key for c in more],
    }
    return Rendered(html=html, text=text, mjml=mjml_source, meta=meta)


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
    if html:
        body = tag_html(body, project.utm, issue.issue_id, content)
    else:
        body = tag_text(body, project.utm, issue.issue_id, content)
    preheader = escape(issue.preheader) if html else issue.preheader
    return esp.substitute(body, chosen, project.esp, preheader, html=html)


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound as e:
        raise TemplateError(
            f"template {e.name!r} not found",
            path=name,
            hint="check [newsletter] template in digest.toml and templates/",
        ) from e
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(
            f"template syntax error: {e.message}", path=e.filename or name, line=e.lineno
        ) from e
    try:
        return template.render(context)
    except TemplateError:
        raise
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(
            f"template syntax error: {e.message}", path=e.filename or name, line=e.lineno
        ) from e
    except Exception as e:  # any failure inside a template is a template bug: say where
        path, line = _template_frame(e, template.filename or name)
        raise TemplateError(f"template error: {type(e).__name__}: {e}", path=path, line=line) from e


def _template_frame(error: BaseException, default: str) -> tuple[str, int | None]:
    """Jinja rewrites tracebacks so template frames carry the template file and line."""
    found: tuple[str, int | None] = (default, None)
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".mjml", ".txt", ".html")):
            found = (filename, lineno)
    return found


def build_context(
    project: Project,
    issue: Issue,
    chosen: esp.Profile,
    sections: list[list[Candidate]],
    more: list[Candidate],
) -> dict[str, Any]:
    """What the templates see. `sections` and `more` are the issue's items after the size
    budget moved some of them into the compact "more stories" list."""
    lang = issue.language
    labels = LABELS.get(lang, LABELS["en"])
    return {
        "newsletter": NS(
            name=project.name,
            tagline=project.tagline,
            website=project.website,
            sender_name=project.sender_address.display_name or project.name,
        ),
        "theme": project.theme,
        "labels": labels,
        "lang": lang,
        "dir": "rtl" if lang in RTL_LANGUAGES else "ltr",
        "links": NS(
            unsubscribe=esp.UNSUBSCRIBE if esp.has_unsubscribe(chosen, project.esp) else None,
            web_version=esp.WEB_VERSION if esp.has_web_version(chosen, project.esp) else None,
        ),
        "issue": NS(
            id=issue.issue_id,
            subject=issue.subject,
            preheader=esp.PREVIEW,
            date=issue_date(issue.window_end, project, lang),
            intro=issue.intro,
            sections=[
                NS(id=s.id, title=s.title, items=[_item(c, project, lang) for c in items])
                for s, items in zip(issue.sections, sections, strict=True)
                if items
            ],
            more=[_item(c, project, lang) for c in more],
        ),
        "letter": _letter(issue),
        "highlights": NS(
            counts=[
                NS(number=format_decimal(c.number, locale=lang), label=c.label)
                for c in issue.counts
            ]
        ),
    }


def _letter(issue: Issue) -> NS | None:
    """The issue's letter, else its lead item when that is a year-end message."""
    letter = issue.letter
    if letter is None:
        lead = next((s.items[0] for s in issue.sections if s.id == "lead" and s.items), None)
        if lead is None or lead.kind != "year_end":
            return None
        letter = Letter(
            title=lead.display_title,
            html=lead.entry.summary_html,
            author=lead.entry.author or lead.entry.feed_name,
        )
    text = re.sub(r"<[^>]+>", " ", letter.html)
    return NS(
        title=letter.title,
        html=Markup(letter.html),
        author=letter.author,
        signed=letter.author in text[-300:],  # the letter already ends with the name
        role=letter.role,
        portrait_url=letter.portrait_url,
        portrait_alt=letter.portrait_alt or letter.author,
        signature_url=letter.signature_url,
    )


def _item(c: Candidate, project: Project, lang: str) -> NS:
    e = c.entry
    image = None
    if e.image is not None:
        width = min(e.image.width or 552, 552)
        height = (
            round(e.image.height * width / e.image.width)
            if e.image.height and e.image.width
            else None
        )
        image = NS(url=e.image.url, alt=e.image.alt or e.title, width=width, height=height)
    return NS(
        key=e.key,
        title=c.display_title,
        url=e.link,
        excerpt=c.blurb or e.excerpt,
        html=Markup(e.summary_html),  # sanitised and re-serialised by digest.clean
        date=format_date(e.published.astimezone(project.tz), format="long", locale=lang),
        feed=e.feed_name,
        author=e.author,
        also=[s for s in c.sources if s != e.feed_name],
        kind=c.kind,
        image=image,
    )


def compile_mjml(source: str, name: str) -> str:
    try:
        return str(mjml.mjml2html(source, fonts={}, disable_comments=True))
    except (ValueError, RuntimeError) as e:
        near = _near(source, str(e))
        raise RenderError(
            f"MJML compilation of {name} failed: {e}" + (f"; near: {near}" if near else ""),
            hint="check the MJML structure of the template and the partials it includes "
            "(see templates/)",
        ) from e


def _near(source: str, message: str) -> str:
    """The rendered line MRML points at ("at position 4:15"), to find it in a template."""
    found = re.search(r"position (\d+):(\d+)", message)
    lines = source.splitlines()
    if not found or not 0 < int(found.group(1)) <= len(lines):
        return ""
    return repr(lines[int(found.group(1)) - 1].strip()[:120])


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
        ).transform()
    except Exception as e:  # premailer/cssutils raise assorted types (see TRAPS.md)
        raise RenderError(f"CSS inlining failed: {type(e).__name__}: {e}") from e
    result = str(result).replace(' data-premailer="ignore"', "")
    return "<!doctype html>\n" + minify(result.strip()) + "\n"


_STRUCTURE = (
    r"(?:table|tbody|thead|tr|td|th|div|head|meta|title|style|body|html|center|!--|!\[endif)"
)
_BETWEEN_TAGS = re.compile(rf"(?<=>)\s*\n\s*(?=</?{_STRUCTURE}\b)")


def minify(html: str) -> str:
    """Drop whitespace that contains a line break and stands before a structural tag
    (table parts, divs, head elements, conditional comments): browsers never render it.
    Whitespace between inline elements and inside text is left alone."""
    return _BETWEEN_TAGS.sub("", html)


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """Wrap prose for the text part without ever breaking a URL or a long word."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text or "")]
    return "\n\n".join(
        textwrap.fill(
            " ".join(p.split()),
            width=width,
            initial_indent=indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        for p in paragraphs
        if p.strip()
    )


def fragment_text(html: str) -> str:
    """A sanitised HTML fragment as readable plain text (no Markdown debris)."""
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_tables = True
    converter.unicode_snob = True
    converter.ul_item_mark = "-"
    html = _LINK.sub(_link_text, str(html))  # keep every link, as "text (URL)"
    text = _MD_ESCAPE.sub(r"\1", converter.handle(html))
    lines = [line.rstrip() for line in text.splitlines()]
    blocks = "\n".join(lines).strip()
    return "\n\n".join(
        "\n".join(
            wrap(line) if not line.lstrip().startswith("- ") else line for line in block.split("\n")
        )
        for block in re.split(r"\n\s*\n", blocks)
    )


_LINK = re.compile(r'<a [^>]*?href="([^"]+)"[^>]*>(.*?)</a>', re.S)


def _link_text(match: re.Match[str]) -> str:
    url, label = match.group(1), match.group(2)
    plain = re.sub(r"<[^>]+>", "", label).strip()
    return url if plain in ("", url, unescape(url)) else f"{label} ({url})"


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip() + "\n"


def issue_date(when: datetime, project: Project, lang: str) -> str:
    return format_date(when.astimezone(project.tz), format="long", locale=lang)
