"""How the rules read shapes of real posts that a development set of human-rights
organisations' pages showed them misreading (the posts below are written for these tests,
in the same shapes): the title weighs most, a question or a demand reports no outcome,
spelling variants, and year-end messages that only their titles name."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.curate import load_rules, signals
from digest.curate.not_year_end import ruled_out
from digest.curate.rules import compile_phrase, expand, normalise
from digest.curate.scoring import classify
from digest.kinds import CAMPAIGN, GOOD_NEWS, GRIM, OTHER, YEAR_END
from digest.models import Entry

DECEMBER = datetime(2025, 12, 16, 12, tzinfo=UTC)


def entry(title: str, text: str = "", *, when: datetime = DECEMBER, feed: str = "Feed A") -> Entry:
    return Entry(
        feed_url="feeds/a.xml",
        feed_name=feed,
        entry_id=title,
        title=title,
        link="https://a.example/1",
        published=when,
        excerpt=text,
        language="en",
    )


def kind_of(item: Entry, language: str = "en") -> str:
    return kind_of_with(load_rules(language), item)


def kind_of_with(rules, item: Entry) -> str:
    return classify(signals.kind_evidence(item, rules))


@pytest.mark.parametrize(
    "phrase_in_pack, variant",
    [
        ("year-end message", "Year end message 2025: standing together"),
        ("year-end message", "Our yearend message to supporters"),
        ("end-of-year message", "An end of year message from the board"),
    ],
)
def test_a_hyphenated_phrase_matches_its_spelling_variants(
    phrase_in_pack: str, variant: str
) -> None:
    found = load_rules("en").match([variant.lower()])
    assert phrase_in_pack in found.get(YEAR_END, ())


def test_a_hyphenated_stem_matches_with_and_without_the_hyphen() -> None:
    rules = load_rules("en")
    for title in ("Blogger re-arrested at the border", "Blogger rearrested at the border"):
        assert "re-arrest*" in rules.match([title.lower()]).get(GRIM, ())
    assert GRIM not in rules.match(["free re-entry for all"])


def test_the_title_weighs_most_between_good_news_and_grim() -> None:
    released = entry(
        "Torture survivor sentenced as a teenager has been released!",
        "He was tortured, sentenced to death and held for ten years.",
    )
    assert kind_of(released) == GOOD_NEWS  # the text's grim words do not outweigh it
    still_jailed = entry(
        "Azerbaïdjan : le nombre de défenseurs emprisonnés reste très élevé",
        "Trois défenseurs ont été graciés et une peine a été commuée.",
    )
    assert kind_of(still_jailed, "fr") == GRIM  # the text's pardons do not make it good news


@pytest.mark.parametrize(
    "title, text",
    [
        ("When will there be good news?", "Supporters often write to ask us that."),
        ("100 days on: why won't the authorities release the blogger?", "He is still held."),
    ],
)
def test_a_question_reports_no_outcome(title: str, text: str) -> None:
    assert kind_of(entry(title, text)) != GOOD_NEWS


@pytest.mark.parametrize(
    "title",
    [
        "Country X: rights group calls for release of all prisoners of conscience",
        "Hundreds rally in the capital for the release of a jailed poet",
    ],
)
def test_a_demand_in_the_title_is_not_made_good_news_by_the_text(title: str) -> None:
    text = "Among those already released last year were two students."
    found = signals.kind_evidence(entry(title, text), load_rules("en"))
    assert GOOD_NEWS not in found


@pytest.mark.parametrize(
    "title, language",
    [
        ("Government fails to release jailed human rights lawyer", "en"),
        ("Court failed to free the detained editor despite the ruling", "en"),
        ("Les autorités n'ont pas libéré le journaliste malgré la décision", "fr"),
    ],
)
def test_a_release_that_did_not_happen_is_grim(title: str, language: str) -> None:
    found = signals.kind_evidence(entry(title), load_rules(language))
    assert GOOD_NEWS not in found
    assert kind_of(entry(title), language) == GRIM


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Censorship lift for banned documentary surprises Marrenland", GOOD_NEWS),
        ("Top court says access to water is a fundamental right", GOOD_NEWS),
        ("Landmark court verdict on indigenous land rights", GOOD_NEWS),
        ("Jailed blogger denied presidential pardon", "other"),
        ("Scheduled release of jailed poet delayed by two weeks", "other"),
        ("Denmark grants pardon to jailed cartoonist", GOOD_NEWS),
        ("Authorities lifted the censorship of three news sites", GOOD_NEWS),
        ("Journalists call on the government to lift censorship", "other"),
    ],
)
def test_news_shapes_of_outcomes_and_non_outcomes(title: str, kind: str) -> None:
    found = signals.kind_evidence(entry(title), load_rules("en"))
    assert (GOOD_NEWS in found) == (kind == GOOD_NEWS), found


@pytest.mark.parametrize(
    "title",
    [
        "Remarks on the Release of the Annual Human Rights Report",
        "Minister to release the 2025 International Religious Freedom Report",
        "Commission releases its country reports on press freedom",
    ],
)
def test_the_release_of_a_report_is_no_release(title: str) -> None:
    assert GOOD_NEWS not in signals.kind_evidence(entry(title), load_rules("en"))


@pytest.mark.parametrize(
    "title, language, kind",
    [
        ("Syrie : enfin l'amnistie inconditionnelle pour le journaliste !", "fr", GOOD_NEWS),
        ("Tunisie : l'annulation de la condamnation du blogueur", "fr", GOOD_NEWS),
        ("Chine : l'abolition de la limite des mandats votée", "fr", "other"),
        ("Federal judge's ruling a victory for asylum seekers", "en", GOOD_NEWS),
        ("Rights group praises the ruling by a federal judge", "en", GOOD_NEWS),
        ("City agrees to drop its appeal in the stop-and-frisk case", "en", GOOD_NEWS),
        ("Rights group wins a ground-breaking victory against face recognition", "en", GOOD_NEWS),
        ("Première victoire en justice contre la reconnaissance faciale !", "fr", GOOD_NEWS),
    ],
)
def test_outcomes_after_an_elided_article_or_said_as_praise(
    title: str, language: str, kind: str
) -> None:
    assert kind_of(entry(title, when=datetime(2025, 6, 10, tzinfo=UTC)), language) == kind


def test_plural_courts_and_defeats_in_court_are_outcomes() -> None:
    assert kind_of(entry("Courts block the new travel ban")) == GOOD_NEWS
    assert kind_of(entry("Discriminatory ban defeated in court again")) == GOOD_NEWS
    assert kind_of(entry("Eight reporters abducted near the border")) == GRIM


@pytest.mark.parametrize(
    "title, language, feed",
    [
        ("Year end message 2025: a time to stand together", "en", "Feed A"),
        ("Nos succès 2025", "fr", "Feed A"),
        ("Victoires pour les droits humains en 2025", "fr", "Feed A"),
        ("14 bonnes nouvelles qui ont marqué 2025", "fr", "Feed A"),
        ("This year's biggest human rights wins", "en", "Feed A"),
        ("10 of your biggest moments in 2025", "en", "Feed A"),
        ("Vous avez contribué à changer des vies en 2025 !", "fr", "Feed A"),
        ("41 victoires pour les droits humains dont nous pouvons nous réjouir", "fr", "Feed A"),
        ("Pour terminer l'année, des cas où l'espoir a triomphé", "fr", "Feed A"),
        ("2025: The Year in Civil Liberties", "en", "Feed A"),
        ("The council looks back on 2025", "en", "Feed A"),
        ("Amnesty in 2025: a message from our director", "en", "Amnesty International UK"),
        ("To Our Supporters: You Give Us Much to Be Thankful For", "en", "Feed A"),
        ("À nos donateurs", "fr", "Feed A"),
        ("Merci !", "fr", "Feed A"),
        ("Wishing you a peaceful Christmas", "en", "Feed A"),
        ("From the Desk of Executive Director Jane Roe", "en", "Feed A"),
        ("Message from Secretary Roe for the Holiday Season", "en", "Feed A"),
        ("ALCOAST 459/25 - DEC 2025 HOLIDAY SEASONS GREETINGS", "en", "Feed A"),
        ("End of year statement 2025", "en", "Feed A"),
        ("Year-end update from the board", "en", "Feed A"),
        ("Director's update: the year human rights came back", "en", "Feed A"),
        ("Jeanne Roe : une bonne fin d'année pour la fédération", "fr", "Feed A"),
        ("Vœux de la présidente aux adhérents", "fr", "Feed A"),
        ("2025 Wrapped", "en", "Feed A"),
        ("…and that's a wrap for 2025!", "en", "Feed A"),
        ("2025 Christmas and 2026 New Year Wishes", "en", "Feed A"),
        ("Worth celebrating: 2025's free speech wins", "en", "Feed A"),
        ("L'année 2025 est enfin terminée", "fr", "Feed A"),
        ("Le syndicat vous souhaite un joyeux temps des Fêtes !", "fr", "Feed A"),
        ("Edito du Président – décembre 2025", "fr", "Feed A"),
        ("2025 Executive Director Reflection", "en", "Feed A"),
        ("Thank you for supporting the shelter this Christmas", "en", "Feed A"),
        ("A Christmas Thank you", "en", "Feed A"),
        ("Goodwill and Seasonal Message", "en", "Feed A"),
        ("Seasons Greetings from President Roe", "en", "Feed A"),
        ("From the President", "en", "Feed A"),
        ("Happy 2026! Privacy by design", "en", "Feed A"),
        ("Les vœux du président", "fr", "Feed A"),
        ("Merci : l'année 2025 a été difficile, et vous étiez là", "fr", "Feed A"),
        ("2025 fue un año de lucha: gracias", "es", "Feed A"),
    ],
)
def test_a_title_that_names_a_year_end_message_makes_one_in_season(
    title: str, language: str, feed: str
) -> None:
    message = entry(title, "", feed=feed)
    assert kind_of(message, language) == YEAR_END
    summer = replace(message, published=datetime(2025, 6, 10, tzinfo=UTC))
    assert kind_of(summer, language) != YEAR_END


@pytest.mark.parametrize(
    "title, text, feed",
    [
        ("Online highlights from the Portuguese-speaking world in 2025", "", "Feed A"),
        ("Number of killed journalists in 2025 spikes", "", "Committee to Protect Journalists"),
        (
            "Les bonnes nouvelles de février",
            "Retour sur les bonnes nouvelles de février 2025.",
            "A",
        ),
        (
            "What a year! Annual Report 2024 - 2025 is now available",
            "This year we celebrated 40 years of working for tenants' rights.",
            "Feed A",
        ),
        (
            "15 victoires obtenues en mars dans le domaine des droits humains !",
            "Mars s'est avéré un très bon mois : des militants ont été libérés. Merci !",
            "A",
        ),
        ("Christmas greeting card campaign 2025", "Send a card to a prisoner.", "Feed A"),
        (
            "Library in the News: December 2025 Edition",
            "Happy New Year! Let's look back on some of the Library's headlines in December.",
            "Feed A",
        ),
        ("The Death Penalty in 2025: Year End Report", "", "Death Penalty Information Center"),
        (
            "Remarks at a holiday reception",
            "Thank you very much. Happy holidays to all. Merry Christmas to the members here.",
            "Feed A",
        ),
    ],
)
def test_lists_of_stories_topics_and_months_are_not_year_end_messages(
    title: str, text: str, feed: str
) -> None:
    language = "fr" if "nouvelles" in title or "victoires" in title else "en"
    assert kind_of(entry(title, text, feed=feed), language) != YEAR_END


@pytest.mark.parametrize(
    "title, text",
    [
        (
            "Make human rights real",
            "Message from our Secretary General on the occasion of Human Rights Day.",
        ),
        ("4.6 million actions for Write for Rights!", "Thank you, supporters, for every letter."),
        ("Next meeting: Write for Rights letter evening", "Our supporters write letters."),
        ("Human Rights Day: a message from our Secretary General", "Rights are universal."),
        ("Message from our Chair on Human Rights Defenders Day", "This year we mark 25 years."),
        (
            "Message from our President on the International Day of Persons with Disabilities",
            "This year, thank you to our members.",
        ),
        ("Shelter launches its Christmas fundraiser", "Help us make Christmas special this year."),
        ("Summer break: a message from the President", "Dear members, thank you for this year."),
        (
            "Thanksgiving Message To the Agency Family",
            "Our best wishes for a happy Thanksgiving. Thank you, dear friends.",
        ),
    ],
)
def test_a_message_for_another_occasion_is_ruled_out(title: str, text: str) -> None:
    found = signals.kind_evidence(entry(title, text), load_rules("en"))
    assert ruled_out(found[YEAR_END][1])
    assert any("another occasion" in r.text for r in found[YEAR_END][1])
    assert classify(found) in (CAMPAIGN, "other", GRIM)


@pytest.mark.parametrize(
    "title, text",
    [
        (
            "A message from our executive director",
            "The board announced today that I will be leaving the association in March.",
        ),
        ("A personal note about my next steps", "Dear friends, thank you for ten years."),
        ("Au revoir et merci", "Chers adhérents, je quitte la présidence de la ligue."),
        (
            "Le dernier mot de la présidente",
            "Chères amies, chers amis, j'achève mon mandat avec gratitude : merci à toutes.",
        ),
    ],
)
def test_a_farewell_is_ruled_out(title: str, text: str) -> None:
    """A leader's farewell at the turn of the year is about the leader, not the year."""
    found = signals.kind_evidence(entry(title, text), load_rules("en"))
    assert ruled_out(found[YEAR_END][1])
    assert any("farewell" in r.text for r in found[YEAR_END][1])


