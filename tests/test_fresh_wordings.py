"""Wordings of real posts from the fresh sets (each round's, read blind first, then
fixed), written again for these tests in the same shapes: year-end messages, outcomes,
and their look-alikes."""

from __future__ import annotations

import pytest

from digest.curate import year_end
from digest.kinds import GOOD_NEWS, GRIM, OTHER, YEAR_END

from .test_rules_reading import entry, kind_of

# (title, text, language, kind)
TWENTIETH = [
    # the year's last days, a greeting from the whole house, a message named by sender
    ("Thoughts in the last week of 2024", "", "en", YEAR_END),
    (
        "From all of us at the Riverside Law Centre, wishing you merry Christmas",
        "",
        "en",
        YEAR_END,
    ),
    ("Message du bureau pour Noël et le Nouvel an", "", "fr", YEAR_END),
    # outcomes in other words
    ("Parliament voted to abolish the death penalty", "", "en", GOOD_NEWS),
    ("Law students win asylum for three refugees", "", "en", GOOD_NEWS),
    ("Supreme Court overturns state's harsh anti-protest laws", "", "en", GOOD_NEWS),
    ("Grâce présidentielle pour 200 prisonniers", "", "fr", GOOD_NEWS),
    ("Dérogations censurées par le Conseil constitutionnel", "", "fr", GOOD_NEWS),
    # a demand, a statement that condemns a crime, a detention that goes on
    ("Release the three jailed students", "", "en", GRIM),
    ("Le syndicat a condamné le meurtre du journaliste", "", "fr", OTHER),
    (
        "L'association proteste contre le maintien en détention de militants",
        "Le juge avait pourtant ordonné leur remise en liberté.",
        "fr",
        GRIM,
    ),
]


# (title, text, language, kind)
TWENTY_FIRST = [
    # the season's message by its short name, the house's last word of the year, a
    # leader's desk
    ("Bishops' Conference Xmas Message", "", "en", YEAR_END),
    ("The last newsletter of 2024", "Thank you all for your support.", "en", YEAR_END),
    ("From the President's Desk", "Dear members, at this time of the year", "en", YEAR_END),
    (
        "Bulletin de décembre",
        "L'année s'achève. Les douze mois écoulés ont été durs.",
        "fr",
        YEAR_END,
    ),
    # several leaders' messages gathered; a letter that says which month it is written in
    ("Messages de Noël des évêques de la région", "", "fr", OTHER),
    ("Church leaders' Christmas messages", "", "en", OTHER),
    (
        "Lettre du président",
        "Chers amis, il est temps, en ce mois de mars, de vous donner des nouvelles.",
        "fr",
        OTHER,
    ),
    # outcomes in other words, and a release that did not happen
    ("Court upholds ruling decriminalising same-sex relations", "", "en", GOOD_NEWS),
    ("Le canton gagne au Tribunal fédéral contre l'office des migrations", "", "fr", GOOD_NEWS),
    (
        "La justice contraint l'État à organiser le retour de trois familles",
        "",
        "fr",
        GOOD_NEWS,
    ),
    ("Le pays devient le 24e État à abolir la peine de mort", "", "fr", GOOD_NEWS),
    (
        "Activist's early release cancelled at the last moment",
        "The activist, jailed in 2019, stays in prison.",
        "en",
        GRIM,
    ),
]


# (title, text, kind)
TWENTY_SECOND_FR = [
    # the year looked back on as it just passed; several presidents' word; a long
    # sender before "pour Noël"; a mayor's word and vœux (the head of a public body)
    (
        "Le mot des présidents",
        "Chers amis, l'année qui vient de s'écouler a été pleine de nouveautés.",
        YEAR_END,
    ),
    ("Message de la Conférence des évêques catholiques du pays pour Noël", "", YEAR_END),
    ("Mot du Maire", "Chères habitantes, chers habitants,", YEAR_END),
    (
        "Cérémonie des vœux du maire de la commune",
        "Je souhaite tout d'abord vous remercier.",
        YEAR_END,
    ),
    # ... but not any letter that names a mayor, nor vœux addressed to one
    ("Lettre de soutien au maire", "", OTHER),
    ("Vœux de l'association au maire", "", OTHER),
]


