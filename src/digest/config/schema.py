"""The shape of digest.toml and feeds/feeds.toml, declared once with msgspec.

Each field says its type, its bounds (``Meta``) and what else is checked (a
:class:`~.checks.Rule`); its default is the one of the settings object it fills
(:mod:`.model`), never written here a second time. :mod:`.load` turns a file into these
structs, runs the rules and builds the frozen :class:`~.model.Project`.
"""

# No `from __future__ import annotations`: msgspec and the rules read these annotations
# as objects made once at import, not strings evaluated again (6 ms less per run).
from typing import Annotated, Any

from msgspec import Meta, field

from .. import validate
from ..budget import GMAIL_CLIP
from ..esp import PROFILES, EspSettings
from ..kinds import STORY_KINDS
from ..models import FeedSource, SectionSpec
from . import checks
from .checks import TEXT, Rule
from .model import (
    MAX_RETENTION_DAYS,
    MAX_WINDOW_DAYS,
    SUBJECT_FIELDS,
    YEAR_END_FIELDS,
    DeskSettings,
    FetchSettings,
    Project,
    SmtpSettings,
    Table,
    Theme,
    UtmSettings,
    YearEndSettings,
)

Language = Annotated[str | None, Rule(checks.language)]
Url = Annotated[str | None, Rule(checks.url())]
_UTM_LINK = Rule(checks.matches(checks.UTM_PLAIN, "use letters, digits, . _ - ~"))
_UTM_CAMPAIGN = Rule(
    checks.first(
        checks.fields(("issue_id",)),
        checks.matches(checks.UTM, "use letters, digits, . _ - ~ and {issue_id}"),
    )
)


def _required(message: str) -> Rule:
    """A required text: missing or blank, the error says `message`."""
    return Rule(checks.nonblank(message), missing=message)


_MIN_BUDGET = 20_000  # bytes: the smallest html_budget accepted
_LIMIT = Meta(ge=0, le=50)
_LIMITS = dict(YearEndSettings.limits)


class Newsletter(Table, frozen=True):
    name: Annotated[str, _required("the newsletter needs a name")]
    sender: Annotated[
        str,
        Rule(
            validate.mailbox,
            hint='like "Northlight <news@example.org>"',
            missing="a sender address is required",
        ),
    ]
    reply_to: Annotated[
        str | None, Rule(validate.mailbox, hint='like "supporters@example.org"')
    ] = Project.reply_to
    website: Url = Project.website
    language: Language = None  # None: lang.DEFAULT (Project.language)
    template: str = Project.template
    subject: Annotated[
        str,
        Rule(
            checks.first(checks.nonblank("the subject is empty"), checks.fields(SUBJECT_FIELDS)),
            hint='for example subject = "{name}: {date}"',
        ),
    ] = Project.subject
    tagline: Annotated[str, TEXT] = Project.tagline
    timezone: Annotated[
        str, Rule(checks.time_zone, hint='use an IANA name such as "Europe/Paris"')
    ] = Project.timezone
    window_days: Annotated[int, Meta(ge=1, le=MAX_WINDOW_DAYS)] = Project.window_days
    per_feed_cap: Annotated[int, Meta(ge=1, le=1000)] = Project.per_feed_cap
    warn_after_failures: Annotated[int, Meta(ge=1, le=10_000)] = Project.warn_after_failures
    html_budget: Annotated[
        int,
        Meta(ge=_MIN_BUDGET, le=GMAIL_CLIP),
        Rule(
            bounds=f"must be between {_MIN_BUDGET} and {GMAIL_CLIP} bytes",
            hint="Gmail clips HTML past about 102 KB as sent",
        ),
    ] = Project.html_budget
    merge_tags: bool = Project.keep_tags  # keep mailing-service tags typed in these settings


class Section(Table, frozen=True):
    id: Annotated[str, Rule(checks.section_id, missing=checks.section_id(""))]
    title: Annotated[
        str | None,
        Rule(checks.nonblank("the title is empty"), hint="leave it out for one made from the id"),
    ] = None  # None: made from the id
    # language tag -> title, checked by the loader (the tags are keys msgspec cannot name)
    titles: dict[str, Any] = field(default_factory=dict)
    kinds: Annotated[
        tuple[str, ...],
        Rule(checks.one_of(STORY_KINDS, "story kind"), hint=f"use one of {', '.join(STORY_KINDS)}"),
    ] = SectionSpec.kinds
    max: Annotated[int, Meta(ge=1, le=50)] = SectionSpec.max_items