def test_a_farewell_that_its_title_calls_a_year_end_letter_is_one() -> None:
    message = entry("Year-end letter: my last as director", "I will be stepping down in March.")
    assert kind_of(message) == YEAR_END
    to_the_year = entry("Farewell 2025!", "Dear friends, thank you for this year.")
    found = signals.kind_evidence(to_the_year, load_rules("en"))
    assert not any(r.signal == "year_end:farewell" for r in found[YEAR_END][1])


def test_the_years_most_popular_posts_are_a_roundup_even_said_in_the_opening() -> None:
    roundup = entry(
        "2025 Year in Review",
        "To sum up the year, we take a look at the most popular blog posts of the past months.",
    )
    found = signals.kind_evidence(roundup, load_rules("en"))
    assert ruled_out(found[YEAR_END][1])
    assert kind_of(roundup) != YEAR_END


@pytest.mark.parametrize(
    "title, language, good",
    [
        ("Court declares mass surveillance programme illegal", "en", True),
        ("Life sentence vacated for man who spent 30 years in prison", "en", True),
        ("Write to your MP to push for the release of a jailed poet", "en", False),
        ("Hanging held unconstitutional by the state's highest court", "en", True),
        ("Appeals court: media gag order rejected", "en", True),
        ("Court rules right to counsel includes the first interrogation", "en", True),
        ("Court rules there is no right to counsel before charge", "en", False),
        ("Funding gap may lead to the early release of a convicted warlord", "en", False),
        ("Expulsion annulée en appel pour une famille de Lyon", "fr", True),
        ("Procès des militants : la justice donne raison aux associations", "fr", True),
        ("L'arrêté municipal anti-mendicité est suspendu", "fr", True),
        ("Nouvelles libérations de prisonniers politiques", "fr", True),
        ("Il faut abandonner les poursuites contre les journalistes", "fr", False),
        ("Il faut saluer la libération des deux journalistes", "fr", True),
        ("Le maire arrêté et suspendu de ses fonctions", "fr", False),
        ("Un arrêté préfectoral interdit la manifestation", "fr", False),
        ("Le journaliste blanchi par la cour d'appel", "fr", True),
        ("Un ministre mis en examen pour blanchiment", "fr", False),
        ("Victory! Appeals court lets a tenant keep her home", "en", True),
        ("Victory: judge upholds protections for striking nurses", "en", True),
        ("Families reuniting with their children at the border crossing", "en", True),
        ("Lawsuit seeks the release of a detained father", "en", False),
        ("Agency releases its quarterly detention numbers", "en", False),
        ("Le tribunal ordonne la suspension de l'arrêté anti-camping", "fr", True),
        ("Le Conseil d'État rejette la demande de suspension du décret", "fr", False),
        ("Libération immédiate pour les syndicalistes détenus !", "fr", False),
        ("Le gouvernement doit obtenir la libération de notre compatriote", "fr", False),
        ("Les familles espèrent une libération prochaine des otages", "fr", False),
        ("Tenants' union wins $90,000 in settlements from landlords", "en", True),
        ("Regional court finds sedition law unconstitutional", "en", True),
        ("Court decision upholds street vendors' protection ordinance", "en", True),
        ("Prosecution backs down in the case of the bridge protesters", "en", True),
        ("Le gouvernement annonce l'abandon du projet de mine à ciel ouvert", "fr", True),
        ("La cour a ordonné jeudi l'arrêt des travaux du barrage", "fr", True),
        ("Christmas opening times: all our food banks will reopen on 3 January", "en", False),
        ("Groups call for the repeal of the sedition law", "en", False),
        ("Court Update: Ten More Protester Cases Dismissed", "en", True),
        ("Supreme Court rules anti-protest laws constitutionally invalid", "en", True),
        ("Beaucoup de bruit pour une double relaxe", "fr", True),
        ("Colorado becomes the 22nd state to abolish the death penalty", "en", True),
        ("Most Providers Lift Blocking from Independent News Websites", "en", True),
        ("Death Penalty Repeal Bills Introduced Throughout the U.S.", "en", False),
        ("Virginia could become the next state to abolish the death penalty", "en", False),
        ("Statut de réfugiés pour des militants ivoiriens", "fr", True),
        ("La CEDH condamne la France pour traitements inhumains", "fr", True),
        (
            "Cases dropped against 146 protesters over failure to read injunction at arrests",
            "en",
            True,
        ),
        ("Part 2. Deportation Stopped", "en", True),
        ("High Court declares security law null and void", "en", True),
        ("Supreme Court grants immediate bail to detained journalist", "en", True),
        ("Officials Must Use Clemency Power Now", "en", False),
        ("Tenants Win Injunction Prohibiting Evictions", "en", True),
        ("Judge Orders Landlord to Stop Harassing Tenants", "en", True),
        ("Le tribunal correctionnel de Nouakchott relaxe des militants", "fr", True),
        ("Le roi a accordé la grâce royale à 23 condamnés à mort", "fr", True),
        ("Deux journalistes libérés, mais trois autres demeurent emprisonnés", "fr", False),
        ("Déclaration de l'Action des chrétiens pour l'abolition de la torture", "fr", False),
        (
            "Face au refus du Conseil d'Etat de suspendre la décision, un recours est déposé",
            "fr",
            False,
        ),
        ("Logement : l'expulsion recalée par le tribunal administratif", "fr", True),
        ("Refus de titre de séjour annulé par le tribunal administratif", "fr", True),
        ("La Cour ordonne l'abrogation de l'arrêté interdisant les manifestations", "fr", True),
        ("L'association exige l'abrogation de l'arrêté anti-manifestations", "fr", False),
        ("Renvois vers le Soudan : l'Etat belge condamné", "fr", True),
        ("Licenciement abusif : réintégration du salarié après huit ans", "fr", True),
        ("SLAPP suit against indigenous farmers in the province dismissed", "en", True),
        ("Rights groups praise president for reducing death sentences", "en", True),
        ("The Gambia Passes Anti-Female Genital Mutilation Bill", "en", True),
        ("Parliament bans child marriage", "en", True),
        ("Activists call for a ban on child marriage", "en", False),
        ("MP introduces a bill to ban conversion therapy", "en", False),
        ("Europe welcomes a political prisoner's liberation", "en", True),
        ("Cuba: remembering a dissident released in 2004", "en", False),
        ("Tunisie : Hommage au cyber dissident libéré en 2005", "fr", False),
        ("Protests: magistrate dismisses charge against four students", "en", True),
        ("Military court drops lawsuit against radio host", "en", True),
        ("Tenants' pressure gets eviction of a family called off", "en", True),
        ("Appeal court overturns anti-strike rules", "en", True),
        ("Government recognises third gender citizens", "en", True),
        ("Union leader arrested, released on bail", "en", False),
        ("Calls grow for release of detained reporter", "en", False),
        ("Asile : jugements favorables pour deux familles", "fr", True),
        ("La Cour ordonne l'indemnisation de trois opposants", "fr", True),
        ("Regulator unblocks news websites", "en", True),
        ("Lawyers successful in halting deportation of 40 refugees", "en", True),
        ("Charges against two reporters must be dropped, says union", "en", False),
        ("Un militaire condamné à 20 ans pour viol", "fr", True),
    ],
)
def test_courts_and_decrees_in_other_words(title: str, language: str, good: bool) -> None:
    """A court's ruling for the claimants said in other words; a decree ("arrêté") is not
    an arrest; a demand ("il faut") is not an outcome."""
    assert (kind_of(entry(title, "Les faits."), language) == GOOD_NEWS) == good