# (title, text, kind)
TWENTY_SECOND_EN = [
    # a church's leader writes the season's letter; December's newsletter opens on the
    # year's end
    ("December 2024 Pastor's Letter", "Advent is a season of giving.", YEAR_END),
    (
        "December Newsletter 2024",
        "As we come to the end of another year, we give thanks for your support.",
        YEAR_END,
    ),
    # ... but not another month's newsletter, nor several people's hopes gathered
    (
        "October Newsletter 2024",
        "As we come to the end of another year, we give thanks for your support.",
        OTHER,
    ),
    (
        "2024 New Year goals",
        "Friends of the charity share their hopes for the year ahead.",
        OTHER,
    ),
    # a court that stops the government, strikes out a law; a prisoner off death row
    (
        "Court prevents government from suspending journalists",
        "The high court on Thursday blocked a government bid to suspend 30 journalists.",
        GOOD_NEWS,
    ),
    ("Court strikes out sections of security law", "", GOOD_NEWS),
    ("Two prisoners removed from death row", "", GOOD_NEWS),
    # ... not a release worked for, nor volunteers cleared to visit
    (
        "Appeal to the president over the journalist's case",
        "We call on you as chair of the union to use all available means to help secure"
        " the immediate release of the jailed journalist.",
        GRIM,
    ),
    (
        "A morning at the jail",
        "Three new volunteers were cleared and ready to come in for Bible studies.",
        OTHER,
    ),
]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Well that was quite a year. Housing changed for good.", "en"),
        ("2024 was an important year for press freedom and for our unions.", "en"),
        ("The bishop said today in his New Year's 'World Day of Peace' homily.", "en"),
        ("L'archevêque a prononcé l'homélie de la messe de Noël devant la foule.", "fr"),
    ],
)
def test_the_year_looked_back_on_or_the_season_s_homily_is_a_year_end_what(
    text: str, language: str
) -> None:
    found = year_end.facets(entry("News", text))
    assert [r.signal for r in found if r.points >= year_end.STRONG_WHAT] == ["year_end:what"]


# (title, text, language, kind)
TWENTY_THIRD = [
    # a church's leaders speak; the season's welcome and wishes; the year closed by its
    # number in French
    (
        "Our country needs rekindling",
        "The Archbishops have issued their annual joint Christmas message.",
        "en",
        YEAR_END,
    ),
    (
        "A New Year's Welcome from our CEO",
        "To our volunteers and supporters, a note of best wishes for the start of a new year.",
        "en",
        YEAR_END,
    ),
    (
        "Une nouvelle édition du guide pour clore cette année 2020",
        "Édito de la directrice. Cette année 2020 s'achève.",
        "fr",
        YEAR_END,
    ),
    # ... but not several churches' messages, nor a message for a church's Sunday
    (
        "Church Christmas messages",
        "I have only been to the Holy Land once, many years ago.",
        "en",
        OTHER,
    ),
    (
        "Message of appreciation to prison chaplains on Prison Sunday",
        "The bishop thanks the chaplains.",
        "en",
        OTHER,
    ),
    # outcomes: a reprieve, death sentences commuted, an injunction against evictions,
    # police barred from re-arresting, sentences commuted by decree
    (
        "Reprieve for 390 death row inmates",
        "The president has commuted the death sentences of 390 prisoners to life imprisonment.",
        "en",
        GOOD_NEWS,
    ),
    (
        "Why judge issued temporary injunction to prevent residents from being evicted",
        "A judge issued a temporary injunction preventing the housing authority from"
        " evicting any more tenants.",
        "en",
        GOOD_NEWS,
    ),
    ("Judiciary strikes back: police barred from re-arresting suspects", "", "en", GOOD_NEWS),
    ("Commutations et remises de peine par décret", "", "fr", GOOD_NEWS),
    ("Expulsion abusive et relogement ordonné", "", "fr", GOOD_NEWS),
    # ... not pressure to release, nor a demand to commute
    ("Government faces pressure to release arrested activists", "", "en", GRIM),
    ("Commute death sentences to life imprisonment", "", "en", GRIM),
]


