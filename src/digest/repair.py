"""Repair a fetched document before the feed parser sees it (pure, and cheap on sound input).

Two faults used to cost whole feeds or garble them:

* **Encoding.** A UTF-8 feed with one stray invalid byte failed to decode as UTF-8, and
  feedparser then let a charset guesser pick a legacy encoding for the whole document
  ("Libération" became "Libûˋration"). Here, a document that is valid UTF-8 is read as
  UTF-8 whatever it declares, and one that is *mostly* valid UTF-8 has each invalid byte
  replaced by U+FFFD and is read as UTF-8 too; the declarations feedparser looks at (the
  charset of the Content-Type, the XML declaration) are made to say so. Only a document
  with no UTF-8 in it is left to its declared encoding (or, undeclared, to feedparser).
  UTF-16 and UTF-32 documents (found by their byte-order mark or their first bytes) are
  converted to UTF-8 first, so that the repairs below apply to them too.
* **Character references** to code points XML forbids or Unicode lacks (``&#0;``,
  ``&#xD800;``, ``&#x110000;``, ``&#99999999999999999999;``) made feedparser raise or
  give up on the whole document. They are rewritten before parsing: controls and
  noncharacters are dropped, surrogates and out-of-range values become U+FFFD, and
  ``&#128;``-``&#159;`` become the Windows-1252 characters they meant (as browsers do).

* **Raw control characters** (a 0x19 byte in an ``xml:base``) make the document
  ill-formed, so the strict parser gives up and only entries with a link and a date
  survive: they are removed first (never part of a character in ASCII-compatible
  encodings).

The encoding is repaired before every parse; it costs one decode at C speed. The markup
repairs (controls, references) are needed only when the parser could not read a document
cleanly: the parser then repairs it and parses it again, so sound documents never pay
for the scans.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass

# UTF-32 and UTF-16, by byte-order mark or by how "<?" starts (XML 1.0 appendix F).
_WIDE = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
_XML_DECL = re.compile(rb"""^(\s*<\?xml[^>]{0,200}?\bencoding\s*=\s*)(["'])([^"']{0,40})\2""")
_CHARSET = re.compile(r""";\s*charset\s*=\s*["']?([^"';\s]*)["']?""", re.I)
# References that may be invalid: short decimals (controls), long decimals (surrogates,
# noncharacters, out of range), short hex, D800-DFFF/F000-FFFF, and six hex digits or more.
_SUSPECT_REF = re.compile(
    rb"&#(?:([0-9]{1,3}|[0-9]{5,})|[xX](0*[0-9a-fA-F]{1,2}|0*[dDfF][0-9a-fA-F]{3}|0*[0-9a-fA-F]{5,}));"
)
_REPLACEMENT = b"&#xFFFD;"
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\r") + b"\x7f"


@dataclass(frozen=True)
class Repaired:
    body: bytes
    headers: dict[str, str]
    utf8: bool  # the body is UTF-8 (or ASCII) now, and declared so


def repair_encoding(body: bytes, headers: Mapping[str, str]) -> Repaired:
    """The document and response headers to give feedparser: UTF-8 wherever it can be."""
    out = dict(headers)
    if body.isascii():
        return Repaired(body, out, True)
    wide = next((codec for start, codec in _WIDE if body.startswith(start)), None)
    if wide is not None:
        text = body.decode(wide, errors="replace").removeprefix("\ufeff")
        return Repaired(_declare_utf8(text.encode("utf-8"), out), out, True)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd") - body.count("\ufffd".encode())
        multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
        if multibyte <= replaced:  # no sign of UTF-8: a legacy encoding, leave it to its label
            return Repaired(body, out, False)
        body = text.encode("utf-8")  # mostly UTF-8: only the invalid bytes are replaced
    return Repaired(_declare_utf8(body, out), out, True)


def repair_markup(body: bytes, *, utf8: bool) -> bytes:
    """The document without raw control characters (and, in UTF-8, U+FFFE and U+FFFF),
    with suspect character references rewritten; the same object when nothing changed.
    Scanning costs a few hundred microseconds per document, so the parser calls this only
    for a document it could not read cleanly, and then parses the result again."""
    if _CONTROL_BYTES.search(body):
        body = body.translate(None, _CONTROLS)
    if utf8 and (b"\xef\xbf\xbe" in body or b"\xef\xbf\xbf" in body):  # not XML characters
        body = body.replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")
    if b"&#" in body and _SUSPECT_REF.search(body):
        body = _SUSPECT_REF.sub(_fixed_reference, body)
    return body


def _declare_utf8(body: bytes, headers: dict[str, str]) -> bytes:
    """Make the Content-Type charset and the XML declaration say UTF-8 (in place for the
    headers), so that feedparser decodes the document as UTF-8 at its first attempt."""
    ctype = headers.get("content-type")
    if ctype is not None:
        bare = _CHARSET.sub("", ctype).strip().rstrip(";")
        headers["content-type"] = f"{bare or 'application/xml'}; charset=utf-8"
    elif headers:  # an HTTP response without Content-Type: feedparser would assume Latin-1
        headers["content-type"] = "application/xml; charset=utf-8"
    match = _XML_DECL.match(body)
    if match and _codec(match.group(3)) != "utf-8":
        body = body[: match.start(3)] + b"utf-8" + body[match.end(3) :]
    return body


def _codec(label: bytes) -> str | None:
    try:
        return codecs.lookup(label.decode("ascii")).name
    except (LookupError, UnicodeDecodeError, ValueError):
        return None


def _fixed_reference(match: re.Match[bytes]) -> bytes:
    decimal, hexadecimal = match.groups()
    digits = (decimal or hexadecimal).lstrip(b"0") or b"0"
    if len(digits) > 8:
        return _REPLACEMENT
    code = int(digits, 10 if decimal else 16)
    if code in (0x9, 0xA, 0xD) or 0x20 <= code < 0x7F or 0xA0 <= code <= 0xD7FF:
        return match.group(0)
    if 0xE000 <= code <= 0x10FFFF and not _noncharacter(code):
        return match.group(0)
    if 0x80 <= code <= 0x9F:  # what Windows-1252 text escaped byte by byte meant
        try:
            char = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            return b""
        return b"&#x%X;" % ord(char)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return _REPLACEMENT  # a character was meant, but which cannot be known
    return b""  # controls, DEL and noncharacters carry nothing


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