@pytest.mark.parametrize(
    "title, language, good",
    [
        # a judge orders a release, a complaint is shelved; a promise is not an outcome
        ("Una jueza ordena la liberación de tres indígenas acusados de terrorismo", "es", True),
        ("Archivan querella contra dos periodistas", "es", True),
        ("El Gobierno derogará dos leyes de la selva", "es", False),
        ("مصر ترفع حظر السفر على الناشط", "ar", True),
        ("القضاء الإداري يوقف تنفيذ القرار", "ar", True),
        ("المجلس الدستوري يلغي فقرة من قانون الرموز", "ar", True),
    ],
)
def test_spanish_and_arabic_outcomes_in_other_words(title: str, language: str, good: bool) -> None:
    """Spanish and Arabic outcomes said as real posts say them, in the verb's other
    persons ("ترفع", "يوقف", "يلغي"), and a promise in the future ("derogará")."""
    assert (kind_of(entry(title, "Los hechos."), language) == GOOD_NEWS) == good


def test_a_message_on_another_occasion_that_closes_the_year_is_a_year_end_message() -> None:
    message = entry(
        "Journée internationale des droits humains : le mot de la présidente",
        "En cette fin d'année, le temps est aux bilans.",
    )
    assert kind_of(message, "fr") == YEAR_END