# (title, text, language, kind)
TWENTY_FOURTH = [
    # a rabbi's message, the season's homily as a title, thanks for the year
    ("A Message From Rabbi Cohen", "I send you my end of Hanukkah greetings.", "en", YEAR_END),
    ("My Year End Thank You Letter", "", "en", YEAR_END),
    ("homélie Noël 2018", "Frères et sœurs,", "fr", YEAR_END),
    (
        "Greetings from the shelter!",
        "We would like to say a huge thank you to all our supporters over the last year.",
        "en",
        YEAR_END,
    ),
    # outcomes: a ruling that the government cannot, a discharge, an order not extended,
    # a pardon in the present tense, a conviction quashed on appeal
    (
        "Judge rules Trump administration can't arbitrarily detain asylum seekers",
        "",
        "en",
        GOOD_NEWS,
    ),
    ("Human rights defender discharged by Ugandan court", "", "en", GOOD_NEWS),
    ("It was decided not to extend a detention order", "", "en", GOOD_NEWS),
    ("Burundi : le président gracie une journaliste emprisonnée", "", "fr", GOOD_NEWS),
    (
        "Huit défenseurs",
        "La haute cour a infirmé leur précédente condamnation.",
        "fr",
        GOOD_NEWS,
    ),
    # ... not back in prison after a release, detention orders issued, kept in prison
    ("Activist jailed again after brief release", "", "en", GRIM),
    ("Israel releases 50 administrative detention orders", "", "en", OTHER),
    ("Un animateur relaxé mais maintenu en prison", "", "fr", OTHER),
]


# (title, text, language, kind)
TWENTY_FIFTH = [
    # a bishop's Christmas letter: the feast and its year as the title, the season
    # prepared for in the opening
    (
        "The Eve of the Nativity, 2021",
        "Dear friends in Christ, I write to thank you for your ministry this year.",
        "en",
        YEAR_END,
    ),
    (
        "Walk in the light",
        "My dear sisters and brothers, as we prepare to celebrate Christmas, I pray for you.",
        "en",
        YEAR_END,
    ),
    # ... not politicians' greetings gathered, nor replies a paper asked for; one body's
    # greetings stay a message
    ("Season's greetings from the county's political leaders", "", "en", OTHER),
    (
        "A rabbi's Hanukkah message for 2024",
        "For our holiday issue, we asked members of the community to share their thoughts.",
        "en",
        OTHER,
    ),
    ("Christmas and New Year greetings from the bishops of the province", "", "en", YEAR_END),
    # outcomes: removals stopped, a law ruled unconstitutional, the government's appeal
    # dismissed, a tribunal won
    ("Three families to stay as deportations blocked", "", "en", GOOD_NEWS),
    ("Deportation flight will not go ahead after legal challenges", "", "en", GOOD_NEWS),
    (
        "Activists on a historic ruling",
        "The court ruled that the colonial-era laws were unconstitutional.",
        "en",
        GOOD_NEWS,
    ),
    (
        "Court sides with the nation",
        "The court dismissed an appeal from the provincial government.",
        "en",
        GOOD_NEWS,
    ),
    ("Band wins a victory at the claims tribunal", "", "en", GOOD_NEWS),
    # ... not a law brought back, a letter published, a plea at trial, a house described
    (
        "Activist takes the case to the privy council",
        "The supreme court recently reinstated the law.",
        "en",
        OTHER,
    ),
    (
        "Pastoral letter on refugees",
        "The letter now being released by the bishops.",
        "en",
        OTHER,
    ),
    ("Activists who halted a deportation flight plead not guilty", "", "en", GRIM),
    (
        "Defenders face threats",
        "Posts showed her home with trees as a haunted house.",
        "en",
        OTHER,
    ),
    # French: a rabbi's editorial for the feast, a bishop's pastoral letter for
    # Christmas (not an open letter); the freed named by what they suffered, pupils
    # saved from removal
    ("Hanouka 5785 : édito rabbinique", "La fête des lumières nous rassemble.", "fr", YEAR_END),
    ("Diocèse du lac : lettre pastorale pour Noël", "Frères et sœurs,", "fr", YEAR_END),
    ("Lettre ouverte pour Noël au ministre", "", "fr", OTHER),
    (
        "Libération de trois journalistes arrêtés et détenus depuis six mois",
        "",
        "fr",
        GOOD_NEWS,
    ),
    ("Deux lycéens sauvés de l'expulsion", "", "fr", GOOD_NEWS),
    (
        "Il faut libérer les militants",
        "Elles demandent la libération de deux militants arrêtés il y a trois mois.",
        "fr",
        GRIM,
    ),
]


