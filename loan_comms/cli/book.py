"""`loan-comms generate` and `import`: the two ways a loan book comes to be; `upgrade`: bring an
older book's schema up to date.

generate and import are the only commands that may create the database file (`NewDbOpt`); every
other command refuses a path with no book. A file that cannot be imported, or a book that already exists, is one line and
exit 2 (BookFileError, BookExistsError, reported by the main group).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import (ConfigOpt, CountOpt, DayOpt, DbOpt, EncodingOpt, NewDbOpt, SeedOpt, load_cfg,
                                   writing)

app = typer.Typer()


@app.command("generate")
def generate(db: Path = NewDbOpt, loans: int = CountOpt(1000, help="Number of loans."),
             seed: int = SeedOpt(),
             start: date = DayOpt("2026-11-01", "--start", help="First day the book will be run for.")) -> None:
    """Build a synthetic loan book (borrowers, loans, installments, future payments) in --db."""
    from loan_comms import db as dbm
    from loan_comms.book.synthetic import generate_book

    con = dbm.connect(db)
    t0 = time.perf_counter()
    report = generate_book(con, loans=loans, seed=seed, start=start)
    typer.echo(f"{report}  ({time.perf_counter() - t0:.1f}s) -> {db}")


@app.command("import")
def import_(file: Path = typer.Argument(..., help="CSV or Parquet export, one row per installment."),
            db: Path = NewDbOpt, config: Optional[Path] = ConfigOpt,
            encoding: Optional[str] = EncodingOpt) -> None:
    """Import a loan book; bad rows go to import_quarantine with the reason and line."""
    from loan_comms import db as dbm
    from loan_comms.book.importer import import_book

    cfg = load_cfg(config)
    with writing(db, f"import {file.name}", check=False):
        con = dbm.connect(db)  # creates the book if need be; refuses a damaged file before writing
        try:
            dbm.check_single_book(con, db)   # a split book or a shard takes no import (docs/scaling.md)
            report = import_book(con, file, jurisdictions=tuple(cfg.policy.profiles), encoding=encoding,
                                     jurisdiction_zones={n: p.timezones for n, p in cfg.policy.profiles.items()})
        finally:
            con.close()
    typer.echo(str(report))


@app.command("upgrade")
def upgrade(db: Path = DbOpt) -> None:
    """Add the tables and columns this version needs to a book written by an older one (nothing is
    changed or removed). Writing commands do this on their own; read-only ones (audit, trace, report)
    ask for it."""
    from loan_comms import db as dbm

    with writing(db, "upgrade"):
        con = dbm.connect(db)   # applies every sql/schema file (each idempotent)
        con.close()
    typer.echo(f"{db}: schema up to date")
