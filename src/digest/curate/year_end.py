"""Year-end messages have signals of their own, in any of our languages: who speaks (a
secretary general, an executive director, a president), what it is (a year-end message,
a letter, a year in review, a bilan, vœux), when (December and early January), to whom
(supporters, members, friends) and how (thanks, looking back, the year's number).

Each facet found is a :class:`Reason` with points; together they are the year-end
evidence, beside the rule pack's phrases. Spelling variants all count: "year end",
"year-end", "end of year", "end-of-year", "fin d'année".
"""

from __future__ import annotations

import re
from datetime import datetime

from ..models import Entry, Reason
from .rules import normalise

# (facet, points, pattern). A weak "what" (any message or letter) counts less than a
# message that says it belongs to the year's end.
_YE = (
    r"(?:year[- ]?end|end[- ]of[- ](?:the[- ])?year|fin d'(?:une )?année|fin de l'année|fin de año)"
)
_FACETS: tuple[tuple[str, float, str], ...] = (
    (
        "what",
        5.0,
        rf"{_YE}[- ](?:message|letter|note|address|greeting|reflection)s?"
        rf"|(?:message|letter|lettre|mensaje|carta)s? (?:de |d'|of |for )?(?:la )?{_YE}"
        r"|(?:the |our |a |my )?year in (?:review|numbers|pictures|human rights|photos)"
        r"|(?:the|our|a) year (?:behind|that was)"
        r"|looking back (?:on|at) (?:20\d\d|the year|this year|a year)"
        r"|(?:\w+ )?in review|year[- ]in[- ]review|bilan (?:de l'année|annuel|\d{4}|de \d{4})"
        r"|l'année (?:20\d\d )?en (?:revue|images|chiffres)|rétrospective"
        r"|retour sur (?:l'année|20\d\d)"
        r"|(?:meilleurs |nos )?v(?:œ|oe)ux|balance del año|resumen del año|el año en"
        r"|as (?:20\d\d|this year|the year) (?:draws|comes|came|drew) to (?:a close|an end)"
        r"|(?:as we|we) (?:near|approach|reach) the end of (?:20\d\d|the year|this year)"
        r"|alors que (?:20\d\d|l'année|cette année) s'achève|l'année qui s'achève"
        r"|(?:annual|year-end|winter|end-of-year) (?:fundraising|fund drive|appeal|campaign)"
        r"|fundrais(?:er|ing campaign)|campaign total|support (?:our work|us) (?:for|in) 20\d\d"
        r"|(?:the|a|what a) year (?:20\d\d )?(?:has been|was)|20\d\d (?:has been|was) a"
        r"|bonne année|happy new year|the year ahead|l'année à venir"
        r"|(?:holiday|christmas|new year'?s?) (?:message|statement|greeting|letter|special"
        r"|update|wrap-up)s?"
        r"|reflections? on (?:20\d\d|the year|this year|the past year)|réflexions? sur 20\d\d"
        r"|(?:wins|victories|successes|achievements|accomplishments|highlights|good news)"
        r" (?:of|from|in) (?:20\d\d|the year|this year|the past year)"
        r"|(?:victoires|succès|réussites|temps forts|bonnes nouvelles|avancées) (?:de|en)"
        r" (?:l'année|20\d\d|cette année)"
        r"|(?:what|everything|all) (?:we|you) (?:achieved|accomplished|won)(?: together)?"
        r"|ce que (?:nous avons|vous avez) (?:accompli|obtenu|gagné|réalisé)"
        r"|(?:19|20)\d\d\W{0,3} (?:a|an|une) (?:year|année) (?:of|de|d')"
        r"|(?:an?|this|what an?) (?:incredible|extraordinary|remarkable|amazing|historic"
        r"|unforgettable|momentous|challenging|difficult|tumultuous|eventful) year"
        r"|(?:une|cette) année (?:exceptionnelle|historique|de combats|de mobilisations?"
        r"|de victoires|difficile|intense|riche|mouvementée|éprouvante)"
        r"|thank you for (?:an?|this|the|another) (?:\w+ )?year|merci pour cette année"
        r"|رسالة (?:نهاية|العام الجديد)|حصاد (?:العام|عام)|نهاية (?:العام|السنة)",
    ),
    ("what", 2.0, r"(?:a |our |my )?(?:message|letter|lettre|mensaje|carta|bilan)\b"),
    (
        "who",
        3.0,
        r"secr[ée]taires?[- ]g[ée]n[ée]ral(?:e|es)?|secretary[- ]general|secretario general"
        r"|secretaria general|executive director|directeur (?:exécutif|général)"
        r"|directrice (?:exécutive|générale)|director(?:a)? ejecutiv[oa]"
        r"|chief executive(?: officer)?|\bceo\b"
        r"|(?:our|notre|nuestr[oa]) (?:president|présidente?|presidenta?|chair|director|directeur"
        r"|directrice|ceo|founder|fondat(?:eur|rice))|board chair|chair of the board"
        r"|président(?:e)? d[eu'] (?:la |l')?(?:fédération|ligue|association|conseil|bureau)"
        r"|الأمين العام|الأمينة العامة|المدير التنفيذي|المديرة التنفيذية",
    ),
    (
        "whom",
        2.0,
        r"supporters|members|friends|donors|readers|community"
        r"|sympathisant(?:e|·e)?s|adhérent(?:e|·e)?s|lect(?:eurs|rices)|communauté"
        r"|ami(?:e|·e)?s|donat(?:eur|rice)s|membres|simpatizantes|soci[oa]s|amig[oa]s"
        r"|dear \w+|cher(?:e|·e)?s \w+|أعضاء\w*|داعمي\w*|أصدقاء\w*|مؤيدي\w*",
    ),
    (
        "how",
        2.0,
        r"thank(?:s| you)|grateful|gratitude|looking back|look back|merci|remerci\w*"
        r"|reconnaissan\w*|gracias|as (?:this|the) year (?:draws|comes) to (?:a close|an end)"
        r"|(?:this|cette|este) (?:past )?(?:year|année|año)|in 20\d\d,? (?:you|we)"
        r"|as (?:this|the) (?:new )?year begins"
        r"|(?:à l'aube|au seuil) de (?:la nouvelle année|20\d\d)"
        r"|(?:we|i) want to (?:thank|take a moment)|please (?:donate|give|support)"
        r"|(?:donate|give) today|faites un don|soutenez-nous|par un don|\bdon\b"
        r"|in 20\d\d,? (?:the|our)|(?:in|of|for) 20\d\d$|شكرا|شكرًا|نشكر\w*"
        r"|thanks to you|because of you|(?:you|your support) made (?:it |this |them )?possible"
        r"|grâce à (?:vous|votre|vos|toutes et tous)|together,? we|ensemble,? nous",
    ),
)
_PATTERNS = tuple(
    (facet, points, re.compile(rf"(?<!\w)(?:{source})(?!\w)")) for facet, points, source in _FACETS
)
_NOT = re.compile(
    r"(?:year[- ]?end|fin d'année|end[- ]of[- ]year) (?:amnest\w*|amnistie|report on)"
)
WHEN_POINTS = 2.0
TOPIC_POINTS = -6.0
OFF_SEASON_POINTS = -8.0
_RULING_OUT = ("year_end:topic", "year_end:off_season")
# "2013 in Review: CDA 230 and …": one part of a staff series on single topics
# or "Looking back at 2012 in South Asia": a round-up of one region
_TOPIC_REVIEW = re.compile(
    r"^\W*(?:(?:19|20)\d\d|the year) in review\s*[:\-–—|]\s*\w"
    r"|^\W*looking back (?:at|on) (?:19|20)\d\d in \w"
)
# "The 7 Most-Read Stories of 2015", "The Best Stories of 2015, Handpicked by …": a list of
# the year's posts is a best-of listicle (docs/labelling.md), whoever it is addressed to
_ROUNDUP = re.compile(
    r"^\W*(?:the |our )?(?:\d+ )?(?:most[- ](?:read|popular|viewed|shared)|best|top(?: \d+)?)"
    r" (?:\w+ )?(?:stories|posts|articles|reads|billets)\b"
    r"|^\W*(?:les |nos )?(?:\d+ )?(?:articles|billets) les plus (?:lus|populaires)"
    r"|(?:stories|posts|articles|billets) (?:of|in|from|de|en) (?:19|20)\d\d\W*$"
)
# the organisation speaking of itself ("our wins", "ce que nous avons fait")
_OURS = re.compile(r"(?<!\w)(?:our|we|us|notre|nos|nous|nuestr[oa]s?)(?!\w)")
_OUR_YEAR = re.compile(r"(?<!\w)(?:our|notre|nuestro) (?:year|année|año|(?:19|20)\d\d)(?!\w)")
LABELS = {
    "what": "what it is",
    "who": "who speaks",
    "whom": "to whom",
    "how": "how it speaks",
    "when": "when",
}


