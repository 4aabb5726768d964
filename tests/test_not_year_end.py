"""What rules a year-end message out, and the year-end facets that shapes of real posts in
the eighth and ninth development sets taught (the posts below are written for these tests,
in the same shapes): a leader's letter that says nothing of the year, one of a monthly or
seasonal series or a newsletter, Thanksgiving and a general meeting's minutes, a list of the
best-read articles; a year's reflection, a look at the year, an opening that looks back from
the year's end, the year's wins, the bar's leader, French wishes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.curate import load_rules, signals, year_end
from digest.curate.not_year_end import SILENT_WORDS, ruled_out
from digest.curate.scoring import classify
from digest.kinds import GOOD_NEWS, YEAR_END
from digest.models import Entry

DECEMBER = datetime(2024, 12, 18, 12, tzinfo=UTC)
STORM = (
    "Dear friends, the floods that reached our valley last night have closed the shelter on"
    " the river road, and our volunteers are moving the families who slept there to the"
    " school gym until the water goes down."
)


def entry(title: str, text: str, when: datetime, language: str = "en") -> Entry:
    return Entry(
        feed_url="feeds/a.xml",
        feed_name="Feed A",
        entry_id=title,
        title=title,
        link="https://a.example/1",
        published=when,
        excerpt=text,
        language=language,
    )


def year_end_reasons(item: Entry) -> tuple:  # type: ignore[type-arg]
    return signals.kind_evidence(item, load_rules(item.language)).get(YEAR_END, (0.0, ()))[1]


def kind_of(item: Entry) -> str:
    return classify(signals.kind_evidence(item, load_rules(item.language)))


def test_a_leaders_letter_that_says_nothing_of_the_year_is_not_a_year_end_message() -> None:
    when = datetime(2026, 1, 6, 9, tzinfo=UTC)
    assert len(STORM.split()) >= SILENT_WORDS
    letter = entry("A letter from our executive director", STORM, when)
    assert ruled_out(year_end_reasons(letter))
    assert kind_of(letter) != YEAR_END
    looking_back = entry(
        "A letter from our executive director",
        STORM + " As 2025 ends, thank you for standing with us all year.",
        when,
    )
    assert kind_of(looking_back) == YEAR_END
    # a title alone, or a short opening, is too little to tell
    assert not ruled_out(year_end_reasons(entry("A letter from our executive director", "", when)))


@pytest.mark.parametrize(
    "title, when",
    [
        (
            "November 2024: a message of thanks from our director",
            datetime(2024, 11, 27, tzinfo=UTC),
        ),
        ("Spring 2019 letter from the president", datetime(2019, 1, 20, tzinfo=UTC)),
        ("Octobre 2021 : le mot de la présidente", datetime(2021, 11, 2, tzinfo=UTC)),
    ],
)
def test_one_of_a_monthly_or_seasonal_series_is_not_a_year_end_message(
    title: str, when: datetime
) -> None:
    letter = entry(title, "Dear members, thank you for this remarkable year.", when)
    assert ruled_out(year_end_reasons(letter))
    december = entry(
        "December 2024: a message of thanks from our director",
        "Dear members, thank you for this remarkable year.",
        datetime(2024, 12, 20, tzinfo=UTC),
    )
    assert kind_of(december) == YEAR_END


@pytest.mark.parametrize(
    "title, text, language",
    [
        (
            "Our volunteers celebrate Thanksgiving at the food bank",
            "Dear members: we shared a meal and took stock of this remarkable year.",
            "en",
        ),
        (
            "A note of gratitude",
            "I hope you had a restful Thanksgiving weekend with your loved ones. This year I am"
            " grateful for our members.",
            "en",
        ),
        (
            "Compte rendu de l'assemblée générale du 28 novembre",
            "La présidente remercie les membres présents et présente le bilan de l'année.",
            "fr",
        ),
    ],
)
def test_thanksgiving_and_a_general_meeting_are_occasions_of_their_own(
    title: str, text: str, language: str
) -> None:
    message = entry(title, text, datetime(2024, 11, 28, tzinfo=UTC), language)
    assert ruled_out(year_end_reasons(message))


@pytest.mark.parametrize(
    "title, text, language",
    [
        (
            "2024 reflection: courage in hard times",
            "Twelve months of work for asylum seekers.",
            "en",
        ),
        ("A look at 2024 from our general secretary", "Much has been said about the year.", "en"),
        (
            "A last word from your board",
            "With the year coming to an end, we want to thank every volunteer.",
            "en",
        ),
        ("Dear friend", "When 2024 began, few of us imagined what this year would hold.", "en"),
        ("Riverside Tenants' 2024 victories", "Thank you to our members for your support.", "en"),
        ("2024 - a difficult year for the valley", "It's been a hard year for our rivers.", "en"),
        ("Clinic 2024 year-end highlights", "Our lawyers took 300 new cases.", "en"),
        ("Words from the Chairman", "Happy New Year to every member of our association.", "en"),
        ("Une année hors du commun", "L'année 2024 se termine. Merci à vous.", "fr"),
        ("Le mot du bâtonnier", "Chers confrères, l'année 2024 est morte, vive 2025 !", "fr"),
        ("Bonne et heureuse année 2025", "Par notre secrétaire général. Merci à tous.", "fr"),
        ("Message des Fêtes de notre PDG", "Noël est une période spéciale de l'année.", "fr"),
        ("Building on our work", "Happy New Year from all of us at the centre!", "en"),
        ("It was a very good year", "For us 2024 was a good year, and we have you to thank.", "en"),
        (
            "Another hard year comes to an end",
            "Thanks to our friends, the schools stayed open.",
            "en",
        ),
        ("The president's New Year address", "Fellow members, a time to look back.", "en"),
        ("Éditorial", "L'année se termine. Elle a été difficile pour nos familles.", "fr"),
    ],
)
def test_shapes_of_year_end_messages(title: str, text: str, language: str) -> None:
    assert kind_of(entry(title, text, DECEMBER, language)) == YEAR_END


@pytest.mark.parametrize(
    "title, text, when",
    [
        (
            "The 10 best-read articles on our site in 2024",
            "Thank you, readers, for a remarkable year.",
            DECEMBER,
        ),
        (
            "Our blog's year in review: top posts of the year",
            "We wrote, you read. These are the top ten blog posts of the year by page views.",
            DECEMBER,
        ),
        (
            "Community Alliance annual newsletter",
            "Dear friends, 2024 was a busy year for the alliance.",
            datetime(2024, 11, 18, tzinfo=UTC),
        ),
        (
            "January 2025: Chairman's message",
            "First, I am sad to tell you of the loss of Ann, our treasurer, after a long"
            " illness; she was a brave and kind woman and we will miss her very much at"
            " every meeting of the club.",
            datetime(2025, 1, 5, tzinfo=UTC),
        ),
        (
            "Grateful hearts: a message from the director",
            "Thanksgiving is upon us, and this has been a hard year for many families.",
            datetime(2024, 11, 25, tzinfo=UTC),
        ),
    ],
)
def test_lists_newsletters_and_thanksgiving_openings(title: str, text: str, when: datetime) -> None:
    assert ruled_out(year_end_reasons(entry(title, text, when)))


def test_a_thanksgiving_opening_that_closes_the_year_is_a_year_end_message() -> None:
    message = entry(
        "President's message",
        "With Thanksgiving near and the year's accomplishments behind us, thank you, friends.",
        datetime(2024, 11, 20, tzinfo=UTC),
    )
    assert not ruled_out(year_end_reasons(message))


def test_another_calendars_new_year_message_is_not_a_year_end_message() -> None:
    greeting = entry(
        "Garrison commander releases Lunar New Year message",
        "Our allies will celebrate the Lunar New Year next week.",
        datetime(2025, 1, 27, tzinfo=UTC),
    )
    assert kind_of(greeting) not in (YEAR_END, GOOD_NEWS)


def test_a_french_salutation_in_the_singular_names_the_readers() -> None:
    letter = entry("Le mot du bureau", "Chère adhérente, cher adhérent, merci.", DECEMBER, "fr")
    assert any(r.signal == "year_end:whom" for r in year_end.facets(letter))
