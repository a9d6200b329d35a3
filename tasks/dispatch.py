"""Tasks: release planned contacts whose window is open, on the wall clock or over a whole day."""

from __future__ import annotations

from datetime import date, datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from loan_comms.clock import utc_now
from loan_comms.day_dispatch import dispatch_day
from tasks.common import config, open_db


@task(name="dispatch-open-windows", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def dispatch_now(db_path: str, now: datetime | None = None, config_path: str | None = None,
                 dry_run: bool = False, batch_size: int | None = None):
    """One dispatch pass at `now` (default: the wall clock), as the hourly deployment runs it."""
    from loan_comms.dispatch import dispatch_due

    cfg = config(config_path)
    with open_db(db_path) as con:
        report = dispatch_due(con, cfg, now or utc_now(), batch_size=batch_size, dry_run=dry_run)
    get_run_logger().info("%s", report)
    return report


@task(name="dispatch-day", cache_policy=NO_CACHE)
def dispatch_whole_day(db_path: str, as_of: date, config_path: str | None = None,
                       dry_run: bool = False, batch_size: int | None = None) -> int:
    """Every dispatch pass of `as_of` on a simulated clock; returns how many passes ran."""
    logger = get_run_logger()
    cfg = config(config_path)
    with open_db(db_path) as con:
        reports = dispatch_day(con, cfg, as_of, dry_run=dry_run, batch_size=batch_size,
                               on_pass=lambda now, rep: logger.info("%s  %s", now.strftime("%H:%M UTC"), rep))
    return len(reports)
