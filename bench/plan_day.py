"""How long one day's plan takes on a synthetic book, against the bare selection it starts from.

Prints, from the same run on the same database:
  - baseline: one SQL statement selecting today's reminder and overdue candidates (the
    stack-limits "selecting today's actions" query shape, no policy, no writes);
  - the real plan_day, split into state, candidates+policy, render+record;
  - a dispatch pass through the outbox.
Usage: .venv/bin/python bench/plan_day.py [--loans 100000] [--day 2026-11-12]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import loan_comms.db as dbm
from loan_comms.clock import plan_instant
from loan_comms.config import load_config
from loan_comms.lifecycle.planner import plan_day
from loan_comms.book.synthetic import generate_book
from loan_comms.templating import TemplateStore, templates_dir

BASELINE = """
SELECT i.loan_id, i.installment_no, i.due_date, l.borrower_id
FROM installments i JOIN loans l USING (loan_id)
WHERE i.amount_paid < i.amount_due
  AND (i.due_date - $d IN (0, 1, 3) OR i.due_date < $d)
"""

STAGES = {
    "state": ("lifecycle/state/",),
    "candidates+policy": ("lifecycle/plan/create_candidates", "lifecycle/plan/reminder_candidates", "lifecycle/plan/ladder_candidates",
                          "lifecycle/plan/follow_up_candidates", "policy/"),
    "render+record": ("lifecycle/plan/render_inputs", "lifecycle/plan/record_rendered", "lifecycle/plan/record_rendered_messages"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=100_000)
    ap.add_argument("--day", default="2026-11-12")
    args = ap.parse_args()
    day = date.fromisoformat(args.day)
    cfg = load_config()
    store = TemplateStore.load(templates_dir(cfg), cfg)
    with tempfile.TemporaryDirectory() as tmp:
        con = dbm.connect(Path(tmp) / "bench.duckdb")
        t = time.perf_counter()
        print(f"book: {generate_book(con, loans=args.loans, seed=11, start=day)} "
              f"in {time.perf_counter() - t:.1f} s")
        # Yesterday's plan brings installments and episodes to a realistic state first.
        plan_day(con, cfg, store, date.fromordinal(day.toordinal() - 1))

        t = time.perf_counter()
        n = len(con.execute(BASELINE, {"d": day}).fetchall())
        base = time.perf_counter() - t

        spent: Counter = Counter()
        orig_run, orig_arrow = dbm.run, dbm.arrow

        def timed(fn):
            def wrapper(c, name, params=None):
                t0 = time.perf_counter()
                try:
                    return fn(c, name, params)
                finally:
                    stage = next((s for s, prefixes in STAGES.items() if name.startswith(prefixes)), "other")
                    spent[stage] += time.perf_counter() - t0
            return wrapper

        dbm.run, dbm.arrow = timed(orig_run), timed(orig_arrow)
        t = time.perf_counter()
        report = plan_day(con, cfg, store, day, now=plan_instant(day))
        total = time.perf_counter() - t
        dbm.run, dbm.arrow = orig_run, orig_arrow

        from loan_comms.delivery.day_dispatch import dispatch_day

        t = time.perf_counter()
        passes = dispatch_day(con, cfg, day)
        dispatched = time.perf_counter() - t
        split: Counter = Counter()
        for p in passes:
            split.update(p.timings)

    print(f"baseline selection (no policy, no writes): {n:,} rows in {base:.3f} s")
    print(f"plan_day: {report}")
    print(f"plan_day total {total:.2f} s = {total / base:.0f}x the bare selection; "
          f"{args.loans / total:,.0f} loans/s; {report.planned_total / total:,.0f} planned contacts/s")
    python = total - sum(spent.values())
    for stage, secs in spent.most_common():
        print(f"  {stage:<18} {secs:6.2f} s")
    print(f"  {'python (render)':<18} {python:6.2f} s")
    print(f"dispatch over the day (outbox): {dispatched:.2f} s for {report.planned_total:,} contacts in "
          f"{len(passes)} passes (" + ", ".join(f"{k} {v:.2f} s" for k, v in split.items()) + ")")


if __name__ == "__main__":
    main()
