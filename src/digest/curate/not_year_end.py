"""What rules a year-end message out, whatever else a post says (docs/labelling.md): a
staff review of one topic or a list of the year's stories, another occasion of the season
or one of a monthly series, a leader's farewell, an opening that says nothing of the
year, or a date far from the turn of the year. Each is a :class:`Reason` with negative
points; :func:`ruled_out` reads them for the rules and the classifier alike.
"""

from __future__ import annotations

from typing import NamedTuple

from ..models import Entry, Reason
from .accents import compile_tolerant
from .rules import normalise
from .year_end import closes_the_year, turn_of_year
from .year_end_words import MESSAGE, SEASON, WINS, YEARS_END

# Another occasion at the same time of year (docs/labelling.md): a Human Rights Day
# message, a letter-writing marathon, a one-day appeal, a migrants' day statement
_OCCASION = (
    r"human rights day|journée (?:internationale )?des droits (?:humains|de l'homme)"
    r"|(?:international|world) (?:[\w'-]+ ){1,2}(?<!every )(?<!each )(?<!one )(?<!this )"
    r"(?<!same )day"
    r"|journée (?:internationale )?"
    r"(?:des migrants|du bénévolat)|write for rights|écrire,? ça libère|marathon des lettres"
    # the season's other days, however many words name them ("Human Rights Defenders
    # Day", "International Day of Persons with Disabilities", "World AIDS Day", "Journée
    # mondiale de lutte contre le sida", "Día Internacional del Migrante")
    r"|human rights defenders'? day|(?:international|world) day (?:of|for|against|to)"
    r"|world aids day|journée (?:internationale|mondiale|nationale)"
    r"|día (?:internacional|mundial|nacional) (?:de|del|contra|por)"
    r"|(?:martin luther king(?: jr\.?)?|mlk) day|day of remembrance"
    # ... and the churches' Sundays for a cause ("Message … on Prison Sunday")
    r"|(?:prison|prisons|prisoners'?|refugee|migrants'?|peace|bible) sunday"
    r"|giving ?tuesday|greetings? cards?|thanksgiving|(?:jour de )?l'action de grâces?"
    # the minutes of a general meeting ("Compte rendu de l'assemblée générale")
    r"|assemblée générale|annual general meeting"
)
_OCCASION_TITLE = compile_tolerant(rf"(?<!\w)(?:{_OCCASION})(?!\w)")
_OCCASION_TEXT = compile_tolerant(
    rf"(?:on the occasion of|to mark|for|à l'occasion de|pour) (?:the |la |le )?(?:\w+ )?"
    rf"(?:{_OCCASION})"
    r"|happy thanksgiving|thanksgiving (?:holiday|weekend|break|luncheon|dinner|meal)"
)
# a date ("January 2023: Chairman's Message", "le 17 janvier 2009") is no word of the year
_DATE = compile_tolerant(
    r"(?<!\w)(?:\d{1,2}(?:st|nd|rd|th|er)? )?(?:january|february|march|april|may|june|july"
    r"|august|september|october|november|december|janvier|février|mars|avril|mai|juin"
    r"|juillet|août|septembre|octobre|novembre|décembre)(?: \d{1,2},?)? (?:19|20)\d\d(?!\d)"
)
# in November, an opening that speaks of Thanksgiving ("Thanksgiving is upon us")
_THANKSGIVING = compile_tolerant(r"(?<!\w)thanksgiving(?!\w)")
# the months far from the turn of the year, but "may" ("in May" is rarer than "… that may")
_OFF_MONTHS = (
    r"february|march|april|june|july|august|september|october|november|février|mars|avril"
    r"|mai|juin|juillet|août|septembre|octobre|novembre"
)
# the month a text says it is written in ("en ce mois de mars", "in this month of June")
_WRITTEN_IN = compile_tolerant(
    rf"(?<!\w)(?:en ce|in this) (?:(?:début|fin|mois) (?:de |d'))?(?:mois (?:de |d'))?"
    rf"(?:month of )?(?:{_OFF_MONTHS})(?!\w)"
)
# one of a series named by its month or season ("November 2022: A Message of Gratitude",
# "Fall 2012 Letter from the Chairs"): a monthly or seasonal letter, not the year's
_SERIES = compile_tolerant(
    r"^\W*(?:fall|autumn|spring|summer|automne|printemps|été)\W{0,2} (?:19|20)\d\d(?!\d)"
    rf"|(?<!\w)(?:may|{_OFF_MONTHS})\W{{0,2}} (?:19|20)\d\d(?!\d)"
    # ... or by the month it looks back on ("15 victoires obtenues en mars", "Our wins in
    # October")
    rf"|(?<!\w)(?:in|en|of|de|for|d') (?:{_OFF_MONTHS})(?!\w)"
    # ... or an edition of a monthly series named by its month ("Library in the News:
    # December 2016 Edition"), December's and January's too
    r"|(?<!\w)(?:january|december|janvier|décembre) (?:19|20)\d\d (?:edition|issue|édition)(?!\w)"
)
# a newsletter (not a holiday or year-end edition, which the title's "what" says, or the
# opening of December's or January's: "December Newsletter 2022": "As we come to the end
# of another year, …")
_NEWSLETTER = compile_tolerant(r"(?<!\w)newsletter(?!\w)")
_TURN_MONTH = compile_tolerant(r"(?<!\w)(?:january|december|janvier|décembre)(?!\w)")
# ... and occasions that the opening's look at the year does not make a year-end message
# ("MIRA celebrates Thanksgiving": "… take stock of this extraordinary year"), among them
# the season's appeal for one cause ("… Makes Urgent Christmas Appeal for Donations",
# "Missoula Food Bank holiday food drive", "Care4Calais - 2022 Christmas Fundraiser")
_OWN_OCCASION = compile_tolerant(
    r"(?<!\w)(?:thanksgiving|l'action de grâces?|assemblée générale"
    r"|annual general meeting"
    r"|(?:christmas|holiday|festive|winter|noël|hiver) (?:appeal|fundrais\w*"
    r"|(?:food |toy |coat |gift )?drive|collection|collecte|appel)"
    # ... named the other way round ("… lancent un appel aux dons pour Noël")
    r"|(?:appeal|appel) (?:[\w'-]+ ){0,3}?(?:for|pour) (?:christmas|noël|les fêtes)"
    # ... or its meal for the poor, its greetings-card campaign ("Sant'Egidio's Christmas
    # lunch with the poor", "Season's Greetings Campaign")
    r"|(?:christmas|holiday|noël) (?:lunch|luncheon|dinner|meal|repas|déjeuner|dîner)"
    r"|greetings campaign"
    # ... and the summer's (an undated "Pause estivale : Message du Président …")
    r"|pause estivale|vacances d'été|summer (?:break|holidays?|recess))(?!\w)"
)
# what every year-end message speaks of, in the title or the opening: the year or its
# number, the season, thanks, wishes or its wins. A leader's letter that says none of it
# is about something else ("Letter From the President: Yesterday, Today, and the Future")
_YEARLY = compile_tolerant(
    r"(?<!\d)(?:19|20)\d\d(?!\d)|(?<!\w)(?:years?|yearly|annual\w*|annuel\w*|année\w*|años?"
    r"|nouvel an|l'an|holidays?|christmas|xmas|noël|fêtes?|festive|seasons?|saison\w*"
    r"|navidad|décembre|december|diciembre|janvier|january|enero|thank\w*|grateful|gratitude"
    r"|merci|remerci\w*|gracias|voeux|wish\w*|souhait\w*|عام|العام|سنة|السنة)(?!\w)"
    rf"|(?<!\w){WINS}(?!\w)"  # the year's wins, counted ("41 victoires pour …")
)

