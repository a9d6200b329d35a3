"""Dispatch over one whole local day on a simulated clock (demo, backfill, simulator).

In production a dispatch run every hour on the wall clock releases what is inside its window.
For a day run after the fact, the same dispatch is called at the instants where something
changes: each distinct window opening of the day's planned contacts (asked again after every pass,
since the re-check before send may narrow a window to open later), `[dispatch] retry_minutes` after
a pass that left something to settle (a 429, a send whose outcome is unknown), and finally the
latest window close, which marks whatever could not go as window_missed. Same code, other clock.
Providers keep the wall clock, though: before a pass that must reconcile unknown sends, the day
waits (really) until the provider's `reconcile_after_seconds` have passed since those requests.
Once that last pass has run the day is marked dispatched in the ledger (days.py), and replaying
it does nothing: every contact of the day is already final.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Callable, Iterator
from urllib.parse import urlparse

import duckdb

from loan_comms.lifecycle import days
from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.errors import LoanCommsError


log = logging.getLogger(__name__)
ALLOW_ENV = "LOAN_COMMS_ALLOW_SIMULATED_CLOCK_SENDS"
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


class SimulatedClockRefused(LoanCommsError, RuntimeError):
    """A simulated-clock run would hand messages to a real gateway at the wrong real time."""


def check_simulated_clock_allowed(cfg: LifecycleConfig) -> None:
    """Refuse a simulated clock in front of a real gateway.

    On a simulated clock a message goes out now but is recorded at the simulated instant, so a
    backfill through a real SMS or email gateway would reach people outside their contact hours
    while the log says otherwise. Test gateways on this machine (loopback) are fine; anything else
    needs LOAN_COMMS_ALLOW_SIMULATED_CLOCK_SENDS=1. Real sends go through the hourly dispatch.
    """
    from loan_comms.delivery.providers.base import effective_provider_config

    if os.environ.get(ALLOW_ENV) == "1":
        return
    for channel in ("sms", "email"):
        p = effective_provider_config(channel, cfg)
        host = (urlparse(p.base_url or "").hostname or "") if p.kind != "outbox" else "localhost"
        if host not in _LOOPBACK and not host.startswith("127."):
            raise SimulatedClockRefused(
                f"{channel} goes to a real gateway ({p.kind} at {host or 'its default address'}), but this run "
                f"dispatches on a simulated clock: messages would leave now, outside the borrowers' contact "
                f"hours, while the log records the simulated time. Send real messages with the hourly "
                f"dispatch (`loan-comms dispatch`, deployment dispatch-hourly); for a test gateway elsewhere "
                f"set {ALLOW_ENV}=1.")


def next_instant(con: duckdb.DuckDBPyConnection, as_of: date, after: datetime | None,
                 retry_minutes: int = 15) -> datetime | None:
    """The next window opening of the day's still-planned contacts after `after`, a retry pass when
    something is still to settle, else the last window close; None when the day has no pass left
    (sql/delivery/day_next_instant.sql)."""
    from loan_comms.delivery.reconcile import RECONCILABLE

    found: datetime | None = db.value(con, "delivery/day_next_instant", {
        "as_of": as_of, "after": after, "retry_minutes": retry_minutes, "reconcilable": list(RECONCILABLE)})
    return found


def dispatch_day(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, *,
                 dry_run: bool = False, batch_size: int | None = None,
                 on_pass: Callable[[datetime, Any], None] | None = None,
                 before_pass: Callable[[datetime], None] | None = None) -> list[Any]:
    """Run dispatch at every instant of `as_of` where a window opens or the last one closes.

    A day already dispatched whole is not replayed (nothing of it is left to send). A pass that
    halts (DeliveryHalted: credentials, configuration, outage) ends the day there: the rest stays
    planned, so re-running the day once the provider is fixed sends it at the same simulated
    instants instead of marking it window_missed.

    before_pass: called before each pass with its instant (the simulator lands the providers'
    receipts there, as the ingest deployment does between hourly passes, so reconciliation sees them)."""
    from loan_comms.delivery.dispatch import dispatch_due

    check_simulated_clock_allowed(cfg)
    if days.status(con, as_of).dispatched:
        return []
    reports = []
    last: datetime | None = None
    # The next instant is asked after each pass: the re-check may have narrowed a window to open later.
    retry = cfg.dispatch.retry_minutes
    with _checkpoint_at_the_end(con):
        while (now := next_instant(con, as_of, last, retry)) is not None:
            if not dry_run:
                _wait_until_conclusive(con, cfg, as_of)
            if before_pass and not dry_run:
                before_pass(now)
            report = dispatch_due(con, cfg, now, batch_size=batch_size, dry_run=dry_run, day=as_of)
            reports.append(report)
            if on_pass:
                on_pass(now, report)
            last = now
    if not dry_run and days.status(con, as_of).planned:
        days.finish_dispatch(con, as_of, last if last is not None else utc_now())
    return reports


@contextmanager
def _checkpoint_at_the_end(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The day's passes commit to the write-ahead log only; the checkpoint that folds it into the
    database file comes once, at the first commit after them (the day's ledger entry).

    Why: duckdb checkpoints at any commit it estimates would take the log past `checkpoint_threshold`
    (16 MiB), and the re-check's commit (state materialized, windows narrowed, suppressions) is
    estimated that large every pass: a full checkpoint per pass, 0.7-1.4 s each at 200k loans against
    0.05-0.1 s for the commit itself. The log stays durable meanwhile; it just grows by the day's
    changes (tens of MB) before it is folded in. The setting is DuckDB's for the whole database while
    the day runs (every connection of the process), and a process that dies mid-day leaves the day's
    changes in the log, which the next open replays (slower to open, nothing lost)."""
    before = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]
    con.execute("SET checkpoint_threshold = '4GiB'")
    try:
        yield
    finally:
        con.execute(f"SET checkpoint_threshold = '{before}'")   # duckdb's own value, read above


def _wait_until_conclusive(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date) -> None:
    """Sleep (wall clock) until reconciliation can conclude about the day's unknown sends."""
    from loan_comms.delivery.reconcile import seconds_until_conclusive

    wait = seconds_until_conclusive(con, cfg, as_of)
    if wait > 0:
        log.info("waiting %.1fs for the provider before reconciling %s's unknown sends", wait, as_of)
        time.sleep(wait)


def finish_earlier_days(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, renderer: Any, before: date, *,
                        batch_size: int | None = None) -> list[date]:
    """Finish what an interrupted run left of the days before `before`: their plan, then their
    dispatch, on their own simulated clock, so the next day is planned on the same history an
    uninterrupted run would have made (a forbearance offer sent, not still waiting; caps the same).
    Returns the days it finished."""
    from loan_comms.lifecycle.planner import plan_day

    done = []
    for as_of, planned in db.run(con, "lifecycle/days/unfinished_before", {"before": before}).fetchall():
        if not planned:
            plan_day(con, cfg, renderer, as_of, batch_size=batch_size)
        dispatch_day(con, cfg, as_of, batch_size=batch_size)
        done.append(as_of)
    return done
