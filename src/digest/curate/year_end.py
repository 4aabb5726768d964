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
from functools import lru_cache

from ..models import Entry, Reason
from .accents import compile_tolerant
from .rules import normalise
from .year_end_words import CLERGY, CLOSING, TITLE_ONLY

# (facet, points, pattern). A weak "what" (any message or letter) counts less than a
# message that says it belongs to the year's end.
_FACETS: tuple[tuple[str, float, str], ...] = (
    (
        "what",
        5.0,
        CLOSING,
    ),
    (
        "what",
        2.0,
        r"(?:a |our |my )?(?:message|letter|lettre|mensaje|carta|bilan|édito|éditorial)\b",
    ),
    (
        "who",
        3.0,
        r"secrétaires?[- ]général(?:e|es)?|secretary[- ]general|secretario general"
        r"|general secretary|déléguée? général(?:e)?|bâtonni(?:er|ère)|\bpdg\b"
        r"|^\W*(?:l')?édito(?:rial)?\W*(?=\n)"  # the title: the house's voice
        r"|secretaria general|executive director|directeur (?:exécutif|général)"
        r"|directrice (?:exécutive|générale)|director(?:a)? ejecutiv[oa]"
        r"|chief executive(?: officer)?|\bceo\b"
        # a church's leaders ("the Archbishops of Armagh … have issued their annual joint
        # Christmas message")
        rf"|(?:{CLERGY})s?|cardinal"
        r"|(?:our|notre|nuestr[oa]) (?:president|présidente?|presidenta?|chair|director"
        r"|directeur|directrice|ceo|founder|fondat(?:eur|rice))|board chair|chair of the board"
        r"|président(?:e)? d[eu'] (?:la |l')?(?:fédération|ligue|association|conseil|bureau)"
        r"|الأمين العام|الأمينة العامة|المدير التنفيذي|المديرة التنفيذية",
    ),
    (
        "whom",
        2.0,
        r"supporters|members|friends|donors|readers|community"
        r"|sympathisant(?:e|·e)?s|adhérent(?:e|·e)?s|lect(?:eurs|rices)|communauté"
        r"|ami(?:e|·e)?s|donat(?:eur|rice)s|membres|simpatizantes|soci[oa]s|amig[oa]s"
        r"|(?:the )?faithful|fidèles"  # a church's people ("invite les fidèles à …")
        r"|dear \w+|cher(?:e|·e)?s \w+|(?:^|(?<=\n))\W*ch(?:er|ère)(?:·e)?s? \w+"
        r"|querid[oa]s \w+|estimad[oa]s \w+|lector(?:es|as)|miembros"
        r"|أعضاء\w*|داعمي\w*|أصدقاء\w*|مؤيدي\w*|مناصر\w*|شركاؤنا|شركائنا",
    ),
    (
        "how",
        2.0,
        r"thank(?:s| you)|grateful|gratitude|looking back|look back|merci|remerci\w*"
        r"|reconnaissan\w*|gracias|agradec\w*|todo el año"
        r"|as (?:this|the) year (?:draws|comes) to (?:a close|an end)"
        r"|(?:this|cette|este) (?:past )?(?:year|année|año)|in 20\d\d,? (?:you|we)"
        r"|(?:the )?(?:past|last) (?:twelve|12) months"
        r"|(?:les )?(?:douze|12) (?:derniers mois|mois écoulés)"
        r"|as (?:this|the) (?:new )?year begins"
        r"|(?:à l'aube|au seuil) de (?:la nouvelle année|20\d\d)"
        r"|(?:we|i) want to (?:thank|take a moment)|to thank|please (?:donate|give|support)"
        r"|(?:donate|give) today|faites un don|soutenez-nous|par un don|\bdon\b(?!')"
        r"|in 20\d\d,? (?:the|our)|(?:in|of|for) 20\d\d$|شكرا|شكرًا|نشكر\w*"
        r"|from all (?:of us|the staff|the team|the board) at|de (?:la part de )?toute l'équipe"
        r"|thanks to you|because of you|(?:you|your support) made (?:it |this |them )?possible"
        r"|grâce à (?:vous|votre|vos|toutes et tous)|together,? we|ensemble,? nous",
    ),
)
_AUTHORITY = (
    r"(?:président de la république|chef de l'état|premier ministre|gouvernement|ministres?"
    r"|préf[eè]te?s?)"
)
_PATTERNS = tuple(
    (facet, points, compile_tolerant(rf"(?<!\w)(?:{source})(?!\w)"))
    for facet, points, source in _FACETS
)


def closes_the_year(text: str) -> re.Match[str] | None:
    """Where a normalised text says it belongs to the year's end (the strong "what":
    "year-end message", "as 2025 draws to a close", "nos succès 2023")."""
    return _PATTERNS[0][2].search(text)


