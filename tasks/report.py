"""Task: summarise a day into Prefect artifacts (markdown + table), with no personal data."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.ops.report import DaySummary, day_summary
from tasks.common import open_db


def _key(prefix: str, as_of: date) -> str:
    return f"{prefix}-{as_of.isoformat()}"


@task(name="publish-day-summary", cache_policy=NO_CACHE)
def publish_day_summary(db_path: str, as_of: date, title: str = "",
                        plan_requests: dict[str, int] | None = None) -> DaySummary:
    """The day's summary artifacts; `plan_requests` (check_plan_reviews) adds the plan review queue."""
    with open_db(db_path) as con:
        summary = day_summary(con, as_of)
    summary.plan_requests = dict(plan_requests or {})
    create_markdown_artifact(key=_key("day-summary", as_of), markdown=summary.markdown(title),
                             description=f"loan-comms contacts for {as_of}")
    create_table_artifact(key=_key("day-contacts", as_of), table=summary.contacts,
                          description=f"contacts for {as_of} by purpose, step, channel, language and status")
    if summary.suppressed:
        create_table_artifact(key=_key("day-suppressed", as_of), table=summary.suppressed,
                              description=f"suppressed contacts for {as_of} by reason")
    return summary
