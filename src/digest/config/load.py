"""Read a project folder into a frozen :class:`~.model.Project`.

The files are read into the :mod:`.schema` structs (types, bounds and each field's rules);
what only makes sense across fields or needs the file's text (the time zone's zone, a
language tag taken with a warning, duplicate ids and URLs, a logo without its alt text)
is checked here. Every problem is a :class:`ConfigError` naming the file and line.
"""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from msgspec import structs

from .. import lang, validate
from ..errors import ConfigError
from ..esp import EspSettings
from ..models import FeedSource, SectionSpec
from ..tomlfile import read_toml, table_lines
from . import checks, schema, tags
from .model import (
    CONFIG_NAME,
    DEFAULT_SECTIONS,
    FEEDS_NAME,
    Project,
    SmtpSettings,
    UtmSettings,
    YearEndSettings,
)
from .problems import Source, Where

log = logging.getLogger(__name__)

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def load_project(root: Path, *, window_days: int | None = None) -> Project:
    """Load and validate a project folder. Raises ConfigError naming file and line."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(
            "project folder does not exist",
            path=root,
            hint="create one with `digest init DIR` or pass --project",
        )
    path = root / CONFIG_NAME
    data, text = read_toml(path, hint="create one with `digest init .`")
    project = _build_project(root, Source(path, text), data)
    project = replace(project, feeds=load_feeds(root / FEEDS_NAME))
    if window_days is not None:
        if window_days < 1:
            raise ConfigError("--days must be at least 1")
        project = replace(project, window_days=window_days)
    return project


def _ascii(url: str | None) -> str | None:
    """A checked URL as links in the email carry it (digest.clean.ascii_url)."""
    if url is None or url.isascii():
        return url
    from ..clean import ascii_url  # only for a URL with other characters

    return ascii_url(url) or url


def _build_project(root: Path, source: Source, data: dict[str, Any]) -> Project:
    cfg, kept = tags.settle(source, source.read(data, schema.DigestFile))
    nl, theme = cfg.newsletter, cfg.theme
    if theme.logo_url and not theme.logo_alt:
        raise source.fail(
            Where("theme", "logo_url"),
            "a logo needs logo_alt text for readers who do not load images",
        )
    store_path = Path(cfg.store.path)
    if (root / store_path).is_dir():  # root / an absolute path is that path
        raise source.fail(
            Where("store", "path"),
            f"{root / store_path} is a folder, not a store file",
            hint='name a file, like "digest.sqlite3"',
        )
    return Project(
        root=root,
        name=nl.name.strip(),
        sender=nl.sender,
        language=_language(source, Where("newsletter", "language"), nl.language)
        or Project.language,
        template=nl.template,
        subject=nl.subject,
        tagline=nl.tagline,
        website=_ascii(nl.website),
        reply_to=nl.reply_to,
        timezone=nl.timezone,
        window_days=nl.window_days,
        per_feed_cap=nl.per_feed_cap,
        warn_after_failures=nl.warn_after_failures,
        html_budget=nl.html_budget,
        sections=_sections(source, cfg.section) or DEFAULT_SECTIONS,
        theme=structs.replace(theme, logo_url=_ascii(theme.logo_url)),
        fetch=cfg.fetch,
        store_path=store_path,
        retention_days=cfg.store.retention_days,
        watchlist=tuple(w.strip() for w in cfg.curation.watchlist if w.strip()),
        novelty_days=cfg.curation.novelty_days,
        classifier=cfg.curation.classifier,
        esp=_esp(source, cfg.esp),
        utm=UtmSettings(
            cfg.links.utm_source,
            cfg.links.utm_medium,
            cfg.links.utm_campaign,
            cfg.links.utm_content_per_item,
        ),
        smtp=_smtp(cfg.smtp),
        desk=cfg.desk,
        labels=_labels(source, cfg.labels),
        year_end=_year_end(cfg.year_end),
        keep_tags=nl.merge_tags,
        merge_tags=kept,
    )


def _language(source: Source, where: Where, value: str | None) -> str | None:
    """The canonical tag of a checked language setting; `en_GB` is taken as `en-GB` with
    a warning naming the file and line."""
    if value is None:
        return None
    tag = lang.normalise(value)
    if tag.note:
        line = source.line(where)
        place = f"{source.path}:{line}" if line else str(source.path)
        log.warning("%s: %s: %s (taken as such; write it so)", place, where.key, tag.note)
    return tag.tag


def _sections(source: Source, items: tuple[schema.Section, ...]) -> tuple[SectionSpec, ...]:
    specs = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise source.fail(Where("section", "id", i), f"section id {item.id!r} is used twice")
        seen.add(item.id)
        titles = []
        for key, value in item.titles.items():
            where = Where("section", "titles", i)
            problem = checks.language(key)
            if problem:
                raise source.fail(where, problem)
            tag = lang.normalise(key).tag
            if not isinstance(value, str) or not value.strip():
                raise source.fail(where, f"the {key} title must be text")
            problem = validate.control_character(value)
            if problem:
                raise source.fail(where, problem)
            titles.append((tag, value.strip()))
        specs.append(
            SectionSpec(
                item.id,
                item.title or item.id.replace("-", " ").replace("_", " ").capitalize(),
                item.kinds,
                item.max,
                titles=tuple(titles),
                custom=item.title is not None,
            )
        )
    return tuple(specs)


def _labels(source: Source, data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """[labels.<tag>]: the project's own wording of built-in labels, per language."""
    if not data:
        return {}  # the usual case: the label packs are not read (nor imported)
    from ..i18n import label_names

    known = label_names()
    out: dict[str, dict[str, str]] = {}
    for key, table in data.items():
        problem = checks.language(key)
        if problem:
            raise source.fail(Where(f"labels.{key}", None), problem)
        tag = lang.normalise(key).tag
        if not isinstance(table, dict):
            raise source.fail(
                Where("labels", key), "expected a table of labels", hint=f"[labels.{tag}]"
            )
        for name, value in table.items():
            where = Where(f"labels.{key}", name)
            if name not in known:
                raise source.fail(
                    where, "unknown label", hint=f"use one of {', '.join(sorted(known))}"
                )
            if not isinstance(value, str):
                raise source.fail(where, f"expected a string, got {type(value).__name__}")
            # an empty tagline drops it in that language; any other label needs words
            blank_ok = name == "tagline"
            problem = (checks.text if blank_ok else checks.nonblank("the label is empty"))(value)
            if problem:
                raise source.fail(where, problem)
        out[tag] = dict(table)
    return out


