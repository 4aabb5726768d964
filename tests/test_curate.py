"""Curation on the bundled samples: good news first, the year-end message in the lead."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import DEMO_AS_OF


def _rank(digest, project: Path, *args: str) -> list[dict]:
    digest("fetch", "-p", str(project), "-q")
    result = digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--json", *args)
    return json.loads(result.stdout)["candidates"]


def test_year_end_message_leads_and_good_news_follows(digest, project: Path) -> None:
    cands = _rank(digest, project)
    assert cands[0]["kind"] == "year_end" and cands[0]["section"] == "lead"
    good = [c for c in cands if c["section"] == "good-news"]
    assert len(good) >= 3 and all(c["kind"] == "good_news" for c in good)
    assert cands[1]["section"] == "good-news"
    for c in cands:
        if c["section"]:
            assert c["reasons"], c["title"]


def test_guards_keep_false_good_news_out(digest, project: Path) -> None:
    cands = {c["title"]: c for c in _rank(digest, project, "--days", "60")}
    assert (
        cands["Report released: how spyware was used against lawyers in Marrenland"]["kind"]
        != "good_news"
    )
    assert (
        cands["Human rights defender Yara Haddani arrested again days after release on bail"][
            "kind"
        ]
        == "grim"
    )
    assert (
        cands["Appeal rejected: Dravania upholds 20-year sentence for trade unionist"]["kind"]
        == "grim"
    )
    assert cands["Death sentence of fisherman Idris Bakarat commuted"]["kind"] == "good_news"


def test_french_issue_uses_french_entries(digest, project: Path) -> None:
    cands = _rank(digest, project, "--language", "fr")
    placed = [c for c in cands if c["section"]]
    assert placed[0]["title"].startswith("Une année de courage")
    assert all(c["feed"] == "Northlight France" for c in placed)


def test_ranking_is_stable(digest, project: Path) -> None:
    first = _rank(digest, project, "--days", "60")
    second = _rank(digest, project, "--days", "60")
    assert [c["key"] for c in first] == [c["key"] for c in second]


def test_near_duplicates_are_clustered(digest, project: Path) -> None:
    cands = _rank(digest, project, "--days", "14")
    acquitted = [c for c in cands if "journalists" in c["title"] and "acquit" in c["title"]]
    placed = [c for c in acquitted if c["section"]]
    assert len(placed) == 1
    assert set(placed[0]["sources"]) == {"Northlight News", "Courtwatch Collective"}
    assert any(c["left_out"] and c["left_out"].startswith("same story as") for c in acquitted)
