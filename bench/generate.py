"""Bench: synthetic book generation, export in the import format, and import, at scale.

    .venv/bin/python bench/generate.py                 # 100,000 loans
    .venv/bin/python bench/generate.py --loans 1000000 --no-import-csv

Prints figures (seconds, rows, rows/s, peak RSS); asserts nothing. Works in a temporary directory.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from loan_comms import db
from loan_comms.book.importer import import_book
from loan_comms.book.synthetic import generate_book, write_book_file


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--loans", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", default="2026-11-01")
    ap.add_argument("--no-import-csv", action="store_true", help="skip the CSV import (slowest part)")
    ap.add_argument("--generate-only", action="store_true", help="only time the generator")
    args = ap.parse_args()
    start = date.fromisoformat(args.start)
    as_of = datetime.combine(start, datetime.min.time(), tzinfo=UTC)

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        con = db.connect(d / "gen.duckdb")
        t = time.perf_counter()
        rep = generate_book(con, loans=args.loans, seed=args.seed, start=start)
        g = time.perf_counter() - t
        print(f"generate   {args.loans:>9,} loans: {g:6.2f} s  ({args.loans / g:,.0f} loans/s)  {rep}")
        if args.generate_only:
            con.close()
            print(f"peak RSS {rss_mb():,.0f} MB")
            return
        for name in ("book.parquet", "book.csv"):
            t = time.perf_counter()
            n = write_book_file(con, d / name, as_of=as_of)
            e = time.perf_counter() - t
            size = (d / name).stat().st_size / 1e6
            print(f"export     {name:<13} {n:>9,} rows: {e:6.2f} s  ({size:,.0f} MB)")
        con.close()
        for name in ("book.parquet", "book.csv"):
            if name == "book.csv" and args.no_import_csv:
                continue
            dst = db.connect(d / f"imp-{name}.duckdb")
            t = time.perf_counter()
            r = import_book(dst, d / name, now=as_of)
            i = time.perf_counter() - t
            print(f"import     {name:<13} {r.rows_read:>9,} rows: {i:6.2f} s  ({r.rows_read / i:,.0f} rows/s)  "
                  f"loaded {r.rows_loaded:,}, quarantined {r.rows_quarantined:,}, payments {r.payments_new:,}")
            t = time.perf_counter()
            r2 = import_book(dst, d / name, now=as_of)
            i2 = time.perf_counter() - t
            print(f"re-import  {name:<13} {r2.rows_read:>9,} rows: {i2:6.2f} s  (changes: "
                  f"{r2.borrowers_new + r2.borrowers_updated + r2.loans_new + r2.installments_new + r2.payments_new})")
            dst.close()
    print(f"peak RSS {rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
