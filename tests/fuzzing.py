"""Mutation fuzzing of fetch's other half: repair -> parse -> clean -> MJML (issue 10).

Shared by the bounded run in the test suite (tests/test_fuzz.py) and the long one
(bench/fuzz). Seeds are the real-world-shaped feeds in tests/data/feeds/. Each case is a
seed with one mutation, either *healthy* (the document stays a sound feed with the same
entries: one bad character reference, a raw control character, a stray invalid byte, a
merge tag, hostile markup...) or *destructive* (flipped, cut, spliced, duplicated bytes).

Invariants checked for every case (:func:`check`):

* nothing but :class:`~digest.errors.ParseError` escapes the parser (anything else is a
  "traceback");
* no control character or noncharacter in any string of any entry;
* no merge tag (:mod:`digest.mergetags`) in anything a reader sees, URLs included;
* sanitised HTML holds only allowlisted tags and attributes, no handler, and only
  http(s)/mailto URLs; links and images are http(s);
* MRML compiles every entry (title, summary, image) inside an MJML card;
* a healthy mutation keeps every entry of its seed ("lost healthy feeds").
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from digest.clean import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from digest.errors import ParseError
from digest.mergetags import find_tags
from digest.models import Entry, FeedSource, Fetched, FetchStatus, ParsedFeed
from digest.parse import parse_feed

SEEDS_DIR = Path(__file__).resolve().parent / "data" / "feeds"
NOW = datetime(2025, 12, 19, 12, tzinfo=UTC)
_CTYPES = {".rss": "application/rss+xml", ".atom": "application/atom+xml", ".rdf": "text/xml"}
INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
BAD_REFERENCES = (
    "&#x110000;", "&#0;", "&#x0;", "&#xD800;", "&#xdfff;", "&#57343;", "&#1114112;",
    "&#99999999999999999999;", "&#xFFFFFFFFFFFF;", "&#xFFFE;", "&#65535;", "&#x1F;",
    "&#11;", "&#x7F;", "&#128;", "&#x9D;", "&#xFDD0;", "&#x10FFFF;", "&#0000000000;",
)  # fmt: skip
MERGE_TAGS = (
    "*|EMAIL|*", "*|UNSUB|*", "{{ .Subscriber.Email }}", "{{{ pm:unsubscribe }}}",
    "{{ contact.EMAIL }}", "{% if x %}", "{$email}", "%recipient.email%", "%unsubscribe_url%",
    "<%asm_group_unsubscribe_raw_url%>", "[unsubscribe]", "[Email]", "[Name,fallback=you]",
    "[[UNSUB_LINK_EN]]", "{{amazonSESUnsubscribeUrl}}", "[%first_name%]", "*%7CEMAIL%7C*",
)  # fmt: skip
HOSTILE_HTML = (
    "<script>alert(1)</script>", '<p onclick="steal()">x</p>', '<a href="javascript:x()">j</a>',
    '<img src="data:image/png;base64,AAAA">', "</mj-text><mj-raw><script>x</script></mj-raw>",
    '<iframe src="https://evil.example"></iframe>', '<a href="file:///etc/passwd">f</a>',
    '<img src="https://t.example/p.gif?e=*|EMAIL|*" width="300">', "<svg onload=x>",
    '<form action="https://evil.example"><input name=p></form>', "AT&T < 5 <b>unclosed",
    '<a href="https://x.example/?a=1&b={{ .Subscriber.Email }}">m</a>', "<style>*{x}</style>",
)  # fmt: skip
_TEXT_OPEN = re.compile(
    rb"<(?:title|description|summary|content|content:encoded|dc:creator|category|name|"
    rb"itunes:title|subtitle|link)(?:\s[^>]*)?>"
)
_URL_ATTR = re.compile(rb"""\b(?:href|url|src)=["']""")


@dataclass(frozen=True)
class Seed:
    name: str
    body: bytes
    ctype: str
    codec: str  # how the text mutations decode and re-encode the document
    entries: int  # entries the unmutated seed yields


@dataclass(frozen=True)
class Case:
    seed: Seed
    mutation: str
    body: bytes
    healthy: bool


@dataclass
class Outcome:
    case: Case
    entries: int = 0
    error_kind: str | None = None  # a ParseError's kind
    traceback: str | None = None  # any other exception
    unsafe: list[str] = field(default_factory=list)

    @property
    def lost(self) -> bool:
        return self.case.healthy and (
            self.traceback is not None or self.entries < self.case.seed.entries
        )


def load_seeds() -> list[Seed]:
    seeds = []
    for path in sorted(SEEDS_DIR.iterdir()):
        if path.suffix not in _CTYPES:
            continue
        body = path.read_bytes()
        codec = _codec(body)
        parsed = parse(body, _CTYPES[path.suffix], path.name)
        seeds.append(Seed(path.name, body, _CTYPES[path.suffix], codec, len(parsed.entries)))
    return seeds


