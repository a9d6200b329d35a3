"""Alerting for the UI-run flows: a hook for failed runs and a task for days with many failures.

Wire the hook with `@flow(on_failure=[alert_on_failure], on_crashed=[alert_on_failure])`. The
webhook URL comes from LOAN_COMMS_ALERT_WEBHOOK_URL (see loan_comms/ops/alerting.py); without one the
alert is only logged. Posting never turns a run's outcome into something else.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from loan_comms.clock import utc_now
from loan_comms.ops.alerting import (failure_threshold, failures_alert, plan_reviews_alert, post_alert, run_failed_alert,
                                     webhook_url)
from loan_comms.ops.report import day_summary
from tasks.common import config, open_db

log = logging.getLogger("loan_comms.alerts")


def _cfg_or_none(config_path: str | None) -> Any:
    try:
        return config(config_path)
    except Exception:  # a broken config is exactly when we still want the alert out
        return None


def alert_on_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Flow state hook (on_failure / on_crashed): post a run_failed alert."""
    params = dict(getattr(flow_run, "parameters", None) or {})
    cfg = _cfg_or_none(params.get("config_path"))
    as_of = params.get("as_of")
    alert = run_failed_alert(flow.name, getattr(flow_run, "name", None), getattr(state, "message", None), as_of)
    post_alert(alert, webhook_url(cfg))


@task(name="check-day-failures", cache_policy=NO_CACHE, timeout_seconds=120, retries=0)
def check_day_failures(db_path: str, as_of: date, flow_name: str, config_path: str | None = None) -> int:
    """Count the day's failed contacts and those lost to delivery failures (window closed unsent
    after a send error); alert when they exceed the threshold. Returns the count."""
    logger = get_run_logger()
    cfg = _cfg_or_none(config_path)
    with open_db(db_path) as con:
        summary = day_summary(con, as_of)
    totals = summary.totals()
    failed = totals["failed"] + totals["lost"]
    reasons: dict[str, int] = {}
    for r in summary.failures:
        reasons[str(r["error"])] = reasons.get(str(r["error"]), 0) + int(r["contacts"])
    threshold = failure_threshold(cfg)
    alert = failures_alert(flow_name, _run_name(), as_of, failed, threshold, reasons)
    if alert is None:
        logger.info("%s: %d failed contacts (alert threshold %d)", as_of, failed, threshold)
        return failed
    logger.warning("%s: %d failed contacts, over the alert threshold %d; alerting", as_of, failed, threshold)
    post_alert(alert, webhook_url(cfg))
    return failed


@task(name="check-plan-reviews", cache_policy=NO_CACHE, timeout_seconds=120, retries=0)
def check_plan_reviews(db_path: str, as_of: date, flow_name: str, config_path: str | None = None) -> dict[str, int]:
    """Count the repayment-plan requests waiting for a person now, and those past review_within_days;
    alert (counts only) when any is overdue. Returns {"waiting", "overdue"} for the day's summary.
    Why loud: a request holds the ladder on its loans until decided, and nothing decides it by itself."""
    from loan_comms.arrangements.reviews import queue_counts

    logger = get_run_logger()
    cfg = config(config_path)
    with open_db(db_path) as con:
        counts = queue_counts(con, cfg, utc_now())
    within = cfg.arrangements.review_within_days
    alert = plan_reviews_alert(flow_name, _run_name(), as_of, counts.waiting, counts.overdue, within)
    if alert is None:
        logger.info("plan review queue: %d waiting, none overdue", counts.waiting)
    else:
        logger.warning("%s", alert.text)
        post_alert(alert, webhook_url(cfg))
    return counts.as_dict()


def _run_name() -> str | None:
    try:
        from prefect.runtime import flow_run

        return flow_run.name
    except Exception:
        return None
