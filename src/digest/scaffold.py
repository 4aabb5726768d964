"""`digest init`: lay out a new newsletter project from the bundled defaults."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from . import validate
from .config import CONFIG_NAME, FEEDS_NAME, load_project
from .config.template import digest_toml
from .errors import ConfigError, DigestError
from .resources import bundled_samples, bundled_templates

FEEDS_TOML = """\
# One [[feed]] table per feed. `url` is an http(s) URL or a path relative to this project.
# Optional: weight (0-10, default 1), tags = ["..."], language = "en".
#
# [[feed]]
# name = "Our news"
# url = "https://example.org/news/feed/"
# weight = 1.2
"""

SAMPLE_FEEDS = (
    ("Northlight News", "northlight-news.rss", 1.2, "en"),
    ("Northlight Campaigns", "campaigns.atom", 1.0, "en"),
    ("Courtwatch Collective", "courtwatch.rss", 0.8, "en"),
    ("Northlight France", "northlight-fr.atom", 1.0, "fr"),
)

GITIGNORE = """\
/out/*
!/out/.gitkeep
*.sqlite3
*.sqlite3-wal
*.sqlite3-shm
*.lock
.digest.lock
"""


def create_project(
    directory: Path,
    *,
    name: str,
    sender: str,
    language: str,
    samples: bool,
    force: bool,
    eject: bool = False,
) -> list[str]:
    """Write the project skeleton; return the paths created, relative to `directory`.

    The project uses the bundled templates, so it receives their fixes with each digest
    release; its own templates/ may extend them ("!bundled/weekly.mjml"). `eject` copies
    every bundled template into templates/ to edit (a file already there is kept)."""
    config = directory / CONFIG_NAME
    if config.exists() and not force:
        raise ConfigError(
            "a digest project already exists here",
            path=config,
            hint="use --force to overwrite digest.toml and feeds.toml",
        )
    problem = validate.control_character(name) or validate.mailbox(sender)
    if problem or not name.strip():
        raise ConfigError(
            f"--name/--sender: {problem or 'the newsletter needs a name'}",
            hint='for example --name "Rights Weekly" --sender "Rights <news@rights.example>"',
        )
    try:
        return _create(
            directory, name=name, sender=sender, language=language, samples=samples, eject=eject
        )
    except OSError as e:
        raise DigestError(
            f"cannot write the project into {directory}: {e.strerror or e}",
            hint="check that the folder is writable and the disk has space",
        ) from e


def _create(
    directory: Path, *, name: str, sender: str, language: str, samples: bool, eject: bool
) -> list[str]:
    created: list[str] = []

    def write(rel: str, text: str) -> None:
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(rel)

    write(CONFIG_NAME, digest_toml(name=name, sender=sender, language=language))
    feeds = FEEDS_TOML
    if samples:
        target = directory / "feeds" / "samples"
        target.mkdir(parents=True, exist_ok=True)
        for feed_name, filename, weight, lang in SAMPLE_FEEDS:
            shutil.copyfile(bundled_samples() / filename, target / filename)
            created.append(f"feeds/samples/{filename}")
            feeds += (
                f'\n[[feed]]\nname = {_toml(feed_name)}\nurl = "feeds/samples/{filename}"\n'
                f'weight = {weight}\nlanguage = "{lang}"\n'
            )
    write(FEEDS_NAME, feeds)
    if eject:
        created += eject_templates(directory)
    (directory / "out").mkdir(exist_ok=True)
    (directory / "out" / ".gitkeep").touch()
    if not (directory / ".gitignore").exists():
        write(".gitignore", GITIGNORE)
    load_project(directory)  # what we wrote must load
    return created


def eject_templates(directory: Path) -> list[str]:
    """Copy every bundled template into `directory`/templates/, keeping any file already
    there; return the paths copied, relative to `directory`."""
    bundled = bundled_templates()
    copied = []
    for source in sorted(p for p in bundled.rglob("*") if p.is_file()):
        rel = source.relative_to(bundled)
        target = directory / "templates" / rel
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied.append(f"templates/{rel.as_posix()}")
    return copied


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
