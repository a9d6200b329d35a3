"""Task: the hand-off export pass (loan_comms.handoff.export): every case handed to the partner and not
exported yet goes into the day's case file, once; the artifact holds counts only (no ids, no names)."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.handoff.export import ExportReport, export_cases
from tasks.common import config, open_db


@task(name="export-handoff-cases", cache_policy=NO_CACHE, retries=0, timeout_seconds=900)
def export_handoff_cases(db_path: str, as_of: date, config_path: str | None = None,
                         out: str | None = None, publish: bool = True) -> ExportReport:
    """Write the case file of `as_of` for the new hand-offs and record them (a re-run writes nothing)."""
    cfg = config(config_path)
    with open_db(db_path) as con:
        report = export_cases(con, cfg, as_of=as_of, db_path=db_path, out=out)
    get_run_logger().info("%s", report)
    if publish:
        c = report.counts()
        create_markdown_artifact(
            key=f"handoff-export-{as_of.isoformat()}",
            description=f"cases exported to the partner for {as_of} (counts only)",
            markdown=(f"# Hand-off export {c['day']}\n\n| partner | cases | contacts | files | recorded from an "
                      f"interrupted pass |\n|---|---|---|---|---|\n| {c['partner']} | {c['cases']} | "
                      f"{c['contacts']} | {c['files']} | {c['recognised']} |\n"))
    return report
