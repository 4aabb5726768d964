"""One case of bench/config_schema: the demo project's digest.toml and feeds.toml declared
in LIB (msgspec, cattrs or pydantic). Prints milliseconds to import and define, to load
once, and microseconds per warm load (median of 1,000)."""
import sys
import time
import tomllib
from pathlib import Path
from typing import Annotated

LIB = sys.argv[1]
ROOT = Path(sys.argv[2])
N = 1000
# What `digest fetch` loads anyway, besides a schema library (digest.config itself now
# imports msgspec, so it is not imported here).
import click  # noqa: E402, F401
import httpx  # noqa: E402, F401
import sqlite3  # noqa: E402, F401
import email.utils  # noqa: E402, F401
import zoneinfo  # noqa: E402, F401
import dataclasses  # noqa: E402, F401

t0 = time.perf_counter()

if LIB == "msgspec":
    import msgspec
    from msgspec import Meta, Struct

    class S(Struct, forbid_unknown_fields=True, frozen=True):
        pass

    class Newsletter(S):
        name: str
        sender: str
        tagline: str = ""
        reply_to: str | None = None
        website: str | None = None
        language: str = "en"
        template: str = "weekly"
        subject: str = "{name}: {date}"
        timezone: str = "UTC"
        window_days: Annotated[int, Meta(ge=1, le=3660)] = 7
        per_feed_cap: Annotated[int, Meta(ge=1, le=1000)] = 4
        html_budget: Annotated[int, Meta(ge=20000, le=102000)] = 95000

    class Theme(S):
        primary: str = "#1d3557"
        accent: str = "#e9a23b"
        background: str = "#f4f1ea"
        surface: str = "#ffffff"
        text: str = "#1f2328"
        muted: str = "#5c6370"
        font_family: str = ""
        heading_font_family: str = ""
        footer_address: str = ""
        logo_url: str | None = None
        logo_alt: str = ""
        logo_width: Annotated[int, Meta(ge=16, le=600)] = 160

    class Section(S):
        id: str
        title: str | None = None
        titles: dict[str, str] = {}
        kinds: tuple[str, ...] = ()
        max: Annotated[int, Meta(ge=1, le=50)] = 6

    class YearEnd(S):
        name: str | None = None
        subject: str | None = None
        utm_campaign: str = "{issue_id}"
        good_news: Annotated[int, Meta(ge=0, le=50)] = 10
        campaign: Annotated[int, Meta(ge=0, le=50)] = 5
        grim: Annotated[int, Meta(ge=0, le=50)] = 5

    class Esp(S):
        name: str = "none"
        unsubscribe_url: str | None = None
        unsubscribe_mailto: str | None = None

    class Links(S):
        utm_source: str | None = None
        utm_medium: str | None = None
        utm_campaign: str | None = None

    class Store(S):
        path: str = "digest.sqlite3"
        retention_days: Annotated[int, Meta(ge=7, le=36600)] = 400

    class Config(S):
        newsletter: Newsletter
        theme: Theme = Theme()
        section: tuple[Section, ...] = ()
        year_end: YearEnd = YearEnd()
        labels: dict[str, dict[str, str]] = {}
        esp: Esp = Esp()
        links: Links = Links()
        store: Store = Store()

    class Feed(S):
        name: str
        url: str
        weight: Annotated[float, Meta(ge=0, le=10)] = 1.0
        tags: tuple[str, ...] = ()
        language: str | None = None

    class Feeds(S):
        feed: tuple[Feed, ...] = ()

    def load(c, f):
        return msgspec.convert(c, Config), msgspec.convert(f, Feeds)

