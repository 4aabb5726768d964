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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.dates import format_date

from .clean import clean_html, clean_text, safe_text, safe_url
from .curate.rules import RulePack, sentences
from .errors import ConfigError
from .mergetags import find_tags
from .models import Candidate, Count, Letter, Section

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


def parse_letter(path: Path) -> LetterFile:
    """Read a Markdown letter with front matter; errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("letter not found", path=path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read the letter: {e}", path=path) from e
    lines = text.splitlines()
    meta: dict[str, str] = {}
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
            meta[key] = value.strip().strip('"').strip("'")
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
        language=meta.get("language") or None,
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


THEMES = (("good_news", 10), ("campaign", 5), ("grim", 5))
THEME_TITLES = {
    "en": {
        "good_news": "The year's good news",
        "campaign": "What we campaigned for",
        "grim": "What we stood up against",
    },
    "fr": {
        "good_news": "Les bonnes nouvelles de l'année",
        "campaign": "Nos campagnes",
        "grim": "Ce que nous avons dénoncé",
    },
}


def highlights(
    candidates: Sequence[Candidate], *, group_by: str, language: str, per_month: int = 3
) -> tuple[Section, ...]:
    """The year's top stories, by theme (good news, campaigns, grim reports) or by month
    (the best few of each month, January first). `candidates` come ranked best first and
    already without those left out; year-end messages (the letter's kind) are skipped."""
    usable = [c for c in candidates if c.kind != "year_end"]
    if group_by == "month":
        sections = []
        for month in range(1, 13):
            best = [c for c in usable if c.entry.published.month == month][:per_month]
            if best:
                name = format_date(date(2000, month, 1), "MMMM", locale=language).capitalize()
                sections.append(Section(f"month-{month:02d}", name, tuple(best)))
        return tuple(sections)
    titles = THEME_TITLES.get(language, THEME_TITLES["en"])
    return tuple(
        Section(
            kind.replace("_", "-"),
            titles[kind],
            tuple([c for c in usable if c.kind == kind][:limit]),
        )
        for kind, limit in THEMES
        if any(c.kind == kind for c in usable)
    )
