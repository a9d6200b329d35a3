"""Tasks: read the day's recorded visit plan, publish it (totals + masked table), write the field sheets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.visits.sheet import VisitPlan, read_visit_plan
from tasks.common import open_db


@task(name="read-visit-plan", cache_policy=NO_CACHE, timeout_seconds=300)
def read_plan(db_path: str, as_of: date) -> VisitPlan:
    """The visit plan the day's plan recorded (visit_assignments): pairs, slots, carried visits."""
    with open_db(db_path) as con:
        plan = read_visit_plan(con, as_of)
    get_run_logger().info("%s", plan)
    return plan


@task(name="publish-visit-plan", cache_policy=NO_CACHE, timeout_seconds=300)
def publish_plan(plan: VisitPlan, max_rows: int = 500) -> None:
    """Markdown with visits per city, district and pair (and carried by reason); a table artifact of
    the first visits in route order: ids, place and slot only (no name, phone or address)."""
    day = plan.as_of.isoformat()
    create_markdown_artifact(key=f"visit-plan-summary-{day}", markdown=plan.markdown(),
                             description=f"field visit plan for {day}: pairs, areas, carried visits")
    if plan.assigned:
        create_table_artifact(key=f"visit-plan-{day}", table=plan.table()[:max_rows],
                              description=f"field visits for {day} by city, district, pair and route order (masked)")


@task(name="write-field-sheets", cache_policy=NO_CACHE, timeout_seconds=300)
def write_sheets(plan: VisitPlan, out_dir: str) -> int:
    """One CSV per pair (and one of the carried visits) in out_dir/<day>/; rewriting a day is safe."""
    files = plan.export(Path(out_dir) / plan.as_of.isoformat())
    get_run_logger().info("visit plan %s: %d field sheet(s) written", plan.as_of, len(files))
    return len(files)
