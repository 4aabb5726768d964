"""The run's clock: read once by the CLI (or given with --as-of), checked here.

A clock earlier than what the store already holds is refused unless the caller allows it:
a run in 1970 would date the entries it fetches in 1970 and save the feeds' validators, so
the next correct run would prune them all and get 304 from every feed. Runs that only
build from the store may look back on purpose (`--as-of` a past week); the CLI allows
those when the date is given explicitly.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from .errors import ClockError, ConfigError

if TYPE_CHECKING:
    from .config import Project
    from .store import Store

# Every date computed from the clock (issue windows, retention, the year-end span) stays
# inside what datetime can represent.
EARLIEST = date(1970, 1, 1)
LATEST = date(2199, 12, 31)
# A clock this much behind the store's last fetch still loses nothing: entries it dates a
# little early stay in the window and in the store.
TOLERANCE = timedelta(days=1)


def parse_as_of(
    value: str | None, project: Project, wall_clock: datetime, *, option: str = "--as-of"
) -> datetime:
    """The run's clock. A bare date means the end of that day in the project's time zone."""
    if value is None:
        return wall_clock.astimezone(project.tz)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            when = datetime.combine(day, time(23, 59, 59), project.tz)
        else:
            when = datetime.fromisoformat(value)
            when = when if when.tzinfo else when.replace(tzinfo=project.tz)
        in_range = EARLIEST <= when.astimezone(project.tz).date() <= LATEST
    except (ValueError, OverflowError):
        raise ConfigError(
            f"{option} {value!r} is not a date",
            hint="use YYYY-MM-DD or an ISO datetime like 2025-12-19T09:00",
        ) from None
    if not in_range:
        raise ConfigError(
            f"{option} {value!r} is out of range",
            hint=f"use a date between {EARLIEST} and {LATEST}",
        )
    return when


def parse_since(value: str, project: Project, now: datetime) -> datetime:
    """The start of a backfill (`digest fetch --since`): a date no later than the clock."""
    start = parse_as_of(value, project, now, option="--since")
    if start > now:
        raise ConfigError(
            f"--since {value} is after the run's clock ({now:%Y-%m-%d})",
            hint="give a date in the past, such as the first day of the year",
        )
    return start


def check_clock(store: Store, now: datetime) -> None:
    """Refuse a clock earlier than the store's last fetch (beyond TOLERANCE)."""
    newest = store.newest_fetch()
    if newest is None or now >= newest - TOLERANCE:
        return
    raise ClockError(
        f"the clock says {now:%Y-%m-%d %H:%M %Z}, but this store was last fetched into at "
        f"{newest:%Y-%m-%d %H:%M} UTC: a run now would date what it fetches in the past, "
        "and the next run would prune it",
        hint="check the system clock and --as-of (DIGEST_AS_OF); an earlier issue is rebuilt "
        "from the store with `digest build --offline --as-of DATE`; if the clock is right, "
        "add --force-clock",
    )
