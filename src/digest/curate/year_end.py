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
from .rules import normalise

# plural wins, never one: "victory in 2023" may be one court's ruling
_WINS = (
    r"(?:wins|victories|successes|achievements|accomplishments|good news"
    r"|(?:biggest|best|proudest) moments|victoires|succès|réussites|temps forts"
    r"|bonnes nouvelles|avancées)"
)
# (facet, points, pattern). A weak "what" (any message or letter) counts less than a
# message that says it belongs to the year's end.
_YE = (
    r"(?:year[- ]?end|end[- ]of[- ](?:the[- ])?year|fin d'(?:une )?année|fin de l'année|fin de año)"
)
_FACETS: tuple[tuple[str, float, str], ...] = (
    (
        "what",
        5.0,
        rf"{_YE}[- ](?:message|letter|note|address|greeting|reflection|statement|update"
        r"|wrap-?up|recap)s?"
        rf"|(?:message|letter|lettre|mensaje|carta|édito|éditorial|editorial|mot)s?"
        rf" (?:de |d'|of |for )?(?:la |the )?{_YE}"
        r"|(?:the |our |a |my )?year in (?:review|numbers|pictures|human rights|photos)"
        r"|(?:the|our|a) year (?:behind|that was)"
        r"|look(?:s|ing)? back (?:on|at) (?:20\d\d|the year|this year|a year)"
        r"|(?:\w+ )?in review|year[- ]in[- ]review|bilan (?:de l'année|annuel|\d{4}|de \d{4})"
        r"|l'année (?:20\d\d )?en (?:revue|images|chiffres)|rétrospective"
        r"|retour sur (?:l'année|20\d\d)"
        r"|(?:meilleurs |nos )?voeux|balance del año|resumen del año|el año en"
        r"|as (?:an? \w+ (?:year|20\d\d)|20\d\d|this year|the year) (?:draws|comes|came|drew"
        r"|is drawing"
        r"|is coming) to (?:a close|an end)|as (?:20\d\d|the year|this year) (?:begins? to )?"
        r"winds? down|as we wind down (?:20\d\d|the year|this (?:\w+ )?year)"
        r"|(?:as we|we) (?:near|approach|reach|come close to|move towards) the end of"
        r" (?:20\d\d|the year|this year)"
        r"|alors que (?:20\d\d|l'année|cette année) s'achève|l'année qui s'achève"
        # an opening sentence that closes the year ("Another year is now drawing to a
        # close", "L'année 2020 s'achève"), not a clause ("l'enquête ouverte en 2019 se
        # termine par un non-lieu"; "Procès : l'année se termine sans verdict")
        r"|(?<![\w:] )(?:another year (?:has (?:passed|gone by|come and gone|ended)|is (?:now )?"
        r"(?:drawing|coming) to (?:a close|an end)|is over)"
        r"|(?:l'année )?(?:20\d\d|l'année|cette année) (?:s'achève|se termine|touche à sa fin"
        r"|tire à sa fin|est (?:enfin )?(?:finie|terminée|achevée))"
        r"|(?:19|20)\d\d aura été (?:une|l')année"
        r"|(?:this|the) past year (?:was|has been)|it's been an? (?:\w+ ){0,2}year(?!s? since)"
        r"|what a year(?=\W*$|\W*\n|!| (?:it|this|(?:19|20)\d\d) (?:has been|was|is))"
        r"|what a difference a year makes"
        r"|as we (?:enter|begin|start|step into) (?:the |a )?new (?:year|decade)"
        r"|as we (?:enter|begin|start) (?:19|20)\d\d)"
        r"|en cette fin d'année|(?:at|as we reach) the end of (?:this|the) year"
        r"|(?:annual|year-end|winter|end-of-year) (?:fundraising|fund drive|appeal|campaign)"
        r"|fundrais(?:er|ing campaign)|campaign total|support (?:our work|us) (?:for|in) 20\d\d"
        r"|(?:the|a|what a) year (?:20\d\d )?(?:has been|was)|20\d\d (?:has been|was) a"
        r"|bonne année|happy new year|the year ahead|l'année à venir"
        r"|bonnes? (?:fin d'année|fêtes de fin d'année)"
        r"|(?:holiday|christmas|new year'?s?|festive)(?: seasons?'?s?)? (?:message|statement"
        r"|greeting|letter|special|update|wrap-up|wish)(?:e?s)?"
        # the year closed as a wrap ("2020 Wrapped", "…and that's a wrap for 2022!")
        r"|(?:19|20)\d\d wrapped|a wrap (?:for|on) (?:19|20)\d\d|wrap(?:ping)? up (?:19|20)\d\d"
        # the season's wishes from the organisation ("La FTQ vous souhaite un heureux temps
        # des Fêtes !", "… vous souhaitent de joyeuses fêtes")
        r"|(?:heureux|joyeux|bon) temps des fêtes"
        r"|(?:vous|nous vous) souhait(?:e|ent|ons) (?:un |une |de |d'|des )?(?:[\w'-]+ ){0,2}"
        r"(?:fêtes|noël|année)"
        r"|(?:message|greetings?|letter|wishes) (?:[\w.'-]+ ){0,4}for the (?:holiday|festive)"
        r" seasons?"
        r"|reflections? on (?:20\d\d|the year|this year|the past year)|réflexions? sur 20\d\d"
        # the organisation's own list of the year's wins ("Nos succès 2023", "Victoires pour
        # les droits humains en 2024", "This year's epic human rights wins", "10 of your
        # biggest moments in 2014"); a list of the year's *stories* is a roundup (_ROUNDUP)
        rf"|{_WINS}(?: [\w'-]+){{0,5}}? (?:of|from|in|en|de|qui ont marqué|that marked)"
        r" (?:20\d\d|the year|this year|the past year|l'année|cette année)"
        rf"|{_WINS}(?: [\w'-]+){{0,5}}? (?:19|20)\d\d\W*(?=\n)"  # at the title's end
        rf"|(?:this|last|the) year'?s (?:[\w'-]+ ){{0,3}}{_WINS}"
        rf"|(?:19|20)\d\d's (?:[\w'-]+ ){{0,3}}{_WINS}"
        r"|highlights (?:of|from|in) (?:20\d\d|the year|this year|the past year)"
        r"|(?:year[- ]?end|end[- ]of[- ]year|holiday) (?:edition|issue|newsletter|recap|roundup)"
        r"|(?:what|everything|all) (?:we|you)(?:'ve| have)? (?:achieved|accomplished|won)"
        r"|ce que (?:nous avons|vous avez) (?:accompli|obtenu|gagné|réalisé)"
        r"|(?:19|20)\d\d\W{0,3} (?:a|an|une) (?:year|année) (?:of|de|d')"
        r"|(?:an?|this|what an?) (?:incredible|extraordinary|remarkable|amazing|historic"
        r"|unforgettable|momentous|challenging|difficult|tumultuous|eventful) year"
        r"|(?:une|cette) année (?:exceptionnelle|historique|de combats|de mobilisations?"
        r"|de victoires|difficile|intense|riche|mouvementée|éprouvante)"
        r"|thank you for (?:an?|this|the|another) (?:\w+ )?year|merci pour cette année"
        r"|رسالة (?:نهاية|العام الجديد)|حصاد (?:العام|عام)|نهاية (?:العام|السنة)",
    ),
    (
        "what",
        2.0,
        r"(?:a |our |my )?(?:message|letter|lettre|mensaje|carta|bilan|édito|éditorial)\b",
    ),
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
        r"|(?:donate|give) today|faites un don|soutenez-nous|par un don|\bdon\b(?!')"
        r"|in 20\d\d,? (?:the|our)|(?:in|of|for) 20\d\d$|شكرا|شكرًا|نشكر\w*"
        r"|thanks to you|because of you|(?:you|your support) made (?:it |this |them )?possible"
        r"|grâce à (?:vous|votre|vos|toutes et tous)|together,? we|ensemble,? nous",
    ),
)
_AUTHORITY = (
    r"(?:président de la république|chef de l'état|premier ministre|gouvernement|ministres?"
    r"|préf[eè]te?s?|maires?)"
)
# a leader's message named in a title ("Le mot d'Aminata Niakaté, présidente d'ECPM",
# "Chair's Letter - January 2018"); at the turn of the year, that is a year-end message
_MESSAGE = r"(?:message|letter|lettre|mot|note|update|édito|éditorial|editorial)"
_LEADER = (
    r"(?:president|présidente?|chair|director|directeur|directrice|secretary[- ]general"
    r"|secrétaire générale?|ceo)"
)
# Titles that say it only as titles do: the organisation's year in its own voice
# ("Vous avez contribué à changer des vies en 2015", "What We're Looking Forward to in
# 2021"), a numbered list of wins ("41 victoires pour les droits humains …"), the year
# in a leader's message ("Amnesty in 2015: A message from …"), "2011: The Year in Civil
# Liberties", "Pour terminer l'année, …".
_TITLE_ONLY = re.compile(
    r"(?<!\w)(?:"
    r"(?:vous|you|ensemble|together|nous|we|we're|our|nos|notre)(?: [\w'-]+){0,6}"
    r" (?:en|in|of|de|for|pour) (?:19|20)\d\d(?!\d)"
    rf"|^\W*\d+ (?:[\w'-]+ ){{0,3}}{_WINS}"
    r"|(?:19|20)\d\d\W.*(?:message|letter|note|lettre|mot) (?:from|de|du|d')"
    r"|^\W*(?:19|20)\d\d\W{1,3}(?:the|our|a|my|your) year in \w+"
    r"|^\W*(?:en|in) (?:19|20)\d\d\W.*(?<!\w)(?:nos|nous|notre|ensemble|together|our|we)"
    rf"|(?<!open ){_MESSAGE} (?:from|de|du|d'|of)(?: |(?<=d'))(?:[\w'-]+\W{{1,3}}){{0,5}}{_LEADER}"
    rf"|{_LEADER}(?:'s)?\W{{1,3}}(?:\w+ ){{0,2}}{_MESSAGE}(?! ouverte)"
    rf"|from the desk of(?: [\w'-]+){{0,4}} {_LEADER}"
    r"|(?:pour|to) (?:bien )?(?:terminer|finir|clore|commencer|end|close|wrap up|start|kick off)"
    r" (?:out )?(?:l'année|the year|the new year|20\d\d)"
    # addressed to the readers ("To Our Supporters: …", "À nos donateurs"), or thanks alone
    r"|^\W*(?:to|dear|à|a|chers|chères) (?:all |tous )?(?:of )?(?:our|nos) (?:\w+ )?(?:supporters"
    r"|members|friends|donors|sympathisant\S*|adhérent\S*|donat\S*|ami\S*|membres)"
    r"(?=\W*$|\W*[:,!—–-]| and | et )"
    r"|^\W*(?:merci|thank you|thanks|gracias)(?: (?:à|a) (?:vous|tous|toutes))?\W*$"
    # the season's greetings as the title, not in a headline's question or story ("No merry
    # Christmas for …", "Joyeux Noël en prison : …"); in a text they open any speech
    r"|^(?![^\n]*[?:])\W*(?:(?:we )?(?:wish|wishing) you (?:and \w+ )?(?:a |an )?(?:\w+ )?"
    r"|(?:merry|peaceful|happy|joyous|blessed) |joyeux |joyeuses |bonnes |feliz )(?:christmas"
    r"|holiday season|holidays|new year|noël|fêtes(?: de fin d'année)?|navidad)"
    r"(?! (?:in|en|for|pour|behind|derrière|under|sous|without|sans) )"
    r")(?!\w)"
)
_PATTERNS = tuple(
    (facet, points, re.compile(rf"(?<!\w)(?:{source})(?!\w)")) for facet, points, source in _FACETS
)
_NOT = re.compile(
    r"(?:year[- ]?end|fin d'année|end[- ]of[- ]year) (?:amnest\w*|amnistie|report|rapport)"
    r"|(?:holiday|christmas|seasonal|season's|new year'?s?) greetings? cards?"
    # the authorities' vœux, which a French association or union answers in January
    # ("Vœux du gouvernement : …"), or vœux addressed to them ("Vœux … au préfet")
    rf"|voeux (?:du |de |des |d')(?:la |l')?{_AUTHORITY}"
    rf"|voeux (?:[\w'-]+ ){{0,5}}(?:au|à la|à l'|aux) {_AUTHORITY}"
)
# Another occasion at the same time of year (docs/labelling.md): a Human Rights Day
# message, a letter-writing marathon, a one-day appeal, a migrants' day statement
_OCCASION = (
    r"human rights day|journée (?:internationale )?des droits (?:humains|de l'homme)"
    r"|international (?:volunteer|migrants?|anti-corruption) day|journée (?:internationale )?"
    r"(?:des migrants|du bénévolat)|write for rights|écrire,? ça libère|marathon des lettres"
    r"|giving ?tuesday|greetings? cards?|thanksgiving|(?:jour de )?l'action de grâces?"
)
_OCCASION_TITLE = re.compile(rf"(?<!\w)(?:{_OCCASION})(?!\w)")
_OCCASION_TEXT = re.compile(
    rf"(?:on the occasion of|to mark|for|à l'occasion de|pour) (?:the |la |le )?(?:\w+ )?"
    rf"(?:{_OCCASION})"
)
WHEN_POINTS = 2.0
STRONG_WHAT = 5.0  # the points of a "what" that says the message belongs to the year's end
TITLE_WHAT = 7.0  # ... when the title says it: with the season, a year-end message
THRESHOLD = 8.0  # the rules alone: this much year-end evidence makes a year-end message
# one facet short of THRESHOLD (a year's-end "what" in the season: "L'année 2020 s'achève"
# in December; a leader and their readers in the season): the classifier decides
NEAR_POINTS = STRONG_WHAT + WHEN_POINTS
TOPIC_POINTS = -6.0
OFF_SEASON_POINTS = -8.0
_RULING_OUT = ("year_end:topic", "year_end:off_season", "year_end:occasion", "year_end:farewell")


