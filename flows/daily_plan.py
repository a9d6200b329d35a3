"""The 07:00 (Asia/Shanghai) deployment: plan, police and render the day's contacts, publish the
summary. Sending is the hourly dispatch's job, each contact inside its borrower's window."""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow, get_run_logger

from loan_comms.paths import DEFAULT_DB
from loan_comms.ops.run_lock import exclusive_run
from tasks.arrangement_export import export_arrangement_records
from tasks.alerts import alert_on_failure, check_day_failures, check_plan_reviews
from tasks.common import default_day
from tasks.experiments import check_experiment_guardrails, publish_experiment_readouts
from tasks.plan import plan_contacts, plan_dry_run
from tasks.report import publish_day_summary


@flow(name="daily-plan", on_failure=[alert_on_failure], on_crashed=[alert_on_failure], timeout_seconds=4 * 3600)
def daily_plan(as_of: date | None = None, dry_run: bool = False, db_path: str = str(DEFAULT_DB),
               config_path: str | None = None, batch_size: int | None = None,
               lock_timeout_s: float = 1800) -> dict:
    """Plan one local day: reminders, ladder steps and follow-ups, after the contact policy.

    Re-running a day records nothing new, so a run with an earlier `as_of` is a safe backfill.

    Args:
        as_of: The borrowers' local day to plan (YYYY-MM-DD). Empty: the scheduled day in Asia/Shanghai.
        dry_run: Plan, apply the policy and render, but record and send nothing; the
            `plan-preview-<day>` artifact shows what would have gone.
        db_path: The DuckDB file of the loan book.
        config_path: The lifecycle config file. Empty: config/lifecycle.toml (or $LOAN_COMMS_CONFIG).
        batch_size: Contacts rendered and recorded per batch. Empty: [dispatch].batch_size of the config.
        lock_timeout_s: How long to wait for another run that holds the database before giving up.
    """
    logger = get_run_logger()
    day = as_of or default_day()
    with exclusive_run(db_path, f"daily-plan {day}", timeout_s=lock_timeout_s, on_wait=logger.warning):
        if dry_run:
            report = plan_dry_run(db_path, day, config_path, batch_size)
            return {"as_of": day.isoformat(), "dry_run": True, "would_plan": report.planned_total,
                    "would_suppress": sum(report.suppressed.values())}
        # yesterday's events are in (ingest-inbox runs all day): an experiment arm that made borrowers
        # complain or opt out more than the champion is stopped before today's plan reads the arms
        check_experiment_guardrails(db_path, day - timedelta(days=1), "daily-plan", config_path)
        plan = plan_contacts(db_path, day, config_path, batch_size)
        export_arrangement_records(db_path, config_path, day, "daily-plan")   # plans accepted, broken, kept
        requests = check_plan_reviews(db_path, day, "daily-plan", config_path)   # alert when any is overdue
        summary = publish_day_summary(db_path, day, title=f"Plan for {day}", plan_requests=requests)
        check_day_failures(db_path, day, "daily-plan", config_path)
        publish_experiment_readouts(db_path, day, config_path)   # artifact experiment-<name> per experiment
    logger.info("%s: %d contacts planned; summary artifact day-summary-%s", day, plan.planned_total, day)
    return {"as_of": day.isoformat(), "dry_run": False, "planned": plan.planned_total, **summary.totals(),
            "plan_requests_waiting": requests["waiting"], "plan_requests_overdue": requests["overdue"]}
