"""What an experiment costs the daily plan, and what a what-if replay costs, on a synthetic book.

Prints, from the same run on copies of the same database:
  - baseline: `days` plan days of the book with no experiment (plan_day, the real templates);
  - the same days with config/experiments.toml running (assignment, the arms' candidates, the tags):
    per day and the ratio to the baseline;
  - the readout of the experiment at the end (outcomes in DuckDB + statsmodels);
  - `replay` of the last days with the unchanged config, against the time the plans of those days took.
Usage: .venv/bin/python bench/experiments.py [--loans 20000] [--days 6]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import loan_comms.db as dbm
from loan_comms.book.synthetic import generate_book
from loan_comms.config import load_config
from loan_comms.experiments.config import ENV
from loan_comms.lifecycle.planner import plan_day
from loan_comms.paths import CONFIG_PATH
from loan_comms.templating import TemplateStore, templates_dir

START = date(2026, 11, 1)


def plan_days(path: Path, days: int) -> list[float]:
    cfg = load_config()
    store = TemplateStore.load(templates_dir(cfg), cfg)
    con = dbm.connect(path)
    out = []
    for i in range(days):
        t = time.perf_counter()
        plan_day(con, cfg, store, START + timedelta(days=i))
        out.append(time.perf_counter() - t)
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=6)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain, trial = Path(tmp) / "plain.duckdb", Path(tmp) / "trial.duckdb"
        con = dbm.connect(plain)
        generate_book(con, loans=args.loans, seed=7, start=START)
        con.close()
        shutil.copy(plain, trial)

        os.environ[ENV] = ""
        base = plan_days(plain, args.days)
        os.environ[ENV] = str(CONFIG_PATH.parent / "experiments.toml")
        exp = plan_days(trial, args.days)
        print(f"{args.loans} loans, {args.days} plan days (the real templates, no dispatch)")
        print(f"{'day':<12}{'baseline s':>12}{'experiment s':>14}{'ratio':>8}")
        for i, (b, e) in enumerate(zip(base, exp)):
            print(f"{(START + timedelta(days=i)).isoformat():<12}{b:>12.2f}{e:>14.2f}{e / b:>8.2f}")
        print(f"{'total':<12}{sum(base):>12.2f}{sum(exp):>14.2f}{sum(exp) / sum(base):>8.2f}")

        from loan_comms.experiments.readout import readout

        con = dbm.connect(trial, read_only=True)
        assigned = con.execute("SELECT count(*) FROM experiment_assignments").fetchone()
        t = time.perf_counter()
        readouts = readout(con, load_config(), START + timedelta(days=args.days - 1))
        took = time.perf_counter() - t
        con.close()
        print(f"readout of {len(readouts)} experiment(s), {assigned[0] if assigned else 0} borrowers assigned: "
              f"{took:.2f} s")

        from loan_comms.replay import replay

        first = START + timedelta(days=max(1, args.days - 3))
        last = START + timedelta(days=args.days - 1)
        cfg = load_config()
        store = TemplateStore.load(templates_dir(cfg), cfg)
        t = time.perf_counter()
        report = replay(trial, cfg, store, first, last, scratch=Path(tmp) / "scratch.duckdb")
        took = time.perf_counter() - t
        planned = sum(exp[(first - START).days:])
        print(f"replay {first}..{last} (unchanged config): {took:.2f} s; the plans of those days took "
              f"{planned:.2f} s; ratio {took / planned:.2f}")
        print(next((line for line in str(report).splitlines() if line.startswith("contacts made")), str(report)))


if __name__ == "__main__":
    main()
