"""The digest.toml that `digest init` writes, made from the defaults the loader uses.

Which settings a new project shows, in which order and with which comment, is laid out
here; every value comes from :mod:`.model` (the commented-out lines are examples, not
defaults), so a default changed there changes what `digest init` writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from .model import DEFAULT_SECTIONS, SUBJECT_FIELDS, Project, Theme

HEADER = "# digest project settings: see the README for every option.\n"
_EXAMPLES = {
    "reply_to": "supporters@example.org",
    "website": "https://example.org/",
    "logo_url": "https://example.org/logo.png",
    "logo_alt": "Example Organisation",
}
_COMMENTS = {"subject": f"placeholders: {', '.join('{' + f + '}' for f in SUBJECT_FIELDS)}"}
_NEWSLETTER = (
    "name",
    "tagline",
    "sender",
    "#reply_to",
    "#website",
    "language",
    "template",
    "subject",
    "timezone",
    "window_days",
    "per_feed_cap",
)
_THEME = (
    "primary",
    "accent",
    "background",
    "surface",
    "text",
    "muted",
    "#logo_url",
    "#logo_alt",
    "font_family",
    "heading_font_family",
    "footer_address",
)


def toml_value(value: object) -> str:
    """A TOML literal for a string, a number, a boolean or a list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _table(header: str, keys: tuple[str, ...], values: dict[str, object]) -> list[str]:
    lines = [header]
    for key in keys:
        if key.startswith("#"):
            key = key[1:]
            lines.append(f"# {key} = {toml_value(_EXAMPLES[key])}")
            continue
        line = f"{key} = {toml_value(values[key])}"
        comment = _COMMENTS.get(key)
        lines.append(f"{line}     # {comment}" if comment else line)
    return lines


def digest_toml(*, name: str, sender: str, language: str) -> str:
    """A new project's digest.toml: the newsletter's name, sender and language, and the
    defaults of everything else a new project is likely to change."""
    defaults = Project(root=Path(), name=name, sender=sender, language=language)
    newsletter = {key: getattr(defaults, key) for key in _NEWSLETTER if not key.startswith("#")}
    theme = Theme()
    lines = [HEADER]
    lines += _table("[newsletter]", _NEWSLETTER, newsletter)
    colours = {key: getattr(theme, key) for key in Theme.__struct_fields__}
    lines += ["", *_table("[theme]", _THEME, colours)]
    for section in DEFAULT_SECTIONS:
        values: dict[str, object] = {
            "id": section.id,
            "title": section.title,
            "kinds": section.kinds,
            "max": section.max_items,
        }
        keys = ("id", "title", "kinds", "max") if section.kinds else ("id", "title", "max")
        lines += ["", *_table("[[section]]", keys, values)]
    store = {"path": str(defaults.store_path), "retention_days": defaults.retention_days}
    lines += ["", *_table("[store]", ("path", "retention_days"), store)]
    return "\n".join(lines) + "\n"
