"""The daily lifecycle: plan a day's contacts, send them inside their windows, report the day."""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow

from loan_comms.paths import DEFAULT_DB
from tasks.arrangement_export import export_arrangement_records
from tasks.alerts import alert_on_failure, check_day_failures, check_plan_reviews
from tasks.dispatch import dispatch_whole_day
from tasks.experiments import check_experiment_guardrails, publish_experiment_readouts
from tasks.plan import finish_earlier_days, plan_contacts
from tasks.report import publish_day_summary


@flow(name="daily-lifecycle", log_prints=True, on_failure=[alert_on_failure], on_crashed=[alert_on_failure])
def daily_lifecycle(as_of: date, db_path: str = str(DEFAULT_DB), config_path: str | None = None,
                    batch_size: int | None = None) -> dict:
    """Plan, police and render `as_of`, dispatch it across the day's windows, publish the summary.

    Re-running a day records nothing new and changes nothing (the ledger of day runs): a day
    planned whole is not planned again, one a crash interrupted is finished first.
    """
    finish_earlier_days(db_path, as_of, config_path, batch_size)   # after an interrupted run
    # yesterday's events are in (the inbox flow ingests them as they come): an experiment arm that made
    # borrowers complain or opt out more than the champion is stopped before today's plan reads it
    check_experiment_guardrails(db_path, as_of - timedelta(days=1), "daily-lifecycle", config_path)
    plan = plan_contacts(db_path, as_of, config_path, batch_size)
    export_arrangement_records(db_path, config_path, as_of, "daily-lifecycle")   # to the core banking system
    dispatch_whole_day(db_path, as_of, config_path, False, batch_size)
    requests = check_plan_reviews(db_path, as_of, "daily-lifecycle", config_path)   # alert when any is overdue
    summary = publish_day_summary(db_path, as_of, plan_requests=requests)
    check_day_failures(db_path, as_of, "daily-lifecycle", config_path)   # alert past the threshold
    publish_experiment_readouts(db_path, as_of, config_path)   # artifact experiment-<name> per experiment
    # the day's totals, then what this run planned (the totals' own "planned" counts what is still planned)
    return {**summary.totals(), "as_of": as_of.isoformat(), "planned": plan.planned_total,
            "already_planned": plan.already_planned, "plan_requests_waiting": requests["waiting"],
            "plan_requests_overdue": requests["overdue"]}
