"""The nightly deployment: the final story of a finished local day (delivered, failed, missed),
and an alert when its failures exceed the threshold."""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow, get_run_logger

from loan_comms.paths import DEFAULT_DB
from loan_comms.ops.run_lock import exclusive_run
from tasks.alerts import alert_on_failure, check_day_failures
from tasks.common import default_day
from tasks.report import publish_day_summary


@flow(name="day-close-summary", on_failure=[alert_on_failure], on_crashed=[alert_on_failure], timeout_seconds=1800)
def day_close_summary(as_of: date | None = None, db_path: str = str(DEFAULT_DB), config_path: str | None = None,
                      lock_timeout_s: float = 1800) -> dict:
    """Summarise a finished day (every timezone's day is over by 16:00 Asia/Shanghai the next day).

    Args:
        as_of: The local day to close (YYYY-MM-DD). Empty: yesterday in Asia/Shanghai.
        db_path: The DuckDB file of the loan book.
        config_path: The lifecycle config file (for the alert threshold). Empty: config/lifecycle.toml.
        lock_timeout_s: How long to wait for another run that holds the database before giving up.
    """
    logger = get_run_logger()
    day = as_of or (default_day() - timedelta(days=1))
    with exclusive_run(db_path, f"day-close-summary {day}", timeout_s=lock_timeout_s, on_wait=logger.warning):
        summary = publish_day_summary(db_path, day, title=f"Day closed: {day}")
        failed = check_day_failures(db_path, day, "day-close-summary", config_path)
    logger.info("%s", summary.one_line())
    return {"as_of": day.isoformat(), **summary.totals(), "failed_checked": failed}
