"""The 07:30 (Asia/Shanghai) deployment: the collectors' call queue for the day, after the plan."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from loan_comms.paths import DEFAULT_DB
from loan_comms.ops.run_lock import exclusive_run
from tasks.alerts import alert_on_failure
from tasks.call_queue import build_queue, publish_queue
from tasks.common import default_day


@flow(name="build-call-queue", on_failure=[alert_on_failure], on_crashed=[alert_on_failure], timeout_seconds=3600)
def build_call_queue(as_of: date | None = None, db_path: str = str(DEFAULT_DB), max_rows: int = 500,
                     lock_timeout_s: float = 1800) -> dict:
    """Route the day's calls to teams (language and region), rank them by severity then amount.

    Args:
        as_of: The borrowers' local day (YYYY-MM-DD). Empty: the scheduled day in Asia/Shanghai.
        db_path: The DuckDB file of the loan book.
        max_rows: How many calls the table artifact shows (the whole queue is the call_queue table).
        lock_timeout_s: How long to wait for another run that holds the database before giving up.
    """
    logger = get_run_logger()
    day = as_of or default_day()
    with exclusive_run(db_path, f"build-call-queue {day}", timeout_s=lock_timeout_s, on_wait=logger.warning):
        n = build_queue(db_path, day)
        queue = publish_queue(db_path, day, max_rows)
    return {"as_of": day.isoformat(), "calls": n, "teams": {t["team"]: int(t["calls"]) for t in queue.teams}}
