"""Link tagging: UTM parameters on every web link of an issue, the same in HTML and text.

Existing query strings and fragments are kept, parameters already present are not
overwritten, and anything that is not an absolute http(s) URL (mailto, merge tags,
digest's own placeholders) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape, unescape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .config import UtmSettings

_HREF = re.compile(r'href="(https?://[^"]+)"')
_TEXT_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]")
_RESERVED = ".invalid"


def tag_url(url: str, utm: UtmSettings, issue_id: str, content: str | None = None) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1/..." in a text: not a URL to tag
        return url
    if parts.scheme not in ("http", "https") or (parts.hostname or "").endswith(_RESERVED):
        return url
    wanted = {
        "utm_source": utm.source,
        "utm_medium": utm.medium,
        "utm_campaign": utm.campaign.replace("{issue_id}", issue_id) if utm.campaign else None,
        "utm_content": content if utm.per_item else None,
    }
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    extra = [(k, v) for k, v in wanted.items() if v and k not in present]
    if not extra:
        return url
    joined = parts.query + ("&" if parts.query else "") + urlencode(extra)
    return urlunsplit(parts._replace(query=joined))


def tag_html(html: str, utm: UtmSettings, issue_id: str, content: Mapping[str, str]) -> str:
    """Tag every href; attribute values are HTML-escaped, so unescape, tag, escape."""
    if not utm.enabled:
        return html

    def one(match: re.Match[str]) -> str:
        url = unescape(match.group(1))
        return f'href="{escape(tag_url(url, utm, issue_id, content.get(url)), quote=True)}"'

    return _HREF.sub(one, html)


def tag_text(text: str, utm: UtmSettings, issue_id: str, content: Mapping[str, str]) -> str:
    if not utm.enabled:
        return text
    return _TEXT_URL.sub(
        lambda m: tag_url(m.group(0), utm, issue_id, content.get(m.group(0))), text
    )
