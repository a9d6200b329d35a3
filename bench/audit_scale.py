"""How long the compliance audit takes on a big contact log.

Takes a simulated database (e.g. `loan-comms simulate --loans 300 --days 30 --db small.duckdb`),
copies its whole history K times under new ids (borrowers, loans, installments, events, contacts,
outbox) into a new file, and times `run_audit` on it, printing one line per rule and the total.

    .venv/bin/python bench/audit_scale.py small.duckdb --copies 300 --out /tmp/big.duckdb
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from loan_comms import db
from loan_comms.audit import run_audit, runner
from loan_comms.audit.runner import run_rule
from loan_comms.config import load_config

# Column lists are read from the source tables; every id column gets a '#k' suffix per copy.
ID_COLUMNS = {"borrower_id", "loan_id", "attempt_id", "idempotency_key", "episode_id", "external_id"}
TABLES = ("borrowers", "loans", "installments", "borrower_events", "contact_attempts", "outbox_messages")


def blow_up(src: Path, out: Path, copies: int) -> None:
    """Write `copies` renamed copies of src's history into a fresh database at `out`."""
    out.unlink(missing_ok=True)
    con = db.connect(out)
    con.execute("ATTACH ? AS src (READ_ONLY)", [str(src)])
    for table in TABLES:
        cols = [r[0] for r in con.execute(f"DESCRIBE src.{table}").fetchall()]
        sel = []
        for c in cols:
            if c in ID_COLUMNS:
                sel.append(f"CASE WHEN {c} IS NULL THEN NULL ELSE {c} || '#' || k END AS {c}")
            elif table == "borrower_events" and c == "event_id":
                sel.append(f"nextval('borrower_events_seq') AS {c}")
            elif table == "borrower_events" and c == "detail":
                # call outcomes name their attempt: rename it the same way
                sel.append("CASE WHEN json_valid(detail) AND json_extract_string(detail, '$.attempt_id') IS NOT NULL "
                           "THEN json_merge_patch(detail, json_object('attempt_id', "
                           "json_extract_string(detail, '$.attempt_id') || '#' || k))::VARCHAR ELSE detail END AS detail")
            elif table == "outbox_messages" and c == "recipient":
                # work items (call, letter, visit) are addressed to the borrower id
                sel.append("CASE WHEN channel IN ('sms', 'email') THEN recipient ELSE recipient || '#' || k END AS recipient")
            else:
                sel.append(c)
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) "
                    f"SELECT {', '.join(sel)} FROM src.{table}, range({copies}) AS t(k)")
    con.execute("DETACH src")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("--copies", type=int, default=100)
    ap.add_argument("--out", type=Path, default=Path("/tmp/audit_bench.duckdb"))
    ap.add_argument("--reuse", action="store_true", help="audit --out as it is (built by an earlier run)")
    args = ap.parse_args()

    if not (args.reuse and args.out.exists()):
        t0 = time.perf_counter()
        blow_up(args.src, args.out, args.copies)
        print(f"built {args.out} ({args.copies} copies) in {time.perf_counter() - t0:.1f} s")
    con = db.connect(args.out, read_only=True)
    n = con.execute("SELECT count(*) FROM contact_attempts").fetchall()[0][0]
    loans = con.execute("SELECT count(*) FROM loans").fetchall()[0][0]
    print(f"{loans:,} loans, {n:,} contact attempts")
    cfg = load_config()

    def timed_rule(c, name, params, show):   # the product's run_audit, each rule timed
        t = time.perf_counter()
        r = run_rule(c, name, params, show)
        print(f"  {name:<34} {time.perf_counter() - t:6.2f} s  checked {r.checked:>10,}  violations {r.violations:,}",
              flush=True)
        return r

    runner.run_rule = timed_rule
    t_all = time.perf_counter()
    run_audit(con, cfg)
    spent = time.perf_counter() - t_all
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"whole audit (run_audit: setup, every rule) {spent:.1f} s = {spent / n * 1e6:.2f} us a contact; "
          f"peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
