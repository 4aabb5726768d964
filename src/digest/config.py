"""Read a newsletter project folder into a frozen, typed :class:`Project`.

A project holds ``digest.toml``, ``feeds/feeds.toml``, optional ``templates/`` overriding the
bundled ones, ``out/`` and the SQLite state file. Every problem is a :class:`ConfigError`
naming the file and, where it can be found, the line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import lang, validate
from .errors import ConfigError
from .esp import EspSettings
from .kinds import STORY_KINDS
from .models import FeedSource, SectionSpec
from .tomlfile import TableReader as _Reader
from .tomlfile import locate, read_toml

__all__ = ["Project", "load_feeds", "load_project", "locate", "read_toml"]

log = logging.getLogger(__name__)

CONFIG_NAME = "digest.toml"
FEEDS_NAME = "feeds/feeds.toml"
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
SUBJECT_FIELDS = ("name", "date", "issue_id")
MAX_WINDOW_DAYS = 3660  # the same bound as --days
MAX_RETENTION_DAYS = 36_600  # a century: keeps every date computation in range


@dataclass(frozen=True)
class Theme:
    primary: str = "#1d3557"
    accent: str = "#e9a23b"
    background: str = "#f4f1ea"
    surface: str = "#ffffff"
    text: str = "#1f2328"
    muted: str = "#5c6370"
    logo_url: str | None = None
    logo_alt: str = ""
    logo_width: int = 160
    font_family: str = "Helvetica, Arial, sans-serif"
    heading_font_family: str = "Georgia, 'Times New Roman', serif"
    footer_address: str = ""


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 20.0  # connect/read timeout per request, seconds
    deadline: float = 60.0  # total time allowed for one feed, seconds
    max_bytes: int = 15 * 1024 * 1024  # cap on the decoded body
    concurrency: int = 64
    per_host: int = 4
    user_agent_contact: str | None = None
    parse_memory_mb: int = 1024  # address-space cap of each parser process
    parse_seconds: int = 30  # CPU time allowed to parse one document


@dataclass(frozen=True)
class SmtpSettings:
    """[smtp]: where `digest send` delivers test copies. The password comes from the
    environment (DIGEST_SMTP_PASSWORD by default) or digest.toml, never the command line."""

    host: str | None = None
    port: int = 587
    security: str = "starttls"  # starttls, tls (implicit) or none
    user: str | None = None
    password: str | None = None
    password_env: str = "DIGEST_SMTP_PASSWORD"
    timeout: float = 30.0


@dataclass(frozen=True)
class DeskSettings:
    """[desk]: the editor's desk. The password may also come from DIGEST_DESK_PASSWORD
    (preferred); it is required to listen on anything but 127.0.0.1."""

    password: str | None = None
    allowed_hosts: tuple[str, ...] = ()  # extra Host names (a LAN name, a proxy's name)


@dataclass(frozen=True)
class UtmSettings:
    """[links]: UTM parameters added to every web link of an issue (none by default)."""

    source: str | None = None
    medium: str | None = None
    campaign: str | None = None  # may contain {issue_id}
    per_item: bool = False  # utm_content = the item's key

    @property
    def enabled(self) -> bool:
        return bool(self.source or self.medium or self.campaign or self.per_item)


@dataclass(frozen=True)
class YearEndSettings:
    """[year_end]: the year-end issue's own name, subject and campaign tag, and how many
    highlights of each story kind it shows. None: the issue language's default (i18n)."""

    name: str | None = None  # masthead; placeholders {year}, {organisation}, {title}, ...
    tagline: str | None = None  # default: the organisation (the sender's name)
    subject: str | None = None  # default: "{title}", the letter's title
    utm_campaign: str = "{issue_id}"  # placeholders {issue_id}, {year}, {language}
    limits: tuple[tuple[str, int], ...] = (("good_news", 10), ("campaign", 5), ("grim", 5))
    per_month: int = 3  # highlights per month with --group-by month


