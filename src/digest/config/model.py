"""What a loaded project is: the frozen :class:`Project` and its settings, each default
written here once.

The tables that map one to one onto a settings object (theme, fetch, desk) are msgspec
structs that are their own schema; the others are read through :mod:`.schema`, whose
defaults point back here. ``digest init`` writes its digest.toml from these defaults too.
"""

# No `from __future__ import annotations` (see schema.py).
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

from msgspec import Meta, Struct

from .. import lang, validate
from ..budget import DEFAULT_BUDGET
from ..esp import EspSettings
from ..models import FeedSource, SectionSpec
from .checks import TEXT, Rule, colour, multiline, url

if TYPE_CHECKING:
    from email.headerregistry import Address

CONFIG_NAME = "digest.toml"
FEEDS_NAME = "feeds/feeds.toml"
SUBJECT_FIELDS = ("name", "date", "issue_id")
YEAR_END_FIELDS = ("year", "organisation", "title", "author", "name")
MAX_WINDOW_DAYS = 3660  # the same bound as --days
MAX_RETENTION_DAYS = 36_600  # a century: keeps every date computation in range


class Table(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A TOML table: unknown settings are errors."""


Colour = Annotated[str, Rule(colour, hint='use hex, like "#1d3557"')]
Fonts = Annotated[str, Rule(validate.font_list, hint="Helvetica, Arial, sans-serif")]


class Theme(Table, frozen=True):
    """[theme]: the colours, fonts, logo and postal address of every issue."""

    primary: Colour = "#1d3557"
    accent: Colour = "#e9a23b"
    background: Colour = "#f4f1ea"
    surface: Colour = "#ffffff"
    text: Colour = "#1f2328"
    muted: Colour = "#5c6370"
    logo_url: Annotated[str | None, Rule(url())] = None
    logo_alt: Annotated[str, TEXT] = ""
    logo_width: Annotated[
        int, Meta(ge=16, le=600), Rule(bounds="must be between 16 and 600 pixels")
    ] = 160
    font_family: Fonts = "Helvetica, Arial, sans-serif"
    heading_font_family: Fonts = "Georgia, 'Times New Roman', serif"
    footer_address: Annotated[str, Rule(multiline)] = ""


class FetchSettings(Table, frozen=True):
    """[fetch]: how politely and how long feeds are fetched and parsed."""

    timeout: Annotated[float, Meta(ge=0.001, le=3600)] = 20.0  # per request, seconds
    deadline: Annotated[float, Meta(ge=0.001, le=86_400)] = 60.0  # one feed in all, seconds
    max_bytes: Annotated[int, Meta(ge=1, le=2**31)] = 15 * 1024 * 1024  # decoded body cap
    concurrency: Annotated[int, Meta(ge=1, le=4096)] = 64
    per_host: Annotated[int, Meta(ge=1, le=1024)] = 4
    user_agent_contact: Annotated[str | None, TEXT] = None
    parse_memory_mb: Annotated[int, Meta(ge=128, le=1 << 22)] = 1024  # per parser process
    parse_seconds: Annotated[int, Meta(ge=1, le=86_400)] = 30  # CPU time to parse one document


class DeskSettings(Table, frozen=True):
    """[desk]: the editor's desk. The password may also come from DIGEST_DESK_PASSWORD
    (preferred); it is required to listen on anything but 127.0.0.1."""

    password: str | None = None
    allowed_hosts: Annotated[tuple[str, ...], TEXT] = ()  # extra Host names (LAN, proxy)


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

    TLS_PORT = 465  # the default port with security = "tls"


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


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    sender: str
    language: str = lang.DEFAULT
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
    html_budget: int = DEFAULT_BUDGET  # bytes of HTML as sent: links tracked, encoded
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # [labels.<tag>]
    year_end: YearEndSettings = field(default_factory=YearEndSettings)
    watchlist: tuple[str, ...] = ()  # names or cases that boost matching entries
    novelty_days: int = 60  # stories similar to ones sent this recently rank lower
    classifier: bool = True  # the learned classifier with the rules; False: the rules alone
    keep_tags: bool = False  # [newsletter] merge_tags: tags typed in the settings are meant
    merge_tags: tuple[str, ...] = ()  # those tags, when kept (the editors' own, for lint)

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
    def sender_address(self) -> "Address":
        return header_address(self.sender)

    @property
    def reply_to_address(self) -> "Address | None":
        return header_address(self.reply_to) if self.reply_to else None


def header_address(text: str) -> "Address":
    """A checked "Name <user@domain>" as an email header address; an internationalised
    domain is written in its ASCII form (punycode), as mail headers need."""
    from email.headerregistry import Address  # here: `digest fetch` never needs it

    display, addr = parseaddr(text)
    user, _, domain = addr.rpartition("@")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")  # validate.mailbox checked it
    return Address(display_name=display, username=user, domain=domain)


DEFAULT_SECTIONS = (
    SectionSpec("lead", "A message from our leadership", ("year_end",), 1),
    SectionSpec("good-news", "Good news", ("good_news",), 5),
    SectionSpec("latest", "Latest", (), 8),
)
