"""The pure helpers the pipeline and the year-end build share: the issue's id and
preheader (digest.compose) and the year-end's pins (digest.yearend.as_pins)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.compose import PREHEADER_CHARS, default_issue_id, preheader, year_preheader
from digest.curate import Curated
from digest.edits import Edits, ItemEdit
from digest.models import Letter
from digest.yearend import as_pins


def test_the_default_issue_id_is_the_iso_week() -> None:
    assert default_issue_id(datetime(2025, 12, 19, tzinfo=UTC)) == "2025-W51"
    # the ISO year, not the calendar year, at the turn of the year
    assert default_issue_id(datetime(2024, 12, 30, tzinfo=UTC)) == "2025-W01"
    assert default_issue_id(datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"


def test_the_preheader_is_the_intro_in_one_line_and_never_too_long() -> None:
    empty = Curated((), ())
    assert preheader(empty) == ""
    assert preheader(empty, "Dear  friends,\nthank you.") == "Dear friends, thank you."
    long = preheader(empty, "word " * 100)
    assert len(long) <= PREHEADER_CHARS and long.endswith("…")


def test_the_year_end_preheader_is_the_letters_title() -> None:
    letter = Letter(title="A year of courage", html="<p>x</p>", author="Helena Marsh")
    assert year_preheader(letter, ()) == "A year of courage"
    assert year_preheader(None, ()) == ""


def test_year_end_ranking_sees_every_included_edit_as_a_pin() -> None:
    edits = Edits(
        Path("edits/2025-year-end.toml"),
        items=(
            ItemEdit("aaaa", section="good-news", position=2),
            ItemEdit("bbbb", pin=True),
            ItemEdit("cccc", drop=True),
            ItemEdit("dddd", title="Our title"),
        ),
    )
    pinned = as_pins(edits)
    assert pinned is not None
    assert [(i.key, i.pin, i.drop, i.section, i.position) for i in pinned.items] == [
        ("aaaa", True, False, None, None),
        ("bbbb", True, False, None, None),
        ("cccc", False, True, None, None),
        ("dddd", False, False, None, None),
    ]
    assert pinned.items[3].title == "Our title"  # the editors' wording is kept
    assert as_pins(None) is None
