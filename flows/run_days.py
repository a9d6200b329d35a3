"""Several consecutive days of the lifecycle in one flow run (demo, backfill, catch-up)."""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow

from loan_comms.paths import DEFAULT_DB
from tasks.arrangement_export import export_arrangement_records
from tasks.alerts import alert_on_failure, check_day_failures
from tasks.dispatch import dispatch_whole_day
from tasks.experiments import check_experiment_guardrails, publish_experiment_readouts
from tasks.plan import finish_earlier_days, plan_contacts
from tasks.report import publish_day_summary
from tasks.simulate import borrowers_take_plans


@flow(name="lifecycle-days", on_failure=[alert_on_failure], on_crashed=[alert_on_failure])
def lifecycle_days(start: date, days: int = 1, db_path: str = str(DEFAULT_DB),
                   config_path: str | None = None, batch_size: int | None = None,
                   plan_takers_seed: int | None = None, workdir: str = "data/demo-files") -> list[dict]:
    """For each day from `start`: plan, dispatch over the day, summarise. Days run in order
    because each day's plan depends on what was sent and suppressed before it. Resuming a killed
    run from its start is safe: days already done record nothing, the interrupted one is finished.

    plan_takers_seed (the demo): after each day's dispatch, simulated borrowers take the plans offered
    that day, and pay or break them (loan_comms.simulation.borrowers.take_plans; files in workdir)."""
    out = []
    finish_earlier_days(db_path, start, config_path, batch_size)   # what an interrupted run left
    for i in range(days):
        as_of = start + timedelta(days=i)
        plan = plan_contacts(db_path, as_of, config_path, batch_size)
        export_arrangement_records(db_path, config_path, as_of, "lifecycle-days")
        dispatch_whole_day(db_path, as_of, config_path, False, batch_size)
        if plan_takers_seed is not None:
            borrowers_take_plans(db_path, as_of, plan_takers_seed, workdir, config_path)
            export_arrangement_records(db_path, config_path, as_of, "lifecycle-days")   # plans agreed that day
        summary = publish_day_summary(db_path, as_of)
        print(summary.one_line(), flush=True)  # stdout for the person running it; artifacts for the UI
        check_day_failures(db_path, as_of, "lifecycle-days", config_path)   # alert past the threshold
        check_experiment_guardrails(db_path, as_of, "lifecycle-days", config_path)   # stops from the next day
        out.append({**summary.totals(), "as_of": as_of.isoformat(), "planned": plan.planned_total})
    if days > 0:
        publish_experiment_readouts(db_path, start + timedelta(days=days - 1), config_path)
    return out
