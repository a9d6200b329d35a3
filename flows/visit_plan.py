"""The 07:20 (Asia/Shanghai) deployment: the day's field visit plan, after the 07:00 plan recorded it.

The plan itself is made inside the day's plan (loan_comms/visits/plan.py: pairs, slots, carried
visits, in the plan's own transaction); this flow publishes it for the field team: totals per city,
district and pair, a masked table, and one CSV field sheet per pair.
"""

from __future__ import annotations

from datetime import date

from prefect import flow

from loan_comms.paths import DATA_DIR, DEFAULT_DB
from tasks.alerts import alert_on_failure
from tasks.common import default_day
from tasks.visit_plan import publish_plan, read_plan, write_sheets


@flow(name="build-visit-plan", on_failure=[alert_on_failure], on_crashed=[alert_on_failure], timeout_seconds=1800)
def build_visit_plan(as_of: date | None = None, db_path: str = str(DEFAULT_DB),
                     out_dir: str = str(DATA_DIR / "visit_plans"), max_rows: int = 500) -> dict:
    """Publish the day's visit plan and write the field sheets.

    Args:
        as_of: The borrowers' local day (YYYY-MM-DD). Empty: the scheduled day in Asia/Shanghai.
        db_path: The DuckDB file of the loan book.
        out_dir: Where the field sheets go (one folder per day, one CSV per pair).
        max_rows: How many visits the table artifact shows (the whole plan is visit_assignments).
    """
    day = as_of or default_day()
    plan = read_plan(db_path, day)
    publish_plan(plan, max_rows)
    sheets = write_sheets(plan, out_dir)
    return {"as_of": day.isoformat(), "assigned": len(plan.assigned), "pairs": len(plan.pairs),
            "carried": dict(plan.carried_by_reason), "sheets": sheets}
