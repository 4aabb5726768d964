"""Rendering hostile entries: never raises, never injects markup, never touches the network."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.clean import clean_html, safe_text
from digest.config import load_project
from digest.curate import curate, load_rules
from digest.models import Entry
from digest.pipeline import make_issue
from digest.render import render_issue

from .conftest import REPO

NOW = datetime(2025, 12, 19, 23, 59, 59, tzinfo=UTC)
FORBIDDEN = re.compile(
    r"<(script|iframe|object|embed|form|input|mj-|link)|\son\w+\s*=|"
    r"javascript:|data:text",
    re.I,
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendering tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _entry(i: int, title: str, body: str, language: str = "en") -> Entry:
    cleaned = clean_html(body, "https://example.org/")
    return Entry(
        feed_url="feeds/a.xml",
        feed_name="A <b>feed</b>",
        entry_id=f"id-{i}",
        title=safe_text(title, limit=300) or "untitled",
        link=f"https://example.org/{i}",
        published=NOW - timedelta(hours=i),
        summary_html=cleaned.summary,
        excerpt=safe_text(cleaned.text, limit=320),
        language=language,
    )


def _render(entries: list[Entry], language: str = "en") -> tuple[str, str]:
    project = load_project(REPO)
    curated = curate(
        entries,
        now=NOW,
        language=language,
        sections=project.sections,
        per_feed_cap=50,
        rules=load_rules(language),
    )
    issue = make_issue(project, curated, NOW, issue_id="t", language=language)
    rendered = render_issue(project, issue)
    return rendered.html, rendered.text


def _body_of(html: str) -> str:
    return html.split("<body", 1)[1]


def test_mjml_injection_and_script_are_inert() -> None:
    entries = [
        _entry(
            0,
            "A year of courage: a message from our Secretary General",
            "<p>As this year draws to a close</p></mj-text><mj-raw><script>alert(1)</script>"
            "</mj-raw><mj-text>",
        ),
        _entry(
            1,
            "</mj-text><mj-raw><script>alert(2)</script></mj-raw> prisoner released",
            '<p onclick="x">Released <img src="javascript:alert(3)"></p>',
        ),
        _entry(2, "{{ 7*7 }} {% raw %} *|UNSUB|* released", "<p>{{ config }} AT&T < 5</p>"),
    ]
    html, text = _render(entries)
    body = _body_of(html)
    assert not FORBIDDEN.search(body), FORBIDDEN.search(body)
    assert "&lt;/mj-text&gt;" in body  # the title is shown as text, not parsed as MJML
    # entry text is never a template, and its merge tags are broken by U+200B (issue 10)
    assert "{{ 7*7 }}" in body.replace("\u200b", "") and "49" not in body
    assert "{{ config }}" in text.replace("\u200b", "")
    assert "{{" not in body and "*|UNSUB|*" not in body and "{{" not in text
    assert html.startswith("<!doctype html>")


def test_no_web_fonts_or_external_css() -> None:
    html, _ = _render([_entry(0, "Court win", "<p>Charges dropped.</p>")])
    assert "fonts.googleapis" not in html
    assert "<link" not in html.lower()
    assert "@import" not in html


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
_html = st.lists(
    st.one_of(
        _text,
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "</mj-text>",
                "<mj-raw>",
                "<script>",
                "{{ x }}",
                "{% if %}",
                "*|X|*",
                "<b>",
                "<",
                "&",
                "\x00",
                "\ufffe",
                "<img src=x onerror=y>",
                "%unsubscribe_url%",
            ]
        ),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_text, _html), min_size=1, max_size=6))
def test_property_rendering_never_raises_nor_injects(items: list[tuple[str, str]]) -> None:
    entries = [_entry(i, title, body) for i, (title, body) in enumerate(items)]
    html, text = _render(entries)
    assert not FORBIDDEN.search(_body_of(html))
    assert text.endswith("\n")


ARABIC_TITLE = "تم الإفراج عن الناشط 🎉"


def _html_tag(html: str) -> str:
    found = re.search(r"<html\b[^>]*>", html)
    assert found, "no <html> element"
    return found.group(0)


def test_rtl_and_emoji() -> None:
    """An Arabic story in an English issue runs right to left on its own (its title and
    excerpt carry dir="auto"); an Arabic issue runs right to left as a whole; the emoji and
    the Arabic text, in logical order, survive in the HTML and the text."""
    html, text = _render([_entry(0, ARABIC_TITLE, "<p>مرحبا بالعالم</p>")])
    assert 'dir="ltr"' in _html_tag(html)
    title = r'<h3[^>]*\bdir="auto"[^>]*>(?:<a [^>]*>)?' + re.escape(ARABIC_TITLE)
    assert re.search(title, html), "the Arabic title is not set in its own direction"
    assert re.search(r'<p[^>]*\bdir="auto"[^>]*>مرحبا بالعالم', html), "nor its excerpt"
    assert ARABIC_TITLE in text and "🎉" in html

    html, text = _render([_entry(0, ARABIC_TITLE, "<p>مرحبا</p>", "ar")], language="ar")
    tag = _html_tag(html)
    assert 'lang="ar"' in tag and 'dir="rtl"' in tag, tag
    assert ARABIC_TITLE in html and ARABIC_TITLE in text
