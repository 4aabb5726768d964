"""Learning from the editors on hand-built labels: a story like one they filed under Good
news rises, a look-alike of one they dropped falls, the newsletter's good-news cut comes
down only when their corrections say so, no labels change nothing, the same labels always
teach the same, and the stored probabilities read back (hostile ones as none). A feed
whose stories they filed under Good news leans towards it, one whose stories they took out
leans away; labels name their feed, hostile stored feeds read as none, and a store from
before labels named their feed still opens."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.config import DEFAULT_SECTIONS
from digest.curate import Curated, Reading, curate, load_rules
from digest.curate.classifier import RulesSay, load_model
from digest.curate.editors import (
    FLOOR,
    Cut,
    EditorLabel,
    FeedLesson,
    Lesson,
    feed_lessons,
    lessons,
    load_labels,
    newsletter_cut,
    save_labels,
)
from digest.curate.explain import explain
from digest.curate.scoring import Verdict, score
from digest.kinds import BASE_POINTS, GOOD_NEWS, OTHER, STORY_KINDS
from digest.models import Entry
from digest.store import APPLICATION_ID, MIGRATIONS, Store

NOW = datetime(2025, 12, 19, 18, 0, tzinfo=UTC)
FARMLAND = "Court lets the river co-operative keep its farmland"
BAIL = "Journalist Ana Silva released on bail"


def _entry(title: str, text: str = "", n: int = 0) -> Entry:
    return Entry(
        feed_url="https://a.example/feed",
        feed_name="Feed A",
        entry_id=f"a-{n}",
        title=title,
        link=f"https://a.example/{n}",
        published=NOW - timedelta(hours=n + 1),
        excerpt=text,
        language="en",
    )


def _window() -> list[Entry]:
    return [
        _entry(FARMLAND, "Judges ruled for the farmers of the river valley.", 1),
        _entry(BAIL, "She walked out of court on Monday.", 2),
        _entry("Activist returns home after exile ends", "", 3),
        _entry("Floods close schools in the capital", "", 4),
        _entry("Sign the petition to free the Bellhaven Four", "", 5),
    ]


def _label(title: str, kind: str = GOOD_NEWS, action: str = "move", **kw: object) -> EditorLabel:
    section = None if action == "drop" else ("Good news" if kind == GOOD_NEWS else "Latest")
    return EditorLabel(
        str(kw.pop("issue", "2025-W47")),
        str(kw.pop("key", f"label-{title}")),
        action,
        kind,
        section,
        title,
        str(kw.pop("text", "")),
        kw.pop("before", None),  # type: ignore[arg-type]
    )


def _curate(labels: tuple[EditorLabel, ...] = (), entries: list[Entry] | None = None) -> Curated:
    return curate(
        _window() if entries is None else entries,
        now=NOW,
        language="en",
        sections=DEFAULT_SECTIONS,
        per_feed_cap=10,
        rules=load_rules("en"),
        reading=Reading(load_model(), labels=labels),
    )


def _of(curated: Curated, title: str):  # type: ignore[no-untyped-def]
    return next(c for c in curated.candidates if c.entry.title == title)


def test_a_story_like_one_filed_under_good_news_rises() -> None:
    plain = _curate()
    one = (_label("River co-operative keeps its farmland after court ruling"),)
    two = (*one, _label("Court ruling: the river co-operative keeps its farmland", key="b"))
    key = _of(plain, FARMLAND).entry.key
    p = [c.verdicts[key].probabilities[GOOD_NEWS] for c in (plain, _curate(one), _curate(two))]
    assert p[0] < p[1] < p[2]
    taught = _curate(two)
    before, after = _of(plain, FARMLAND), _of(taught, FARMLAND)
    assert before.kind != GOOD_NEWS and after.kind == GOOD_NEWS
    assert after.section == "good-news" and after.score > before.score
    editors = [r for r in after.reasons if r.signal == "editors"]
    assert editors and all("under Good news in 2025-W47" in r.text for r in editors)
    assert round(sum(r.points for r in after.reasons), 2) == after.score
    # stories unlike the labels are left alone
    for title in (BAIL, "Floods close schools in the capital"):
        assert _of(taught, title).reasons == _of(plain, title).reasons


def test_a_look_alike_of_a_dropped_story_falls() -> None:
    plain = _curate()
    label = _label("Journalist Ana Silva released on bail", OTHER, "drop")
    taught = _curate((label,))
    before, after = _of(plain, BAIL), _of(taught, BAIL)
    key = before.entry.key
    assert after.score < before.score
    assert (
        taught.verdicts[key].probabilities[GOOD_NEWS] < plain.verdicts[key].probabilities[GOOD_NEWS]
    )
    assert any("editors dropped a similar story" in r.text for r in after.reasons)


def test_more_agreeing_labels_pull_harder() -> None:
    model = load_model()
    entry = _entry(FARMLAND, "Judges ruled for the farmers of the river valley.")
    row = [[0.05 if k != OTHER else 0.8 for k in STORY_KINDS]]
    one = [_label("River co-operative keeps its farmland after court ruling")]
    two = [*one, _label("Court ruling: the river co-operative keeps its farmland", key="b")]
    p1 = lessons(model, [entry], row, one)[entry.key].probabilities[GOOD_NEWS]
    p2 = lessons(model, [entry], row, two)[entry.key].probabilities[GOOD_NEWS]
    assert 0.05 < p1 < p2 < 1.0


def test_no_labels_no_change_and_the_same_labels_teach_the_same() -> None:
    assert _curate() == _curate(())
    assert not _curate().verdicts[_window()[0].key].lesson
    unlike = (_label("Parliament debates the budget for roads", OTHER, "move"),)
    assert [c.reasons for c in _curate(unlike).candidates] == [
        c.reasons for c in _curate().candidates
    ]
    labels = (
        _label("River co-operative keeps its farmland after court ruling"),
        _label("Journalist Ana Silva released on bail", OTHER, "drop", key="k2"),
    )
    first, again = _curate(labels), _curate(labels)
    assert first == again and dict(first.verdicts) == dict(again.verdicts)


def test_the_newsletter_cut_comes_down_only_on_enough_net_corrections() -> None:
    model = load_model()
    shipped = model.cut(GOOD_NEWS, False)

    def gave(p: float) -> dict[str, float]:
        rest = {OTHER: (1 - p) * 0.7}
        return {k: p if k == GOOD_NEWS else rest.get(k, (1 - p) * 0.1) for k in STORY_KINDS}

    moved = [_label(f"story {i}", key=f"m{i}", before=gave(p)) for i, p in enumerate((0.72, 0.8))]
    cut = newsletter_cut(model, moved)
    assert cut == Cut(0.7, shipped, 2, 0.72)
    assert "2 stories" in cut.text and "from 70% sure" in cut.text
    assert newsletter_cut(model, moved[:1]) is None  # one correction is not a lesson
    low = [_label(f"low {i}", key=f"l{i}", before=gave(FLOOR - 0.1)) for i in range(5)]
    assert newsletter_cut(model, low) is None  # never below the floor
    dropped = _label("a false pick", OTHER, "drop", key="d", before=gave(0.75))
    assert newsletter_cut(model, [*moved, dropped]) is None  # net of the drops
    assert newsletter_cut(model, [*moved, _label("no probabilities", key="n")]) == cut

    # an entry the classifier gives 85% (the rules not agreeing) becomes good news here
    entry = _entry("A story the rules do not read")
    row = [[gave(0.85)[k] for k in STORY_KINDS]]
    assert model.decide(row[0], RulesSay(OTHER)) != GOOD_NEWS
    lesson = lessons(model, [entry], row, moved, [RulesSay(OTHER)])[entry.key]
    assert lesson.kind == GOOD_NEWS and lesson.kind_before == OTHER and lesson.cut == cut
    assert lesson.text == cut.text


def test_a_kind_the_editors_taught_is_its_own_score_term() -> None:
    model = load_model()
    p = {k: (0.85 if k == GOOD_NEWS else 0.0375) for k in STORY_KINDS}
    cut = Cut(0.7, 0.95, 3, 0.72)
    lesson = Lesson(p, p, (), 3, kind_before=OTHER, cut=cut, kind=GOOD_NEWS)
    got = score(
        _entry("A story the rules do not read"),
        now=NOW,
        evidence={},
        verdict=Verdict(GOOD_NEWS, p, lesson),
        model=model,
        recency=False,
    )
    terms = {r.signal: r for r in got.reasons}
    assert got.kind == GOOD_NEWS
    assert terms["kind"].points == BASE_POINTS[OTHER]
    assert terms["editors"].points == BASE_POINTS[GOOD_NEWS] - BASE_POINTS[OTHER]
    assert (
        "good news, not other story" in terms["editors"].text
        and "70% sure" in terms["editors"].text
    )
    assert got.score == round(sum(r.points for r in got.reasons), 2)


def test_stored_probabilities_read_back_and_hostile_ones_as_none(tmp_path: Path) -> None:
    gave = {k: 0.2 for k in STORY_KINDS}
    with Store(tmp_path / "digest.sqlite3") as store:
        save_labels(store, "2025-W47", [_label("kept", key="a", before=gave)], "2025-11-20")
        save_labels(store, "2025-W48", [_label("none", key="b")], "2025-11-27")
        save_labels(store, "2025-W49", [_label("odd", key="c")], "2025-12-04")
        for bad in ('{"good_news": "x"}', "[1, 2]", "{not json", '{"good_news": 7}'):
            store.db.execute(
                "UPDATE editor_labels SET probabilities = ? WHERE issue_id = '2025-W49'", (bad,)
            )
            found = {lab.key: lab.before for lab in load_labels(store, excluding_issue="x")}
            assert found == {"a": gave, "b": None, "c": None}
        assert (
            json.loads(
                store.db.execute(
                    "SELECT probabilities FROM editor_labels WHERE entry_key = 'a'"
                ).fetchone()[0]
            )
            == gave
        )


# -- what the editors teach about a newsletter's feeds ------------------------------

VOA = ("https://voa.example/feed", "Voice of the Valley")


def _fed(title: str, feed: tuple[str, str] = VOA, n: int = 0) -> Entry:
    return Entry(
        feed_url=feed[0],
        feed_name=feed[1],
        entry_id=f"f-{n}",
        title=title,
        link=None,
        published=NOW - timedelta(hours=n + 1),
        language="en",
    )


def _feed_label(n: int, action: str = "move", drafted: str = OTHER, **kw: object) -> EditorLabel:
    kind = OTHER if action == "drop" else GOOD_NEWS
    label = _label(f"unrelated story number {n}", kind, action, key=f"fl{n}", **kw)
    return replace(label, feed_url=VOA[0], feed_name=VOA[1], drafted=drafted)


def test_a_feed_whose_stories_the_editors_filed_under_good_news_rises() -> None:
    model = load_model()
    mine, other = (
        _fed("Harvest festival opens in the valley", n=1),
        _fed("Harvest festival opens in the valley", ("https://b.example/feed", "B"), n=2),
    )
    row = [[0.1 if k == GOOD_NEWS else 0.225 for k in STORY_KINDS]] * 2
    filed = [_feed_label(i) for i in range(3)]
    taught = lessons(model, [mine, other], row, filed, [RulesSay(OTHER)] * 2)
    assert other.key not in taught  # another feed's story is left alone
    lesson = taught[mine.key]
    assert lesson.feeds == (FeedLesson(VOA[1], GOOD_NEWS, 3, 0),)
    p = lesson.probabilities[GOOD_NEWS]
    assert p == round(1 / (1 + 9 / 4), 4)  # odds 1:9 times (3 + 1) / (0 + 1)
    assert round(sum(lesson.probabilities.values()), 3) == 1.0
    assert "editors filed 3 of Voice of the Valley's stories under good news" in lesson.said()
    more = lessons(model, [mine], row[:1], [*filed, _feed_label(9)], [RulesSay(OTHER)])
    assert more[mine.key].probabilities[GOOD_NEWS] > p


def test_taking_a_feeds_stories_out_of_good_news_lowers_it() -> None:
    model = load_model()
    entry = _fed("Harvest festival opens in the valley", n=1)
    row = [[0.6 if k == GOOD_NEWS else 0.1 for k in STORY_KINDS]]
    dropped = [_feed_label(i, "drop", drafted=GOOD_NEWS) for i in range(2)]
    lesson = lessons(model, [entry], row, dropped)[entry.key]
    assert lesson.feeds == (FeedLesson(VOA[1], GOOD_NEWS, 0, 2),)
    assert lesson.probabilities[GOOD_NEWS] < 0.6
    assert "took 2 of Voice of the Valley's stories out of good news" in lesson.text
    # a drop of a story the draft did not file under good news says nothing about it
    other = [_feed_label(i, "drop", drafted="") for i in range(2)]
    assert lessons(model, [entry], row, other) == {}
    # as many filed as taken out: no lean either way
    even = [*dropped, _feed_label(7), _feed_label(8)]
    assert entry.key not in lessons(model, [entry], row, even)


def test_the_feed_lesson_is_its_own_score_term_and_explained() -> None:
    entries = [_fed("Reporter Tomas Berg released on bail", n=1), *_window()]

    def run(labels: tuple[EditorLabel, ...]) -> Curated:
        return _curate(labels, entries)

    plain, taught = run(()), run(tuple(_feed_label(i) for i in range(4)))
    before, after = plain.candidates, taught.candidates
    mine = next(c for c in after if c.entry.feed_url == VOA[0])
    was = next(c for c in before if c.entry.feed_url == VOA[0])
    assert was.kind == mine.kind == GOOD_NEWS and mine.score > was.score
    editors = [r for r in mine.reasons if r.signal == "editors"]
    assert editors and "4 of Voice of the Valley's stories" in editors[0].text
    assert round(sum(r.points for r in mine.reasons), 2) == mine.score
    lines = explain(mine, taught.verdicts[mine.entry.key], load_model())
    assert any("Voice of the Valley's stories under good news" in line for line in lines)
    # the other feeds' stories are ranked as without the labels
    assert [c.reasons for c in after if c.entry.feed_url != VOA[0]] == [
        c.reasons for c in before if c.entry.feed_url != VOA[0]
    ]


def test_labels_name_their_feed_and_hostile_stored_feeds_read_as_none(tmp_path: Path) -> None:
    labels = [_feed_label(1, drafted=GOOD_NEWS), _label("no feed", key="old")]
    with Store(tmp_path / "digest.sqlite3") as store:
        save_labels(store, "2025-W47", labels, "2025-11-20")
        assert load_labels(store, excluding_issue="x") == sorted(labels, key=lambda x: x.key)
        for column, bad in (
            ("feed_url", b"\xffblob"),
            ("feed_name", b"\x00blob"),
            ("drafted", "evil"),
        ):
            store.db.execute(
                f"UPDATE editor_labels SET {column} = ? WHERE entry_key = 'fl1'", (bad,)
            )
        store.db.execute(
            "UPDATE editor_labels SET feed_name = 'A\u202e\nB' WHERE entry_key = 'old'"
        )
        found = {lab.key: lab for lab in load_labels(store, excluding_issue="x")}
        assert (found["fl1"].feed_url, found["fl1"].feed_name, found["fl1"].drafted) == ("", "", "")
        assert found["old"].feed_name == "AB"
        assert feed_lessons(list(found.values())) == {}


def test_a_store_from_before_labels_named_their_feed_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        db.executescript(script)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 3")
    db.execute(
        "INSERT INTO editor_labels VALUES ('2025-W47', 'k', 'move', 'good_news', 'Good news',"
        " 'Old label', '', '{}', '2025-11-20')"
    )
    db.commit()
    db.close()
    with Store(path) as store:
        (old,) = load_labels(store, excluding_issue="x")
        assert (old.title, old.feed_url, old.feed_name, old.drafted) == ("Old label", "", "", "")
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_store_recover_keeps_the_editors_labels(tmp_path: Path) -> None:
    from digest.store.check import recover_store

    gave = {k: 0.2 for k in STORY_KINDS}
    path = tmp_path / "digest.sqlite3"
    with Store(path) as store:
        save_labels(store, "2025-W47", [_label("kept", key="a", before=gave)], "2025-11-20")
        save_labels(store, "2025-W48", [_label("odd", key="b")], "2025-11-27")
        store.db.execute(
            "UPDATE editor_labels SET probabilities = '{not json' WHERE entry_key = 'b'"
        )
    report = recover_store(path)
    assert report.copied["editor_labels"] == 2 and report.repaired["editor_labels"] == 1
    with Store(report.target) as recovered:
        found = {lab.key: lab.before for lab in load_labels(recovered, excluding_issue="x")}
    assert found == {"a": gave, "b": None}
    assert "editor_labels" not in report.unreadable


def test_store_recover_of_a_store_from_before_the_labels_reports_nothing_lost(
    tmp_path: Path,
) -> None:
    from digest.store.check import recover_store

    path = tmp_path / "digest.sqlite3"
    with Store(path):
        pass
    db = sqlite3.connect(path)
    db.execute("DROP TABLE editor_labels")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    report = recover_store(path)
    assert "editor_labels" not in report.unreadable
    assert report.copied.get("editor_labels", 0) == 0
