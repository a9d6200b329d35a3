"""One day planned on one book file against the same day on K shards of it, in the same run.

Prints, from the same book (a copy of --book, the day before already planned) and the same day:
  - the single run: plan_day on one file, in this process (the baseline);
  - the shard key and the split into K files (once per book, not per day);
  - the phases of the sharded day run one shard at a time in this process (decide per shard, assign
    over all, plan per shard), each shard timed alone: the day's critical path on K machines is
    max(decide) + assign + max(plan), the work of all shards together is the sum;
  - the sharded run as operators run it: the sharded-plan flow on Prefect's DaskTaskRunner, a
    LocalCluster of --workers worker processes (on a copy of the same shards);
  - the ratios to the single run, and peak RSS (this process; the largest worker process).
Usage: .venv/bin/python bench/sharded_day.py --book /work/benchdata/book200k.duckdb [--k 4] [--workers 2]
(a book of more than 250k loans: wrap it in `flock /tmp/big.lock`).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


class _ChildPeak:
    """The largest RSS any child process (a Dask worker) reached, sampled every 0.2 s."""

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.2):
            for child in me.children(recursive=True):
                try:
                    self.peak_mb = max(self.peak_mb, child.memory_info().rss / 2**20)
                except psutil.Error:
                    pass

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--book", required=True, help="a book with the day before planned (bench data)")
    ap.add_argument("--day", default="2026-11-12")
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    day = date.fromisoformat(args.day)

    from loan_comms import db
    from loan_comms.config import load_config
    from loan_comms.lifecycle.planner import plan_day
    from loan_comms.ops import prefect_env
    from loan_comms.shards import split_book
    from loan_comms.templating import TemplateStore, templates_dir

    work = Path(args.workdir or tempfile.mkdtemp(prefix="sharded-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    single, source = work / "single.duckdb", work / "source.duckdb"
    shutil.copy(args.book, single)
    shutil.copy(args.book, source)
    cfg = load_config()
    store = TemplateStore.load(templates_dir(cfg), cfg)
    con = db.connect(single)
    (loans,) = con.execute("SELECT count(*) FROM loans").fetchone()
    t = time.perf_counter()
    report = plan_day(con, cfg, store, day)
    t_single = time.perf_counter() - t
    con.close()
    rss_single = _rss_mb(resource.RUSAGE_SELF)
    print(f"single: {report}")
    print(f"single plan_day: {t_single:.1f} s, {t_single / loans * 1e6:.1f} us/loan, peak RSS {rss_single:,.0f} MB")

    t = time.perf_counter()
    manifest, key = split_book(source, args.k, work / "shards")
    t_split = time.perf_counter() - t
    print(f"key + split into {args.k}: {t_split:.1f} s ({key})")

    shutil.copytree(work / "shards", work / "shards-dask")
    from loan_comms.shards import assign_shards, decide_shard, plan_shard, read_manifest

    manifest = read_manifest(work / "shards")
    decide_s, plan_s = [], []
    decided = []
    for i in range(manifest.shards):
        t = time.perf_counter()
        decided.append(decide_shard(manifest, i, cfg, day))
        decide_s.append(time.perf_counter() - t)
    t = time.perf_counter()
    assigned = assign_shards(manifest, cfg, day, decided)
    assign_s = time.perf_counter() - t
    planned = 0
    for i in range(manifest.shards):
        t = time.perf_counter()
        planned += plan_shard(manifest, i, cfg, store, day).planned_total
        plan_s.append(time.perf_counter() - t)
    critical = max(decide_s) + assign_s + max(plan_s)
    work_s = sum(decide_s) + assign_s + sum(plan_s)
    print(f"phases, one shard at a time: decide {' '.join(f'{s:.1f}' for s in decide_s)} s; assign {assign_s:.1f} s "
          f"({assigned.calls:,} calls, {assigned.assigned:,} assigned); plan {' '.join(f'{s:.1f}' for s in plan_s)} s; "
          f"planned {planned:,}")
    print(f"  critical path on {manifest.shards} machines: {critical:.1f} s = {critical / t_single:.2f}x the single run; "
          f"work of all shards: {work_s:.1f} s = {work_s / t_single:.2f}x")

    prefect_env.configure()
    from flows.sharded_plan import plan_sharded_day

    peak = _ChildPeak()
    t = time.perf_counter()
    result = plan_sharded_day(str(work / "shards-dask"), day, n_workers=args.workers)
    t_sharded = time.perf_counter() - t
    worker_mb = peak.stop()
    print(f"sharded: {result}")
    print(f"sharded plan on Dask ({args.k} shards, {args.workers} worker processes on this machine): {t_sharded:.1f} s, "
          f"{t_sharded / loans * 1e6:.1f} us/loan; = {t_sharded / t_single:.2f}x the single run; "
          f"planned {result['planned']:,} vs {report.planned_total:,}")
    print(f"peak RSS: this process {_rss_mb(resource.RUSAGE_SELF):,.0f} MB (the single run, then every phase in "
          f"turn), largest Dask worker {worker_mb:,.0f} MB")

    from loan_comms.audit import run_audit
    from loan_comms.shards import open_union

    for name, opener in (("single file", lambda: db.connect(single, read_only=True)),
                         ("union of the shards", lambda: open_union(work / "shards"))):
        con = opener()
        t = time.perf_counter()
        audit = run_audit(con, cfg)
        print(f"audit of the {name}: {time.perf_counter() - t:.1f} s, {sum(r.checked for r in audit.rules):,} checks, "
              f"{audit.violations:,} violations")
        con.close()
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
