"""The SQLite state file: feeds, entries, issues, and which entries went into which issue.

One file in the project, one :class:`Store` over it, built from one module per table family:

    schema.py     migrations, the application id, opening the file, transactions
    feeds.py      each feed's state; `apply` writes what digest.feedupdate.decide decided
    entries.py    the entries, and what curation reads of them
    issues.py     issues, builds, test sends
    curation.py   the classifier's feature cache and the editors' labels
    format.py     rows <-> models (times as ISO 8601 UTC strings, which sort; JSON)
    dbfile.py     the file itself, and the StoreError (with what to do) for every failure
    check.py      `digest store check` and `digest store recover`

Nothing here decides policy; every public method turns a SQLite failure into a StoreError
and returns models or frozen rows (:class:`FeedHealth`, :class:`IssueRecord`, ...).
"""

from __future__ import annotations

from .curation import Curation, FeatureRow, LabelRow
from .feeds import FeedHealth, Feeds, StoredCounts
from .issues import BuildRecord, IssueRecord, Issues
from .schema import APPLICATION_ID, BUSY_TIMEOUT_MS, MIGRATIONS

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS",
    "BuildRecord",
    "FeatureRow",
    "FeedHealth",
    "IssueRecord",
    "LabelRow",
    "Store",
    "StoredCounts",
]


class Store(Feeds, Issues, Curation):
    """A connection to the state file. Use as a context manager."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