# (title, text, language, kind)
TWENTY_SIXTH = [
    # the new year arrived or greeted, the year nearly over, the last edition of a
    # year, the season's thanks from an office
    (
        "Director's update: kicking off another year",
        "It's hard to believe 2024 is already here, and I thank our members.",
        "en",
        YEAR_END,
    ),
    ("Council of Bishops greet New Year", "To the people of the church:", "en", YEAR_END),
    (
        "December 2023",
        "It's almost the end of the year, and I feel gratitude for the people we met.",
        "en",
        YEAR_END,
    ),
    (
        "Community Law News",
        "This is the final edition in a busy year for our community centres.",
        "en",
        YEAR_END,
    ),
    (
        "2015 Holiday Card",
        "In the spirit of this holiday season, the office pauses to thank its partners.",
        "en",
        YEAR_END,
    ),
    # ... not another day's letter, nor leaders' messages gathered
    ("World Refugee Day 2023: Letter from the President", "Friends,", "en", OTHER),
    ("Church leaders issue Christmas messages", "", "en", OTHER),
    # outcomes: leave to remain, families allowed to remain, a government backing down,
    # a temporary reprieve
    (
        "After ten years",
        "Our friend has finally been granted leave to remain.",
        "en",
        GOOD_NEWS,
    ),
    ("Government to allow 2,000 families to remain", "", "en", GOOD_NEWS),
    ("Government backs down on legal aid cuts", "", "en", GOOD_NEWS),
    ("Temporary reprieve for 30 people due to be deported", "", "en", GOOD_NEWS),
    # ... not a release said to fall short
    ("Critics: Guantanamo release not enough", "", "en", OTHER),
    # French: the season's greeting, a misspelt wish, the year's page turned; not a
    # Christmas appeal for one cause, nor a release refused
    (
        "Pour un Noël apaisé",
        "Chers amis, nous tenons à vous saluer pour ces fêtes.",
        "fr",
        YEAR_END,
    ),
    ("Meilleurs voux pour l'année 2009", "", "fr", YEAR_END),
    ("Les banques alimentaires lancent un appel aux dons pour Noël", "", "fr", OTHER),
    ("Pas de libération pour les trois militants", "", "fr", OTHER),
]


TWENTY_SEVENTH = [
    # a church leader's season message as a paper reports it; the feast celebrated; the
    # organisation's triumphs of the year
    (
        "KENYA: Show Love to One Another to Mark the Birth of Christ, Archbishop Tells Faithful",
        "The archbishop has called on the faithful to show love on Christmas day.",
        "en",
        YEAR_END,
    ),
    (
        "Primate Okoh urges Nigerians to celebrate Christmas with hope",
        "The Primate of all Nigeria has urged Nigerians to celebrate Christmas with hope.",
        "en",
        YEAR_END,
    ),
    (
        "Peace and Goodwill to all, Archbishop Joseph Arshad",
        "As we celebrate the birth of Jesus Christ on December 25, the Archbishop wants "
        "people to contribute to the progress of the country.",
        "en",
        YEAR_END,
    ),
    ("Ten Triumphs of 2015", "Our members saw off the Snoopers' Charter again.", "en", YEAR_END),
    (
        "Raï s'élève contre « le suivisme »",
        "Comme le veut la coutume, le patriarche maronite a adressé son message de Noël aux "
        "Libanais.",
        "fr",
        YEAR_END,
    ),
    # several leaders' messages gathered, a meal or a card campaign of the season
    ("'Find your home with Jesus' and other Christmas messages", "", "en", OTHER),
    ("Happy Christmas, from the leaders of Australian Churches", "", "en", OTHER),
    ("Les vœux de nos évêques", "Les évêques ont adressé des vœux pour 2014.", "fr", OTHER),
    ("Sant'Egidio's Christmas lunch with the poor", "", "en", OTHER),
    # good news: a tribunal's finding, a legal challenge won, a law welcomed as struck down,
    # perpetrators convicted, a claimant's success, a release despite a demand-like word
    (
        "Employment Tribunal finds Unite member was unfairly dismissed for carrying out trade "
        "union activities",
        "",
        "en",
        GOOD_NEWS,
    ),
    ("We won our legal challenge to stop the pipeline expansion", "", "en", GOOD_NEWS),
    ("Group Welcome Decriminalization of Section 377 in India", "", "en", GOOD_NEWS),
    ("Argentina convicts former military officials for 'Dirty War' crimes", "", "en", GOOD_NEWS),
    ("Mohammed Younis Succeeds in the Supreme Court", "", "en", GOOD_NEWS),
    (
        "Cambodian workers are freed after 5 months in prison for demanding better pay",
        "",
        "en",
        GOOD_NEWS,
    ),
    (
        "Quand la justice ramène le Préfet à raison",
        "Le Tribunal administratif vient d'annuler ces décisions.",
        "fr",
        GOOD_NEWS,
    ),
    ("Vendredi 1er février : Régularisation du dernier couple menacé", "", "fr", GOOD_NEWS),
    # not good news: "Free …" after the country, a media release, an acquittal feared
    ("Cambodia: Free Prominent Trade Union Leader", "", "en", OTHER),
    ("Spain: Release Turkish-Swedish journalist Hamza Yalçın", "", "en", OTHER),
    ("Media release -Julie Bishop should raise West Papua", "", "en", OTHER),
    ("Convicted killers of journalist must not be acquitted", "", "en", OTHER),
]


