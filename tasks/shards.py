"""Tasks of a sharded day (loan_comms/shards/run.py): one task per shard per phase, never per loan.

Each opens its shard file itself, by path, inside whichever Dask worker runs it, and returns only
counts; what the phases hand each other goes through Parquet files in the sharded book's folder.
"""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from loan_comms.lifecycle.planner import PlanReport
from loan_comms.shards import Assigned, ShardDecided, read_manifest
from loan_comms.shards import dispatch as shard_dispatch
from loan_comms.shards import run
from loan_comms.shards.dispatch import ShardDispatched
from tasks.common import config, template_store


@task(name="shard-decide", cache_policy=NO_CACHE, retries=0)
def decide_shard(directory: str, shard: int, as_of: date, config_path: str | None = None) -> ShardDecided:
    """Phase 1: the shard's calls and visits of the day, up to the policy, exported for the assignment."""
    decided = run.decide_shard(read_manifest(directory), shard, config(config_path), as_of)
    get_run_logger().info("shard %d, %s: %d calls, %d visits to assign%s", shard, as_of, decided.calls,
                          decided.visits, " (already planned)" if decided.planned else "")
    return decided


@task(name="shards-assign", cache_policy=NO_CACHE, retries=0)
def assign_shards(directory: str, as_of: date, decided: list[ShardDecided],
                  config_path: str | None = None) -> Assigned:
    """Phase 2: agents and slots for every shard's calls, pairs for its visits, in one greedy."""
    assigned = run.assign_shards(read_manifest(directory), config(config_path), as_of, decided)
    get_run_logger().info("%s: %d calls, %d assigned, carried %s; %d visits, %d assigned", as_of, assigned.calls,
                          assigned.assigned, assigned.carried, assigned.visits, assigned.visits_assigned)
    return assigned


@task(name="shard-plan", cache_policy=NO_CACHE, retries=0)
def plan_shard(directory: str, shard: int, as_of: date, config_path: str | None = None,
               batch_size: int | None = None, library: str | None = None) -> PlanReport:
    """Phase 3: the shard's plan_day with the assignment applied: render, record, in its own file. `library`:
    the template release the flow resolved once, so a release published meanwhile reaches no shard."""
    cfg = config(config_path)
    report = run.plan_shard(read_manifest(directory), shard, cfg, template_store(cfg, library), as_of,
                            batch_size=batch_size)
    get_run_logger().info("shard %d: %s", shard, report)
    return report


@task(name="shard-dispatch", cache_policy=NO_CACHE, retries=0)
def dispatch_shard(directory: str, shard: int, as_of: date, config_path: str | None = None,
                   batch_size: int | None = None) -> ShardDispatched:
    """Every dispatch pass of the day in one shard, at its share of each provider's rate."""
    dispatched = shard_dispatch.dispatch_shard(read_manifest(directory), shard, config(config_path), as_of,
                                               batch_size=batch_size)
    get_run_logger().info("shard %d, %s: %d passes, sent %s, failed %s, %d window missed", shard, as_of,
                          dispatched.passes, dispatched.sent, dispatched.failed, dispatched.window_missed)
    return dispatched