_NOT = compile_tolerant(
    r"(?:year[- ]?end|fin d'année|end[- ]of[- ]year) (?:amnest\w*|amnistie|report|rapport)"
    r"|(?:holiday|christmas|seasonal|season's|new year'?s?) greetings? cards?"
    # another calendar's new year ("Lunar New Year message", "le Nouvel An chinois")
    r"|(?:lunar|chinese|jewish|islamic|persian|tamil|sinhala) new year'?s?"
    r"|nouvel an (?:lunaire|chinois|juif|persan)"
    # the authorities' vœux, which a French association or union answers in January
    # ("Vœux du gouvernement : …"), or vœux addressed to them ("Vœux … au préfet", "… au
    # maire"); a mayor's own vœux are the head of a public body's (docs/labelling.md)
    rf"|voeux (?:du |de |des |d')(?:la |l')?{_AUTHORITY}"
    rf"|voeux (?:[\w'-]+ ){{0,5}}(?:au|à la|à l'|aux) (?:{_AUTHORITY}|maires?)"
)
WHEN_POINTS = 2.0
STRONG_WHAT = 5.0  # the points of a "what" that says the message belongs to the year's end
TITLE_WHAT = 7.0  # ... when the title says it: with the season, a year-end message
THRESHOLD = 8.0  # the rules alone: this much year-end evidence makes a year-end message
# one facet short of THRESHOLD (a year's-end "what" in the season: "L'année 2020 s'achève"
# in December; a leader and their readers in the season): the classifier decides
NEAR_POINTS = STRONG_WHAT + WHEN_POINTS
LABELS = {
    "what": "what it is",
    "who": "who speaks",
    "whom": "to whom",
    "how": "how it speaks",
    "when": "when",
}


def facets(entry: Entry) -> tuple[Reason, ...]:
    """The year-end facets found in the title and text of an entry: at most one reason per
    facet (the strongest). A title that says what it is ("Year end message 2017", "Nos
    succès 2023") counts more than the same words further down. The season is
    :func:`season`."""
    title = _NOT.sub(" ", normalise(entry.title)) + "\n"
    text = title + _NOT.sub(" ", normalise(entry.excerpt))
    found: dict[str, Reason] = {}
    for facet, points, pattern in _PATTERNS:
        if facet in found:
            continue
        match = pattern.search(text)
        named = None
        if points >= STRONG_WHAT:  # (the leftmost match: in the title if there is one there)
            named = (match if match and match.end() <= len(title) else None) or (
                TITLE_ONLY.search(title) or _own_year(entry, title)
            )
        match = named or match
        if match:
            words = " ".join(match.group(0).split())
            if named:
                found[facet] = Reason(
                    f"year_end:{facet}", TITLE_WHAT, f"year-end message, the title says: “{words}”"
                )
                continue
            found[facet] = Reason(
                f"year_end:{facet}", points, f"year-end message, {LABELS[facet]}: “{words}”"
            )
    return tuple(found.values())


def _own_year(entry: Entry, title: str) -> re.Match[str] | None:
    """The title names the organisation that publishes it and a year ("Amnesty in 2015:
    A message from …", "Advox in 2014", "Les résultats d'Amnesty Belgique en 2016")."""
    pattern = _own_name(entry.feed_name)
    return pattern.search(title) if pattern else None


@lru_cache(maxsize=512)
def _own_name(feed_name: str) -> re.Pattern[str] | None:
    """The words naming a feed's organisation, followed by a year (built once per feed)."""
    names = [w for w in re.findall(r"\w{4,}", normalise(feed_name)) if w not in _GENERIC]
    if not names:
        return None
    own = "|".join(re.escape(w) for w in names)
    return compile_tolerant(
        rf"(?<!\w)(?:{own})(?: [\w'-]+){{0,2}} (?:in|en|de|for|pour) (?:19|20)\d\d(?!\d)"
    )


# words of a feed's name that do not name the organisation, or name its topic
# ("journalists in 2012" is the Committee to Protect Journalists' topic, not itself)
# fmt: off
_GENERIC = frozenset({
    "news", "blog", "blogs", "feed", "international", "internationale", "global", "world",
    "online", "media", "press", "the", "and", "for", "with", "from", "section", "group", "groupe",
    "local", "france", "canada", "belgique", "suisse", "usa", "national", "foundation",
    "fondation", "project", "projet", "organisation", "organization", "association", "latest",
    "updates", "actualités", "nouvelles", "english", "français", "committee", "comité", "protect",
    "journalists", "journalistes", "rights", "droits", "human", "humains", "homme", "liberties",
    "libertés", "liberty", "liberté", "freedom", "torture", "refugees", "réfugiés", "migrants",
    "peace", "paix", "justice", "civil", "watch", "defenders", "défenseurs", "prisoners",
    "prisonniers", "women", "femmes", "children", "enfants", "democracy", "démocratie", "council",
    "death", "penalty", "capital", "punishment", "peine", "mort", "information", "documentation",
    "research", "legal", "defense", "defence", "fund", "education", "action", "alliance",
    "coalition", "campaign", "campagne", "observatory", "observatoire",
    "conseil", "center", "centre", "institute", "institut", "league", "ligue", "union", "society",
    "société", "network", "réseau",
})
# fmt: on


def season(entry: Entry) -> Reason | None:
    """Published in the year-end season; half the points at its edges (the rest of the
    turn of the year: early November, late January), where a year-end message is late or
    early ("Amnesty in 2015: A message from …" on 23 January)."""
    if in_season(entry.published):
        return Reason(
            "season", WHEN_POINTS, "year-end message, when: published in the year-end season"
        )
    if turn_of_year(entry.published):
        return Reason(
            "season",
            WHEN_POINTS / 2,
            "year-end message, when: published at the edge of the year-end season",
        )
    return None


def near(points: float | None) -> bool:
    """The rules' year-end points are one facet short of a year-end message (not ruled
    out, at least NEAR_POINTS, under THRESHOLD): the classifier's own cut decides."""
    return points is not None and NEAR_POINTS <= points < THRESHOLD


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
