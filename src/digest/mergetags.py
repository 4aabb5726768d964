"""Mailing-service merge tags: one vocabulary to neutralise them in feed text and find them
in a built issue (pure functions).

A mailing service substitutes its merge tags in the raw HTML and text it is given, so a
feed that writes ``*|EMAIL|*`` into an image URL would, built for Mailchimp, send every
subscriber's address to the feed's server. Every profile in :mod:`digest.esp` is covered
at once (the store does not know which service an issue will be built for):

=========================  ============================================================
Mailchimp, Mandrill        ``*|EMAIL|*`` (and ``*%7CEMAIL%7C*`` in links)
Handlebars, Mustache,      ``{{ x }}``, ``{{{ x }}}``, ``{% x %}``, ``{# x #}``: listmonk
Liquid, Jinja, Go          (Go templates), Brevo, Postmark, Amazon SES, SendGrid, Mailjet
MailerLite                 ``{$email}``
Mailgun                    ``%recipient.email%``, ``%unsubscribe_url%``
SendGrid (legacy)          ``<%asm_group_unsubscribe_raw_url%>``, ``[%first_name%]``
Sendy, Campaign Monitor    ``[Email]``, ``[unsubscribe]``, ``[firstname,fallback=you]``
Mailjet (legacy)           ``[[UNSUB_LINK_EN]]``, ``[[data:name:""]]``
listmonk                   ``https://example.org@TrackLink`` (a tracking shorthand)
=========================  ============================================================

Text is neutralised by putting a ZERO WIDTH SPACE (U+200B) between the two characters of
each opening or closing delimiter: the reader sees the same text, no service sees a tag.
URLs cannot carry that character, so their delimiters are percent-encoded instead (they
are not valid in a URL anyway), and a star next to an encoded pipe is encoded too.
SendGrid's API-level substitutions (``-name-``) are keys the sender chooses per send, and
digest never sends through that API: they are left alone (breaking every ``-word-`` would
garble text and URLs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

BREAK = "\u200b"
# Positions between the two characters of a delimiter (text and non-URL attributes).
_PAIRS = re.compile(
    r"(?<=\*)(?=\||%7[cC])|(?<=\|)(?=\*)|(?<=%7[cC])(?=\*)"  # *| |* *%7C %7C*
    r"|(?<=\{)(?=[{%#$])|(?<=[}%#])(?=\})"  # {{ {% {# {$ }} %} #}
    r"|(?<=\[)(?=[\[%]|[^\W\d])|(?<=\])(?=\])"  # [[ [% [word ]]
    r"|(?<=<)(?=%)|(?<=%)(?=[>\]])"  # <% %> %]
    r"|(?<=%)(?![0-9A-Fa-f]{2})(?=[^\W\d])"  # %word (not %E2, a percent-encoded byte)
    r"|(?<=@)(?=(?i:track(?:link|view)))",  # url@TrackLink
)
# A cheap first look: does the text hold anything _PAIRS could match?
_HINT = re.compile(r"[*|{}\[\]<>%@]")
_URL_UNSAFE = re.compile(r"[{}\[\]<>|\\^`\" ]|%(?![0-9A-Fa-f]{2})|@(?=(?i:track(?:link|view)))")
_URL_STAR = re.compile(r"\*(?=%7[cC])|(?<=%7[cC])\*")
_URL_HINT = re.compile(r"[{}\[\]<>|\\^`\" %@*]")

# Tags as a service would see them, for `digest lint` (comments and <style> removed first).
TAG = re.compile(
    r"\*\|[^\n]{0,80}?\|\*|\*%7C[^\n]{0,80}?%7C\*"
    r"|\{\{[^\n]{0,200}?\}\}|\{%[^\n]{0,200}?%\}|\{#[^\n]{0,200}?#\}|\{\$\w{1,60}\}"
    r"|\[\[[^\n]{0,80}?\]\]|<%[^\n]{0,80}?%>|\[%[^\n]{0,80}?%\]"
    r"|%(?![0-9A-Fa-f]{2})[^\W\d][\w.]{0,60}%"
    r"|\[[^\W\d][\w .-]{0,40}(?:,\s*fallback=[^\]\n]{0,80})?\]"
    r"|@Track(?:Link|View)\b",
    re.IGNORECASE,
)
_NOT_CONTENT = re.compile(r"<!--.*?-->|<style\b.*?</style>", re.DOTALL | re.IGNORECASE)


def neutralise(text: str) -> str:
    """Text with every merge-tag delimiter broken by U+200B (idempotent)."""
    if not _HINT.search(text):
        return text
    return _PAIRS.sub(BREAK, text)


def neutralise_url(url: str) -> str:
    """An absolute URL with merge-tag delimiters percent-encoded after its authority, and
    its user information (which could carry a tag) removed. Idempotent."""
    if not _URL_HINT.search(url):
        return url
    scheme, sep, rest = url.partition("://")
    if sep:
        cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        authority = rest[:cut].rpartition("@")[2]
        head, tail = f"{scheme}://{authority}", rest[cut:]
    else:  # mailto:
        head, tail = url[: url.index(":") + 1], url[url.index(":") + 1 :]
    tail = _URL_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", tail)
    return head + _URL_STAR.sub("%2A", tail)


def find_tags(source: str, *, markup: bool = False) -> list[str]:
    """Every merge-tag-looking sequence in a built issue's HTML (`markup`) or text."""
    if markup:
        source = _NOT_CONTENT.sub(" ", source)
    return [m.group(0) for m in TAG.finditer(source)]


def foreign_tags(source: str, allowed: Iterable[str], *, markup: bool = False) -> list[str]:
    """The tags in `source` that are not one of `allowed` (the profile's own)."""
    own = [a for a in allowed if a]
    for tag in own:
        source = source.replace(tag, " ")
    return find_tags(source, markup=markup)