def facets(entry: Entry) -> tuple[Reason, ...]:
    """The year-end facets found in the title and text of an entry: at most one reason per
    facet (the strongest). The season is :func:`season`."""
    text = normalise(f"{entry.title}\n{entry.excerpt}")
    text = _NOT.sub(" ", text)
    found: dict[str, Reason] = {}
    for facet, points, pattern in _PATTERNS:
        if facet in found:
            continue
        match = pattern.search(text)
        if match:
            words = " ".join(match.group(0).split())
            found[facet] = Reason(
                f"year_end:{facet}", points, f"year-end message, {LABELS[facet]}: “{words}”"
            )
    return tuple(found.values())


def topic_review(entry: Entry, found: tuple[Reason, ...]) -> Reason | None:
    """A staff review of one topic ("2023 in Review: encryption") is not the organisation
    speaking to its supporters, unless a leader signs it or it is addressed to them (a
    "who" or "to whom" facet) or the organisation speaks of its own year ("our wins");
    nor is a list of the year's most-read stories."""
    title = normalise(entry.title)
    if _ROUNDUP.search(title):
        return Reason(
            "year_end:topic",
            TOPIC_POINTS,
            "year-end message? no: a list of the year's stories, not a message to supporters",
        )
    if not _TOPIC_REVIEW.search(title):
        return None
    if any(r.signal in ("year_end:who", "year_end:whom") for r in found):
        return None
    if _OURS.search(title) or _OUR_YEAR.search(normalise(entry.excerpt)):
        return None
    return Reason(
        "year_end:topic",
        TOPIC_POINTS,
        "year-end message? no: a staff review of one topic, not a message to supporters",
    )


