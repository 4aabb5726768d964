"""Issue ids: the one rule for what may name an issue, checked in the library.

An issue id becomes a folder name (``out/<issue-id>/``), a file name
(``edits/<issue-id>.toml``) and part of URLs in the editor's desk, so it is checked
wherever one enters the library, not only in the command line: letters, digits, ``.``,
``_`` and ``-``, starting with a letter or digit, at most 64 characters. That rules out
``..``, ``/``, ``\\``, empty names, hidden files and anything a shell or URL would mangle.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ConfigError

ISSUE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ISSUE_ID_RULE = "use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)"


def is_issue_id(value: str) -> bool:
    return ISSUE_ID.fullmatch(value) is not None and ".." not in value


def check_issue_id(value: str) -> str:
    """Return `value` if it may name an issue; ConfigError (exit 2) otherwise."""
    if not is_issue_id(value):
        raise ConfigError(f"{value[:80]!r} is not a valid issue id", hint=ISSUE_ID_RULE)
    return value


def issue_folder(out_dir: Path, issue_id: str) -> Path:
    """`out/<issue-id>/`, for an id checked here: never a path outside `out_dir`."""
    return out_dir / check_issue_id(issue_id)
