"""Tasks: build the day's collector call queue, publish it (capacity, carry-over, per-team tables,
masked), export the per-team files, and hand the assigned calls to the dialer once."""

from __future__ import annotations

import re
from datetime import date, datetime

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.calls.dialer import DialerPushFailed, DialerReport, open_days, push_calls
from loan_comms.calls.exports import check_planned, default_out, export_day, summarize
from loan_comms.calls.queue import CallQueue, build_call_queue, read_call_queue
from loan_comms.calls.roster import roster_for
from loan_comms.clock import utc_now
from tasks.common import config, open_db


def _key(text: str) -> str:
    """An artifact key: lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@task(name="build-call-queue", cache_policy=NO_CACHE, timeout_seconds=900)
def build_queue(db_path: str, as_of: date) -> int:
    """Replace the day's queue with its planned and released calls (re-running gives the same queue).
    A day whose plan never finished is refused (DayNotPlanned): its queue would be half made."""
    with open_db(db_path) as con:
        check_planned(con, as_of)
        n = build_call_queue(con, as_of)
    get_run_logger().info("call queue %s: %d calls queued", as_of, n)
    return n


@task(name="publish-call-queue", cache_policy=NO_CACHE, timeout_seconds=300)
def publish_queue(db_path: str, as_of: date, max_rows: int = 500, carry_alert_days: int | None = None) -> CallQueue:
    """The summary (calls assigned and carried by reason, capacity use per team and agent shift,
    then the queue's totals) as markdown, one table artifact per team of its first `max_rows`
    calls in calling order, and the per-team CSV/Parquet files beside the book; numbers masked."""
    with open_db(db_path) as con:
        queue = read_call_queue(con, as_of, limit=max_rows)
        summary = summarize(con, as_of, carry_alert_days=carry_alert_days)
    files = export_day(summary, default_out(db_path, as_of))
    create_markdown_artifact(key=f"call-queue-summary-{as_of.isoformat()}",
                             markdown=summary.markdown() + "\n" + queue.markdown(),
                             description=f"collector call queue for {as_of}: capacity use and carry-over by team")
    for team, rows in summary.team_tables().items():
        if rows:
            create_table_artifact(key=_key(f"call-queue-{as_of.isoformat()}-{team}"), table=rows[:max_rows],
                                  description=f"{team}: the calls of {as_of} in calling order (numbers masked)")
    if queue.rows and not summary.teams:   # a book without assignments (no roster): the routed queue
        create_table_artifact(key=f"call-queue-{as_of.isoformat()}", table=queue.table(),
                              description=f"call queue for {as_of} in calling order (phones masked)")
    logger = get_run_logger()
    for line in summary.alert_lines():   # calls stalled on the roster: loud in the run's log too
        logger.warning("%s", line)
    logger.info("%s; %d assigned, %d carried; %d files in %s", queue, summary.assigned, summary.carried, len(files),
                files[0].parent if files else "-")
    return queue


def _publish_dialer(report: DialerReport) -> None:
    create_markdown_artifact(key=f"dialer-push-{report.plan_date.isoformat()}", markdown=report.markdown(),
                             description=f"dialer hand-off for {report.plan_date}")


@task(name="push-calls-to-dialer", cache_policy=NO_CACHE, timeout_seconds=900)
def push_to_dialer(db_path: str, as_of: date, config_path: str | None = None) -> dict:
    """Hand the day's assigned calls to the dialer ([dialer] of the roster) once; the report as an
    artifact; calls left unknown, failed, pending or uncancelled fail the task (loud), after what
    did go is recorded."""
    roster = roster_for(config(config_path))
    with open_db(db_path) as con:
        report = push_calls(con, roster, as_of, db_path=db_path)
    get_run_logger().info("%s", report)
    if report.kind != "none":
        _publish_dialer(report)
    if report.needs_operator:
        raise DialerPushFailed(report)
    return report.as_dict()


@task(name="sync-dialer", cache_policy=NO_CACHE, timeout_seconds=900)
def sync_dialer(db_path: str, now: datetime | None = None, config_path: str | None = None) -> list[dict]:
    """After a dispatch pass: re-sync the plan days around `now` whose calls a dialer holds, so a
    call the re-check just suppressed is cancelled there (and what a failed pass left is pushed).
    Nothing when no dialer is configured. Fails loudly like push_to_dialer."""
    roster = roster_for(config(config_path))
    if roster is None or roster.dialer.kind == "none":
        return []
    now = now or utc_now()
    reports = []
    with open_db(db_path) as con:
        for day in open_days(con, now.date()):
            reports.append(push_calls(con, roster, day, db_path=db_path, now=now))
    for report in reports:
        get_run_logger().info("%s", report)
        if report.needs_operator:
            _publish_dialer(report)
    failed = [r for r in reports if r.needs_operator]
    if failed:
        raise DialerPushFailed(failed[0])
    return [r.as_dict() for r in reports]
