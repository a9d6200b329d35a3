"""Tasks: build the day's collector call queue and publish it (team totals + masked table)."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.calls.queue import CallQueue, build_call_queue, read_call_queue
from tasks.common import open_db


@task(name="build-call-queue", cache_policy=NO_CACHE, timeout_seconds=900)
def build_queue(db_path: str, as_of: date) -> int:
    """Replace the day's queue with its planned and released calls (re-running gives the same queue)."""
    with open_db(db_path) as con:
        n = build_call_queue(con, as_of)
    get_run_logger().info("call queue %s: %d calls queued", as_of, n)
    return n


@task(name="publish-call-queue", cache_policy=NO_CACHE, timeout_seconds=300)
def publish_queue(db_path: str, as_of: date, max_rows: int = 500) -> CallQueue:
    """Markdown with per-team totals and a table artifact of the first calls, phones masked."""
    with open_db(db_path) as con:
        queue = read_call_queue(con, as_of, limit=max_rows)
    create_markdown_artifact(key=f"call-queue-summary-{as_of.isoformat()}", markdown=queue.markdown(),
                             description=f"collector call queue for {as_of}: totals by team")
    if queue.rows:
        create_table_artifact(key=f"call-queue-{as_of.isoformat()}", table=queue.table(),
                              description=f"call queue for {as_of} in calling order (phones masked)")
    get_run_logger().info("%s", queue)
    return queue
