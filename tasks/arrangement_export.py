"""Task: the core-banking export pass (loan_comms.arrangements.export), after a plan is recorded or
choices land. Records that need an operator are a warning and an alert, not a failed run: the plan
or the ingestion did its job; a configuration the pass cannot use (a url without a secret) fails it."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from loan_comms.arrangements.export import ExportReport, export_arrangements
from loan_comms.ops.alerting import post_alert, webhook_url
from tasks.common import config, open_db


@task(name="export-arrangements", cache_policy=NO_CACHE, retries=0)
def export_arrangement_records(db_path: str, config_path: str | None = None, day: date | None = None,
                               flow: str = "daily-plan") -> ExportReport:
    """File the new export records under `day` (default today, UTC) and deliver the pending ones."""
    logger = get_run_logger()
    cfg = config(config_path)
    with open_db(db_path) as con:
        report = export_arrangements(con, cfg, db_path=db_path, day=day)
    logger.info("%s", report)
    alert = report.alert(flow)
    if alert is not None:
        logger.warning("%s", alert.text)
        post_alert(alert, webhook_url(cfg))
    return report