TOPIC_POINTS = -6.0
OFF_SEASON_POINTS = -8.0
SILENT_WORDS = 25  # an opening shorter than this is too little to call silent

_RULING_OUT = (
    "year_end:topic",
    "year_end:off_season",
    "year_end:occasion",
    "year_end:farewell",
    "year_end:silent",
)


def _not_one(what: str, why: str) -> Reason:
    """Evidence that rules a year-end message out (one of _RULING_OUT but the season's)."""
    return Reason(f"year_end:{what}", TOPIC_POINTS, f"year-end message? no: {why}")


# "2013 in Review: CDA 230 and …": one part of a staff series on single topics
# or "Looking back at 2012 in South Asia": a round-up of one region
_TOPIC_REVIEW = compile_tolerant(
    r"^\W*(?:(?:19|20)\d\d|the year) in review\s*[:\-–—|]\s*\w"
    r"|^\W*looking back (?:at|on) (?:19|20)\d\d in \w"
)
# "The 7 Most-Read Stories of 2015", "The Best Stories of 2015, Handpicked by …": a list of
# the year's posts is a best-of listicle (docs/labelling.md), whoever it is addressed to
_ROUNDUP = compile_tolerant(
    r"^\W*(?:the |our )?(?:\d+ )?(?:most[- ](?:read|popular|viewed|shared)|best(?:[- ]read)?"
    r"|top(?: \d+)?)"
    r" (?:\w+ )?(?:stories|posts|articles|reads|billets)\b"
    r"|^\W*(?:les |nos )?(?:\d+ )?(?:articles|billets) les plus (?:lus|populaires)"
    r"|(?:stories|posts|articles|billets) (?:of|in|from|de|en) (?:19|20)\d\d\W*$"
    r"|(?:top|best|most[- ](?:read|popular|viewed)) (?:[\w'-]+ ){0,2}(?:stories|posts|articles"
    r"|billets) of (?:the year|(?:19|20)\d\d)"
)
# several leaders' messages gathered ("Messages de Noël des évêques belges", "Afrique : …,
# les messages de Noël des évêques", "Church leaders' Christmas messages"): a roundup, not
# one message to the organisation's own people (docs/labelling.md)
_LEADERS = (  # (with a word before: "church leaders", "religious leaders")
    r"(?:\w+ )?(?:évêques|bishops|leaders|church(?:es)?|clergy|chefs religieux"
    r"|responsables (?:religieux"
    r"|politiques)|dirigeants|présidents|presidents)"
)
_LEADERS_ROUNDUP = compile_tolerant(
    rf"(?<!\w)messages (?:des|de nos|from|of the|of|by) {_LEADERS}(?!\w)"
    # ... or the season's messages in the plural, whoever sends them: one organisation's
    # own message is one ("Church leaders' Christmas messages", "'Find your home with
    # Jesus' and other Christmas messages", "Russian Newspaper Publishes New Year's
    # Messages From Jailed Activists", "Messages de Noël des évêques belges")
    rf"|(?<!\w)(?:{SEASON}|easter|{YEARS_END}) messages(?!\w)"
    r"|(?<!\w)messages (?:de noël|du nouvel an|de fin d'année|des fêtes|de pâques)(?!\w)"
    # ... or named so ("Les vœux de nos évêques", "Happy Christmas, from the leaders of
    # Australian Churches")
    rf"|(?<!\w)voeux (?:de nos|des) {_LEADERS}(?!\w)"
    r"|(?<!\w)from (?:the )?leaders of(?!\w)"
    # ... or politicians' greetings ("Season's greetings from Highland political leaders";
    # not one body's: "Christmas and New Years greetings from the bishops of Melanesia")
    r"|(?<!\w)greetings (?:from|of|by) (?:[\w'-]+ ){0,3}(?:leaders|politicians|mps"
    r"|councillors|élus|dirigeants)(?!\w)"
)
# ... or said in the opening ("we present some of the top issues … by taking a look at the
# most popular blog posts")
_ROUNDUP_TEXT = compile_tolerant(
    r"(?:look(?:ing)? (?:back )?at|present(?:ing)?|here are|these are|round(?:ing)? up)"
    r" (?:some of )?(?:the |our )?(?:\d+ )?(?:most[- ](?:read|popular|viewed|shared)|top \w+)"
    r" (?:\w+ )?(?:blog )?(?:posts|stories|articles|billets)"
)
# ... or several people's wishes ("Friends of Enable and people in the disability community
# share their hopes for the year ahead", "Elus corses : une gerbe de vœux pour 2021")
_VOICES = compile_tolerant(
    r"(?<!\w)(?:share|shares|shared|sharing) their (?:hopes|wishes|resolutions|goals"
    r"|predictions|messages|responses|reflections|thoughts|new year'?s? \w+)"
    # ... asked for by a paper ("we asked members of our community to share their …")
    r"|(?:asked|invited) (?:[\w'-]+ ){1,5}?to share"
    r"|(?:partagent|livrent) leurs (?:voeux|souhaits|espoirs|résolutions)"
    # ... or several bodies' vœux ("Les principales autorités … présentent leurs vœux à la
    # population"): one organisation's come from one voice
    r"|(?:présentent|adressent|formulent|expriment) leurs voeux"
    r"|(?:gerbe|florilège|bouquet|tour d'horizon|revue) (?:de |des )voeux(?!\w)"
)
# A leader's farewell at the turn of the year is about the leader, not the year
# (docs/labelling.md): "I will be leaving at the end of January", "A Personal Note about
# My Next Steps", "je quitte la présidence", a term's last word
_FAREWELL = compile_tolerant(
    r"(?<!\w)(?:(?:i|i'm|i am|i will|i'll|i would|i have decided to|i've decided to)"
    r" (?:be )?(?:leaving|stepping down|step down|retiring|retire|moving on|departing)"
    r"|(?:my|a personal note about my) next steps|je quitte|mon départ"
    # a farewell, not to the year ("Farewell 2025!" is a year-end message's title)
    r"|farewell(?! (?:to )?(?:(?:19|20)\d\d|the (?:old )?year|this year))"
    r"|je passe le relais|my last (?:day|letter|message|year) as"
    # the last word of a leader's term ("Mon dernier mot du bâtonnier", "j'achève mon mandat")
    r"|mon dernier (?:mot|édito(?:rial)?|billet)|my last (?:word|column)"
    r"|(?:achève|achever|termine|terminer|quitte|quitter) (?:mon|ce) mandat"
    r"|(?:fin|terme) de mon mandat)(?!\w)"
)
# an annual report's launch ("What a year! TU Annual Report 2015 - 2016 is now available",
# "Rapport moral 2016 du président"), unless the title calls it a letter or a message
_REPORT = compile_tolerant(
    r"(?<!\w)(?:annual report|impact report|rapport (?:annuel|d'activités?|moral))(?!\w)"
)
_LETTER = compile_tolerant(rf"(?<!\w){MESSAGE}(?!\w)")  # what a leader's message is called
# the organisation speaking of itself ("our wins", "ce que nous avons fait")
_OURS = compile_tolerant(r"(?<!\w)(?:our|we|us|notre|nos|nous|nuestr[oa]s?)(?!\w)")
_OUR_YEAR = compile_tolerant(r"(?<!\w)(?:our|notre|nuestro) (?:year|année|año|(?:19|20)\d\d)(?!\w)")