def season(entry: Entry) -> Reason | None:
    if not in_season(entry.published):
        return None
    return Reason("season", WHEN_POINTS, "year-end message, when: published in the year-end season")


def off_season(entry: Entry) -> Reason | None:
    """A year-end message is published at the turn of the year: a leader's letter in
    March or August is not one (docs/labelling.md). Rules the kind out, for the rules and
    the classifier alike (:func:`ruled_out`)."""
    if turn_of_year(entry.published):
        return None
    month = entry.published.strftime("%B")
    return Reason(
        "year_end:off_season",
        OFF_SEASON_POINTS,
        f"year-end message? no: published in {month}, far from the turn of the year",
    )


def ruled_out(reasons: tuple[Reason, ...]) -> bool:
    """The evidence says this is no year-end message, whatever else it says: published
    far from the turn of the year, a staff review of one topic or a list of the year's
    stories; or it says nothing of one (no facet or phrase: the season alone, or the
    classifier's words alone, make no year-end message)."""
    if any(r.signal in _RULING_OUT for r in reasons):
        return True
    return not any(r.points > 0 and r.signal != "season" for r in reasons)


def turn_of_year(when: datetime) -> bool:
    """November to January: wider than :func:`in_season`, for listings that give only a
    post's month and year-end campaigns that open in early November."""
    return when.month in (11, 12, 1)


def in_season(when: datetime) -> bool:
    """From late November to mid January."""
    return (
        when.month == 12
        or (when.month == 1 and when.day <= 15)
        or (when.month == 11 and when.day >= 20)
    )