class Store(Table, frozen=True):
    path: Annotated[
        str, Rule(checks.nonblank("the store path is empty"), hint='like "digest.sqlite3"')
    ] = str(Project.store_path)
    retention_days: Annotated[int, Meta(ge=7, le=MAX_RETENTION_DAYS)] = Project.retention_days


class Curation(Table, frozen=True):
    watchlist: Annotated[tuple[str, ...], TEXT] = Project.watchlist
    novelty_days: Annotated[int, Meta(ge=0, le=400)] = Project.novelty_days
    classifier: bool = Project.classifier


class Esp(Table, frozen=True):
    name: Annotated[
        str,
        Rule(
            checks.one_of(PROFILES, "mailing service"), hint=f"choose one of {', '.join(PROFILES)}"
        ),
    ] = EspSettings.name
    unsubscribe_url: Annotated[str | None, Rule(checks.url(("https",)))] = (
        EspSettings.unsubscribe_url
    )
    unsubscribe_mailto: Annotated[str | None, Rule(validate.mailto)] = (
        EspSettings.unsubscribe_mailto
    )
    web_version_url: Url = EspSettings.web_version_url


class Links(Table, frozen=True):
    utm_source: Annotated[str | None, _UTM_LINK] = UtmSettings.source
    utm_medium: Annotated[str | None, _UTM_LINK] = UtmSettings.medium
    utm_campaign: Annotated[str | None, _UTM_CAMPAIGN] = UtmSettings.campaign
    utm_content_per_item: bool = UtmSettings.per_item


class Smtp(Table, frozen=True):
    host: Annotated[str | None, Rule(checks.first(checks.text, validate.host))] = SmtpSettings.host
    port: Annotated[int, Meta(ge=1, le=65535)] | None = None  # None: by security
    security: Annotated[
        str,
        Rule(
            checks.one_of(("starttls", "tls", "none"), "security mode"),
            hint="use starttls, tls or none",
        ),
    ] = SmtpSettings.security
    user: Annotated[str | None, TEXT] = SmtpSettings.user
    password: Annotated[str | None, TEXT] = SmtpSettings.password
    password_env: Annotated[str, TEXT] = SmtpSettings.password_env
    timeout: Annotated[float, Meta(ge=0.001, le=3600)] = SmtpSettings.timeout


_YearEndText = Annotated[str | None, Rule(checks.fields(YEAR_END_FIELDS))]
_YearEndSubject = Annotated[
    str | None,
    Rule(checks.first(checks.nonblank("the subject is empty"), checks.fields(YEAR_END_FIELDS))),
]


class YearEnd(Table, frozen=True):
    name: _YearEndText = YearEndSettings.name
    tagline: _YearEndText = YearEndSettings.tagline
    subject: _YearEndSubject = YearEndSettings.subject
    utm_campaign: Annotated[
        str,
        Rule(
            checks.first(
                checks.fields(("issue_id", "year", "language")),
                checks.matches(checks.UTM, "use letters, digits, . _ - ~ and placeholders"),
            )
        ),
    ] = YearEndSettings.utm_campaign
    good_news: Annotated[int, _LIMIT] = _LIMITS["good_news"]
    campaign: Annotated[int, _LIMIT] = _LIMITS["campaign"]
    grim: Annotated[int, _LIMIT] = _LIMITS["grim"]
    per_month: Annotated[int, Meta(ge=1, le=20)] = YearEndSettings.per_month


class DigestFile(Table, frozen=True):
    """digest.toml."""

    newsletter: Annotated[
        Newsletter, Rule(missing="a [newsletter] table with name and sender is required")
    ]
    theme: Theme = Theme()
    fetch: FetchSettings = FetchSettings()
    store: Store = Store()
    curation: Curation = Curation()
    esp: Esp = Esp()
    links: Links = Links()
    smtp: Smtp = Smtp()
    labels: dict[str, Any] = field(default_factory=dict)  # [labels.<tag>]: checked by the loader
    year_end: YearEnd = YearEnd()
    desk: DeskSettings = DeskSettings()
    section: Annotated[tuple[Section, ...], Rule(hint="use [[section]] tables")] = ()


class Feed(Table, frozen=True):
    name: Annotated[str, _required("each feed needs a name")]
    url: Annotated[str, _required("each feed needs a url (http(s) URL or a path in the project)")]
    weight: Annotated[float, Meta(ge=0, le=10)] = FeedSource.weight
    tags: Annotated[tuple[str, ...], TEXT] = FeedSource.tags
    language: Language = FeedSource.language


class FeedsFile(Table, frozen=True):
    """feeds/feeds.toml."""

    feed: Annotated[tuple[Feed, ...], Rule(hint="use [[feed]] tables")] = ()
