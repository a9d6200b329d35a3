"""The daily plan (and the dispatch) of a sharded book (loan_comms/shards/, docs/scaling.md), on Dask.

map -> reduce -> map, one Prefect task per shard per phase: every shard decides its day up to the
policy in parallel; one task gives the day's calls and visits to agents over every shard (human
work is global: an agent's capacity serves every borrower); every shard then plans, renders and
records its day with that assignment, in parallel. Runs on Prefect's DaskTaskRunner: a
distributed.LocalCluster of worker processes here (n_workers), a real Dask cluster in production
(dask_address, e.g. tcp://scheduler:8786; every worker must reach the shard files at the same path).
Re-running a day records nothing new (each shard keeps its own ledger of day runs).

`sharded_dispatch` sends a planned day: every shard its own outbox, in parallel, each at 1/K of
each provider's rate (loan_comms/shards/dispatch.py).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import date
from typing import Any, TypeVar

from prefect import flow, get_run_logger
from prefect.futures import PrefectFuture, wait
from prefect.task_runners import TaskRunner
from prefect_dask.task_runners import DaskTaskRunner

from loan_comms.lifecycle.planner import PlanReport
from loan_comms.ops.run_lock import exclusive_run
from loan_comms.shards import MANIFEST, Assigned, ShardError, read_manifest
from loan_comms.shards.run import book_day
from tasks.alerts import alert_on_failure
from loan_comms.templating.store import templates_dir
from tasks.common import config, default_day
from tasks.shards import assign_shards, decide_shard, dispatch_shard, plan_shard

T = TypeVar("T")


def task_runner(n_workers: int = 2, *, processes: bool = True, address: str | None = None) -> TaskRunner[Any]:
    """Dask for the shards' tasks: the cluster at `address`, else a LocalCluster of `n_workers`
    worker processes (processes=False: threads of this process, for small tests), one thread each
    (a shard's DuckDB uses the worker's cores itself)."""
    logging.getLogger("distributed").setLevel(logging.WARNING)   # the cluster's start and stop are not news
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs={"n_workers": n_workers, "processes": processes, "threads_per_worker": 1,
                                          "dashboard_address": None, "silence_logs": logging.WARNING})


def _results(futures: list[PrefectFuture[T]]) -> list[T]:
    """Every future's result, after ALL of them finished: the first error is raised only then, so a
    failing shard never cuts its siblings off in the middle of their day (leaving the flow closes the
    cluster); each of them records its day whole or not at all."""
    wait(futures)
    results: list[T] = []
    errors: list[BaseException] = []
    for f in futures:
        try:
            results.append(f.result())
        except Exception as e:   # noqa: BLE001 - re-raised below, after the siblings
            errors.append(e)
    if errors:
        raise errors[0]
    return results


def _day(directory: str, shards: int, day: date, config_path: str | None, batch_size: int | None,
         seconds: dict[str, float]) -> tuple[Assigned, list[PlanReport]]:
    """One day through the three phases; adds each phase's wall-clock seconds to `seconds`.

    First, from every shard's ledger (run.book_day): an earlier day started in some shard and not
    planned in all is finished first, in every shard, the same way; a day behind the newest is refused."""
    manifest = read_manifest(directory)
    book = book_day(manifest, day)
    if book.interrupted is not None:
        get_run_logger().warning("%s: finishing the interrupted plan of %s first, in every shard", day,
                                 book.interrupted)
        _day(directory, shards, book.interrupted, config_path, batch_size, seconds)
        return _day(directory, shards, day, config_path, batch_size, seconds)
    started = time.perf_counter()
    decided = _results([decide_shard.submit(directory, i, day, config_path) for i in range(shards)])
    seconds["decide"] = seconds.get("decide", 0.0) + time.perf_counter() - started
    stray = sorted({d.interrupted for d in decided if d.interrupted is not None})
    if stray:   # book_day saw every ledger: a shard's own earlier unfinished day means one changed meanwhile
        raise ShardError(f"{day}: shard ledger(s) name unfinished earlier day(s) {', '.join(map(str, stray))} the book "
                         "did not: a shard was planned outside this run; nothing recorded for the day")
    started = time.perf_counter()
    assigned = assign_shards.submit(directory, day, decided, config_path).result()
    seconds["assign"] = seconds.get("assign", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    library = str(templates_dir(config(config_path)))   # every shard renders with the same published release
    plans = [plan_shard.submit(directory, i, day, config_path, batch_size, library) for i in range(shards)]
    reports = _results(plans)
    seconds["plan"] = seconds.get("plan", 0.0) + time.perf_counter() - started
    return assigned, reports


@flow(name="sharded-plan", task_runner=task_runner(), on_failure=[alert_on_failure], on_crashed=[alert_on_failure],
      timeout_seconds=4 * 3600)
def sharded_plan(directory: str, as_of: date | None = None, config_path: str | None = None,
                 batch_size: int | None = None, lock_timeout_s: float = 1800) -> dict[str, Any]:
    """Plan one local day of a sharded book: every shard in parallel, the human work over all of them.

    Args:
        directory: The sharded book's folder (its manifest.json, from `loan-comms shards split`).
        as_of: The borrowers' local day to plan. Empty: the scheduled day in Asia/Shanghai.
        config_path: The lifecycle config file. Empty: config/lifecycle.toml (or $LOAN_COMMS_CONFIG).
        batch_size: Contacts rendered and recorded per batch. Empty: [dispatch].batch_size of the config.
        lock_timeout_s: How long to wait for another run that holds the sharded book.
    """
    logger = get_run_logger()
    day = as_of or default_day()
    manifest = read_manifest(directory)
    with exclusive_run(manifest.directory / MANIFEST, f"sharded-plan {day}", timeout_s=lock_timeout_s,
                       on_wait=logger.warning):
        seconds: dict[str, float] = {}
        assigned, reports = _day(str(directory), manifest.shards, day, config_path, batch_size, seconds)
    planned = sum(r.planned_total for r in reports)
    logger.info("%s: %d shards, %d contacts planned, %d calls assigned", day, manifest.shards, planned,
                assigned.assigned)
    return {"as_of": day.isoformat(), "shards": manifest.shards, "planned": planned,
            "candidates": sum(r.candidates for r in reports),
            "suppressed": sum(sum(r.suppressed.values()) for r in reports),
            "already_planned": all(r.already_planned for r in reports),
            "calls": assigned.calls, "calls_assigned": assigned.assigned, "calls_carried": assigned.carried,
            "visits": assigned.visits, "visits_assigned": assigned.visits_assigned,
            "seconds": {k: round(v, 2) for k, v in seconds.items()}}


def plan_sharded_day(directory: str, as_of: date, *, n_workers: int = 2, processes: bool = True,
                     dask_address: str | None = None, config_path: str | None = None,
                     batch_size: int | None = None) -> dict[str, Any]:
    """Run `sharded_plan` on a Dask cluster of `n_workers` (or the one at `dask_address`)."""
    runner = task_runner(n_workers, processes=processes, address=dask_address)
    return sharded_plan.with_options(task_runner=runner)(directory=directory, as_of=as_of, config_path=config_path,
                                                         batch_size=batch_size)


@flow(name="sharded-dispatch", task_runner=task_runner(), on_failure=[alert_on_failure], on_crashed=[alert_on_failure],
      timeout_seconds=4 * 3600)
def sharded_dispatch(directory: str, as_of: date, config_path: str | None = None,
                     batch_size: int | None = None) -> dict[str, Any]:
    """Dispatch one planned local day of a sharded book on a simulated clock: every shard's outbox in
    parallel, each shard at 1/K of each provider's rate_per_second. Replaying it sends nothing.

    Args:
        directory: The sharded book's folder.
        as_of: The borrowers' local day to dispatch.
        config_path: The lifecycle config file. Empty: config/lifecycle.toml (or $LOAN_COMMS_CONFIG).
        batch_size: Contacts per dispatch batch. Empty: [dispatch].batch_size of the config.
    """
    manifest = read_manifest(directory)
    with exclusive_run(manifest.directory / MANIFEST, f"sharded-dispatch {as_of}", on_wait=get_run_logger().warning):
        done = _results([dispatch_shard.submit(str(directory), i, as_of, config_path, batch_size)
                         for i in range(manifest.shards)])
    sent = sum((d.sent for d in done), Counter())
    return {"as_of": as_of.isoformat(), "shards": manifest.shards, "sent": dict(sent),
            "failed": sum(sum(d.failed.values()) for d in done), "window_missed": sum(d.window_missed for d in done)}


def dispatch_sharded_day(directory: str, as_of: date, *, n_workers: int = 2, processes: bool = True,
                         dask_address: str | None = None, config_path: str | None = None,
                         batch_size: int | None = None) -> dict[str, Any]:
    """Run `sharded_dispatch` on a Dask cluster of `n_workers` (or the one at `dask_address`)."""
    runner = task_runner(n_workers, processes=processes, address=dask_address)
    return sharded_dispatch.with_options(task_runner=runner)(directory=directory, as_of=as_of,
                                                             config_path=config_path, batch_size=batch_size)
