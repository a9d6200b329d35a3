"""Tasks for the UI-run deployments: a dry-run plan with its preview artifact, and a wall-clock
dispatch pass that shows its progress in the UI while it sends."""

from __future__ import annotations

import inspect
from datetime import date, datetime

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.clock import utc_now
from loan_comms.dispatch import DispatchReport, dispatch_due
from loan_comms.planner import PlanReport, plan_day
from loan_comms.providers.base import mask_pii
from tasks.common import config, open_db, template_store


def plan_preview_markdown(report: PlanReport) -> str:
    """What a dry run would have recorded: planned contacts by purpose/step/channel, suppressions."""
    lines = [f"# Dry run for {report.as_of}: nothing was recorded or sent", "",
             f"**{report.candidates}** candidates; **{report.planned_total}** would be planned, "
             f"**{sum(report.suppressed.values())}** suppressed, **{sum(report.render_failed.values())}** "
             f"could not be rendered, {report.already_recorded} already recorded by an earlier run.", "",
             "## Would be planned", ""]
    if report.planned:
        lines += ["| purpose | step | channel | contacts |", "|---|---|---|---:|"]
        lines += [f"| {p} | {s} | {c} | {n} |" for (p, s, c), n in sorted(report.planned.items())]
    else:
        lines.append("None.")
    lines += ["", "## Would be suppressed, by reason", ""]
    if report.suppressed:
        lines += ["| reason | contacts |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in sorted(report.suppressed.items(), key=lambda kv: -kv[1])]
    else:
        lines.append("None.")
    if report.render_failed:
        lines += ["", "## Render failures", "", "| error | contacts |", "|---|---:|"]
        lines += [f"| {mask_pii(str(e))[:120]} | {n} |" for e, n in report.render_failed.most_common(20)]
    return "\n".join(lines) + "\n"


@task(name="plan-contacts-dry-run", cache_policy=NO_CACHE, timeout_seconds=3600)
def plan_dry_run(db_path: str, as_of: date, config_path: str | None = None,
                 batch_size: int | None = None) -> PlanReport:
    """Plan, police and render `as_of` exactly as for real, record nothing; publish the preview."""
    logger = get_run_logger()
    if "dry_run" not in inspect.signature(plan_day).parameters:
        raise RuntimeError("this version of loan_comms.planner.plan_day has no dry_run; upgrade before a dry run")
    cfg = config(config_path)
    store = template_store(cfg)
    with open_db(db_path) as con:
        report = plan_day(con, cfg, store, as_of, batch_size=batch_size, dry_run=True)
    create_markdown_artifact(key=f"plan-preview-{as_of.isoformat()}", markdown=plan_preview_markdown(report),
                             description=f"dry run of {as_of}: what would have gone")
    logger.info("%s", report)
    return report


@task(name="send-due-contacts", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=60, timeout_seconds=3300)
def send_due_contacts(db_path: str, now: datetime | None = None, config_path: str | None = None,
                      dry_run: bool = False, batch_size: int | None = None) -> DispatchReport:
    """One dispatch pass at `now` (default: the wall clock), with a progress artifact per batch.

    Retried on failure: a batch already written back is not sent again (its rows are no longer
    planned) and the provider deduplicates the one in flight by its idempotency key.
    """
    logger = get_run_logger()
    cfg = config(config_path)
    now = now or utc_now()
    progress_id = create_progress_artifact(progress=0.0, description=f"dispatch at {now:%Y-%m-%d %H:%M} UTC")
    last = [-1.0]

    def on_batch(done: int, total: int) -> None:
        pct = round(100.0 * done / total, 1) if total else 100.0
        if pct - last[0] >= 1.0 or done >= total:  # at most ~100 updates, however many batches
            update_progress_artifact(progress_id, pct, description=f"{done} of {total} contacts sent")
            last[0] = pct
        logger.info("sent %d of %d contacts", done, total)

    with open_db(db_path) as con:
        report = dispatch_due(con, cfg, now, batch_size=batch_size, dry_run=dry_run, progress=on_batch)
    update_progress_artifact(progress_id, 100.0, description=str(report)[:400])
    (logger.warning if sum(report.failed.values()) else logger.info)("%s", report)
    return report


def default_day(tz: str = "Asia/Shanghai") -> date:
    """The day a scheduled run is for: its scheduled start's date in `tz` (so a run that starts
    late still plans the day it was scheduled for); outside a deployment, today in `tz`."""
    from zoneinfo import ZoneInfo

    when = None
    try:
        from prefect.runtime import flow_run

        when = flow_run.scheduled_start_time
    except Exception:
        when = None
    if when is None or not isinstance(when, datetime):
        when = utc_now()
    if when.tzinfo is None:
        from datetime import UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo(tz)).date()


def dispatch_markdown(report: DispatchReport) -> str:
    """One dispatch pass for the UI: due, sent, failed and retried by channel; failure reasons."""
    d = report.as_dict()
    chans = sorted(set(d["due"]) | set(d["sent"]) | set(d["failed"]) | set(d["retry_later"]))
    lines = [f"# Dispatch at {report.now:%Y-%m-%d %H:%M} UTC{' (dry run: nothing sent)' if report.dry_run else ''}",
             "", f"{report.batches} batches in {report.elapsed_s:.1f}s.", ""]
    if chans:
        lines += ["| channel | due | sent | failed | retry later |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {c} | {d['due'].get(c, 0)} | {d['sent'].get(c, 0)} | {d['failed'].get(c, 0)} | "
                  f"{d['retry_later'].get(c, 0)} |" for c in chans]
    else:
        lines.append("Nothing was due.")
    if d["cancelled"]:
        lines += ["", "## Suppressed at the re-check before sending", "", "| reason | contacts |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in sorted(d["cancelled"].items(), key=lambda kv: -kv[1])]
    if d["failure_reasons"]:
        lines += ["", "## Failures", "", "| reason | contacts |", "|---|---:|"]
        lines += [f"| {mask_pii(r)} | {n} |" for r, n in sorted(d["failure_reasons"].items(), key=lambda kv: -kv[1])]
    return "\n".join(lines) + "\n"