@pytest.mark.parametrize(
    "title, text, language",
    [
        (
            "Solidarity in the face of adversity",
            "Dear members, another year is now drawing to a close.",
            "en",
        ),
        ("Liberté fragile", "L'année 2025 s'achève. Merci à nos donateurs.", "fr"),
        ("Édito", "2025 se termine ! Chers amis, cette année fut compliquée.", "fr"),
        ("A time for reflection", "Another year has passed. Thank you, friends.", "en"),
        ("What we are grateful for", "As 2025 begins to wind down, we thank our readers.", "en"),
        ("A decade together", "As we enter the new decade, we'd like to thank you.", "en"),
        ("Le mot du bureau", "Une année qui s'achève est l'occasion de remercier nos amis.", "fr"),
        ("Cap sur 2026", "2025 laissera le souvenir d'une année particulière. Merci !", "fr"),
        (
            "Digital rights in 2025: a look back and ahead",
            "With 2025 drawing to a close, we thank our readers.",
            "en",
        ),
        (
            "Thanks to all the Unsung Heroes",
            "The end of another successful year of welcoming people seeking sanctuary draws near.",
            "en",
        ),
        ("Review of 2025", "At our meeting we reviewed our activities in 2025.", "en"),
        (
            "2025 Was Quite a Year",
            "As December draws to a close, we reflect on all that we have accomplished.",
            "en",
        ),
        ("Looking back", "As December comes to an end, thank you, dear readers.", "en"),
        ("Bonne et belle année à tous pour 2026 !", "2025 fut difficile pour beaucoup.", "fr"),
        ("2025 update", "In 2025, we kept busy! We started the year as a small group.", "en"),
        (
            "A Look Back and A Look Ahead from the Steering Committee",
            "Our first workshop was held in May 2014.",
            "en",
        ),
        ("Cheers to a New Year of Learning", "As we ring in the new year, thank you.", "en"),
        ("Bilan 2025 et perspectives", "Chers adhérents, voici ce que nous avons fait.", "fr"),
        (
            "2025: un año de logros",
            "Estimados amigos: les escribo con una breve reflexión sobre este año que culmina.",
            "es",
        ),
        ("Os deseamos feliz Navidad y próspero año nuevo 2026", "", "es"),
        ("A Letter of Gratitude this Holiday Season", "Your gifts fed families this year.", "en"),
        ("Thank you for helping 80 families this Christmas", "December was a busy month.", "en"),
        ("Food bank thanks all involved in another successful year", "We are thankful.", "en"),
        ("President's Perspective: a season of gratitude", "Dear friends, this year …", "en"),
        ("Looking Ahead in 2026", "Over the holidays, I thought about our members.", "en"),
        ("Discours de fin d'année du président", "Chers amis, l'année s'achève.", "fr"),
        ("Bonnes et heureuses fêtes !", "Chers confrères, voici notre message commun.", "fr"),
        ("Un message d'espoir", "Chers membres, l'année 2025 n'a pas été de tout repos.", "fr"),
        ("Christmas Newsletter 2025", "Dear All, as we come to the end of year 2025, …", "en"),
        ("Director's Blog: December 2025", "Hello everyone. Thank you for this year.", "en"),
        ("Together we changed lives", "It's been quite a year! Together we helped …", "en"),
        ("Law centre: December 2025", "As our 20th year wraps up, thank you.", "en"),
        ("Chers amis...", "En ce temps de l'année, merci de votre soutien.", "fr"),
        ("Message du temps des fêtes", "Chers membres, voici un an et demi que …", "fr"),
        (  # an "international … every day" is no international day
            "A message from our President",
            "Dear members, thank you for your international solidarity every day this year.",
            "en",
        ),
        (
            "تهنئة بمناسبة العام الجديد 2026",
            "نتوجه بالتحية إلى أعضائنا مع حلول العام الجديد",
            "ar",
        ),
    ],
)
def test_an_opening_that_closes_the_year_makes_a_year_end_message(
    title: str, text: str, language: str
) -> None:
    assert kind_of(entry(title, text), language) == YEAR_END


