"""Reading a project file a person wrote (digest.toml, feeds.toml, an edits file, a
year-end letter, a template) as text, with errors that name the file and line.

Such a file is small: anything over :data:`MAX_BYTES` is a mistake (a pasted image, a
log, a runaway generator), and a text node of 10 MB or more would be dropped without a
word by the HTML parser under the CSS inliner, taking the unsubscribe footer with it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import ConfigError

MAX_BYTES = 2 * 1024 * 1024
HINT = "a project file is text of a few kilobytes: is this the right file?"


def too_large(size: int) -> str | None:
    """The error for a project file of `size` bytes, if it is one."""
    if size <= MAX_BYTES:
        return None
    return f"the file is too large ({size:,} bytes; at most {MAX_BYTES:,})"


def read_text(path: Path, *, missing: str, hint: str | None, save_as: str) -> str:
    """The file's text (a UTF-8 byte-order mark, as Windows Notepad writes, is no error).
    `missing` is the message for an absent file, `hint` its hint; `save_as` names the
    file's kind in the hint for a file that is not UTF-8 ("save the letter as UTF-8")."""
    raw = read_bytes(path, missing=missing, hint=hint)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(
            "file is not valid UTF-8",
            path=path,
            line=raw[: e.start].count(b"\n") + 1,
            hint=f"save {save_as} as UTF-8",
        ) from e


def read_bytes(
    path: Path, *, missing: str, hint: str | None, limit: int = MAX_BYTES, too_big: str = HINT
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, else a ConfigError naming it."""
    try:
        # O_NONBLOCK: a FIFO or a device put in a file's place is refused, not waited on
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ConfigError(missing, path=path, hint=hint) from None
    except OSError as e:
        raise ConfigError(f"cannot read the file: {e.strerror or e}", path=path) from e
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        what = "is a folder" if stat.S_ISDIR(info.st_mode) else "is not a regular file"
        raise ConfigError(f"this {what}", path=path, hint=too_big)
    with os.fdopen(fd, "rb") as file:
        try:
            raw = file.read(limit + 1) if info.st_size <= limit else b""
        except OSError as e:
            raise ConfigError(f"cannot read the file: {e.strerror or e}", path=path) from e
    size = max(info.st_size, len(raw))  # it may grow while being read
    if size > limit:
        raise ConfigError(
            f"the file is too large ({size:,} bytes; at most {limit:,})", path=path, hint=too_big
        )
    return raw
