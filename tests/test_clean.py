"""The cleaner: only allowlisted markup and URL schemes survive, output is idempotent."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digest.clean import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean_html, clean_text, safe_url

BASE = "https://example.org/news/post"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def _assert_safe(html: str) -> None:
    for tag, attrs in _tags(html):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
            if name in ("href", "src", "cite"):
                assert value and re.match(r"^(https?://|mailto:)", value), value


HOSTILE = [
    '<script>alert(1)</script><p onclick="x()">hi</p>',
    '<img src="javascript:alert(1)"><img src="data:image/png;base64,AAAA">',
    '<a href="javascript:alert(1)">x</a><a href=" java\tscript:alert(2)">y</a>',
    '<a href="data:text/html,<script>alert(1)</script>">d</a>',
    '<form action="https://evil.example"><input name="password"></form>',
    '<iframe src="https://evil.example"></iframe><object data="x"></object><embed src="y">',
    '<style>body{display:none}</style><link rel="stylesheet" href="https://evil.example/x.css">',
    '<svg onload="alert(1)"><circle/></svg><math><mi>x</mi></math>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>",
    '<img src="https://t.example/p.gif" width="1" height="1"><img src="/a.gif" height="0">',
    '<a href="file:///etc/passwd">f</a><img src="ftp://x/y.png">',
    "<p>Unclosed <b>bold <i>italic</p> stray </div> text",
]


def test_hostile_fragments_are_neutralised() -> None:
    for fragment in HOSTILE:
        cleaned = clean_html(fragment, BASE)
        _assert_safe(cleaned.html)
        _assert_safe(cleaned.summary)
        lowered = cleaned.html.lower()
        for bad in (
            "script",
            "javascript:",
            "data:",
            "onclick",
            "onload",
            "<form",
            "<input",
            "<iframe",
            "<style",
            "mj-raw",
            "file:",
            "style=",
        ):
            assert bad not in lowered, (fragment, cleaned.html)


def test_relative_urls_become_absolute_and_pixels_go() -> None:
    cleaned = clean_html(
        '<p><a href="/about">About</a> <img src="img/big.jpg" width="600" '
        'alt="Crowd"><img src="https://t.example/p.gif" width="1" '
        'height="1"></p>',
        BASE,
    )
    assert 'href="https://example.org/about"' in cleaned.html
    assert 'src="https://example.org/news/img/big.jpg"' in cleaned.html
    assert "t.example" not in cleaned.html
    assert cleaned.image is not None and cleaned.image.url.endswith("/img/big.jpg")
    assert cleaned.image.alt == "Crowd"


def test_summary_is_bounded_and_well_formed() -> None:
    fragment = "<p>" + " ".join(f"<b>word{i}</b>" for i in range(500)) + "</p><p>tail</p>"
    cleaned = clean_html(fragment, BASE, summary_chars=200)
    text_len = len(re.sub(r"<[^>]+>", "", cleaned.summary))
    assert text_len <= 210
    assert cleaned.summary.endswith("</p>")
    assert cleaned.summary.count("<b>") == cleaned.summary.count("</b>")
    assert "tail" in cleaned.html and "tail" not in cleaned.summary


def test_clean_text_strips_controls() -> None:
    assert clean_text("a\x00b\x1f c\ufffe\n\n d") == "ab c d"
    assert clean_text("x" * 50 + " tail", limit=20).endswith("…")


def test_bidi_overrides_and_isolates_go_marks_stay() -> None:
    """An unclosed right-to-left override in a feed title would reverse the email's text
    after it (a spoofing tool); the directional marks are harmless and stay."""
    title = "Invoice \u202egpj.exe\u202c \u2066x\u2069 \u200fعربي\u200e"
    assert clean_text(title) == "Invoice gpj.exe x \u200fعربي\u200e"
    assert "\u202e" not in clean_html("<p>a \u202eb</p>", None).html


def test_safe_url() -> None:
    assert safe_url("/x", BASE) == "https://example.org/x"
    assert safe_url("javascript:alert(1)", BASE) is None
    assert safe_url("JaVaScRiPt:alert(1)") is None
    assert safe_url("java\nscript:alert(1)") is None
    assert safe_url("http://") is None
    assert safe_url("mailto:a@b.org") is None  # links only when asked
    assert safe_url("mailto:a@b.org", schemes={"mailto"}) == "mailto:a@b.org"
    # in ASCII, as mail clients need it: punycode host, UTF-8 percent-encoding elsewhere
    assert safe_url("https://Bücher.example:8080/ä?q=é&r=%C3%A9#é") == (
        "https://xn--bcher-kva.example:8080/%C3%A4?q=%C3%A9&r=%C3%A9#%C3%A9"
    )
    assert safe_url("https://👍.example/") is None  # not an international domain name
    # spaces as a browser reads them: trimmed at the ends, encoded inside, never dropped
    assert safe_url(" report final.pdf\n", BASE) == "https://example.org/news/report%20final.pdf"
    assert safe_url("https://exa mple.org/") is None
    assert safe_url("https://example.org/a\tb\r\nc") == "https://example.org/abc"


_markup = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<b>",
                "</b>",
                "<a href='/x'>",
                "<a href='javascript:x'>",
                "</a>",
                "<img src='y.png' width='1'>",
                "<img src='data:x'>",
                "<script>",
                "</script>",
                "<br>",
                "<ul><li>",
                "</mj-text>",
                "<mj-raw>",
                "&amp;",
                "&",
                "<",
                ">",
                "\x00",
                "\ufffe",
                "<table><tr><td>",
                "<div onclick=1>",
                "{{ x }}",
                "*|UNSUB|*",
                "<!-- c -->",
                "<![CDATA[x]]>",
            ]
        ),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_markup)
def test_property_only_allowlisted_markup_survives(fragment: str) -> None:
    cleaned = clean_html(fragment, BASE)
    _assert_safe(cleaned.html)
    _assert_safe(cleaned.summary)
    assert "\x00" not in cleaned.html and "\ufffe" not in cleaned.html


@pytest.mark.parametrize(
    "fragment, tag",
    [
        ("%<a href='javascript:x'>FNAME%", "%FNAME%"),  # the link is dropped, text joined
        ("*<b>|EMAIL|</b>*", "*|EMAIL|*"),  # html2text would join them in the .txt
        ("{<i>{ name }</i>}", "{{ name }}"),
    ],
)
def test_a_merge_tag_split_by_markup_is_broken_too(fragment: str, tag: str) -> None:
    cleaned = clean_html(fragment, BASE)
    assert tag not in re.sub(r"<[^>]*>", "", cleaned.html)
    assert tag not in cleaned.text
    assert clean_html(cleaned.html, BASE).html == cleaned.html  # found by the property below


@settings(max_examples=300, deadline=None)
@given(_markup)
@example("%<a href='javascript:x'>A")
def test_property_cleaning_is_idempotent(fragment: str) -> None:
    once = clean_html(fragment, BASE).html
    assert clean_html(once, BASE).html == once


def test_nested_links_found_by_hypothesis_are_flattened() -> None:
    once = clean_html("<A HREF=0><TABLE><A HREF=0>", BASE).html
    assert once.count("<a ") == 1
    assert clean_html(once, BASE).html == once


def test_character_references_to_controls_are_dropped() -> None:
    assert clean_html("&#1", BASE).html == ""
    assert clean_html("<p>a&#1;b&#x7f;c</p>", BASE).html == "<p>abc</p>"


def test_deep_nesting_is_flattened_so_mrml_cannot_overflow() -> None:
    """20,000 nested tags from a feed crashed MRML with a segmentation fault (issue 10)."""
    from digest.clean import MAX_DEPTH
    from digest.render import compile_mjml

    for closed in (True, False):
        fragment = "<b>" * 20_000 + "deep" + ("</b>" * 20_000 if closed else "")
        html = clean_html(fragment, BASE).html
        assert html.count("<b>") <= MAX_DEPTH and "deep" in html
        assert clean_html(html, BASE).html == html
        compile_mjml(f"<mjml><mj-body><mj-text>{html}</mj-text></mj-body></mjml>", "t.mjml")