def test_the_edges_of_the_season_count_half() -> None:
    """A message that names itself on 23 January is late, not off season."""
    late = datetime(2026, 1, 23, tzinfo=UTC)
    message = entry("Amnesty in 2025: a message from Kate Roe", feed="Amnesty UK", when=late)
    assert kind_of(message) == YEAR_END
    found = signals.kind_evidence(message, load_rules("en"))
    assert [r.points for r in found[YEAR_END][1] if r.signal == "season"] == [1.0]
    plain = entry("A new campaign for the new year", "Thank you, members.", when=late)
    assert kind_of(plain) != YEAR_END


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Governor Grants Clemency to Robert Roe", GOOD_NEWS),
        ("Landmark High Court ruling paves way to end indefinite detention", GOOD_NEWS),
        ("Governor denies clemency to Robert Roe", GRIM),
        ("Board refuses to grant clemency to Robert Roe", GRIM),
        ("Lawyers ask the governor to grant clemency", GRIM),
        ("Governor urged to grant clemency to Robert Roe", GRIM),
        ("Landmark ruling upholds death sentences", GRIM),
        ("Court Nullifies Parts of the Security Laws Act", GOOD_NEWS),
        ("Refugee status granted to family who fled the war", GOOD_NEWS),
        ("It is time to release all detained human rights defenders", GRIM),
        ("Detention of lawyer continues, despite High Court order for his release", GRIM),
    ],
)
def test_clemency_and_landmark_rulings(title: str, kind: str) -> None:
    text = "He suffered abuse as a child." if kind == GOOD_NEWS else "He will be executed."
    assert (kind_of(entry(title, text)) == GOOD_NEWS) == (kind == GOOD_NEWS)


