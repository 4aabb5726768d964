"""Merge tags typed in digest.toml: sent as text unless ``[newsletter] merge_tags = true``.

The organisation's own settings (its name, tagline, footer, subject, website, section
titles and labels) reach every email. A mailing-service merge tag in them (``*|FNAME|*``,
``{{ unsubscribe }}``) is filled in by the service, which may be meant (a subject that
greets each reader) or not (a tag pasted from another service's docs, or ``*|EMAIL|*`` in
a website link, which sends each subscriber's address to that site). As in edits files and
letters, they are kept only on request: without ``merge_tags = true`` each is broken as
feed text is (:mod:`digest.mergetags`: the reader sees the same text, no service sees a
tag) and a warning names the file and line; with it, they are kept and counted as the
editors' own, so `digest lint` does not flag them.

The subject and the ``[year_end]`` names are placeholders' patterns (``{name}: {date}``):
they are checked here but broken once filled in (:func:`sent_text`), since a broken
``{{`` would no longer be a pattern's literal brace.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from msgspec import structs

from ..mergetags import find_tags, neutralise, neutralise_url
from . import schema
from .problems import Source, Where

log = logging.getLogger(__name__)

_TEXT = (
    ("newsletter", "name"),
    ("newsletter", "tagline"),
    ("newsletter", "sender"),
    ("theme", "logo_alt"),
    ("theme", "footer_address"),
)
_URLS = (
    ("newsletter", "website"),
    ("theme", "logo_url"),
    ("esp", "unsubscribe_url"),
    ("esp", "web_version_url"),
)
_PATTERNS = (
    ("newsletter", "subject"),
    ("year_end", "name"),
    ("year_end", "tagline"),
    ("year_end", "subject"),
)
HINT = "to let the mailing service fill it in, add merge_tags = true to [newsletter]"


def settle(source: Source, cfg: schema.DigestFile) -> tuple[schema.DigestFile, tuple[str, ...]]:
    """`cfg` with every merge tag in its text broken, unless it asks to keep them; and
    the tags kept (for lint: the editors' own)."""
    keep = cfg.newsletter.merge_tags
    kept: list[str] = []

    def settled(where: Where, value: str, *, url: bool = False, pattern: bool = False) -> str:
        # a pattern's literal braces are doubled: read it as it will be sent
        tags = find_tags(value.replace("{{", "{").replace("}}", "}") if pattern else value)
        if not tags:
            return value
        if keep:
            kept.extend(tags)
            return value
        line = source.line(where)
        place = f"{source.path}:{line}" if line else str(source.path)
        log.warning(
            "%s: %s holds %s, which a mailing service could read as a merge tag;"
            " it is sent as written, not filled in (%s)",
            place,
            where.name,
            ", ".join(map(repr, dict.fromkeys(tags))),
            HINT,
        )
        if pattern:
            return value  # broken once filled in (sent_text)
        return neutralise_url(value) if url else neutralise(value)

    tables: dict[str, Any] = {
        name: getattr(cfg, name) for name in ("newsletter", "theme", "esp", "year_end")
    }
    for group, url, pattern in (
        (_TEXT, False, False),
        (_URLS, True, False),
        (_PATTERNS, False, True),
    ):
        for table, key in group:
            value = getattr(tables[table], key)
            if isinstance(value, str):
                new = settled(Where(table, key), value, url=url, pattern=pattern)
                if new != value:
                    tables[table] = structs.replace(tables[table], **{key: new})
    sections = tuple(
        structs.replace(
            section,
            title=section.title and settled(Where("section", "title", i), section.title),
            titles={
                tag: settled(Where("section", "titles", i), text) if isinstance(text, str) else text
                for tag, text in section.titles.items()
            },
        )
        for i, section in enumerate(cfg.section)
    )
    labels = {
        tag: {
            name: settled(Where(f"labels.{tag}", name), text) if isinstance(text, str) else text
            for name, text in table.items()
        }
        if isinstance(table, dict)
        else table
        for tag, table in cfg.labels.items()
    }
    settled_cfg = structs.replace(cfg, **tables, section=sections, labels=labels)
    return settled_cfg, tuple(dict.fromkeys(kept))


def sent_text(text: str, keep: bool, allowed: tuple[str, ...] = ()) -> str:
    """A filled-in pattern (subject, year-end name) as sent: its merge tags broken unless
    the project keeps them, or they are `allowed` (a letter's own, written on purpose)."""
    if keep:
        return text
    if not allowed:
        return neutralise(text)
    parts = re.split("(" + "|".join(map(re.escape, allowed)) + ")", text)
    return "".join(part if i % 2 else neutralise(part) for i, part in enumerate(parts))