def against(entry: Entry, found: tuple[Reason, ...], reasons: list[Reason]) -> list[Reason]:
    """What rules a year-end message out of this entry, given its facets (``found``) and
    the year-end evidence so far (``reasons``): the title and opening are normalised once
    for every test of this module."""
    said = _Said(normalise(entry.title), normalise(entry.excerpt))
    return [
        reason
        for reason in (
            topic_review(said, found),
            occasion(entry, said),
            farewell(said),
            silent(entry, said, reasons),
            off_season(entry, said),
        )
        if reason is not None
    ]


class _Said(NamedTuple):
    """An entry's title and opening, normalised (:func:`.rules.normalise`)."""

    title: str
    text: str

    @property
    def both(self) -> str:
        return f"{self.title}\n{self.text}"


def topic_review(said: _Said, found: tuple[Reason, ...]) -> Reason | None:
    """A staff review of one topic ("2023 in Review: encryption") is not the organisation
    speaking to its supporters, unless a leader signs it or it is addressed to them (a
    "who" or "to whom" facet) or the organisation speaks of its own year ("our wins");
    nor is a list of the year's most-read stories, nor an annual report's launch."""
    title, text = said
    if _ROUNDUP.search(title) or _ROUNDUP_TEXT.search(text):
        return _not_one("topic", "a list of the year's stories, not a message to supporters")
    if _LEADERS_ROUNDUP.search(title):
        return _not_one("topic", "several leaders' messages gathered, not one to supporters")
    if _VOICES.search(said.both):
        return _not_one("topic", "several people's wishes gathered, not one to supporters")
    if _REPORT.search(title) and not _LETTER.search(title):
        return _not_one("topic", "an annual report, not a letter to supporters")
    if not _TOPIC_REVIEW.search(title):
        return None
    if any(r.signal in ("year_end:who", "year_end:whom") for r in found):
        return None
    if _OURS.search(title) or _OUR_YEAR.search(text):
        return None
    return _not_one("topic", "a staff review of one topic, not a message to supporters")


