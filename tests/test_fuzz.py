"""A bounded fuzzing run in every `make test` (issue 10); bench/fuzz runs the long one.

Mutated real-world-shaped feeds (tests/fuzzing.py) go through repair, parse and clean,
then MRML, and a sample through the real templates and `digest lint`; Hypothesis checks
the merge-tag and URL invariants on arbitrary text.
"""

from __future__ import annotations

import collections
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from digest import esp
from digest.clean import clean_html, safe_text, safe_url
from digest.config import load_project
from digest.lint import lint_issue
from digest.mergetags import BREAK, find_tags, neutralise, neutralise_url
from digest.models import Candidate, Section

from .conftest import REPO
from .fuzzing import BAD_REFERENCES, INVALID, MERGE_TAGS, cases, check, load_seeds, parse

CASES = 300


def test_mutated_feeds_keep_every_invariant() -> None:
    seeds = load_seeds()
    assert len(seeds) >= 12 and all(s.entries >= 2 for s in seeds)
    failures: dict[str, list[str]] = collections.defaultdict(list)
    mutations = collections.Counter()
    for case in cases(seeds, CASES, rng_seed=2025):
        outcome = check(case)
        mutations[case.mutation] += 1
        where = f"{case.seed.name} + {case.mutation}"
        if outcome.traceback:
            failures["tracebacks"].append(f"{where}: {outcome.traceback}")
        if outcome.unsafe:
            failures["unsafe"].append(f"{where}: {outcome.unsafe[:2]}")
        if outcome.lost:
            failures["lost healthy feeds"].append(f"{where}: {outcome.entries} entries")
    assert not failures, dict(failures)
    assert len(mutations) >= 15  # every kind of mutation was tried


def test_one_bad_reference_in_any_seed_loses_nothing() -> None:
    for seed in load_seeds():
        text = seed.body.decode(seed.codec)
        for ref in BAD_REFERENCES[:8]:
            mutated = text.replace("</title>", ref + "</title>", 2)
            body = mutated.encode(seed.codec, errors="xmlcharrefreplace")
            feed = parse(body, seed.ctype, seed.name)
            assert len(feed.entries) == seed.entries, (seed.name, ref)


def test_fuzzed_entries_render_and_pass_lint() -> None:
    """Entries that survived mutation go through the real templates for Mailchimp."""
    seeds = load_seeds()
    project = load_project(REPO)
    now = datetime(2025, 12, 19, 12, tzinfo=UTC)
    entries = []
    for case in cases(seeds, 120, rng_seed=7, healthy_share=0.8):
        try:
            entries += parse(case.body, case.seed.ctype, case.seed.name).entries
        except Exception:  # failures of the parser are the other tests' business
            continue
    from digest.curate import Curated
    from digest.pipeline import make_issue
    from digest.render import render_issue

    base = make_issue(project, Curated((), ()), now, issue_id="f", language="en", esp="mailchimp")
    profile = esp.profile("mailchimp")
    for start in range(0, min(len(entries), 90), 30):
        batch = [
            Candidate(replace(e, entry_id=f"{start}-{i}"), 1.0, "other", section="lead", rank=i)
            for i, e in enumerate(entries[start : start + 30])
        ]
        issue = replace(base, sections=(Section("lead", "Top", tuple(batch)),))
        rendered = render_issue(project, issue)
        report = lint_issue(rendered.html.encode(), rendered.text.encode(), None, profile=profile)
        bad = [
            f
            for f in report.findings
            if f.code in ("merge-tag", "forbidden-tag", "event-handler", "link", "img-src")
        ]
        assert not bad, bad
        assert not INVALID.search(rendered.html) and not INVALID.search(rendered.text)


_tagged_text = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                *MERGE_TAGS,
                "*",
                "|",
                "{",
                "}",
                "[",
                "]",
                "%",
                "<",
                ">",
                "@TrackLink",
                "%7C",
                "\u200b",
            ]
        ),
    ),
    max_size=16,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_tagged_text)
def test_property_neutralised_text_holds_no_tag_and_reads_the_same(text: str) -> None:
    once = neutralise(text)
    assert find_tags(once) == []
    assert neutralise(once) == once
    assert once.replace(BREAK, "") == text.replace(BREAK, "")
    assert find_tags(safe_text(text)) == [] and not INVALID.search(safe_text(text))


@settings(max_examples=300, deadline=None)
@given(_tagged_text, st.sampled_from(["https://a.example/", "http://b.example:8080/x/", None]))
def test_property_safe_urls_are_web_urls_without_tags(path: str, base: str | None) -> None:
    url = safe_url(path, base) or safe_url("https://c.example/" + path)
    if url is None:
        return
    assert url.startswith(("http://", "https://")) and find_tags(url) == []
    assert not INVALID.search(url) and safe_url(url) == url and neutralise_url(url) == url


@settings(max_examples=200, deadline=None)
@given(_tagged_text)
def test_property_cleaned_html_holds_no_tag(text: str) -> None:
    html = clean_html(
        f"<p title='{text}'>{text}</p><a href='/x?{text}'>{text}</a>", "https://a.example/"
    ).html
    assert find_tags(html, markup=True) == []
    assert clean_html(html, "https://a.example/").html == html
