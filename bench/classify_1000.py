"""Helper of bench/quality: classify 1,000 entries held in a store and print the times as
JSON. `--setup` creates the store from the corpus posts (repeated with a suffix up to
1,000 distinct texts); then a first run is cold (no features cached: the model is loaded
and every entry read), a second one cached."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

STARTED = time.perf_counter()

from digest.config import DEFAULT_SECTIONS  # noqa: E402
from digest.models import FeedSource, Fetched, FetchStatus, ParsedFeed  # noqa: E402
from digest.store import Store  # noqa: E402


def setup(path: Path, corpus: Path) -> None:
    from digest.curate.evaluate import load_corpus

    posts = load_corpus(corpus)
    source = FeedSource("Corpus", "corpus:all")
    entries = []
    for i in range(1000):
        p = posts[i % len(posts)]
        e = replace(p.entry, feed_url=source.url, feed_name=source.name, language="en")
        if i >= len(posts):
            e = replace(e, entry_id=f"{p.id}-{i}", title=f"{p.title} ({i // len(posts)})")
        entries.append(e)
    with Store(path) as store:
        parsed = ParsedFeed(source, "Corpus", None, tuple(entries))
        store.record_fetch(
            Fetched(source, FetchStatus.OK), parsed, max(e.published for e in entries)
        )


def main() -> None:
    path, corpus = Path(sys.argv[1]), Path(sys.argv[2])
    if "--setup" in sys.argv:
        setup(path, corpus)
        return
    with Store(path) as store:
        entries = store.entries_between(
            datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
        begin = time.perf_counter()
        cpu = time.process_time()
        from digest.curate import curate, load_rules
        from digest.curate.cache import reading_for

        reading = reading_for(store, entries, issue_id="bench")
        features = time.perf_counter() - begin
        curate(
            entries,
            now=max(e.published for e in entries),
            language="en",
            sections=DEFAULT_SECTIONS,
            per_feed_cap=4,
            rules=load_rules("en"),
            reading=reading,
        )
        classify = time.perf_counter() - begin
        cpu = time.process_time() - cpu
    print(
        json.dumps(
            {"entries": len(entries), "features": features, "classify": classify, "cpu": cpu}
        )
    )


if __name__ == "__main__":
    main()