@pytest.mark.parametrize(
    "title, language",
    [
        ("Uyghur Forced Labor Prevention Act heads to President's desk", "en"),
        ("Hopes for a peaceful Christmas in Bethlehem fade", "en"),
        ("No merry Christmas for Gaza's detained children", "en"),
        ("Happy Christmas? Not for the 300 prisoners", "en"),
        ("Joyeux Noël en prison : les détenus privés de visites", "fr"),
        ("To our friends in Hong Kong: stay safe", "en"),
        ("It's been a year since Alaa was jailed", "en"),
        ("What a year for press freedom: record jailings", "en"),
        ("L'enquête ouverte en 2019 se termine par un non-lieu", "fr"),
        ("Procès des militants : l'année se termine sans verdict", "fr"),
        ("As we wind down our Afghanistan programme", "en"),
        ("Vœux du gouvernement : la réforme passera en force", "fr"),
        ("Nos vœux au préfet : régularisez les lycéens", "fr"),
    ],
)
def test_december_headlines_are_not_year_end_messages(title: str, language: str) -> None:
    """Greetings, readers and the year's end in a headline's story, not as the message."""
    assert kind_of(entry(title), language) != YEAR_END


def test_dont_is_no_donation() -> None:
    """French "don" (a gift) is a year-end appeal's word; English "don't" is not it."""
    found = signals.kind_evidence(
        entry("Group newsletter", "Don't forget our meeting. Welcome to our community."),
        load_rules("en"),
    )
    assert not any("don" in r.text for r in found.get(YEAR_END, (0.0, ()))[1])


