"""Bench: synthetic book generation, export in the import format, and import, at scale, each against
its raw limit measured in the same run.

    .venv/bin/python bench/generate.py                          # 100,000 loans (1.2M import rows)
    .venv/bin/python bench/generate.py --loans 1000000 --no-csv # 1M loans (12M import rows)

Every step runs in a process of its own, so its peak RSS is its own (DuckDB keeps what it read):
  generate      generate_book into a new database file (one transaction)
  raw generate  the same rows, read back as Arrow tables beforehand, inserted into a new database's
                tables (same keys) in one transaction: the floor any generator of this book has
  export        write_book_file, Parquet (and CSV)
  import        import_book of that file into a new database, then again (re-import changes nothing)
  raw import    the file read by DuckDB and inserted, without any check, into the same tables
                (borrowers and loans de-duplicated, installments, payments): the floor of an import
Prints seconds, rows/s, CPU seconds, peak RSS and the issue's targets beside; asserts nothing.
Any run above 250k loans belongs under `flock /tmp/big.lock` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

TARGETS = {  # issue 17, 2 cores / 24 GB: (seconds, peak MB) at the size the issue names
    "generate": (1_000_000, 15.0, 2048, "generate 1M loans <= 15 s, <= 2 GB"),
    "import": (100_000, 8.0, 1536, "import 1.2M rows <= 8 s, <= 1.5 GB; 12M rows in bounded memory"),
}
BOOK_TABLES = ("borrowers", "loans", "installments", "payment_feed", "synthetic_profiles", "borrower_contact_points")


def _usage() -> dict[str, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": r.ru_utime + r.ru_stime, "peak_mb": r.ru_maxrss / 1024}


def _timed(fn):
    """(result, seconds, cpu seconds) of fn()."""
    c0, t0 = _usage()["cpu"], time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, _usage()["cpu"] - c0


# --- steps (each runs in its own process) ---------------------------------------------------------

def step_generate(work: Path, loans: int, seed: int, start: date) -> dict:
    from loan_comms import db
    from loan_comms.book.synthetic import generate_book

    con = db.connect(work / "gen.duckdb")
    rep, s, c = _timed(lambda: generate_book(con, loans=loans, seed=seed, start=start))
    rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in BOOK_TABLES)
    con.close()
    return {"seconds": s, "cpu": c, "rows": rows, "what": str(rep)}


def step_raw_generate(work: Path) -> dict:
    """The generated rows as Arrow tables (read before the clock starts), inserted into a new
    database's tables (with their keys) in one transaction."""
    import duckdb

    from loan_comms import db

    src = duckdb.connect(str(work / "gen.duckdb"), read_only=True)
    tables = {t: src.execute(f"SELECT * FROM {t}").to_arrow_table() for t in BOOK_TABLES}
    src.close()
    con = db.connect(work / "raw-gen.duckdb")

    def insert() -> int:
        con.execute("BEGIN")
        for name, table in tables.items():
            con.register("arrow_src", table)
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM arrow_src")
            con.unregister("arrow_src")
        con.execute("COMMIT")
        return sum(t.num_rows for t in tables.values())

    rows, s, c = _timed(insert)
    con.close()
    return {"seconds": s, "cpu": c, "rows": rows}


def step_export(work: Path, name: str, start: date) -> dict:
    from loan_comms import db
    from loan_comms.book.synthetic import write_book_file

    con = db.connect(work / "gen.duckdb")
    as_of = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    rows, s, c = _timed(lambda: write_book_file(con, work / name, as_of=as_of))
    con.close()
    return {"seconds": s, "cpu": c, "rows": rows, "mb": (work / name).stat().st_size / 1e6}


def step_import(work: Path, name: str, start: date) -> dict:
    from loan_comms import db
    from loan_comms.book.importer import import_book

    dbfile = work / f"imp-{name}.duckdb"
    dbfile.unlink(missing_ok=True)
    con = db.connect(dbfile)
    as_of = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    rep, s, c = _timed(lambda: import_book(con, work / name, now=as_of))
    first_peak = _usage()["peak_mb"]
    again, s2, c2 = _timed(lambda: import_book(con, work / name, now=as_of))
    con.close()
    changes = (again.borrowers_new + again.borrowers_updated + again.loans_new + again.loans_updated
               + again.installments_new + again.installments_updated + again.payments_new)
    return {"seconds": s, "cpu": c, "rows": rep.rows_read, "peak_first_mb": first_peak,
            "what": f"loaded {rep.rows_loaded:,}, quarantined {rep.rows_quarantined:,}, payments {rep.payments_new:,}",
            "again_seconds": s2, "again_cpu": c2, "again_changes": changes}


