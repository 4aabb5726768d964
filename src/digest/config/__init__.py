"""A newsletter project folder, read into a frozen, typed :class:`Project`.

A project holds ``digest.toml``, ``feeds/feeds.toml``, optional ``templates/`` overriding the
bundled ones, ``out/`` and the SQLite state file. The layout:

- :mod:`.model`: the :class:`Project` and its settings, every default written once;
- :mod:`.schema`: the shape of the two files (msgspec structs), each field with its
  bounds and checks (:mod:`.checks`);
- :mod:`.problems`: a schema error as a :class:`~digest.errors.ConfigError` naming the file
  and line;
- :mod:`.load`: :func:`load_project` and :func:`load_feeds`;
- :mod:`.template`: the digest.toml that ``digest init`` writes, from the same defaults.
"""

from __future__ import annotations

from ..tomlfile import locate, parse_toml, read_toml
from .load import load_feeds, load_project
from .model import (
    CONFIG_NAME,
    DEFAULT_SECTIONS,
    FEEDS_NAME,
    MAX_RETENTION_DAYS,
    MAX_WINDOW_DAYS,
    SUBJECT_FIELDS,
    YEAR_END_FIELDS,
    DeskSettings,
    FetchSettings,
    Project,
    SmtpSettings,
    Theme,
    UtmSettings,
    YearEndSettings,
)

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_SECTIONS",
    "FEEDS_NAME",
    "MAX_RETENTION_DAYS",
    "MAX_WINDOW_DAYS",
    "SUBJECT_FIELDS",
    "YEAR_END_FIELDS",
    "DeskSettings",
    "FetchSettings",
    "Project",
    "SmtpSettings",
    "Theme",
    "UtmSettings",
    "YearEndSettings",
    "load_feeds",
    "load_project",
    "locate",
    "parse_toml",
    "read_toml",
]