def test_phrases_over_the_same_words_are_one_piece_of_evidence() -> None:
    rules = load_rules("en")
    found = rules.match(["life sentence vacated for man who spent 30 years in prison"])
    assert len(found[GOOD_NEWS]) == 1  # "sentence vacated" and "sentence* * vacated"
    review = rules.match(["our year in review"])
    assert len(review[YEAR_END]) == 1  # "year in review" and "* in review"
    apart = rules.match(["sentence vacated and charges dropped against his co-defendant"])
    assert len(apart[GOOD_NEWS]) == 2  # two outcomes in different words both count


@pytest.mark.parametrize(
    "title, language, good",
    [
        ("Prosecution against opposition blogger stopped", "en", True),
        ("Prosecution of the editor dropped after two years", "en", True),
        ("News site blocked, unblocked and blocked again", "en", False),
        ("La Cour de cassation casse le jugement ordonnant le filtrage", "fr", True),
        ("Le tribunal a cassé la condamnation du militant", "fr", True),
        ("La Cour de cassation confirme le jugement contre le blogueur", "fr", False),
    ],
)
def test_a_prosecution_stopped_a_judgment_quashed_and_a_ban_come_back(
    title: str, language: str, good: bool
) -> None:
    """Shapes of the corpus's seventeenth round: a prosecution that stops, a court that
    "casse" a judgment (not any sentence naming the Cour de cassation), and a ban lifted
    then back, which is no outcome."""
    found = signals.kind_evidence(entry(title), load_rules(language))
    assert (GOOD_NEWS in found) == good, found


@pytest.mark.parametrize(
    "title, good",
    [
        ("Businessman charged with ordering murder of journalist Jane Roe", True),
        ("Three men convicted of the murder of activist John Roe", True),
        ("Killers of blogger John Roe sentenced to 20 years", True),
        ("Journalist Jane Roe charged with murder", False),
        ("Activist sentenced to death for the murder of a police officer", False),
        ("Murder of journalist Jane Roe: still no one charged", False),
    ],
)
def test_the_killers_of_a_journalist_brought_to_justice(title: str, good: bool) -> None:
    """Accountability (docs/labelling.md): charges and convictions for the murder of a
    journalist or an activist are good news; a journalist or an activist charged is not."""
    assert (kind_of(entry(title)) == GOOD_NEWS) == good


@pytest.mark.parametrize(
    "title, good",
    [
        ("Deux hommes condamnés pour l'assassinat du journaliste Jean Dupont", True),
        ("Un policier mis en examen pour le meurtre d'un militant écologiste", True),
        ("Les assassins de la journaliste Jeanne Dupont condamnés", True),
        ("Un journaliste inculpé de meurtre", False),
        ("Assassinat du journaliste Jean Dupont : toujours aucune condamnation", False),
    ],
)
def test_the_killers_of_a_journalist_brought_to_justice_in_french(title: str, good: bool) -> None:
    assert (kind_of(entry(title), "fr") == GOOD_NEWS) == good


@pytest.mark.parametrize(
    "title, text, language, good",
    [
        ("Community Demands Marriage Equality", "The law still bans it.", "en", False),
        ("Ban on Arms Deals Proposed", "Two prisoners were released last week.", "en", False),
        ("Rights group urges pardon for jailed poet", "", "en", False),
        (
            "Les journalistes réclament justice",
            "Trois confrères ont été libérés en mai.",
            "fr",
            False,
        ),
        # the same words in an opening's other clause do not frame the story
        (
            "Union hails court relief to journalist",
            "The court granted immediate bail to a journalist who had proposed a reform.",
            "en",
            True,
        ),
        ("La cour d'appel relaxe les militants", "La défense demandait la relaxe.", "fr", True),
        # an elided article before the demand ("demande l'abrogation")
        ("La ligue demande l'abrogation du décret", "Deux militants libérés hier.", "fr", False),
        # a clause of the title states the outcome, another asks for more
        ("Group Welcomes Release of 52 Prisoners, Calls for Freedom of All", "", "en", True),
        ("After a Tragic Death, Community Demands Marriage Equality", "", "en", False),
        ("Union demands immediate, unconditional release of detained reporters", "", "en", False),
    ],
)
def test_a_title_that_frames_a_demand_or_a_proposal_is_no_outcome(
    title: str, text: str, language: str, good: bool
) -> None:
    assert (kind_of(entry(title, text), language) == GOOD_NEWS) is good


