"""Tasks: rebuild the feedback aggregates, write the HTML report (plain functions in loan_comms.surveys)."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from loan_comms.experiments.report import readouts_for_report
from loan_comms.surveys import FeedbackSummary, aggregate, load_themes, write_report
from tasks.common import config, open_db


@task(name="feedback-aggregate", cache_policy=NO_CACHE)
def aggregate_feedback(db_path: str, report_path: str, themes_path: str | None = None,
                       config_path: str | None = None) -> tuple[FeedbackSummary, Path]:
    """Replace the feedback_* tables from the surveys, answers and replies, then write the report (with
    its "Experiments" section: the experiments the config names, as of the newest day planned)."""
    themes = load_themes(themes_path)
    cfg = config(config_path)
    with open_db(db_path) as con:
        summary = aggregate(con, themes)
        experiments = readouts_for_report(con, cfg)
        path = write_report(con, report_path, source=db_path, themes=themes, experiments=experiments)
    return summary, path
