"""One day planned on one book file against the same day on K shards of it, in the same run.

Prints, from the same book (a copy of --book, the day before already planned) and the same day:
  - the single run: plan_day on one file, in this process (the baseline);
  - the shard key and the split into K files (once per book, not per day);
  - the sharded run: the sharded-plan flow on Prefect's DaskTaskRunner, a LocalCluster of --workers
    worker processes, with its phases (decide per shard, assign over all, plan per shard) and the
    seconds per loan of each;
  - the ratio sharded / single, and peak RSS (this process; the largest worker process).
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

    prefect_env.configure()
    from flows.sharded_plan import plan_sharded_day

    t = time.perf_counter()
    result = plan_sharded_day(str(work / "shards"), day, n_workers=args.workers)
    t_sharded = time.perf_counter() - t
    print(f"sharded: {result}")
    print(f"sharded plan ({args.k} shards, {args.workers} worker processes): {t_sharded:.1f} s, "
          f"{t_sharded / loans * 1e6:.1f} us/loan; = {t_sharded / t_single:.2f}x the single run; "
          f"planned {result['planned']:,} vs {report.planned_total:,}")
    print(f"peak RSS: this process {_rss_mb(resource.RUSAGE_SELF):,.0f} MB, largest worker "
          f"{_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
