"""The 07:30 (Asia/Shanghai) deployment: the collectors' call queue for the day, after the plan.

Runbook: build the day's queue (from the plan's call assignments), publish it (capacity use and
carry-over by reason, a table per team, masked) and export a CSV and a Parquet file per team beside
the book, then hand the assigned calls to the dialer once when [dialer] in agents.toml names one.
A push that leaves calls unknown, failed, pending or uncancelled fails the run (alert), after what
did go is recorded.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from loan_comms.calls.roster import roster_for
from loan_comms.paths import DEFAULT_DB
from loan_comms.ops.run_lock import exclusive_run
from tasks.alerts import alert_on_failure
from tasks.call_queue import build_queue, publish_queue, push_to_dialer
from tasks.common import config, default_day


@flow(name="build-call-queue", on_failure=[alert_on_failure], on_crashed=[alert_on_failure], timeout_seconds=3600)
def build_call_queue(as_of: date | None = None, db_path: str = str(DEFAULT_DB), max_rows: int = 500,
                     push: bool = True, config_path: str | None = None, lock_timeout_s: float = 1800) -> dict:
    """The day's calls by team and agent, with slots and capacity; exported per team; pushed to the dialer.

    Args:
        as_of: The borrowers' local day (YYYY-MM-DD). Empty: the scheduled day in Asia/Shanghai.
        db_path: The DuckDB file of the loan book.
        max_rows: How many calls each team's table artifact shows (the files hold them all).
        push: Hand the assigned calls to the dialer of agents.toml [dialer] (when one is configured).
        config_path: The lifecycle config file (names the roster). Empty: config/lifecycle.toml.
        lock_timeout_s: How long to wait for another run that holds the database before giving up.
    """
    logger = get_run_logger()
    day = as_of or default_day()
    roster = roster_for(config(config_path))          # a bad roster fails here, before anything is written
    with exclusive_run(db_path, f"build-call-queue {day}", timeout_s=lock_timeout_s, on_wait=logger.warning):
        n = build_queue(db_path, day)
        queue = publish_queue(db_path, day, max_rows,
                              roster.calls.carry_alert_days if roster is not None else None)
        dialer = None
        if push and roster is not None and roster.dialer.kind != "none":
            dialer = push_to_dialer(db_path, day, config_path)
    return {"as_of": day.isoformat(), "calls": n, "teams": {t["team"]: int(t["calls"]) for t in queue.teams},
            "dialer": dialer}
