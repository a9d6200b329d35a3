"""`loan-comms simulate`: a synthetic book run through the real system with simulated borrowers."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import typer

from loan_comms.cli.common import CountOpt, DayOpt, ReplacedDbOpt, SeedOpt, fresh_book, loud_delivery, preflight

app = typer.Typer()


@app.command("simulate")
def simulate(loans: int = CountOpt(1000, "--loans", help="Loans in the synthetic book."),
             days: int = CountOpt(30, "--days", help="Days to simulate."),
             start: date = DayOpt("2026-11-01", "--start", help="First simulated day."),
             seed: int = SeedOpt("history"),
             db: Path = ReplacedDbOpt("data/simulation.duckdb"),
             audit: bool = typer.Option(True, help="Run the compliance audit at the end.")) -> None:
    """Build a book, run the real daily flow and dispatch for each day, draw borrower behaviour."""
    from loan_comms import db as dbm
    from loan_comms.ops import prefect_env

    preflight(None)
    t0 = time.perf_counter()
    typer.echo(f"book: {fresh_book(db, loans=loans, seed=seed, start=start)}")
    prefect_env.configure()
    from flows.simulate import simulate_lifecycle

    workdir = Path(db).with_suffix("").as_posix() + "-files"
    with loud_delivery():
        simulate_lifecycle(start=start, days=days, db_path=str(db), seed=seed, workdir=workdir)
    typer.echo(f"simulated {loans} loans over {days} days in {time.perf_counter() - t0:.0f} s -> {db}")
    if audit:
        from loan_comms.audit.runner import run_audit
        from loan_comms.config import load_config

        con = dbm.connect(db, read_only=True)
        report = run_audit(con, load_config())
        typer.echo(str(report))
        if not report.ok:
            raise typer.Exit(1)
