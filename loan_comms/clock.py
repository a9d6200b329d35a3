"""The day's clock: which instant a day's plan "knows" events up to.

A plan for local day D is made before anyone's day D starts, so it sees what happened up to the
moment the earliest timezone (UTC+14) enters D. Anything later is caught by the re-check that
dispatch runs just before sending. Fixing the instant makes re-running any day deterministic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

EARLIEST_OFFSET = timedelta(hours=14)


def plan_instant(as_of: date) -> datetime:
    """The UTC instant a plan for `as_of` takes as "now"."""
    return datetime.combine(as_of, time(0), tzinfo=UTC) - EARLIEST_OFFSET


def utc_now() -> datetime:
    return datetime.now(UTC)
