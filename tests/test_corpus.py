"""The real labelled corpus (tests/data/corpus): every line well formed, licences allowed,
no duplicates, the held-out split fixed, and the counts the corpus promises."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from .conftest import REPO

CORPUS = REPO / "tests" / "data" / "corpus"
KINDS = {"year_end", "good_news", "campaign", "grim", "other"}
KEYS = {
    "id",
    "url",
    "source",
    "licence",
    "licence_url",
    "date",
    "lang",
    "title",
    "text",
    "label",
    "split",
}
OPTIONAL = {"speaker", "note", "found_on", "date_precision"}
LICENCES = {
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-3.0-US",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    # CC BY-SA with no version stated: the matrix.org site repository's LICENSE.md puts its
    # content/ under "CC BY-SA license" (seventh round; see SOURCES.md). Any version is
    # share-alike with attribution, like the versioned ids above.
    "CC-BY-SA",
    "public-domain-us-gov",
    "Licence-Ouverte-2.0",
    "MPL-2.0",
    # Apache-2.0 site repositories (PyPI's blog lives in pypi/warehouse), accepted by the lead
    # for the seventh round like MPL-2.0 in the fifth; GPL-3.0-compatible.
    "Apache-2.0",
    # Attribution-only reuse notices (EU Decision 2011/833/EU, France Diplomatie), accepted for
    # the sixth round by the lead; the notice is quoted in SOURCES.md.
    "reuse-with-attribution",
}
# Sources kept whole in the test split (generalisation to unseen organisations).
HELDOUT_SOURCES = {
    "Creative Commons",
    "Software Freedom Conservancy",
    "U.S. Commission on International Religious Freedom",
    "Tom Lantos Human Rights Commission (U.S. House of Representatives)",
}
# What the corpus guarantees today (issue 11 asks for more: see tests/data/corpus/README.md,
# "Status"); raise these as the corpus grows, never lower them.
MINIMUMS = {
    "total": 2269,
    "fr": 608,
    "year_end": 158,
    "year_end_fr": 21,
    "good_news": 229,
    "test_year_end": 71,
    "test_good_news": 74,
    "sources": 78,
}


def _entries() -> list[tuple[str, int, dict[str, str]]]:
    out = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip(), f"{path.name}:{number}: blank line"
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:  # pragma: no cover - failure path
                pytest.fail(f"{path.name}:{number}: not JSON: {exc}")
            out.append((path.name, number, entry))
    return out


ENTRIES = _entries()


def test_every_entry_is_well_formed() -> None:
    assert ENTRIES, "no corpus files"
    for name, number, e in ENTRIES:
        where = f"{name}:{number}"
        assert e.keys() >= KEYS, f"{where}: missing {sorted(KEYS - e.keys())}"
        assert e.keys() <= KEYS | OPTIONAL, f"{where}: unknown {sorted(e.keys() - KEYS - OPTIONAL)}"
        assert all(isinstance(v, str) for v in e.values()), where
        assert e["label"] in KINDS, f"{where}: label {e['label']!r}"
        assert re.fullmatch(r"[a-z]{2}", e["lang"]), f"{where}: lang {e['lang']!r}"
        assert e["licence"] in LICENCES, f"{where}: licence {e['licence']!r}"
        assert re.match(r"https?://", e["url"]), f"{where}: url"
        assert re.match(r"https?://", e["licence_url"]), f"{where}: licence_url"
        assert re.fullmatch(r"(19|20)\d\d-[01]\d-[0-3]\d", e["date"]), f"{where}: date"
        assert e["split"] in {"train", "test"}, f"{where}: split"
        assert 3 <= len(e["title"]) <= 300, f"{where}: title length"
        assert 15 <= len(e["text"]) <= 800, f"{where}: text length {len(e['text'])}"
        assert e["title"] == e["title"].strip() and e["text"] == e["text"].strip(), where
        assert not re.search(r"</?[a-zA-Z][^>]*>", e["title"] + e["text"]), f"{where}: markup"
        if e.get("date_precision"):
            assert e["date_precision"] == "month" and e["date"].endswith("-01"), where
        id_ok = re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*-\d{4}", e["id"])
        assert id_ok, f"{where}: id {e['id']!r}"


def test_ids_and_urls_are_unique() -> None:
    ids = Counter(e["id"] for _, _, e in ENTRIES)
    urls = Counter(e["url"] for _, _, e in ENTRIES)
    assert not [i for i, n in ids.items() if n > 1], "duplicate ids"
    assert not [u for u, n in urls.items() if n > 1], "duplicate urls"


def test_one_source_and_licence_per_file() -> None:
    by_file: dict[str, set[tuple[str, str, str]]] = {}
    for name, _, e in ENTRIES:
        by_file.setdefault(name, set()).add((e["source"], e["licence"], e["licence_url"]))
    for name, values in by_file.items():
        assert len(values) == 1, f"{name}: mixes sources or licences {values}"


def test_heldout_sources_are_test_only() -> None:
    for name, number, e in ENTRIES:
        if e["source"] in HELDOUT_SOURCES:
            assert e["split"] == "test", f"{name}:{number}: held-out source in train"


def test_sources_md_lists_every_source() -> None:
    text = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for source in {e["source"] for _, _, e in ENTRIES}:
        assert source in text, f"SOURCES.md does not list {source}"


def test_counts_meet_the_minimums() -> None:
    es = [e for _, _, e in ENTRIES]
    counts = {
        "total": len(es),
        "fr": sum(e["lang"] == "fr" for e in es),
        "year_end": sum(e["label"] == "year_end" for e in es),
        "year_end_fr": sum(e["label"] == "year_end" and e["lang"] == "fr" for e in es),
        "good_news": sum(e["label"] == "good_news" for e in es),
        "test_year_end": sum(e["label"] == "year_end" and e["split"] == "test" for e in es),
        "test_good_news": sum(e["label"] == "good_news" and e["split"] == "test" for e in es),
        "sources": len({e["source"] for e in es}),
    }
    short = {k: (counts[k], v) for k, v in MINIMUMS.items() if counts[k] < v}
    assert not short, f"below minimums (have, need): {short}"
    test_share = sum(e["split"] == "test" for e in es) / len(es)
    assert 0.2 <= test_share <= 0.45, f"test split is {test_share:.0%} of the corpus"


# Translations of one post (found by comparing multilingual title vectors): each pair shares
# its split (a translation in train would leak a test post) and its label.
TRANSLATIONS = (
    ("gv-en-0017", "gv-fr-0042"),
    ("gv-en-0056", "gv-fr-0015"),
    ("gv-fr-0285", "ye-gv-en-0019"),
    ("gv-fr-0332", "r5-gv-en-0001"),
    ("advox-0039", "r6-gv-fr-0001"),
    ("gv-en-0074", "ye-gv-fr-0002"),
    ("gv-en-0097", "gv-fr-0123"),
    ("gv-fr-0087", "r5-gv-en-0008"),
    ("advox-0028", "r6-gv-fr-0004"),
    # near-copies (eighth round): two speeches or messages of one speaker a year apart that
    # open with the same sentences
    ("r8-ambafr-0001", "r8-ambafr-0002"),
    ("r8-usnasa-0001", "r8-usnasa-0002"),
    # ninth round: the English original of a Swahili post already in the corpus (moved to test)
    ("r9-gv-en-0002", "gv-sw-0001"),
)


def test_translations_share_split_and_label() -> None:
    by_id = {e["id"]: e for _, _, e in ENTRIES}
    for a, b in TRANSLATIONS:
        assert (by_id[a]["split"], by_id[a]["label"]) == (by_id[b]["split"], by_id[b]["label"]), (
            a,
            b,
        )