def test_a_projects_title_guards_extend_the_bundled_pack(tmp_path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "en.toml").write_text(
        'mode = "extend"\n[kind.good_news]\ntitle_guards = ["rumour*"]\n', "utf-8"
    )
    rules = load_rules("en", tmp_path)
    item = entry("Activist rumoured to be freed", "He was released on Monday.")
    assert GOOD_NEWS not in signals.kind_evidence(item, rules)
    assert GOOD_NEWS in signals.kind_evidence(item, load_rules("en"))


def test_a_choice_of_words_stands_for_each_phrase_in_order() -> None:
    assert expand("{convicted,jailed} * murder of * {journalist,reporter}*") == (
        "convicted * murder of * journalist*",
        "convicted * murder of * reporter*",
        "jailed * murder of * journalist*",
        "jailed * murder of * reporter*",
    )
    assert expand("charges dropped") == ("charges dropped",)


@given(
    st.lists(
        st.lists(st.from_regex(r"[a-zé]{1,8}\*?", fullmatch=True), min_size=1, max_size=3),
        min_size=1,
        max_size=3,  # (at most 27 phrases: a line stands for at most 64)
    )
)
def test_every_variant_of_a_choice_matches_its_own_words(slots: list[list[str]]) -> None:
    """Property: a line of choices stands for the product of its words, and each phrase
    it stands for finds its own words in a sentence."""
    line = " ".join(f"{{{','.join(words)}}}" if len(words) > 1 else words[0] for words in slots)
    variants = expand(line)
    assert len(variants) == math.prod(len(words) for words in slots)
    for variant in variants:
        assert compile_phrase(variant).search(variant.replace("*", "s"))


def test_a_projects_choices_extend_the_bundled_pack(tmp_path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "en.toml").write_text(
        'mode = "extend"\n[kind.good_news]\nphrases = ["{tenants,renters} {win,won} * fight"]\n'
        'title_guards = ["{rumour*,hearsay}"]\n',
        "utf-8",
    )
    rules = load_rules("en", tmp_path)
    assert kind_of_with(rules, entry("Renters won their long fight")) == GOOD_NEWS
    assert kind_of_with(rules, entry("Tenants win the rent fight")) == GOOD_NEWS
    assert GOOD_NEWS not in signals.kind_evidence(entry("Hearsay: renters won the fight"), rules)


@pytest.mark.parametrize(
    ("phrase", "sentence", "found"),
    [
        ("demande l'", "la ligue demande l'abrogation du décret", True),
        ("demande l'", "la ligue demande l’abrogation du décret", True),
        ("demande l' abrogation", "elle demande l'abrogation", True),
        ("demande l' abrogation", "elle demande l' abrogation", True),
        ("demande l'", "elle demande la libération", False),
        ("{prisoner's,prisoners'} release", "the prisoners' release", True),
        ("l'", "l'abrogation", True),
    ],
)
def test_an_elided_article_is_glued_to_the_next_word(
    phrase: str, sentence: str, found: bool
) -> None:
    """A phrase may end with an elided article ("demande l'"): it matches whatever word the
    article is glued to, as a word of its own in the phrase does."""
    assert any(compile_phrase(v).search(normalise(sentence)) for v in expand(phrase)) is found


def test_a_projects_phrase_may_end_with_an_elided_article(tmp_path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "fr.toml").write_text(
        'mode = "extend"\n[kind.good_news]\ntitle_guards = ["attend l\'"]\n', "utf-8"
    )
    item = entry("Le syndicat attend l'abandon des poursuites")
    assert GOOD_NEWS in signals.kind_evidence(item, load_rules("fr"))
    assert GOOD_NEWS not in signals.kind_evidence(item, load_rules("fr", tmp_path))


JUNE = datetime(2025, 6, 16, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "when", "kind"),
    [
        ("COMMUNIQUE : LIBERATIONS DE DETENUS AU SENEGAL", JUNE, GOOD_NEWS),
        ("ACQUITTEMENT DE NOTRE DELEGUE SYNDICAL", JUNE, GOOD_NEWS),
        ("BONNE ANNEE 2026 A TOUS NOS MEMBRES", datetime(2026, 1, 5, tzinfo=UTC), YEAR_END),
        ("JOURNEE INTERNATIONALE DES MIGRANTS", datetime(2025, 12, 18, tzinfo=UTC), OTHER),
        # a word's last accent tells it apart: this condemns, nobody was convicted
        ("LA FRANCE CONDAMNE L'ASSASSINAT D'UN JOURNALISTE", JUNE, OTHER),
        # a feed that sends "e" and a combining accent
        ("Deux militants libe\u0301re\u0301s", JUNE, GOOD_NEWS),
    ],
)
def test_french_without_its_accents(title: str, when: datetime, kind: str) -> None:
    assert kind_of(entry(title, when=when), "fr") == kind