def _esp(source: Source, esp: schema.Esp) -> EspSettings:
    if esp.name == "smtp" and not (esp.unsubscribe_url or esp.unsubscribe_mailto):
        raise source.fail(
            Where("esp", "name"),
            "the smtp profile needs unsubscribe_url or unsubscribe_mailto",
            hint="every bulk email must offer a way to unsubscribe",
        )
    return EspSettings(esp.name, esp.unsubscribe_url, esp.unsubscribe_mailto, esp.web_version_url)


def _smtp(smtp: schema.Smtp) -> SmtpSettings:
    default_port = SmtpSettings.TLS_PORT if smtp.security == "tls" else SmtpSettings.port
    return SmtpSettings(
        host=smtp.host,
        port=default_port if smtp.port is None else smtp.port,
        security=smtp.security,
        user=smtp.user,
        password=smtp.password,
        password_env=smtp.password_env,
        timeout=smtp.timeout,
    )


def _year_end(table: schema.YearEnd) -> YearEndSettings:
    return YearEndSettings(
        name=table.name,
        tagline=table.tagline,
        subject=table.subject,
        utm_campaign=table.utm_campaign,
        limits=tuple((kind, getattr(table, kind)) for kind, _ in YearEndSettings.limits),
        per_month=table.per_month,
    )


def _outside_project(path: str) -> bool:
    """Does this local feed path leave the project, as written (absolute, or `..` past
    its root)? Symbolic links are followed when the file is read (digest.fetch)."""
    normal = posixpath.normpath(path.replace("\\", "/"))
    return posixpath.isabs(normal) or normal == ".." or normal.startswith("../")


def load_feeds(path: Path) -> tuple[FeedSource, ...]:
    """Read feeds/feeds.toml: a `[[feed]]` list of name, url, weight, tags, language."""
    data, text = read_toml(path, hint="list your feeds there as [[feed]] tables (see README)")
    source = Source(path, text)
    feeds: list[FeedSource] = []
    seen: dict[str, int] = {}
    headers = table_lines(text, "feed")  # each feed's line, in one pass over the file
    for i, item in enumerate(source.read(data, schema.FeedsFile).feed):
        where = Where("feed", "url", i)
        url = item.url.strip()
        found = _SCHEME.match(url)
        scheme = found.group(1).lower() if found else ""
        if scheme and scheme not in ("http", "https"):
            raise source.fail(
                where,
                f"scheme {scheme!r} is not allowed",
                hint="use an http(s) URL or a path relative to the project",
            )
        if scheme:
            problem = validate.web_url(url)
            if problem:
                raise source.fail(where, problem, hint="check the address in a browser")
        elif _outside_project(url):
            raise source.fail(
                where,
                "a feed file must be a path inside the project",
                hint="copy the file into the project (feeds/ is the place), or serve it",
            )
        if url in seen:
            raise source.fail(where, f"this feed is already listed as feed #{seen[url] + 1}")
        seen[url] = i
        feeds.append(
            FeedSource(
                name=item.name.strip(),
                url=url,
                weight=item.weight,
                tags=item.tags,
                language=_language(source, Where("feed", "language", i), item.language),
                line=headers[i] if i < len(headers) else source.line(Where("feed", None, i)),
            )
        )
    return tuple(feeds)