def step_raw_import(work: Path, name: str) -> dict:
    """The file's rows inserted by DuckDB, without any check, into a new database's tables."""
    from loan_comms import db

    con = db.connect(work / f"raw-imp-{name}.duckdb")
    path = str(work / name).replace("'", "''")
    source = f"read_parquet('{path}')" if name.endswith(".parquet") else f"read_csv('{path}', header = true)"

    def insert() -> int:
        con.execute("BEGIN")
        con.execute(f"CREATE TEMP VIEW raw_src AS SELECT * FROM {source}")
        con.execute("""INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone,
                                              jurisdiction, segment, city, district)
                       SELECT borrower_id, any_value(full_name), any_value(first_name), any_value(phone_e164),
                              any_value(email), any_value(language), any_value(timezone), any_value(jurisdiction),
                              any_value(segment), any_value(city), any_value(district)
                       FROM raw_src GROUP BY borrower_id""")
        con.execute("""INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on)
                       SELECT loan_id, any_value(borrower_id), any_value(product), any_value(principal),
                              any_value(currency), any_value(opened_on)
                       FROM raw_src GROUP BY loan_id""")
        con.execute("""INSERT INTO installments (loan_id, installment_no, due_date, amount_due)
                       SELECT loan_id, installment_no, due_date, amount_due FROM raw_src""")
        con.execute("""INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at)
                       SELECT 'import:' || loan_id || ':' || installment_no, loan_id, amount_paid,
                              coalesce(paid_at, now()) FROM raw_src WHERE amount_paid > 0""")
        con.execute("COMMIT")
        return int(con.execute(f"SELECT count(*) FROM {source}").fetchone()[0])

    rows, s, c = _timed(insert)
    con.close()
    return {"seconds": s, "cpu": c, "rows": rows}


STEPS = {"generate": step_generate, "raw_generate": step_raw_generate, "export": step_export,
         "import": step_import, "raw_import": step_raw_import}


# --- driver ----------------------------------------------------------------------------------------

def run_step(step: str, work: Path, **kw: object) -> dict:
    """Run one step in a fresh interpreter; its figures and its own peak RSS come back as JSON."""
    cmd = [sys.executable, __file__, "--step", step, "--work", str(work), "--kw", json.dumps(kw, default=str)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(what: str, r: dict, raw: dict | None = None, target: str = "") -> str:
    text = (f"{what:<26} {r['seconds']:7.2f} s  {r['rows'] / r['seconds']:>11,.0f} rows/s  "
            f"cpu {r['cpu']:6.1f} s  peak {r.get('peak_first_mb', r['peak_mb']):6,.0f} MB")
    if raw:   # wall and CPU ratios: on a shared machine the CPU one is the steadier
        text += f"  = {r['seconds'] / raw['seconds']:4.1f}x raw (cpu {r['cpu'] / raw['cpu']:4.1f}x)"
    return text + (f"   [target: {target}]" if target else "")


def bench(loans: int, seed: int, start: date, csv: bool, work: Path) -> None:
    print(f"== {loans:,} loans (seed {seed}, start {start}) in {work}")
    gen = run_step("generate", work, loans=loans, seed=seed, start=start.isoformat())
    print(f"   {gen['what']}")
    raw = run_step("raw_generate", work)
    print(line("raw insert of those rows", raw))
    print(line("generate", gen, raw, TARGETS["generate"][3] if loans == TARGETS["generate"][0] else ""))
    for name in ("book.parquet",) + (("book.csv",) if csv else ()):
        exp = run_step("export", work, name=name, start=start.isoformat())
        print(line(f"export {name}", exp) + f"  ({exp['mb']:,.0f} MB)")
        raw_imp = run_step("raw_import", work, name=name)
        print(line(f"raw insert of {name}", raw_imp))
        imp = run_step("import", work, name=name, start=start.isoformat())
        target = TARGETS["import"][3] if loans == TARGETS["import"][0] else ""
        print(line(f"import {name}", imp, raw_imp, target) + f"  ({imp['what']})")
        print(f"{'re-import ' + name:<26} {imp['again_seconds']:7.2f} s  cpu {imp['again_cpu']:6.1f} s  "
              f"changes {imp['again_changes']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loans", type=int, action="append", help="book size (repeatable); default 100000")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", default="2026-11-01")
    ap.add_argument("--no-csv", action="store_true", help="skip the CSV export and import")
    ap.add_argument("--workdir", help="keep the files here (default: a temporary directory)")
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--kw", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        kw = json.loads(args.kw or "{}")
        if "start" in kw:
            kw["start"] = date.fromisoformat(kw["start"])
        result = STEPS[args.step](Path(args.work), **kw)
        print(json.dumps(result | {"peak_mb": _usage()["peak_mb"]}))
        return
    start = date.fromisoformat(args.start)
    for loans in args.loans or [100_000]:
        if args.workdir:
            work = Path(args.workdir) / f"book{loans}"
            work.mkdir(parents=True, exist_ok=True)
            for f in work.glob("*.duckdb*"):
                f.unlink()
            bench(loans, args.seed, start, not args.no_csv, work)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                bench(loans, args.seed, start, not args.no_csv, Path(tmp))


if __name__ == "__main__":
    main()