YEAR_END_FIELDS = ("year", "organisation", "title", "author", "name")


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    sender: str
    language: str = "en"
    template: str = "weekly"
    subject: str = "{name}: {date}"
    tagline: str = ""
    website: str | None = None
    reply_to: str | None = None
    timezone: str = "UTC"
    window_days: int = 7
    per_feed_cap: int = 4
    sections: tuple[SectionSpec, ...] = ()
    theme: Theme = field(default_factory=Theme)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    store_path: Path = Path("digest.sqlite3")
    retention_days: int = 400
    feeds: tuple[FeedSource, ...] = ()
    esp: EspSettings = field(default_factory=EspSettings)
    utm: UtmSettings = field(default_factory=UtmSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    desk: DeskSettings = field(default_factory=DeskSettings)
    warn_after_failures: int = 3  # a feed failing this many runs in a row is flagged
    html_budget: int = 95_000  # bytes of HTML as sent: links tracked, encoded (digest.budget)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # [labels.<tag>]
    year_end: YearEndSettings = field(default_factory=YearEndSettings)
    watchlist: tuple[str, ...] = ()  # names or cases that boost matching entries
    novelty_days: int = 60  # stories similar to ones sent this recently rank lower
    classifier: bool = True  # the learned classifier with the rules; False: the rules alone

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def feeds_path(self) -> Path:
        return self.root / FEEDS_NAME

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def db_path(self) -> Path:
        return self.store_path if self.store_path.is_absolute() else self.root / self.store_path

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sender_address(self) -> Address:
        display, addr = parseaddr(self.sender)
        user, _, domain = addr.partition("@")
        return Address(display_name=display, username=user, domain=domain)


DEFAULT_SECTIONS = (
    SectionSpec("lead", "A message from our leadership", ("year_end",), 1),
    SectionSpec("good-news", "Good news", ("good_news",), 5),
    SectionSpec("latest", "Latest", (), 8),
)


def load_project(root: Path, *, window_days: int | None = None) -> Project:
    """Load and validate a project folder. Raises ConfigError naming file and line."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(
            "project folder does not exist",
            path=root,
            hint="create one with `digest init DIR` or pass --project",
        )
    cfg_path = root / CONFIG_NAME
    data, text = read_toml(cfg_path, hint="create one with `digest init .`")
    project = _build_project(root, data, text, cfg_path)
    feeds = load_feeds(root / FEEDS_NAME)
    project = replace(project, feeds=feeds)
    if window_days is not None:
        if window_days < 1:
            raise ConfigError("--days must be at least 1")
        project = replace(project, window_days=window_days)
    return project


def _build_project(root: Path, data: dict[str, Any], text: str, path: Path) -> Project:
    top = _Reader(data, path, text, None)
    for table in (
        "newsletter",
        "theme",
        "fetch",
        "store",
        "curation",
        "esp",
        "links",
        "smtp",
        "labels",
        "year_end",
        "desk",
    ):
        top.get(table, dict, {})
    top.get("section", list, [])
    top.check_unknown()

    nl = _Reader(data.get("newsletter", {}), path, text, "newsletter")
    name = nl.string("name")
    if not name or not name.strip():
        raise nl.fail("name", "the newsletter needs a name")
    sender = nl.get("sender", str)
    if not sender:
        raise nl.fail(
            "sender",
            "a sender address is required",
            hint='for example sender = "Northlight <news@example.org>"',
        )
    nl.check("sender", validate.mailbox(sender), hint='like "Northlight <news@example.org>"')
    reply_to = nl.get("reply_to", str)
    if reply_to is not None:
        nl.check("reply_to", validate.mailbox(reply_to), hint='like "supporters@example.org"')
    tz = nl.get("timezone", str, "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise nl.fail(
            "timezone", f"unknown time zone {tz!r}", hint='use an IANA name such as "Europe/Paris"'
        ) from None
    window = nl.get("window_days", int, 7)
    if window < 1:
        raise nl.fail("window_days", "must be at least 1")
    window = nl.integer("window_days", 7, 1, MAX_WINDOW_DAYS)
    warn_after = nl.integer("warn_after_failures", 3, 1, 10_000)
    per_feed = nl.integer("per_feed_cap", 4, 1, 1000)
    website = nl.url("website")
    subject = nl.get("subject", str, "{name}: {date}")
    nl.check(
        "subject",
        validate.format_fields(subject, SUBJECT_FIELDS),
        hint='for example subject = "{name}: {date}"',
    )
    html_budget = nl.get("html_budget", int, Project.html_budget)
    if not 20_000 <= html_budget <= 102_000:
        raise nl.fail(
            "html_budget",
            "must be between 20000 and 102000 bytes",
            hint="Gmail clips HTML past about 102 KB as sent",
        )
    project = Project(
        root=root,
        name=name.strip(),
        sender=sender,
        language=language_setting(nl, "language") or lang.DEFAULT,
        html_budget=html_budget,
        template=nl.get("template", str, "weekly"),
        subject=subject,
        tagline=nl.string("tagline", ""),
        website=website,
        reply_to=reply_to,
        timezone=tz,
        window_days=window,
        per_feed_cap=per_feed,
        warn_after_failures=warn_after,
    )
    nl.check_unknown()
    return replace(
        project,
        theme=_theme(data.get("theme", {}), path, text),
        fetch=_fetch_settings(data.get("fetch", {}), path, text),
        sections=_sections(data.get("section", []), path, text),
        **_store(data.get("store", {}), path, text),
        **_curation(data.get("curation", {}), path, text),
        esp=_esp(data.get("esp", {}), path, text),
        utm=_links(data.get("links", {}), path, text),
        smtp=_smtp(data.get("smtp", {}), path, text),
        labels=_labels(data.get("labels", {}), path, text),
        year_end=_year_end(data.get("year_end", {}), path, text),
        desk=_desk(data.get("desk", {}), path, text),
    )


def language_setting(r: _Reader, key: str) -> str | None:
    """A BCP 47 tag from a config table, in canonical case; `en_GB` is taken as `en-GB`
    with a warning; anything else that is not a tag of a language Babel knows is an
    error naming the file and line."""
    value = r.get(key, str)
    if value is None:
        return None
    try:
        tag = lang.normalise(value)
    except lang.LanguageError as e:
        raise r.fail(key, str(e)) from None
    if not lang.is_known(tag.tag):
        raise r.fail(
            key,
            f"unknown language {value!r}",
            hint='use a BCP 47 tag such as "en", "en-GB", "fr-CA", "es", "pt-BR" or "ar"',
        )
    if tag.note:
        line = locate(r.text, r.table, key, r.nth)
        where = f"{r.path}:{line}" if line else str(r.path)
        log.warning("%s: %s: %s (taken as such; write it so)", where, key, tag.note)
    return tag.tag


def _labels(data: dict[str, Any], path: Path, text: str) -> dict[str, dict[str, str]]:
    """[labels.<tag>]: the project's own wording of built-in labels, per language."""
    from .i18n import label_names

    known = label_names()
    out: dict[str, dict[str, str]] = {}
    for key, table in data.items():
        r = _Reader(table if isinstance(table, dict) else {}, path, text, f"labels.{key}")
        try:
            tag = lang.normalise(key).tag
        except lang.LanguageError as e:
            raise r.fail(None, str(e), hint="use [labels.en], [labels.fr]...") from None
        if not isinstance(table, dict):
            raise ConfigError(
                f"labels.{key}: expected a table of labels",
                path=path,
                line=locate(text, "labels", key),
                hint=f"[labels.{tag}]",
            )
        for name in table:
            if name not in known:
                raise r.fail(name, "unknown label", hint=f"use one of {', '.join(sorted(known))}")
            r.get(name, str)
        out[tag] = {k: str(v) for k, v in table.items()}
    return out


def _year_end(data: dict[str, Any], path: Path, text: str) -> YearEndSettings:
    r = _Reader(data, path, text, "year_end")
    base = YearEndSettings()
    values: dict[str, Any] = {}
    for key in ("name", "tagline", "subject"):
        value = r.get(key, str)
        if value is not None:
            _check_placeholders(r, key, value, YEAR_END_FIELDS)
            values[key] = value
    campaign = r.get("utm_campaign", str, base.utm_campaign)
    _check_placeholders(r, "utm_campaign", campaign, ("issue_id", "year", "language"))
    if not re.fullmatch(r"[\w.{}~-]{1,80}", campaign):
        raise r.fail("utm_campaign", "use letters, digits, . _ - ~ and placeholders")
    limits = []
    for kind, default in base.limits:
        limit = r.get(kind, int, default)
        if not 0 <= limit <= 50:
            raise r.fail(kind, "must be between 0 and 50")
        limits.append((kind, limit))
    per_month = r.get("per_month", int, base.per_month)
    if not 1 <= per_month <= 20:
        raise r.fail("per_month", "must be between 1 and 20")
    r.check_unknown()
    return YearEndSettings(
        **values, utm_campaign=campaign, limits=tuple(limits), per_month=per_month
    )


def _check_placeholders(r: _Reader, key: str, value: str, names: tuple[str, ...]) -> None:
    try:
        value.format(**dict.fromkeys(names, ""))
    except (KeyError, IndexError, ValueError) as e:
        raise r.fail(
            key, f"bad placeholder {e}; use {', '.join('{' + n + '}' for n in names)}"
        ) from None


def _theme(data: dict[str, Any], path: Path, text: str) -> Theme:
    r = _Reader(data, path, text, "theme")
    values: dict[str, Any] = {}
    for key in ("primary", "accent", "background", "surface", "text", "muted"):
        value = r.get(key, str)
        if value is not None:
            if not _COLOUR.match(value):
                raise r.fail(key, f"{value!r} is not a colour", hint='use hex, like "#1d3557"')
            values[key] = value
    for key in ("font_family", "heading_font_family"):
        value = r.get(key, str)
        if value is not None:
            r.check(key, validate.font_list(value), hint="Helvetica, Arial, sans-serif")
            values[key] = value
    for key in ("logo_alt", "footer_address"):
        value = r.string(key, multiline=key == "footer_address")
        if value is not None:
            values[key] = value
    logo = r.url("logo_url")
    if logo is not None:
        values["logo_url"] = logo
    width = r.get("logo_width", int)
    if width is not None:
        if not 16 <= width <= 600:
            raise r.fail("logo_width", "must be between 16 and 600 pixels")
        values["logo_width"] = width
    r.check_unknown()
    if values.get("logo_url") and not values.get("logo_alt"):
        raise r.fail("logo_url", "a logo needs logo_alt text for readers who do not load images")
    return Theme(**values)


def _fetch_settings(data: dict[str, Any], path: Path, text: str) -> FetchSettings:
    r = _Reader(data, path, text, "fetch")
    base = FetchSettings()
    for key in ("timeout", "deadline", "max_bytes", "concurrency", "per_host", "parse_seconds"):
        value = r.get(key, float if key in ("timeout", "deadline") else int)
        if value is not None and value <= 0:
            raise r.fail(key, "must be positive")
    settings = FetchSettings(
        timeout=r.number("timeout", base.timeout, 0.001, 3600),
        deadline=r.number("deadline", base.deadline, 0.001, 86_400),
        max_bytes=r.integer("max_bytes", base.max_bytes, 1, 2**31),
        concurrency=r.integer("concurrency", base.concurrency, 1, 4096),
        per_host=r.integer("per_host", base.per_host, 1, 1024),
        user_agent_contact=r.string("user_agent_contact"),
        parse_memory_mb=r.get("parse_memory_mb", int, base.parse_memory_mb),
        parse_seconds=r.integer("parse_seconds", base.parse_seconds, 1, 86_400),
    )
    if settings.parse_memory_mb < 128:
        raise r.fail("parse_memory_mb", "must be at least 128")
    r.integer("parse_memory_mb", base.parse_memory_mb, 128, 1 << 22)
    r.check_unknown()
    return settings


def _store(data: dict[str, Any], path: Path, text: str) -> dict[str, Any]:
    r = _Reader(data, path, text, "store")
    store_path = Path(r.string("path", "digest.sqlite3"))
    retention = r.get("retention_days", int, 400)
    if retention < 7:
        raise r.fail("retention_days", "must be at least 7")
    retention = r.integer("retention_days", 400, 7, MAX_RETENTION_DAYS)
    r.check_unknown()
    return {"store_path": store_path, "retention_days": retention}


def _esp(data: dict[str, Any], path: Path, text: str) -> EspSettings:
    from .esp import PROFILES

    r = _Reader(data, path, text, "esp")
    name = r.get("name", str, "none")
    if name not in PROFILES:
        raise r.fail(
            "name", f"unknown mailing service {name!r}", hint=f"choose one of {', '.join(PROFILES)}"
        )
    url = r.url("unsubscribe_url", ("https",))
    mailto = r.get("unsubscribe_mailto", str)
    if mailto is not None:
        r.check("unsubscribe_mailto", validate.mailto(mailto))
    web = r.url("web_version_url")
    r.check_unknown()
    if name == "smtp" and not (url or mailto):
        raise r.fail(
            "name",
            "the smtp profile needs unsubscribe_url or unsubscribe_mailto",
            hint="every bulk email must offer a way to unsubscribe",
        )
    return EspSettings(name, url, mailto, web)


def _smtp(data: dict[str, Any], path: Path, text: str) -> SmtpSettings:
    r = _Reader(data, path, text, "smtp")
    base = SmtpSettings()
    security = r.get("security", str, base.security)
    if security not in ("starttls", "tls", "none"):
        raise r.fail("security", "use starttls, tls or none")
    port = r.get("port", int, 465 if security == "tls" else base.port)
    if not 0 < port < 65536:
        raise r.fail("port", "must be a port number")
    host = r.string("host")
    if host is not None:
        r.check("host", validate.host(host))
    settings = SmtpSettings(
        host=host,
        port=port,
        security=security,
        user=r.string("user"),
        password=r.string("password"),
        password_env=r.string("password_env", base.password_env),
        timeout=r.number("timeout", base.timeout, 0.001, 3600),
    )
    r.check_unknown()
    return settings


def _desk(data: dict[str, Any], path: Path, text: str) -> DeskSettings:
    r = _Reader(data, path, text, "desk")
    settings = DeskSettings(
        password=r.get("password", str), allowed_hosts=r.string_list("allowed_hosts")
    )
    r.check_unknown()
    return settings


def _links(data: dict[str, Any], path: Path, text: str) -> UtmSettings:
    r = _Reader(data, path, text, "links")
    values = {}
    for key in ("utm_source", "utm_medium", "utm_campaign"):
        value = r.get(key, str)
        if value is not None and not re.fullmatch(r"[\w.{}~-]{1,80}", value):
            raise r.fail(key, "use letters, digits, . _ - ~ (and {issue_id} in utm_campaign)")
        values[key.removeprefix("utm_")] = value
    per_item = r.get("utm_content_per_item", bool, False)
    r.check_unknown()
    return UtmSettings(values["source"], values["medium"], values["campaign"], per_item)


def _curation(data: dict[str, Any], path: Path, text: str) -> dict[str, Any]:
    r = _Reader(data, path, text, "curation")
    watchlist = tuple(w.strip() for w in r.string_list("watchlist") if w.strip())
    novelty = r.get("novelty_days", int, 60)
    if not 0 <= novelty <= 400:
        raise r.fail("novelty_days", "must be between 0 and 400")
    classifier = r.get("classifier", bool, True)
    r.check_unknown()
    return {"watchlist": watchlist, "novelty_days": novelty, "classifier": classifier}


def _sections(items: list[Any], path: Path, text: str) -> tuple[SectionSpec, ...]:
    if not items:
        return DEFAULT_SECTIONS
    specs = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConfigError("[[section]] entries must be tables", path=path)
        r = _Reader(item, path, text, "section", i)
        sid = r.get("id", str)
        if not sid or not _SECTION_ID.match(sid):
            raise r.fail("id", "each section needs an id of lowercase letters, digits, - or _")
        if sid in seen:
            raise r.fail("id", f"section id {sid!r} is used twice")
        seen.add(sid)
        kinds = r.string_list("kinds")
        for kind in kinds:
            if kind not in STORY_KINDS:
                raise r.fail(
                    "kinds",
                    f"unknown story kind {kind!r}",
                    hint=f"use one of {', '.join(STORY_KINDS)}",
                )
        max_items = r.get("max", int, 6)
        if not 0 < max_items <= 50:
            raise r.fail("max", "must be between 1 and 50")
        title = r.string("title")
        translations = r.get("titles", dict, {})
        titles = []
        for key, value in translations.items():
            try:
                tag = lang.normalise(key).tag
            except lang.LanguageError as e:
                raise r.fail("titles", str(e)) from None
            if not isinstance(value, str) or not value.strip():
                raise r.fail("titles", f"the {key} title must be text")
            r.check("titles", validate.control_character(value))
            titles.append((tag, value.strip()))
        specs.append(
            SectionSpec(
                sid,
                title or sid.replace("-", " ").replace("_", " ").capitalize(),
                kinds,
                max_items,
                titles=tuple(titles),
                custom=title is not None,
            )
        )
        r.check_unknown()
    return tuple(specs)


def load_feeds(path: Path) -> tuple[FeedSource, ...]:
    """Read feeds/feeds.toml: a `[[feed]]` list of name, url, weight, tags, language."""
    data, text = read_toml(path, hint="list your feeds there as [[feed]] tables (see README)")
    top = _Reader(data, path, text, None)
    feeds_raw = top.get("feed", list, [])
    top.check_unknown()
    feeds: list[FeedSource] = []
    seen_urls: dict[str, int] = {}
    headers = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if re.match(r"^\s*\[\[\s*feed\s*\]\]", line)
    ]
    for i, item in enumerate(feeds_raw):
        if not isinstance(item, dict):
            raise ConfigError("use [[feed]] tables", path=path)
        r = _Reader(item, path, text, "feed", i)
        name = r.string("name")
        url = r.get("url", str)
        if not name or not name.strip():
            raise r.fail("name", "each feed needs a name")
        if not url or not url.strip():
            raise r.fail("url", "each feed needs a url (http(s) URL or a path in the project)")
        url = url.strip()
        scheme = url.split(":", 1)[0].lower() if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) else ""
        if scheme and scheme not in ("http", "https"):
            raise r.fail(
                "url",
                f"scheme {scheme!r} is not allowed",
                hint="use an http(s) URL or a path relative to the project",
            )
        if scheme:
            r.check("url", validate.web_url(url), hint="check the address in a browser")
        else:
            r.check("url", validate.control_character(url))
        if url in seen_urls:
            raise r.fail("url", f"this feed is already listed as feed #{seen_urls[url] + 1}")
        seen_urls[url] = i
        weight = r.get("weight", float, 1.0)
        if not 0 <= weight <= 10:
            raise r.fail("weight", "must be between 0 and 10")
        feeds.append(
            FeedSource(
                name=name.strip(),
                url=url,
                weight=weight,
                tags=r.string_list("tags"),
                language=language_setting(r, "language"),
                line=headers[i] if i < len(headers) else None,
            )
        )
        r.check_unknown()
    return tuple(feeds)
