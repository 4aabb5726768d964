"""The year-end issue: a letter, the year's figures and its highlights (pure helpers).

A letter is Markdown with a small front matter between `---` lines:

    ---
    title: A year of courage
    author: Helena Marsh
    role: Secretary General
    portrait: https://northlight.example/img/helena.jpg
    portrait_alt: Helena Marsh at the Lidova march
    signature: https://northlight.example/img/signature.png
    language: en
    embargo: 2025-12-15
    merge_tags: false
    ---
    Dear friends, ...

Markdown goes through markdown-it (raw HTML off) and then the same sanitiser as feed
content, which also breaks mailing-service merge tags unless ``merge_tags: true`` says the
letter's tags (``Dear *|FNAME|*``) are meant. Counts are computed from the stories, never
written by hand.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from html import unescape
from pathlib import Path

from babel.dates import format_date

from . import lang, validate
from .clean import clean_html, clean_text, safe_text, safe_url
from .curate.rules import RulePack, sentences
from .edits import Edits, ItemEdit
from .errors import ConfigError
from .mergetags import find_tags
from .models import Candidate, Count, Entry, FeedSource, Letter, Section, SectionSpec
from .textfile import read_text

_FIELDS = {
    "title",
    "author",
    "role",
    "portrait",
    "portrait_alt",
    "signature",
    "language",
    "embargo",
    "merge_tags",
}


@dataclass(frozen=True)
class LetterFile:
    letter: Letter
    language: str | None
    embargo: date | None


# YAML's lists, tables and block texts: front matter here is one line of text per key
_NOT_ONE_LINE = re.compile(r"^(?:\[[^\[\]]*\]|\{[^{}]*\}|[|>][+-]?)$")


def parse_letter(path: Path) -> LetterFile:
    """Read a Markdown letter with front matter; errors name the file and line."""
    text = read_text(path, missing="letter not found", hint=None, save_as="the letter")
    lines = text.splitlines()
    meta: dict[str, str] = {}
    seen: dict[str, int] = {}  # the line of each key
    body_start = 0
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], 2):
            if line.strip() == "---":
                body_start = number
                break
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if not sep or key not in _FIELDS:
                raise ConfigError(
                    f"front matter: expected one of {', '.join(sorted(_FIELDS))}"
                    f" as 'key: value', got {line.strip()[:60]!r}",
                    path=path,
                    line=number,
                )
            if key in meta:
                raise ConfigError(
                    f"front matter: {key} is given twice (first on line {seen[key]})",
                    path=path,
                    line=number,
                    hint="keep one of them",
                )
            value = value.strip()
            if _NOT_ONE_LINE.match(value):
                raise ConfigError(
                    f"front matter: {key} is one line of text, not {value[:20]!r}",
                    path=path,
                    line=number,
                    hint=f"write it on this line: '{key}: …', in quotes if it starts with [ or {{",
                )
            meta[key], seen[key] = value.strip('"').strip("'"), number
            problem = validate.control_character(meta[key])
            if problem:
                raise ConfigError(f"front matter: {key} {problem}", path=path, line=number)
        else:
            raise ConfigError("front matter starts with --- but never ends", path=path, line=1)
    body = "\n".join(lines[body_start:]).strip()
    if not body:
        raise ConfigError("the letter has no text", path=path, line=body_start + 1)
    for key in ("title", "author"):
        if not meta.get(key):
            raise ConfigError(
                f"front matter needs a {key}",
                path=path,
                line=1,
                hint="add it between the --- lines at the top",
            )
    language = None
    if "language" in meta:
        try:
            language = lang.normalise(meta["language"]).tag
        except lang.LanguageError as e:
            raise ConfigError(str(e), path=path, line=_line_of(lines, "language")) from None
        if not lang.is_known(language):
            raise ConfigError(
                f"unknown language {meta['language']!r}",
                path=path,
                line=_line_of(lines, "language"),
                hint='use a BCP 47 tag such as "en", "en-GB", "fr-CA", "es" or "ar"',
            )
    embargo = None
    if meta.get("embargo"):
        try:
            embargo = date.fromisoformat(meta["embargo"])
        except ValueError:
            raise ConfigError(
                f"embargo {meta['embargo']!r} is not a date (YYYY-MM-DD)",
                path=path,
                line=_line_of(lines, "embargo"),
            ) from None
    keep_tags = meta.get("merge_tags", "false").lower()
    if keep_tags not in ("true", "false"):
        raise ConfigError(
            "merge_tags must be true or false", path=path, line=_line_of(lines, "merge_tags")
        )
    clean = clean_text if keep_tags == "true" else safe_text
    images = {}
    for key in ("portrait", "signature"):
        if meta.get(key):
            url = safe_url(meta[key])
            if url is None or not url.startswith("https://"):
                raise ConfigError(
                    f"{key} must be an https URL", path=path, line=_line_of(lines, key)
                )
            images[key] = url
    if images.get("portrait") and not meta.get("portrait_alt"):
        raise ConfigError(
            "a portrait needs portrait_alt text", path=path, line=_line_of(lines, "portrait")
        )
    return LetterFile(
        Letter(
            title=clean(meta["title"], limit=200),
            html=markdown_html(body, merge_tags=keep_tags == "true"),
            author=clean(meta["author"], limit=120),
            role=clean(meta.get("role"), limit=160) or None,
            portrait_url=images.get("portrait"),
            portrait_alt=clean(meta.get("portrait_alt"), limit=200),
            signature_url=images.get("signature"),
        ),
        language=language,
        embargo=embargo,
    )


def markdown_html(text: str, *, merge_tags: bool = False) -> str:
    """Markdown to HTML without raw HTML, then sanitised like any feed content (merge tags
    kept only when the author says they are meant)."""
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": False}).render(text)
    return clean_html(rendered, None, summary_chars=100_000, merge_tags=merge_tags).html


def letter_tags(letter: Letter | None) -> tuple[str, ...]:
    """The merge tags a letter still holds: only one written with `merge_tags: true` can."""
    if letter is None:
        return ()
    texts = (letter.title, letter.author, letter.role or "", letter.html)
    return tuple(dict.fromkeys(t for text in texts for t in find_tags(text, markup=True)))


def _line_of(lines: list[str], key: str) -> int | None:
    return next(
        (n for n, line in enumerate(lines, 1) if line.strip().lower().startswith(f"{key}:")), None
    )


def letter_from_feed(candidates: Sequence[Candidate]) -> Letter | None:
    """The year's latest year-end message found in the feeds, as a letter."""
    messages = [c for c in candidates if c.kind == "year_end"]
    if not messages:
        return None
    latest = max(messages, key=lambda c: (c.entry.published, c.entry.key))
    return Letter(
        title=latest.entry.title,
        html=latest.entry.summary_html,
        author=latest.entry.author or latest.entry.feed_name,
    )