elif LIB == "cattrs":
    import attrs
    import cattrs
    from attrs import field, frozen
    from attrs.validators import ge, le, and_

    def b(lo, hi):
        return and_(ge(lo), le(hi))

    @frozen
    class Newsletter:
        name: str
        sender: str
        tagline: str = ""
        reply_to: str | None = None
        website: str | None = None
        language: str = "en"
        template: str = "weekly"
        subject: str = "{name}: {date}"
        timezone: str = "UTC"
        window_days: int = field(default=7, validator=b(1, 3660))
        per_feed_cap: int = field(default=4, validator=b(1, 1000))
        html_budget: int = field(default=95000, validator=b(20000, 102000))

    @frozen
    class Theme:
        primary: str = "#1d3557"
        accent: str = "#e9a23b"
        background: str = "#f4f1ea"
        surface: str = "#ffffff"
        text: str = "#1f2328"
        muted: str = "#5c6370"
        font_family: str = ""
        heading_font_family: str = ""
        footer_address: str = ""
        logo_url: str | None = None
        logo_alt: str = ""
        logo_width: int = field(default=160, validator=b(16, 600))

    @frozen
    class Section:
        id: str
        title: str | None = None
        titles: dict[str, str] = field(factory=dict)
        kinds: tuple[str, ...] = ()
        max: int = field(default=6, validator=b(1, 50))

    @frozen
    class YearEnd:
        name: str | None = None
        subject: str | None = None
        utm_campaign: str = "{issue_id}"
        good_news: int = field(default=10, validator=b(0, 50))
        campaign: int = field(default=5, validator=b(0, 50))
        grim: int = field(default=5, validator=b(0, 50))

    @frozen
    class Esp:
        name: str = "none"
        unsubscribe_url: str | None = None
        unsubscribe_mailto: str | None = None

    @frozen
    class Links:
        utm_source: str | None = None
        utm_medium: str | None = None
        utm_campaign: str | None = None

    @frozen
    class Store:
        path: str = "digest.sqlite3"
        retention_days: int = field(default=400, validator=b(7, 36600))

    @frozen
    class Config:
        newsletter: Newsletter
        theme: Theme = Theme()
        section: tuple[Section, ...] = ()
        year_end: YearEnd = YearEnd()
        labels: dict[str, dict[str, str]] = field(factory=dict)
        esp: Esp = Esp()
        links: Links = Links()
        store: Store = Store()

    @frozen
    class Feed:
        name: str
        url: str
        weight: float = field(default=1.0, validator=b(0, 10))
        tags: tuple[str, ...] = ()
        language: str | None = None

    @frozen
    class Feeds:
        feed: tuple[Feed, ...] = ()

    conv = cattrs.Converter(forbid_extra_keys=True)

    def load(c, f):
        return conv.structure(c, Config), conv.structure(f, Feeds)

elif LIB == "pydantic":
    from pydantic import BaseModel, ConfigDict, Field

    class M(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    class Newsletter(M):
        name: str
        sender: str
        tagline: str = ""
        reply_to: str | None = None
        website: str | None = None
        language: str = "en"
        template: str = "weekly"
        subject: str = "{name}: {date}"
        timezone: str = "UTC"
        window_days: int = Field(7, ge=1, le=3660)
        per_feed_cap: int = Field(4, ge=1, le=1000)
        html_budget: int = Field(95000, ge=20000, le=102000)

    class Theme(M):
        primary: str = "#1d3557"
        accent: str = "#e9a23b"
        background: str = "#f4f1ea"
        surface: str = "#ffffff"
        text: str = "#1f2328"
        muted: str = "#5c6370"
        font_family: str = ""
        heading_font_family: str = ""
        footer_address: str = ""
        logo_url: str | None = None
        logo_alt: str = ""
        logo_width: int = Field(160, ge=16, le=600)

    class Section(M):
        id: str
        title: str | None = None
        titles: dict[str, str] = {}
        kinds: list[str] = []
        max: int = Field(6, ge=1, le=50)

    class YearEnd(M):
        name: str | None = None
        subject: str | None = None
        utm_campaign: str = "{issue_id}"
        good_news: int = Field(10, ge=0, le=50)
        campaign: int = Field(5, ge=0, le=50)
        grim: int = Field(5, ge=0, le=50)

    class Esp(M):
        name: str = "none"
        unsubscribe_url: str | None = None
        unsubscribe_mailto: str | None = None

    class Links(M):
        utm_source: str | None = None
        utm_medium: str | None = None
        utm_campaign: str | None = None

    class Store(M):
        path: str = "digest.sqlite3"
        retention_days: int = Field(400, ge=7, le=36600)

    class Config(M):
        newsletter: Newsletter
        theme: Theme = Theme()
        section: list[Section] = []
        year_end: YearEnd = YearEnd()
        labels: dict[str, dict[str, str]] = {}
        esp: Esp = Esp()
        links: Links = Links()
        store: Store = Store()

    class Feed(M):
        name: str
        url: str
        weight: float = Field(1.0, ge=0, le=10)
        tags: list[str] = []
        language: str | None = None

    class Feeds(M):
        feed: list[Feed] = []

    def load(c, f):
        return Config.model_validate(c), Feeds.model_validate(f)

t1 = time.perf_counter()
c = tomllib.loads((ROOT / "digest.toml").read_text())
f = tomllib.loads((ROOT / "feeds/feeds.toml").read_text())
load(c, f)
t2 = time.perf_counter()
times = []
for _ in range(N):
    s = time.perf_counter()
    load(c, f)
    times.append(time.perf_counter() - s)
times.sort()
print(f"{1000 * (t1 - t0):.2f} {1000 * (t2 - t1):.3f} {1e6 * times[len(times) // 2]:.2f}")
