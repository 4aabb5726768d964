"""Read a newsletter project folder into a frozen, typed :class:`Project`.

A project holds ``digest.toml``, ``feeds/feeds.toml``, optional ``templates/`` overriding the
bundled ones, ``out/`` and the SQLite state file. Every problem is a :class:`ConfigError`
naming the file and, where it can be found, the line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .esp import EspSettings
from .kinds import STORY_KINDS
from .models import FeedSource, SectionSpec

CONFIG_NAME = "digest.toml"
FEEDS_NAME = "feeds/feeds.toml"
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


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
    warn_after_failures: int = 3  # a feed failing this many runs in a row is flagged
    html_budget: int = 90 * 1024  # bytes of HTML after inlining (Gmail clips at ~102 KB)
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


def read_toml(path: Path, *, hint: str) -> tuple[dict[str, Any], str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", path=path, hint=hint) from None
    except OSError as e:
        raise ConfigError(f"cannot read file: {e.strerror}", path=path) from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError("file is not valid UTF-8", path=path, line=line) from e
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as e:
        m = _TOML_POS.search(str(e))
        msg = _TOML_POS.sub("", str(e)).strip()
        raise ConfigError(
            f"invalid TOML: {msg}",
            path=path,
            line=int(m.group(1)) if m else None,
            hint="see https://toml.io for the syntax",
        ) from e


def locate(text: str, table: str | None, key: str | None, nth: int = 0) -> int | None:
    """Best-effort line number of `key` inside `[table]` (or the nth `[[table]]`)."""
    current: str | None = None
    seen = -1
    table_line = None
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", stripped)
        if header:
            current = header.group(1)
            if current == table:
                seen += 1
                if seen == nth:
                    table_line = lineno
            continue
        in_table = (table is None and current is None) or (current == table and seen == nth)
        if in_table and key and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return lineno
    return table_line


class _Reader:
    """Typed access to one TOML table, with errors that point at the offending line."""

    def __init__(
        self, data: dict[str, Any], path: Path, text: str, table: str | None, nth: int = 0
    ) -> None:
        self.data, self.path, self.text, self.table, self.nth = data, path, text, table, nth
        self.used: set[str] = set()

    def fail(self, key: str | None, message: str, hint: str | None = None) -> ConfigError:
        line = locate(self.text, self.table, key, self.nth)
        name = f"{self.table}.{key}" if self.table and key else key or self.table or ""
        return ConfigError(
            f"{name}: {message}" if name else message, path=self.path, line=line, hint=hint
        )

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(key, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        return tuple(value)

    def check_unknown(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.fail(
                unknown[0],
                f"unknown setting {unknown[0]!r}",
                hint="check the spelling against the README",
            )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _build_project(root: Path, data: dict[str, Any], text: str, path: Path) -> Project:
    top = _Reader(data, path, text, None)
    for table in ("newsletter", "theme", "fetch", "store", "curation", "esp", "links", "smtp"):
        top.get(table, dict, {})
    top.get("section", list, [])
    top.check_unknown()

    nl = _Reader(data.get("newsletter", {}), path, text, "newsletter")
    name = nl.get("name", str)
    if not name or not name.strip():
        raise nl.fail("name", "the newsletter needs a name")
    sender = nl.get("sender", str)
    if not sender:
        raise nl.fail(
            "sender",
            "a sender address is required",
            hint='for example sender = "Northlight <news@example.org>"',
        )
    _, addr = parseaddr(sender)
    if "@" not in addr or any(c in sender for c in "\r\n"):
        raise nl.fail("sender", f"{sender!r} is not an email address")
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
    warn_after = nl.get("warn_after_failures", int, 3)
    if warn_after < 1:
        raise nl.fail("warn_after_failures", "must be at least 1")
    per_feed = nl.get("per_feed_cap", int, 4)
    if per_feed < 1:
        raise nl.fail("per_feed_cap", "must be at least 1")
    website = nl.get("website", str)
    if website and not website.startswith(("http://", "https://")):
        raise nl.fail("website", "must be an http(s) URL")
    subject = nl.get("subject", str, "{name}: {date}")
    try:
        subject.format(name="", date="", issue_id="")
    except (KeyError, IndexError, ValueError) as e:
        raise nl.fail(
            "subject", f"bad placeholder {e}; use {{name}}, {{date}} or {{issue_id}}"
        ) from None
    project = Project(
        root=root,
        name=name.strip(),
        sender=sender,
        language=nl.get("language", str, "en"),
        template=nl.get("template", str, "weekly"),
        subject=subject,
        tagline=nl.get("tagline", str, ""),
        website=website,
        reply_to=nl.get("reply_to", str),
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
    )


def _theme(data: dict[str, Any], path: Path, text: str) -> Theme:
    r = _Reader(data, path, text, "theme")
    values: dict[str, Any] = {}
    for key in ("primary", "accent", "background", "surface", "text", "muted"):
        value = r.get(key, str)
        if value is not None:
            if not _COLOUR.match(value):
                raise r.fail(key, f"{value!r} is not a colour", hint='use hex, like "#1d3557"')
            values[key] = value
    for key in ("logo_alt", "font_family", "heading_font_family", "footer_address"):
        value = r.get(key, str)
        if value is not None:
            if key.endswith("font_family") and re.search(r"[;{}<>]", value):
                raise r.fail(key, "a font list may not contain ; { } < or >")
            values[key] = value
    logo = r.get("logo_url", str)
    if logo is not None:
        if not logo.startswith("https://") and not logo.startswith("http://"):
            raise r.fail("logo_url", "must be an absolute http(s) URL (email clients fetch it)")
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
    settings = FetchSettings(
        timeout=r.get("timeout", float, base.timeout),
        deadline=r.get("deadline", float, base.deadline),
        max_bytes=r.get("max_bytes", int, base.max_bytes),
        concurrency=r.get("concurrency", int, base.concurrency),
        per_host=r.get("per_host", int, base.per_host),
        user_agent_contact=r.get("user_agent_contact", str),
        parse_memory_mb=r.get("parse_memory_mb", int, base.parse_memory_mb),
        parse_seconds=r.get("parse_seconds", int, base.parse_seconds),
    )
    for key in ("timeout", "deadline", "max_bytes", "concurrency", "per_host", "parse_seconds"):
        if getattr(settings, key) <= 0:
            raise r.fail(key, "must be positive")
    if settings.parse_memory_mb < 128:
        raise r.fail("parse_memory_mb", "must be at least 128")
    r.check_unknown()
    return settings


def _store(data: dict[str, Any], path: Path, text: str) -> dict[str, Any]:
    r = _Reader(data, path, text, "store")
    store_path = Path(r.get("path", str, "digest.sqlite3"))
    retention = r.get("retention_days", int, 400)
    if retention < 7:
        raise r.fail("retention_days", "must be at least 7")
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
    url = r.get("unsubscribe_url", str)
    if url is not None and not url.startswith("https://"):
        raise r.fail("unsubscribe_url", "must be an https URL (one-click unsubscribe needs it)")
    mailto = r.get("unsubscribe_mailto", str)
    if mailto is not None and not re.fullmatch(r"mailto:[^@\s<>]+@[^@\s<>]+", mailto):
        raise r.fail("unsubscribe_mailto", "must look like mailto:unsubscribe@example.org")
    web = r.get("web_version_url", str)
    if web is not None and not web.startswith(("https://", "http://")):
        raise r.fail("web_version_url", "must be an http(s) URL")
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
    settings = SmtpSettings(
        host=r.get("host", str),
        port=port,
        security=security,
        user=r.get("user", str),
        password=r.get("password", str),
        password_env=r.get("password_env", str, base.password_env),
        timeout=r.get("timeout", float, base.timeout),
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
        specs.append(SectionSpec(sid, r.get("title", str, sid.title()), kinds, max_items))
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
        name = r.get("name", str)
        url = r.get("url", str)
        if not name:
            raise r.fail("name", "each feed needs a name")
        if not url:
            raise r.fail("url", "each feed needs a url (http(s) URL or a path in the project)")
        url = url.strip()
        scheme = url.split(":", 1)[0].lower() if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) else ""
        if scheme and scheme not in ("http", "https"):
            raise r.fail(
                "url",
                f"scheme {scheme!r} is not allowed",
                hint="use an http(s) URL or a path relative to the project",
            )
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
                language=r.get("language", str),
                line=headers[i] if i < len(headers) else None,
            )
        )
        r.check_unknown()
    return tuple(feeds)