def year_counts(candidates: Sequence[Candidate], rules: RulePack) -> tuple[Count, ...]:
    """How many good-news stories fall in each of the rule pack's count groups; each story
    counts once, in the first group it matches; groups with no story are left out."""
    tallies = [0] * len(rules.counts)
    for c in candidates:
        if c.kind != "good_news":
            continue
        parts = sentences(f"{c.entry.title}. {c.entry.excerpt}")
        for i, rule in enumerate(rules.counts):
            if rule.matches(parts):
                tallies[i] += 1
                break
    return tuple(
        Count(n, rule.one if n == 1 else rule.many)
        for n, rule in zip(tallies, rules.counts, strict=True)
        if n
    )


THEMES = ("good_news", "campaign", "grim")  # highlight sections, in order, by story kind
_NAME = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w-]+(?:’s|'s)?(?:\s+[A-ZÀ-ÖØ-Þ][\w-]+(?:’s|'s)?)+")
_COMMON_WORDS = """
    Supreme Court High Appeal Appeals Constitutional Parliament Government Council United
    Nations Human Rights Pride Write European National Assembly Republic Ministry Minister
    President Police Our The A An New Sign Take Thanks Urgent Action Victory Verdict
"""
_COMMON = frozenset(_COMMON_WORDS.split())  # capitalised words that make no name alone
SAME_STORY_DAYS = 14


def rank_year(
    entries: Sequence[Entry],
    *,
    now: datetime,
    language: str,
    rules: RulePack,
    sources: Mapping[str, FeedSource],
    edits: Edits | None,
) -> tuple[Candidate, ...]:
    """Every story of the year, ranked in one list by the weekly rules without recency.
    The editors' pins and moves count as pins here: an edit's section and position are the
    highlights' business (:func:`highlights`)."""
    from .curate import curate

    everything = SectionSpec("all", "All", (), len(entries) + 1)
    ranked = curate(
        entries,
        now=now,
        language=language,
        sections=(everything,),
        per_feed_cap=len(entries) + 1,
        rules=rules,
        sources=sources,
        edits=as_pins(edits),
        recency=False,
    )
    return ranked.candidates


def as_pins(edits: Edits | None) -> Edits | None:
    """The edits with every included item (pinned, moved, placed) turned into a pin."""
    if not edits:
        return edits
    return replace(
        edits,
        items=tuple(replace(i, pin=i.includes, section=None, position=None) for i in edits.items),
    )


def section_ids(group_by: str) -> tuple[str, ...]:
    """The ids the highlights' sections can have (for `section =` in the edits file)."""
    if group_by == "month":
        return tuple(f"month-{m:02d}" for m in range(1, 13))
    return tuple(kind.replace("_", "-") for kind in THEMES)


def names(text: str) -> set[str]:
    """Proper names of two words or more ("Lina Moravec", "Farid Solano"), without a
    possessive and with institutions' common words left out."""
    found = set()
    for match in _NAME.finditer(text):
        words = [re.sub(r"(?:’s|'s)$", "", w) for w in match.group(0).split()]
        while words and words[0] in _COMMON:  # "Verdict Lina Moravec" -> "Lina Moravec"
            words.pop(0)
        if len(words) >= 2 and not all(w in _COMMON for w in words):
            found.add(" ".join(words))
    return found