def occasion(entry: Entry, said: _Said) -> Reason | None:
    """A message for another occasion of the season (Human Rights Day, Write for Rights):
    named in the title, or "on the occasion of" it in the opening, unless the title or the
    opening says it belongs to the year's end ("En cette fin d'année, le temps est aux
    bilans"). Thanksgiving, a general meeting and one of a monthly or seasonal series named
    in the title are ruled out unless the title itself says so; a November opening that
    speaks of Thanksgiving is a Thanksgiving message unless it says it belongs to the
    year's end."""
    title, text = said
    own = _SERIES.search(title) or _NEWSLETTER.search(title) or _OWN_OCCASION.search(title)
    named = own or _OCCASION_TITLE.search(title) or _OCCASION_TEXT.search(text)
    if named is None and entry.published.month == 11:
        named = _THANKSGIVING.search(text)
    if own is None or (own.re is _NEWSLETTER and _TURN_MONTH.search(title)):
        closing = said.both  # (December's newsletter, opening on the year's end)
    elif own.re is _OWN_OCCASION:  # its name says nothing of the year's end
        closing = title.replace(own.group(0), " ")  # ("Christmas fundraiser")
    else:
        closing = title
    if named is None or closes_the_year(closing):
        return None
    if named.re in (_SERIES, _NEWSLETTER):
        return _not_one("occasion", f"one of a series (“{named.group(0).strip()}”)")
    return _not_one("occasion", f"it is for another occasion (“{named.group(0)}”)")


