"""`curate.place` on hand-built candidates: sections, caps, the per-feed cap, the editors'
pins, drops, moves and positions, the lead slot and near-duplicates. No CLI, no store:
candidates in, a `Curated` out (issue 14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.curate import Curated, curate, load_rules, place
from digest.curate.similarity import same_story
from digest.edits import Edits, ItemEdit
from digest.kinds import CAMPAIGN, GOOD_NEWS, GRIM, OTHER, STORY_KINDS, YEAR_END
from digest.models import Candidate, Entry, SectionSpec

NOW = datetime(2025, 12, 19, 12, 0, tzinfo=UTC)
# title words; titles also carry their own number, so no two read as the same story
WORDS = [
    "Amber",
    "Basil",
    "Cedar",
    "Dahlia",
    "Elder",
    "Fennel",
    "Ginger",
    "Hazel",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Linden",
    "Maple",
    "Nutmeg",
    "Olive",
    "Poplar",
    "Quince",
    "Rowan",
    "Saffron",
    "Tansy",
    "Umber",
    "Violet",
    "Willow",
    "Yarrow",
    "Zinnia",
]
SPECS = (
    SectionSpec("lead", "Lead", (YEAR_END,), max_items=1),
    SectionSpec("good", "Good news", (GOOD_NEWS,), max_items=3),
    SectionSpec("latest", "Latest", (), max_items=4),
)
EDITS = Path("edits/2025-W51.toml")


def entry(n: int, feed: str = "a", title: str | None = None, **kw: object) -> Entry:
    title = title or f"{WORDS[n % len(WORDS)]} {WORDS[(n * 7 + 3) % len(WORDS)]} story {n}"
    fields: dict[str, object] = {
        "feed_url": f"feeds/{feed}.xml",
        "feed_name": f"Feed {feed.upper()}",
        "entry_id": f"id-{n}",
        "title": title,
        "link": f"https://{feed}.example/{n}",
        "published": NOW - timedelta(hours=n),
        "language": "en",
        **kw,
    }
    return Entry(**fields)


def cand(n: int, kind: str = OTHER, score: float | None = None, **kw: object) -> Candidate:
    e = entry(n, **kw)
    return Candidate(e, 100.0 - n if score is None else score, kind, sources=(e.feed_name,))


def edits(*items: ItemEdit) -> Edits:
    return Edits(EDITS, items=items)


def by_section(curated: Curated) -> dict[str, list[str]]:
    return {s.id: [c.entry.entry_id for c in s.items] for s in curated.sections}


def left(curated: Curated) -> dict[str, str]:
    return {c.entry.entry_id: c.left_out for c in curated.candidates if c.left_out}


# -- sections and caps --------------------------------------------------------------------


def test_each_kind_goes_to_the_first_section_that_takes_it() -> None:
    got = place(
        [cand(0, YEAR_END), cand(1, GOOD_NEWS), cand(2, GRIM), cand(3, CAMPAIGN), cand(4)],
        SPECS,
        per_feed_cap=10,
    )
    assert by_section(got) == {
        "lead": ["id-0"],
        "good": ["id-1"],
        "latest": ["id-2", "id-3", "id-4"],
    }
    assert [c.rank for c in got.candidates] == [1, 2, 3, 4, 5]
    assert all(c.section and not c.left_out for c in got.candidates)


def test_a_full_section_passes_the_story_to_the_next_that_takes_it() -> None:
    good = [cand(i, GOOD_NEWS) for i in range(1, 6)]
    got = place([cand(0, YEAR_END), cand(9, YEAR_END, score=99.5), *good], SPECS, 10)
    sections = by_section(got)
    assert sections["lead"] == ["id-0"]  # one lead: the second message goes on to Latest
    assert sections["good"] == ["id-1", "id-2", "id-3"]
    assert sections["latest"] == ["id-9", "id-4", "id-5"]


def test_a_story_nobody_has_room_for_says_which_section_was_full() -> None:
    items = [cand(i, GRIM) for i in range(6)]
    got = place(items, SPECS, 10)
    assert by_section(got)["latest"] == ["id-0", "id-1", "id-2", "id-3"]
    assert left(got) == {
        "id-4": "“Latest” is full (4 items)",
        "id-5": "“Latest” is full (4 items)",
    }
    assert [c.entry.entry_id for c in got.candidates][-2:] == ["id-4", "id-5"]  # ranked last


def test_a_kind_no_section_takes_is_left_out_with_its_name() -> None:
    got = place([cand(0, GOOD_NEWS), cand(1, CAMPAIGN)], SPECS[:2], 10)
    assert left(got) == {"id-1": "no section takes campaign stories"}
    assert [s.id for s in got.sections] == ["good"]  # empty sections are not in the issue


def test_the_lead_slot_holds_the_best_year_end_message_and_leads() -> None:
    got = place([cand(1, GOOD_NEWS), cand(2, YEAR_END), cand(3, YEAR_END)], SPECS, 10)
    assert got.sections[0].id == "lead" and by_section(got)["lead"] == ["id-2"]
    assert got.candidates[0].entry.entry_id == "id-2" and got.candidates[0].rank == 1
    none = place([cand(1, GOOD_NEWS)], SPECS, 10)
    assert [s.id for s in none.sections] == ["good"]  # no message, no empty lead


def test_the_per_feed_cap_applies_when_two_feeds_have_stories() -> None:
    items = [cand(i, GRIM, feed="a") for i in range(3)] + [cand(3, GRIM, feed="b")]
    got = place(items, SPECS, per_feed_cap=2)
    assert by_section(got)["latest"] == ["id-0", "id-1", "id-3"]
    assert left(got) == {"id-2": "Feed A already has 2 items (per-feed cap)"}


def test_a_one_feed_newsletter_gets_a_full_issue() -> None:
    items = [cand(i, GRIM, feed="a") for i in range(4)]
    assert by_section(place(items, SPECS, per_feed_cap=1))["latest"] == [
        "id-0",
        "id-1",
        "id-2",
        "id-3",
    ]
    # a second feed whose only story is already left out does not count
    gone = replace(cand(9, GRIM, feed="b"), left_out="written in fr; this issue is in en")
    assert left(place([*items, gone], SPECS, per_feed_cap=1)) == {"id-9": gone.left_out}


def test_candidates_already_left_out_keep_their_reason_and_come_last() -> None:
    sent = replace(cand(0, GOOD_NEWS), left_out="already sent in issue 2025-W50")
    got = place([sent, cand(1, GOOD_NEWS)], SPECS, 10)
    assert by_section(got) == {"good": ["id-1"]}
    assert [(c.entry.entry_id, c.rank, c.section) for c in got.candidates] == [
        ("id-1", 1, "good"),
        ("id-0", 2, None),
    ]
    assert got.candidates[1].left_out == "already sent in issue 2025-W50"


# -- the editors: pins, moves, positions, drops --------------------------------------------


def test_a_pinned_story_goes_in_whatever_the_caps() -> None:
    items = [cand(i, GOOD_NEWS) for i in range(5)]
    got = place(items, SPECS, 10, edits(ItemEdit(items[4].entry.key, pin=True)))
    # pinned first, so it takes the first slot of its home section before the best stories
    assert by_section(got)["good"] == ["id-4", "id-0", "id-1"]
    assert by_section(got)["latest"] == ["id-2", "id-3"]
    every = edits(*(ItemEdit(c.entry.key, pin=True) for c in items))
    assert by_section(place(items, SPECS, 10, every)) == {"good": [f"id-{i}" for i in range(5)]}


def test_a_pin_beats_the_per_feed_cap() -> None:
    items = [cand(i, GRIM, feed="a") for i in range(3)] + [cand(3, GRIM, feed="b")]
    got = place(items, SPECS, 1, edits(ItemEdit(items[2].entry.key, pin=True)))
    assert by_section(got)["latest"] == ["id-2", "id-3"]
    assert left(got) == {
        "id-0": "Feed A already has 1 items (per-feed cap)",
        "id-1": "Feed A already has 1 items (per-feed cap)",
    }


def test_a_story_moved_to_a_section_goes_there_even_of_another_kind() -> None:
    items = [cand(0, GRIM), cand(1, GOOD_NEWS)]
    got = place(items, SPECS, 10, edits(ItemEdit(items[0].entry.key, section="good")))
    assert by_section(got) == {"good": ["id-0", "id-1"]}
    assert got.candidates[0].section == "good"


def test_a_pinned_kind_no_section_takes_goes_to_the_last_section() -> None:
    specs = SPECS[:2]
    item = cand(0, CAMPAIGN)
    got = place([item], specs, 10, edits(ItemEdit(item.entry.key, pin=True)))
    assert by_section(got) == {"good": ["id-0"]}


def test_positions_put_items_where_the_editors_said() -> None:
    items = [cand(i, GRIM) for i in range(4)]
    moved = edits(
        ItemEdit(items[3].entry.key, position=1),
        ItemEdit(items[1].entry.key, position=99),  # past the end: last
    )
    got = place(items, SPECS, 10, moved)
    assert by_section(got)["latest"] == ["id-3", "id-0", "id-2", "id-1"]
    assert [c.rank for c in got.candidates] == [1, 2, 3, 4]
    assert got.candidates[0].entry.entry_id == "id-3"


def _curate(
    entries: list[Entry], found: Edits | None = None, sent: dict[str, str] | None = None
) -> Curated:
    return curate(
        entries,
        now=NOW,
        language="en",
        sections=SPECS,
        per_feed_cap=10,
        rules=load_rules("en"),
        sent=sent,
        edits=found,
    )


def test_a_dropped_story_is_left_out_with_the_edits_file_named() -> None:
    stories = [entry(0), entry(1)]
    got = _curate(stories, edits(ItemEdit(stories[0].key, drop=True)))
    assert left(got) == {"id-0": "dropped by the editors (2025-W51.toml)"}
    dropped = next(c for c in got.candidates if c.entry.entry_id == "id-0")
    assert dropped.reasons[-1].text == "dropped by the editors"


def test_editors_retitle_and_reword_and_are_given_as_the_reason() -> None:
    stories = [entry(0), entry(1, language="fr")]  # a pin wins over the language too
    found = edits(
        ItemEdit(stories[0].key, title="New title", blurb="A blurb"),
        ItemEdit(stories[1].key, pin=True),
    )
    got = _curate(stories, found)
    first = next(c for c in got.candidates if c.entry.entry_id == "id-0")
    assert (first.display_title, first.blurb) == ("New title", "A blurb")
    pinned = next(c for c in got.candidates if c.entry.entry_id == "id-1")
    assert pinned.section and not pinned.left_out
    assert pinned.reasons[-1].text == "pinned by the editors"


def test_curate_leaves_out_other_languages_and_stories_already_sent() -> None:
    stories = [entry(0), entry(1, language="fr"), entry(2), entry(3, language="en-GB")]
    got = _curate(stories, sent={stories[2].key: "2025-W50"})
    assert left(got) == {
        "id-1": "written in fr; this issue is in en",
        "id-2": "already sent in issue 2025-W50",
    }


# -- near-duplicates -----------------------------------------------------------------------

TITLE = "Court acquits journalists Mara Venn and Tomas Quill in Kastoria"


def test_the_same_link_from_another_feed_is_folded_into_the_first() -> None:
    first = cand(0, GOOD_NEWS, feed="a", link="https://news.example/acquitted")
    second = cand(1, GOOD_NEWS, feed="b", link="https://news.example/acquitted")
    got = place([first, second], SPECS, 10)
    (kept,) = got.sections[0].items
    assert kept.entry.entry_id == "id-0" and kept.sources == ("Feed A", "Feed B")
    assert left(got)["id-1"].startswith("same story as “")


def test_a_near_identical_title_from_another_feed_is_the_same_story() -> None:
    first = cand(0, GOOD_NEWS, feed="a", title=TITLE)
    second = cand(1, GOOD_NEWS, feed="b", title=TITLE.replace("Court acquits", "Court clears"))
    got = place([first, second], SPECS, 10)
    assert by_section(got) == {"good": ["id-0"]}
    assert got.sections[0].items[0].sources == ("Feed A", "Feed B")


def test_look_alike_titles_that_are_not_the_same_story_stay_apart() -> None:
    same_feed = [cand(0, GOOD_NEWS, feed="a", title=TITLE), cand(1, GOOD_NEWS, title=TITLE)]
    assert len(by_section(place(same_feed, SPECS, 10))["good"]) == 2  # one feed, two stories
    other_language = [
        cand(0, GOOD_NEWS, feed="a", title=TITLE),
        cand(1, GOOD_NEWS, feed="b", title=TITLE, language="en-GB"),
    ]
    assert len(by_section(place(other_language, SPECS, 10))["good"]) == 2
    other_people = [
        cand(0, GOOD_NEWS, feed="a", title=TITLE),
        cand(1, GOOD_NEWS, feed="b", title=TITLE.replace("Mara Venn", "Ilse Dorn")),
    ]
    assert len(by_section(place(other_people, SPECS, 10))["good"]) == 2
    numbers = [
        cand(0, GOOD_NEWS, feed="a", title="Court frees 6 protesters in Kastoria"),
        cand(1, GOOD_NEWS, feed="b", title="Court frees 9 protesters in Kastoria"),
    ]
    assert len(by_section(place(numbers, SPECS, 10))["good"]) == 2


def test_a_place_named_in_a_rule_pack_comment_is_still_a_name() -> None:
    """The rule packs' comments quote real headlines ("Cameroun : pas de libération …");
    only their phrases are the vocabulary that names nobody, so two releases in two
    countries stay two stories."""
    assert not same_story(
        "Cameroun: Un journaliste libéré",
        "Côte d'Ivoire: Libération d'un journaliste français emprisonné",
    )
    assert same_story("Cameroun: Un journaliste libéré", "Cameroun : un journaliste libéré")


# -- properties ----------------------------------------------------------------------------

_specs = st.lists(
    st.tuples(
        st.lists(st.sampled_from(STORY_KINDS), max_size=2, unique=True),
        st.integers(min_value=1, max_value=4),
    ),
    min_size=1,
    max_size=4,
).map(
    lambda specs: tuple(
        SectionSpec(f"s{i}", f"S{i}", tuple(kinds), max_items=size)
        for i, (kinds, size) in enumerate(specs)
    )
)
_candidates = st.lists(
    st.tuples(st.sampled_from(STORY_KINDS), st.sampled_from("abc"), st.booleans(), st.booleans()),
    max_size=14,
).map(
    lambda rows: [
        replace(
            cand(i, kind, feed=feed),
            left_out="already sent" if gone else None,
            entry=entry(i, feed=feed, link="https://shared.example/x" if shared else None),
        )
        for i, (kind, feed, gone, shared) in enumerate(rows)
    ]
)


@settings(max_examples=150, deadline=None)
@given(_candidates, _specs, st.integers(min_value=1, max_value=4))
def test_property_every_candidate_is_placed_once_or_told_why_not(
    candidates: list[Candidate], specs: tuple[SectionSpec, ...], cap: int
) -> None:
    got = place(candidates, specs, cap)
    keys = [c.entry.key for c in got.candidates]
    assert sorted(keys) == sorted(c.entry.key for c in candidates)  # none lost, none twice
    assert [c.rank for c in got.candidates] == list(range(1, len(candidates) + 1))
    placed = [c for s in got.sections for c in s.items]
    assert [c.entry.key for c in placed] == keys[: len(placed)]  # placed first, in order
    for c in got.candidates[len(placed) :]:
        assert c.section is None and c.left_out, c
    specs_by_id = {s.id: s for s in specs}
    feeds = {c.entry.feed_url for c in candidates if not c.left_out}
    for section in got.sections:
        spec = specs_by_id[section.id]
        assert 0 < len(section.items) <= spec.max_items
        assert all(not spec.kinds or c.kind in spec.kinds for c in section.items)
        assert all(c.section == section.id and not c.left_out for c in section.items)
        scores = [c.score for c in section.items]
        assert scores == sorted(scores, reverse=True)  # best first, without edits
    if len(feeds) >= 2:
        for feed in feeds:
            assert sum(c.entry.feed_url == feed for c in placed) <= cap
    links = [c.entry.link for c in placed if c.entry.link]
    assert len(links) == len(set(links))  # one story per link
