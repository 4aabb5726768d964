"""Mailing-service profiles: each service's merge tags for the unsubscribe link, the web
version and the preview text.

Templates render with neutral placeholders (ordinary https URLs on a reserved domain and
a plain marker), which Jinja, MRML, premailer and html2text pass through untouched; the
service's literal tags replace them last, in both the HTML and the text part
(:func:`substitute`). `digest lint` checks the mandatory tags are there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import lang
from .errors import ConfigError

UNSUBSCRIBE = "https://digest.invalid/__unsubscribe__"
WEB_VERSION = "https://digest.invalid/__web_version__"
PREVIEW = "__DIGEST_PREVIEW_TEXT__"


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    unsubscribe: str | None = None  # literal tag, or None when the service adds its own
    web_version: str | None = None
    preview: str | None = None  # a tag the service fills with the campaign's preview text

    @property
    def mandatory(self) -> tuple[str, ...]:
        return (self.unsubscribe,) if self.unsubscribe else ()


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("none", "No mailing service (a draft to read or forward)"),
        Profile(
            "mailchimp",
            "Mailchimp",
            "*|UNSUB|*",
            "*|ARCHIVE|*",
            "*|MC_PREVIEW_TEXT|*",
        ),
        Profile("listmonk", "listmonk", "{{ UnsubscribeURL }}", "{{ MessageURL }}"),
        Profile("mailgun", "Mailgun", "%unsubscribe_url%"),
        Profile("sendgrid", "SendGrid", "<%asm_group_unsubscribe_raw_url%>"),
        Profile("brevo", "Brevo (Sendinblue)", "{{ unsubscribe }}", "{{ mirror }}"),
        Profile("sendy", "Sendy", "[unsubscribe]", "[webversion]"),
        Profile("campaign-monitor", "Campaign Monitor", "[unsubscribe]", "[webversion]"),
        Profile("postmark", "Postmark broadcasts", "{{{ pm:unsubscribe }}}"),
        Profile("ses", "Amazon SES", "{{amazonSESUnsubscribeUrl}}"),
        Profile("mailjet", "Mailjet", "[[UNSUB_LINK_EN]]"),
        Profile(
            "smtp",
            "Plain SMTP (your own unsubscribe URL or address)",
        ),
    )
}


@dataclass(frozen=True)
class EspSettings:
    """[esp] in digest.toml: the default profile and, for smtp, where unsubscribing goes."""

    name: str = "none"
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    web_version_url: str | None = None


def profile(name: str, language: str = lang.DEFAULT) -> Profile:
    try:
        found = PROFILES[name]
    except KeyError:
        raise ConfigError(
            f"unknown mailing service {name!r}", hint=f"choose one of {', '.join(PROFILES)}"
        ) from None
    primary = language.split("-", 1)[0].lower()
    if found.name == "mailjet" and primary != "en":  # Mailjet localises its unsubscribe page
        return Profile(found.name, found.label, f"[[UNSUB_LINK_{primary.upper()}]]")
    return found


def smtp_unsubscribe(settings: EspSettings) -> str | None:
    """The visible unsubscribe link of the smtp profile: the URL, else the mailto."""
    return settings.unsubscribe_url or settings.unsubscribe_mailto


def check_unsubscribe(settings: EspSettings, config: Path, name: str | None = None) -> None:
    """Refuse the smtp profile (`name`, else the project's) without an unsubscribe target."""
    if (name or settings.name) == "smtp" and not smtp_unsubscribe(settings):
        raise ConfigError(
            "the smtp profile needs [esp] unsubscribe_url or unsubscribe_mailto",
            path=config,
            hint="every bulk email must offer a way to unsubscribe",
        )


def substitute(
    text: str, chosen: Profile, settings: EspSettings, preheader: str, *, html: bool = False
) -> str:
    """Replace the neutral placeholders with the service's literal tags (or, for smtp and
    none, with real URLs, or with nothing). The project's own URLs land in HTML attributes,
    so in the HTML they are escaped for one (digest.toml has already refused quotes, spaces
    and angle brackets in them); the text part gets them as they are."""
    unsubscribe = chosen.unsubscribe
    web = chosen.web_version
    if chosen.name == "smtp":
        unsubscribe = _attribute(smtp_unsubscribe(settings), html)
        web = _attribute(settings.web_version_url, html)
    elif chosen.name == "none":
        web = _attribute(settings.web_version_url, html)
    text = text.replace(UNSUBSCRIBE, unsubscribe or "")
    text = text.replace(WEB_VERSION, web or "")
    return text.replace(PREVIEW, chosen.preview or preheader)


def _attribute(url: str | None, html: bool) -> str | None:
    if url is None or not html:
        return url
    from html import escape

    return escape(url, quote=True)


def has_unsubscribe(chosen: Profile, settings: EspSettings) -> bool:
    return bool(chosen.unsubscribe or (chosen.name == "smtp" and smtp_unsubscribe(settings)))


def has_web_version(chosen: Profile, settings: EspSettings) -> bool:
    return bool(chosen.web_version or settings.web_version_url)