def same_story(a: Candidate, b: Candidate) -> bool:
    """Two feeds' reports of one story: the same link or title, or the same kind, within
    two weeks, naming the same person or place ("Supreme Court orders release of Lina
    Moravec" and "Verdict: Lina Moravec walks free")."""
    if a.entry.link and a.entry.link == b.entry.link:
        return True
    if a.display_title.casefold() == b.display_title.casefold():
        return True
    if a.kind != b.kind or a.kind == "other":
        return False
    if abs((a.entry.published - b.entry.published).days) > SAME_STORY_DAYS:
        return False
    return bool(names(a.display_title) & names(b.display_title))


def each_story_once(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Ranked candidates with later reports of a story folded into the first (best) one,
    whose `sources` then list every feed that carried it."""
    kept: list[Candidate] = []
    for c in candidates:
        first = next((i for i, k in enumerate(kept) if same_story(k, c)), None)
        if first is None:
            kept.append(c)
            continue
        have = kept[first]
        extra = tuple(s for s in c.sources if s not in have.sources)
        kept[first] = replace(have, sources=(*have.sources, *extra))
    return kept


def mentioned(letter: Letter | None, candidates: Sequence[Candidate]) -> set[str]:
    """Keys of the stories the letter names (a person's or place's full name in the
    story's title or excerpt) or links to."""
    if letter is None:
        return set()
    text = re.sub(r"<[^>]+>", " ", letter.html)
    named = names(unescape(text))
    links = set(re.findall(r'href="([^"]+)"', letter.html))
    return {
        c.entry.key
        for c in candidates
        if (c.entry.link and c.entry.link in links)
        or named & names(f"{c.display_title}. {c.entry.excerpt}")
    }


def highlights(
    candidates: Sequence[Candidate],
    *,
    group_by: str,
    titles: Mapping[str, str],
    tag: str,
    limits: Mapping[str, int],
    per_month: int = 3,
    always: frozenset[str] = frozenset(),
    edits: Edits | None = None,
) -> tuple[Section, ...]:
    """The year's top stories, by theme (good news, campaigns, grim reports: `limits`
    of each) or by month (`per_month`, January first). `candidates` come ranked best first,
    each story once, without those left out; year-end messages (the letter's kind) are
    skipped. Stories in `always` (pinned, or named by the letter) are shown whatever the
    limits, before the others fill the rest; an edit's `section` and `position` move a
    story into that section, at that place."""
    pinned = {e.key for e in (edits.items if edits else ()) if e.includes}
    usable = [c for c in candidates if c.kind != "year_end" or c.entry.key in pinned]
    moved = {
        e.key: e for e in (edits.items if edits else ()) if e.section is not None or e.position
    }

    def home(c: Candidate) -> str | None:
        edit = moved.get(c.entry.key)
        if edit is not None and edit.section:
            return edit.section
        if group_by == "month":
            return f"month-{c.entry.published.month:02d}"
        return c.kind.replace("_", "-") if c.kind in THEMES else None

    ids = section_ids(group_by)
    groups: dict[str, list[Candidate]] = {i: [] for i in ids}
    for c in usable:
        place = home(c) or (ids[0] if c.entry.key in always else None)
        if place is not None:
            groups[place].append(c)
    sections = []
    for sid in ids:
        limit = per_month if group_by == "month" else limits.get(sid.replace("-", "_"), 0)
        chosen = _positions(_pick(groups[sid], limit, always | moved.keys()), moved)
        if chosen:
            placed = tuple(replace(c, section=sid) for c in chosen)
            sections.append(Section(sid, _title(sid, titles, tag), placed))
    return tuple(sections)


def _pick(items: list[Candidate], limit: int, always: Collection[str]) -> list[Candidate]:
    """The `always` stories, then the best others up to `limit`, in rank order."""
    forced = [c for c in items if c.entry.key in always]
    others = [c for c in items if c.entry.key not in always][: max(0, limit - len(forced))]
    keep = {c.entry.key for c in forced + others}
    return [c for c in items if c.entry.key in keep]


def _positions(items: list[Candidate], moved: Mapping[str, ItemEdit]) -> list[Candidate]:
    """Editors' positions (1 = first), applied in the order the edits file gives them."""
    out = list(items)
    for key, edit in moved.items():
        found = next((c for c in out if c.entry.key == key), None)
        if found is not None and edit.position:
            out.remove(found)
            out.insert(min(edit.position, len(out) + 1) - 1, found)
    return out


def _title(sid: str, titles: Mapping[str, str], tag: str) -> str:
    if sid.startswith("month-"):
        when = date(2000, int(sid[6:]), 1)
        name = format_date(when, "LLLL", locale=lang.locale(tag))
        return name[:1].upper() + name[1:]
    return titles.get(sid, sid)