TWENTY_EIGHTH = [
    # the season's messages in the plural are gathered, not one organisation's own
    ("Christmas Messages", "The archbishop and the moderator sent their greetings.", "en", OTHER),
    ("Russian Newspaper Publishes New Year's Messages From Jailed Activists", "", "en", GRIM),
    (
        "Les messages de Noël",
        "L'évêque et le pasteur adressent leurs vœux aux fidèles.",
        "fr",
        OTHER,
    ),
    # the season wished as the whole title, with its article
    ("A BLESSED CHRISTMAS", "Dear friends, may the peace of Christ be with you.", "en", YEAR_END),
    # good news: an act annulled, a lawsuit won, a victory named first, the courts turning
    # the government down, compensation paid, a judgment welcomed
    ("Court annuls Anti-Homosexuality Act 2014", "", "en", GOOD_NEWS),
    ("Helsinki Committee Wins Lawsuit Against Cabinet Office", "", "en", GOOD_NEWS),
    (
        "Victory for open justice as Courts reject Government attempt at yet more secrecy",
        "",
        "en",
        GOOD_NEWS,
    ),
    ("Supreme Court of Appeal rejects arbitrary detention of foreigners", "", "en", GOOD_NEWS),
    (
        "Government apologizes and pays compensation to the Hungarian Helsinki Committee",
        "",
        "en",
        GOOD_NEWS,
    ),
    # not good news: an acquittal someone is asked to appeal
    ("LFL: The AG must appeal Corporal Jenain's acquittal", "", "en", OTHER),
    ("Government refuses to pay compensation to torture victims", "", "en", GRIM),
    ("The state has not paid compensation to the families", "", "en", OTHER),
    # French: the feast and its year heading a church's words, vœux in a "message de …
    # Noël"; several bodies' vœux are not one organisation's
    (
        "Noël 2022 : La Conférence Épiscopale du Burkina Faso s'adresse aux catholiques",
        "",
        "fr",
        YEAR_END,
    ),
    ("Noël 2020 : Les ferventes prières de l'Archevêque de Dakar", "", "fr", YEAR_END),
    ("Message de vœux de Noël 2025 du Président de l'union", "", "fr", YEAR_END),
    (
        "Les principales autorités officielles de Martinique présentent leurs vœux à la population",
        "",
        "fr",
        OTHER,
    ),
    # good news: freedom regained by several, crimes against humanity judged, an expulsion
    # suspended, the court granting a claim, a success named
    ("Beni : les 12 militants de la LUCHA recouvrent leur liberté", "", "fr", GOOD_NEWS),
    ("Guinée : les condamnations pour crimes contre l'humanité", "", "fr", GOOD_NEWS),
    ("Une famille de réfugiés obtient la suspension de son expulsion", "", "fr", GOOD_NEWS),
    ("Mayotte : la justice fait droit à la raison", "", "fr", GOOD_NEWS),
    ("Barrage en Guyane : Succès pour les associations", "", "fr", GOOD_NEWS),
]


# every round's cases, by round (docs/curation-quality.md tells what each round found)
ROUNDS = {
    "20": TWENTIETH,
    "21": TWENTY_FIRST,
    "22": [(t, x, "fr", k) for t, x, k in TWENTY_SECOND_FR]
    + [(t, x, "en", k) for t, x, k in TWENTY_SECOND_EN],
    "23": TWENTY_THIRD,
    "24": TWENTY_FOURTH,
    "25": TWENTY_FIFTH,
    "26": TWENTY_SIXTH,
    "27": TWENTY_SEVENTH,
    "28": TWENTY_EIGHTH,
}


@pytest.mark.parametrize(
    ("title", "text", "language", "kind"),
    [
        pytest.param(*case, id=f"round {n}: {case[0]}")
        for n, cases in ROUNDS.items()
        for case in cases
    ],
)
def test_fresh_round_wordings(title: str, text: str, language: str, kind: str) -> None:
    assert kind_of(entry(title, text), language) == kind
