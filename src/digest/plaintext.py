"""The plain-text part's helpers: wrapping and sanitised HTML fragments as readable text.

A fragment's links become numbered references, listed after the paragraph that holds
them, as mail readers have long done::

    Next year, join a local group [1] or become a monthly supporter [2].

    [1] https://northlight.example/get-involved
    [2] https://northlight.example/donate

A link whose text is its own URL stays where it is. The numbering runs through the
whole fragment (a letter), so every number is unique.
"""

from __future__ import annotations

import re
import textwrap
from html import escape, unescape

import html2text

TEXT_WIDTH = 72
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_BLANK_RUNS = re.compile(r"\n{3,}")
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_LINK = re.compile(r'<a [^>]*?href="([^"]+)"[^>]*>(.*?)</a>', re.S)
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks around a reference number
_MARK = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """Wrap prose for the text part without ever breaking a URL or a long word."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text or "")]
    return "\n\n".join(
        textwrap.fill(
            " ".join(_ASCII_SPACE.split(p.strip())),  # no-break spaces stay (French: U+202F)
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
    """A sanitised HTML fragment as readable plain text (no Markdown debris), its links as
    numbered references after each paragraph."""
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_tables = True
    converter.unicode_snob = True
    converter.ul_item_mark = "-"
    urls: list[str] = []

    def mark(match: re.Match[str]) -> str:
        url, label = unescape(match.group(1)), match.group(2)
        plain = re.sub(r"<[^>]+>", "", label).strip()
        if unescape(plain) in ("", url):
            return escape(url, quote=False)
        urls.append(url)
        return f"{label}{_OPEN}{len(urls)}{_CLOSE}"

    text = _MD_ESCAPE.sub(r"\1", converter.handle(_LINK.sub(mark, str(html))))
    lines = [line.rstrip() for line in text.splitlines()]
    blocks = []
    for block in re.split(r"\n\s*\n", "\n".join(lines).strip()):
        body = "\n".join(
            wrap(line) if not line.lstrip().startswith("- ") else line for line in block.split("\n")
        )
        numbers = [int(n) for n in _MARK.findall(body)]
        body = _MARK.sub(r" [\1]", body)
        if numbers:
            body += "\n\n" + "\n".join(f"[{n}] {urls[n - 1]}" for n in numbers)
        blocks.append(body)
    return "\n\n".join(blocks)


def tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip() + "\n"
