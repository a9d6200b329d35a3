"""Task: plan, police, render and record one day's contacts."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.arrangements.web import export_offers, offers_file_for
from loan_comms.clock import utc_now
from loan_comms.lifecycle.planner import PlanReport, plan_day
from loan_comms.ops.report import plan_preview_markdown
from loan_comms.surveys.web import export_tokens, tokens_file_for
from loan_comms.templating.usage import export_template_usage, template_usage_file_for
from tasks.common import config, open_db, template_store


@task(name="plan-contacts", cache_policy=NO_CACHE, retries=0)
def plan_contacts(db_path: str, as_of: date, config_path: str | None = None,
                  batch_size: int | None = None) -> PlanReport:
    """Whole-day planning in SQL, rendering in batches; re-running the same day adds nothing. Then the
    survey page's token file, the plan page's offers and the template studio's usage counts are
    exported beside the database (survey_tokens.json, plan_offers.json, template_usage.json)."""
    logger = get_run_logger()
    cfg = config(config_path)
    store = template_store(cfg)
    with open_db(db_path) as con:
        report = plan_day(con, cfg, store, as_of, batch_size=batch_size)
        export_tokens(con, tokens_file_for(db_path))   # the survey page's data (tokens, no personal data)
        export_offers(con, cfg.arrangements, offers_file_for(db_path))   # the plan page's (no personal data)
        export_template_usage(con, template_usage_file_for(db_path), now=utc_now(),   # the studio's (counts only)
                              days=cfg.studio.usage_days)
    logger.info("%s; templates: %s", report, store.dir.name)
    return report


@task(name="plan-contacts-dry-run", cache_policy=NO_CACHE, timeout_seconds=3600)
def plan_dry_run(db_path: str, as_of: date, config_path: str | None = None,
                 batch_size: int | None = None) -> PlanReport:
    """Plan, police and render `as_of` exactly as for real, record nothing; publish the preview."""
    logger = get_run_logger()
    cfg = config(config_path)
    store = template_store(cfg)
    with open_db(db_path) as con:
        report = plan_day(con, cfg, store, as_of, batch_size=batch_size, dry_run=True)
    create_markdown_artifact(key=f"plan-preview-{as_of.isoformat()}", markdown=plan_preview_markdown(report),
                             description=f"dry run of {as_of}: what would have gone")
    logger.info("%s", report)
    return report


@task(name="finish-earlier-days", cache_policy=NO_CACHE)
def finish_earlier_days(db_path: str, before: date, config_path: str | None = None,
                        batch_size: int | None = None) -> list[date]:
    """Finish the plan and dispatch an interrupted run left undone on days before `before`."""
    from loan_comms.delivery.day_dispatch import finish_earlier_days as finish

    logger = get_run_logger()
    cfg = config(config_path)
    with open_db(db_path) as con:
        finished = finish(con, cfg, template_store(cfg), before, batch_size=batch_size)
    if finished:
        logger.warning("finished what an interrupted run left of %s", ", ".join(map(str, finished)))
    return finished
