"""The simulator: the real daily plan and dispatch, day after day, with simulated borrowers."""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow

from tasks.arrangement_export import export_arrangement_records
from tasks.alerts import alert_on_failure
from tasks.dispatch import dispatch_whole_day
from tasks.experiments import check_experiment_guardrails, publish_experiment_readouts
from tasks.handoff import export_handoff_cases
from tasks.plan import plan_contacts
from tasks.report import publish_day_summary
from tasks.simulate import simulate_borrowers


@flow(name="simulate-lifecycle", on_failure=[alert_on_failure], on_crashed=[alert_on_failure])
def simulate_lifecycle(start: date, days: int, db_path: str, seed: int = 7, workdir: str = "data/simulation",
                       config_path: str | None = None, receipts_inbox: str | None = None) -> list[dict]:
    """Each day: plan, dispatch across the day's windows, let borrowers react, summarise.

    receipts_inbox: where the providers' receipts land (simulating through a local gateway); they are
    ingested before each dispatch pass, so reconciliation sees what the provider reported."""
    out = []
    for i in range(days):
        as_of = start + timedelta(days=i)
        plan_contacts(db_path, as_of, config_path)
        dispatch_whole_day(db_path, as_of, config_path, receipts_inbox=receipts_inbox)
        simulate_borrowers(db_path, as_of, seed, workdir, config_path)
        # the day's reactions are in: a guardrail that fires stops its arm from tomorrow's plan
        check_experiment_guardrails(db_path, as_of, "simulate-lifecycle", config_path)
        export_arrangement_records(db_path, config_path, as_of, "simulate-lifecycle")   # plans agreed that day
        export_handoff_cases(db_path, as_of, config_path, publish=False)   # the cases handed to the partner
        summary = publish_day_summary(db_path, as_of, title=f"Simulated day {as_of}")
        print(summary.one_line(), flush=True)  # stdout for the person running it; artifacts for the UI
        out.append({"as_of": as_of.isoformat(), **summary.totals()})
    if days > 0:
        publish_experiment_readouts(db_path, start + timedelta(days=days - 1), config_path)
    return out