def _not_one(what: str, why: str) -> Reason:
    """Evidence that rules a year-end message out (one of _RULING_OUT but the season's)."""
    return Reason(f"year_end:{what}", TOPIC_POINTS, f"year-end message? no: {why}")


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
# ... or said in the opening ("we present some of the top issues … by taking a look at the
# most popular blog posts")
_ROUNDUP_TEXT = re.compile(
    r"(?:look(?:ing)? (?:back )?at|present(?:ing)?|here are|these are|round(?:ing)? up)"
    r" (?:some of )?(?:the |our )?(?:\d+ )?(?:most[- ](?:read|popular|viewed|shared)|top \d+)"
    r" (?:blog )?(?:posts|stories|articles|billets)"
)
# A leader's farewell at the turn of the year is about the leader, not the year
# (docs/labelling.md): "I will be leaving at the end of January", "A Personal Note about
# My Next Steps", "je quitte la présidence"
_FAREWELL = re.compile(
    r"(?<!\w)(?:(?:i|i'm|i am|i will|i'll|i would|i have decided to|i've decided to)"
    r" (?:be )?(?:leaving|stepping down|step down|retiring|retire|moving on|departing)"
    r"|(?:my|a personal note about my) next steps|je quitte|mon départ"
    # a farewell, not to the year ("Farewell 2025!" is a year-end message's title)
    r"|farewell(?! (?:to )?(?:(?:19|20)\d\d|the (?:old )?year|this year))"
    r"|je passe le relais|my last (?:day|letter|message|year) as)(?!\w)"
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
                _TITLE_ONLY.search(title) or _own_year(entry, title)
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
    return re.compile(
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


def topic_review(entry: Entry, found: tuple[Reason, ...]) -> Reason | None:
    """A staff review of one topic ("2023 in Review: encryption") is not the organisation
    speaking to its supporters, unless a leader signs it or it is addressed to them (a
    "who" or "to whom" facet) or the organisation speaks of its own year ("our wins");
    nor is a list of the year's most-read stories."""
    title = normalise(entry.title)
    if _ROUNDUP.search(title) or _ROUNDUP_TEXT.search(normalise(entry.excerpt)):
        return _not_one("topic", "a list of the year's stories, not a message to supporters")
    if not _TOPIC_REVIEW.search(title):
        return None
    if any(r.signal in ("year_end:who", "year_end:whom") for r in found):
        return None
    if _OURS.search(title) or _OUR_YEAR.search(normalise(entry.excerpt)):
        return None
    return _not_one("topic", "a staff review of one topic, not a message to supporters")


def occasion(entry: Entry) -> Reason | None:
    """A message for another occasion of the season (Human Rights Day, Write for Rights):
    named in the title, or "on the occasion of" it in the opening, unless the title or the
    opening says it belongs to the year's end ("En cette fin d'année, le temps est aux
    bilans")."""
    title, text = normalise(entry.title), normalise(entry.excerpt)
    named = _OCCASION_TITLE.search(title) or _OCCASION_TEXT.search(text)
    if named is None or _PATTERNS[0][2].search(f"{title}\n{text}"):
        return None
    return _not_one("occasion", f"it is for another occasion (“{named.group(0)}”)")


def farewell(entry: Entry) -> Reason | None:
    """A leader's farewell (title or opening), unless the title says it belongs to the
    year's end ("Year-end letter: my last as director"); an opening's "at the end of the
    year" is when the leader leaves."""
    title, text = normalise(entry.title), normalise(entry.excerpt)
    said = _FAREWELL.search(f"{title}\n{text}")
    if said is None or _PATTERNS[0][2].search(title):
        return None
    return _not_one("farewell", f"a farewell (“{said.group(0)}”)")


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
