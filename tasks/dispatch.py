"""Tasks: release planned contacts whose window is open, on the wall clock or over a whole day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.arrangements.web import export_offers, offers_file_for
from loan_comms.clock import utc_now
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.delivery.dispatch import DispatchReport, dispatch_due
from loan_comms.delivery.providers.errors import DeliveryHalted
from loan_comms.surveys.web import export_tokens, tokens_file_for
from tasks.common import config, open_db


def retry_unless_halted(task: Any, task_run: Any, state: Any) -> bool:
    """Task retry condition: a halted channel (credentials, configuration, outage) fails the run at
    once, loud, instead of trying twice more a minute apart; anything else may be retried."""
    try:
        state.result()
    except DeliveryHalted:
        return False
    except Exception:
        return True
    return True


@task(name="send-due-contacts", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=60, timeout_seconds=3300,
      retry_condition_fn=retry_unless_halted)
def send_due_contacts(db_path: str, now: datetime | None = None, config_path: str | None = None,
                      dry_run: bool = False, batch_size: int | None = None) -> DispatchReport:
    """One dispatch pass at `now` (default: the wall clock), with a progress artifact per batch;
    then the survey page's token file and the plan page's offers are re-exported (the surveys and
    plan offers this pass sent open there: only sent ones are exported, so without this a borrower
    who opens the link as the SMS arrives would be told it is unknown until the next plan or ingest).

    Retried on failure (not when a channel halted): a batch already written back is not sent
    again (its rows are no longer planned).
    """
    logger = get_run_logger()
    cfg = config(config_path)
    now = now or utc_now()
    # Called from a sync task, so prefect's @sync_compatible returns the id, not a coroutine.
    progress_id = cast(UUID, create_progress_artifact(progress=0.0, description=f"dispatch at {now:%Y-%m-%d %H:%M} UTC"))
    last = [-1.0]

    def on_batch(done: int, total: int) -> None:
        pct = round(100.0 * done / total, 1) if total else 100.0
        if pct - last[0] >= 1.0 or done >= total:  # at most ~100 updates, however many batches
            update_progress_artifact(progress_id, pct, description=f"{done} of {total} contacts sent")
            last[0] = pct
        logger.info("sent %d of %d contacts", done, total)

    with open_db(db_path) as con:
        report = dispatch_due(con, cfg, now, batch_size=batch_size, dry_run=dry_run, progress=on_batch)
        if not dry_run:      # surveys and plan offers that went now open on their pages (only sent ones are exported)
            export_tokens(con, tokens_file_for(db_path), now=now)
            export_offers(con, cfg.arrangements, offers_file_for(db_path), now=now)
    update_progress_artifact(progress_id, 100.0, description=str(report)[:400])
    (logger.warning if sum(report.failed.values()) else logger.info)("%s", report)
    return report


@task(name="dispatch-day", cache_policy=NO_CACHE)
def dispatch_whole_day(db_path: str, as_of: date, config_path: str | None = None,
                       dry_run: bool = False, batch_size: int | None = None,
                       receipts_inbox: str | None = None) -> int:
    """Every dispatch pass of `as_of` on a simulated clock; returns how many passes ran.

    receipts_inbox: an inbox whose receipts/ drop folder is landed before each pass (the simulator
    through a local gateway: what the ingest deployment does between hourly passes in production).
    Then the survey tokens and plan offers are re-exported, as after an hourly pass."""
    from pathlib import Path

    from tasks.ingest import ingest_inbox

    logger = get_run_logger()
    cfg = config(config_path)
    with open_db(db_path) as con:
        def land_receipts(_now: datetime) -> None:
            if receipts_inbox:
                ingest_inbox(con, cfg, Path(receipts_inbox), kinds=("receipts",), log=logger.debug)

        reports = dispatch_day(con, cfg, as_of, dry_run=dry_run, batch_size=batch_size,
                               on_pass=lambda now, rep: logger.info("%s  %s", now.strftime("%H:%M UTC"), rep),
                               before_pass=land_receipts if receipts_inbox else None)
        if not dry_run:      # the day's surveys and plan offers that went open on their pages
            export_tokens(con, tokens_file_for(db_path))
            export_offers(con, cfg.arrangements, offers_file_for(db_path))
    return len(reports)