def silent(entry: Entry, said: _Said, reasons: list[Reason]) -> Reason | None:
    """Evidence of a year-end message (a leader's letter, its readers) in a post that says
    nothing of the year: no year, season, thanks, wishes or wins in its title or an opening
    of at least SILENT_WORDS words."""
    if len(entry.excerpt.split()) < SILENT_WORDS:
        return None  # (a title alone, or a line: too little to tell)
    if not any(r.points > 0 and r.signal != "season" for r in reasons):
        return None
    if _YEARLY.search(_DATE.sub(" ", said.both)):
        return None
    return _not_one("silent", "it says nothing of the year, the season or thanks")


def farewell(said: _Said) -> Reason | None:
    """A leader's farewell (title or opening), unless the title says it belongs to the
    year's end ("Year-end letter: my last as director"); an opening's "at the end of the
    year" is when the leader leaves."""
    found = _FAREWELL.search(said.both)
    if found is None or closes_the_year(said.title):
        return None
    return _not_one("farewell", f"a farewell (“{found.group(0)}”)")


def off_season(entry: Entry, said: _Said) -> Reason | None:
    """A year-end message is published at the turn of the year: a leader's letter in
    March or August is not one (docs/labelling.md), nor one whose opening says it is
    written in such a month ("Il est temps, en ce mois de mars, de vous donner quelques
    nouvelles": a page without a date, or dated when it was put online). Rules the kind
    out, for the rules and the classifier alike (:func:`ruled_out`)."""
    if turn_of_year(entry.published):
        written = _WRITTEN_IN.search(said.both)
        if written is None:
            return None
        why = f"it says it is written in another month (“{written.group(0)}”)"
    else:
        why = f"published in {entry.published.strftime('%B')}, far from the turn of the year"
    return Reason("year_end:off_season", OFF_SEASON_POINTS, f"year-end message? no: {why}")


def ruled_out(reasons: tuple[Reason, ...]) -> bool:
    """The evidence says this is no year-end message, whatever else it says: one of the
    reasons of this module (published far from the turn of the year, a staff review of one
    topic or a list of the year's stories, another occasion or one of a series, a
    farewell, a letter that says nothing of the year); or it says nothing of one (no facet
    or phrase: the season alone, or the classifier's words alone, make no year-end
    message)."""
    if any(r.signal in _RULING_OUT for r in reasons):
        return True
    return not any(r.points > 0 and r.signal != "season" for r in reasons)
