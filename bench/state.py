"""How long a day's state takes, incremental against the whole book, against the raw scans it rests on.

On a copy of a book whose previous day is recorded (a ready-made one with --book, else one generated
here and its previous day planned), prints from the same run:
  - raw: one bare statement reading what the state reads (the payment events summed per loan and
    every installment with its loan's borrower), no rules, no writes;
  - whole book: derive_state with no stored state (as on the first day after the migration, or an
    older day replayed), then storing it as record does;
  - incremental: derive_state from the stored state (only the loans that changed), per statement,
    and the record steps that keep it (materialize, store);
each in seconds, seconds per loan and as a multiple of raw.
Usage: .venv/bin/python bench/state.py [--loans 100000 | --book FILE] [--day 2026-11-12]
(--book is copied first: every run writes.)
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import loan_comms.db as dbm
from loan_comms.book.synthetic import generate_book
from loan_comms.clock import plan_instant
from loan_comms.config import load_config
from loan_comms.lifecycle.planner import plan_day
from loan_comms.policy.engine import derive_state, record_payments, register_policy_tables, store_state
from loan_comms.templating import TemplateStore, templates_dir

RAW = """
SELECT count(*), sum(p.paid), count(i.installment_no)
FROM installments AS i JOIN loans AS l USING (loan_id)
LEFT JOIN (SELECT loan_id, sum(amount) AS paid FROM borrower_events WHERE kind = 'payment' GROUP BY loan_id) AS p
  USING (loan_id)
"""


def timed_state(con, day: date, spent: Counter) -> float:
    """derive_state for `day`, each statement timed into `spent`; returns the total."""
    orig = dbm.run

    def run(c, name, params=None):
        t0 = time.perf_counter()
        try:
            return orig(c, name, params)
        finally:
            spent[name] += time.perf_counter() - t0

    dbm.run = run
    try:
        t = time.perf_counter()
        derive_state(con, day, plan_instant(day))
        return time.perf_counter() - t
    finally:
        dbm.run = orig


def record_state(con, day: date) -> float:
    """What record does with the state: the payments, the write-back to installments, the store."""
    t = time.perf_counter()
    with dbm.transaction(con):
        record_payments(con, plan_instant(day))
        dbm.run(con, "lifecycle/state/materialize_installments", {})
        store_state(con, plan_instant(day))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=100_000)
    ap.add_argument("--book", type=Path, help="a book whose day before --day is recorded (copied first)")
    ap.add_argument("--day", default="2026-11-12")
    args = ap.parse_args()
    day = date.fromisoformat(args.day)
    before = day - timedelta(days=1)
    cfg = load_config()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.duckdb"
        if args.book:
            shutil.copy(args.book, path)
            con = dbm.connect(path)
        else:
            con = dbm.connect(path)
            generate_book(con, loans=args.loans, seed=11, start=day)
            plan_day(con, cfg, TemplateStore.load(templates_dir(cfg), cfg), before)
        loans = con.execute("SELECT count(*) FROM loans").fetchall()[0][0]
        register_policy_tables(con, cfg, before)
        con.execute("DELETE FROM state_watermark")   # the previous day as if recorded before the migration
        whole = timed_state(con, before, Counter()) + record_state(con, before)
        register_policy_tables(con, cfg, day)
        t = time.perf_counter()
        con.execute(RAW).fetchall()
        raw = time.perf_counter() - t
        spent: Counter = Counter()
        derive = timed_state(con, day, spent)
        stale = con.execute("SELECT count(*) FROM stale_loans").fetchall()[0][0]
        record = record_state(con, day)
    print(f"{loans:,} loans, day {day}; {stale:,} loans derived again (payments, plans, schedules changed)")
    print(f"raw (payments summed per loan, installments with borrowers): {raw:.2f} s")
    print(f"whole book, derive + store (first day after the migration): {whole:.2f} s "
          f"= {whole / loans * 1e6:.1f} us/loan = {whole / raw:.0f}x raw")
    print(f"incremental derive_state: {derive:.2f} s = {derive / loans * 1e6:.1f} us/loan = {derive / raw:.1f}x raw")
    print(f"incremental record (payments, write-back, store): {record:.2f} s = {record / loans * 1e6:.1f} us/loan")
    for name, secs in spent.most_common(8):
        print(f"  {secs:6.2f} s  {name}")


if __name__ == "__main__":
    main()
