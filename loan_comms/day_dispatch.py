"""Dispatch over one whole local day on a simulated clock (demo, backfill, simulator).

In production a dispatch run every hour on the wall clock releases what is inside its window.
For a day run after the fact, the same dispatch is called at the instants where something
changes: each distinct window opening of the day's planned contacts, and finally the latest
window close, which marks whatever could not go as window_missed. Same code, other clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

import duckdb

from loan_comms import db
from loan_comms.config import LifecycleConfig


def dispatch_instants(con: duckdb.DuckDBPyConnection, as_of: date) -> list[datetime]:
    """Window openings of the day's still-planned contacts, then the last window close."""
    opens = [r[0] for r in con.execute(
        "SELECT DISTINCT send_after FROM contact_attempts "
        "WHERE planned_for_date = $d AND status = 'planned' ORDER BY 1", {"d": as_of}).fetchall()]
    close = db.scalar(con, "SELECT max(send_before) FROM contact_attempts WHERE planned_for_date = $d",
                      {"d": as_of})
    return opens + ([close] if close is not None else [])


def dispatch_day(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, *,
                 dry_run: bool = False, batch_size: int | None = None,
                 on_pass: Callable[[datetime, Any], None] | None = None) -> list[Any]:
    """Run dispatch at every instant of `as_of` where a window opens or the last one closes."""
    from loan_comms.dispatch import dispatch_due

    reports = []
    for now in dispatch_instants(con, as_of):
        report = dispatch_due(con, cfg, now, batch_size=batch_size, dry_run=dry_run)
        reports.append(report)
        if on_pass:
            on_pass(now, report)
    return reports
