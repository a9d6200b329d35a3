"""The nightly deployment: the cases handed to the legal or agency partner, exported once."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from loan_comms.ops.run_lock import exclusive_run
from loan_comms.paths import DEFAULT_DB
from tasks.alerts import alert_on_failure
from tasks.common import default_day
from tasks.handoff import export_handoff_cases


@flow(name="handoff-export", on_failure=[alert_on_failure], on_crashed=[alert_on_failure], timeout_seconds=3600)
def handoff_export(as_of: date | None = None, db_path: str = str(DEFAULT_DB), config_path: str | None = None,
                   out: str | None = None, lock_timeout_s: float = 1800) -> dict:
    """Write the day's case file for the partner: every case handed off and not exported yet, with
    the borrower, the loan, its installments and the full contact history; each case exactly once.

    Args:
        as_of: The day of the case file (YYYY-MM-DD): cases handed off before its end (UTC). Empty:
            the scheduled day in Asia/Shanghai.
        db_path: The DuckDB file of the loan book.
        config_path: The lifecycle config (default config/lifecycle.toml): [handoff] partner and dir.
        out: The folder for the partner's files (default [handoff].dir beside the database).
        lock_timeout_s: How long to wait for another run that holds the database before giving up.
    """
    logger = get_run_logger()
    day = as_of or default_day()
    with exclusive_run(db_path, f"handoff-export {day}", timeout_s=lock_timeout_s, on_wait=logger.warning):
        report = export_handoff_cases(db_path, day, config_path, out)
    return report.counts()