def _codec(body: bytes) -> str:
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    match = re.match(rb"""<\?xml[^>]*encoding=["']([^"']+)""", body)
    return match.group(1).decode().lower() if match else "utf-8"


def parse(body: bytes, ctype: str, name: str = "case") -> ParsedFeed:
    url = f"https://fuzz.example/{name}"
    fetched = Fetched(
        FeedSource(name, url), FetchStatus.OK, body=body, final_url=url,
        headers=(("content-type", ctype),),
    )  # fmt: skip
    return parse_feed(fetched, now=NOW)


# -- mutations --------------------------------------------------------------------------


def _insert_text(
    rng: random.Random, seed: Seed, body: bytes, text: str, attr: bool = False
) -> bytes:
    """Insert `text` (already XML-escaped) after an element's opening tag, or at the start of
    a URL attribute; text mutations go through the document's own encoding."""
    if seed.codec not in ("utf-8", "us-ascii"):
        decoded = body.decode(seed.codec, errors="replace")
        encoded = _insert_text(rng, replace_codec(seed), decoded.encode("utf-8"), text, attr)
        return encoded.decode("utf-8", errors="replace").encode(
            seed.codec, errors="xmlcharrefreplace"
        )
    pattern = _URL_ATTR if attr else _TEXT_OPEN
    spots = [m.end() for m in pattern.finditer(body)] or [len(body) // 2]
    at = rng.choice(spots)
    return body[:at] + text.encode("utf-8") + body[at:]


def replace_codec(seed: Seed) -> Seed:
    return Seed(seed.name, seed.body, seed.ctype, "utf-8", seed.entries)


def _bad_reference(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    return _insert_text(rng, seed, body, rng.choice(BAD_REFERENCES))


def _control(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    char = chr(rng.choice([c for c in range(0x20) if c not in (9, 10, 13)] + [0x7F]))
    return _insert_text(rng, seed, body, char)


def _merge_tag(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    tag = escape(rng.choice(MERGE_TAGS), quote=True)
    return _insert_text(rng, seed, body, tag, attr=rng.random() < 0.4)


def _hostile_html(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    return _insert_text(rng, seed, body, escape(rng.choice(HOSTILE_HTML), quote=False))


def _stray_byte(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    if seed.codec != "utf-8":
        return _control(rng, seed, body)
    spots = [m.end() for m in _TEXT_OPEN.finditer(body)] or [len(body) // 2]
    at = rng.choice(spots)
    return (
        body[:at]
        + bytes([rng.choice([0x80, 0xA9, 0xBF, 0xC0, 0xC3, 0xE9, 0xF8, 0xFF])])
        + body[at:]
    )


def _noncharacter(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    return _insert_text(rng, seed, body, rng.choice(["\ufffe", "\uffff", "\x85", "\x9f", "\ufdd0"]))


def _xml_base(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    base = f' xml:base="http://exa{chr(rng.choice([1, 0x19, 0x1F]))}mple.org/x/"'
    text = body.decode(seed.codec, errors="replace") if seed.codec != "utf-8" else None
    source = text if text is not None else body.decode("utf-8", errors="replace")
    match = re.search(r"<(feed|rss|rdf:RDF)\b", source)
    if match is None:
        return body
    mutated = source[: match.end()] + base + source[match.end() :]
    return mutated.encode(seed.codec if text is not None else "utf-8", errors="xmlcharrefreplace")


Mutation = Callable[[random.Random, Seed, bytes], bytes]
HEALTHY: dict[str, Mutation] = {
    "bad_reference": _bad_reference,
    "control_char": _control,
    "merge_tag": _merge_tag,
    "hostile_html": _hostile_html,
    "stray_byte": _stray_byte,
    "noncharacter": _noncharacter,
    "xml_base_control": _xml_base,
}


def _flip(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(1, 12)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _cut(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    start = rng.randrange(len(body))
    return body[:start] + body[start + rng.randint(1, 400) :]


def _duplicate(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    start = rng.randrange(len(body))
    span = body[start : start + rng.randint(1, 600)]
    at = rng.randrange(len(body))
    return body[:at] + span * rng.randint(1, 20) + body[at:]


def _truncate(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    return body[: rng.randrange(len(body))]


def _drop_closing_tag(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    tags = [m.span() for m in re.finditer(rb"</[^>]{1,40}>", body)]
    if not tags:
        return body
    start, end = rng.choice(tags)
    return body[:start] + body[end:]


def _random_bytes(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    at = rng.randrange(len(body))
    return body[:at] + rng.randbytes(rng.randint(1, 64)) + body[at:]


def _nest(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    depth = rng.choice([200, 2000, 20000])
    markup = "<b>" * depth + "deep" + "</b>" * rng.choice([0, depth])
    return _insert_text(rng, seed, body, escape(markup, quote=False))


def _numbers(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    big = rng.choice([b"99999999999", b"-1", b"0", b"9" * 40, b"2147483648"])
    return re.sub(rb"\d{2,4}", lambda m: big if rng.random() < 0.3 else m.group(0), body)


def _entity_declaration(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    return body.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e "boom">]>', 1)


def _splice(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    at = rng.randrange(len(body))
    other = rng.choice(_SEEDS_FOR_SPLICE) if _SEEDS_FOR_SPLICE else body
    return body[:at] + other[rng.randrange(len(other)) :]


def _stack(rng: random.Random, seed: Seed, body: bytes) -> bytes:
    for _ in range(rng.randint(3, 15)):
        mutation = rng.choice([*HEALTHY.values(), _flip, _cut])
        body = mutation(rng, replace_codec(seed), body) or body  # byte level from now on
    return body


_SEEDS_FOR_SPLICE: list[bytes] = []
DESTRUCTIVE: dict[str, Mutation] = {
    "flip": _flip,
    "cut": _cut,
    "duplicate": _duplicate,
    "truncate": _truncate,
    "drop_closing_tag": _drop_closing_tag,
    "random_bytes": _random_bytes,
    "deep_nesting": _nest,
    "numbers": _numbers,
    "entity_declaration": _entity_declaration,
    "splice": _splice,
    "stack": _stack,
}


def cases(seeds: list[Seed], count: int, *, rng_seed: int = 10, healthy_share: float = 0.45):
    """`count` mutated feeds, deterministic for a given `rng_seed`."""
    _SEEDS_FOR_SPLICE[:] = [s.body for s in seeds]
    rng = random.Random(rng_seed)
    for _ in range(count):
        seed = rng.choice(seeds)
        healthy = rng.random() < healthy_share
        name, mutation = rng.choice(list((HEALTHY if healthy else DESTRUCTIVE).items()))
        yield Case(seed, name, mutation(rng, seed, seed.body), healthy)


# -- invariants -------------------------------------------------------------------------


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}:
                self.problems.append(f"attribute {tag}.{name}")
            if name in ("href", "src", "cite") and not re.match(
                r"(https?://|mailto:)", value or ""
            ):
                self.problems.append(f"URL {value!r}")


def unsafe(entry: Entry) -> list[str]:
    """Every way this entry breaks an invariant (empty when it is sound)."""
    problems = []
    texts = [entry.title, entry.excerpt, entry.author or "", entry.feed_name, *entry.categories]
    urls = [entry.link or ""]
    if entry.image is not None:
        texts.append(entry.image.alt)
        urls.append(entry.image.url)
    for value in [*texts, *urls, entry.summary_html, entry.entry_id, entry.language or ""]:
        if INVALID.search(value):
            problems.append(f"control character in {value[:60]!r}")
    for value in [*texts, *urls]:
        if tags := find_tags(value):
            problems.append(f"merge tag {tags[0]!r}")
    if tags := find_tags(entry.summary_html, markup=True):
        problems.append(f"merge tag {tags[0]!r} in the summary")
    for url in urls:
        if url and not re.match(r"https?://[^\s/]", url):
            problems.append(f"URL {url[:60]!r}")
    scan = _Markup()
    scan.feed(entry.summary_html)
    problems += scan.problems
    return problems


def mjml_problem(entries: tuple[Entry, ...]) -> str | None:
    """Does MRML accept these entries, as a card each (title, image, summary)?"""
    import mjml

    cards = "".join(
        "<mj-section><mj-column>"
        + (
            f'<mj-image src="{escape(e.image.url)}" alt="{escape(e.image.alt)}"></mj-image>'
            if e.image
            else ""
        )
        + f"<mj-text><h2>{escape(e.title)}</h2>{e.summary_html}<p>{escape(e.excerpt)}</p></mj-text>"
        + "</mj-column></mj-section>"
        for e in entries
    )
    try:
        mjml.mjml2html(f"<mjml><mj-body>{cards}</mj-body></mjml>", fonts={}, disable_comments=True)
    except (ValueError, RuntimeError) as e:
        return f"MRML: {e}"[:200]
    return None


def check(case: Case, *, mjml: bool = True) -> Outcome:
    outcome = Outcome(case)
    try:
        parsed = parse(case.body, case.seed.ctype, case.seed.name)
    except ParseError as e:
        outcome.error_kind = e.kind
        return outcome
    except Exception as e:  # the invariant under test: nothing else may escape
        outcome.traceback = f"{type(e).__name__}: {e}"[:300]
        return outcome
    outcome.entries = len(parsed.entries)
    for entry in parsed.entries:
        outcome.unsafe += unsafe(entry)
    for value in (parsed.title or "", parsed.link or ""):
        if INVALID.search(value) or find_tags(value):
            outcome.unsafe.append(f"feed title or link {value[:60]!r}")
    if mjml and parsed.entries and (problem := mjml_problem(parsed.entries)):
        outcome.unsafe.append(problem)
    return outcome
