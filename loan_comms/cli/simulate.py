"""`loan-comms simulate`: a synthetic book run through the real system with simulated borrowers."""

from __future__ import annotations

import time
from typing import Optional
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import typer

from loan_comms.cli.common import (CountOpt, DayOpt, ExperimentsOpt, ReplacedDbOpt, SeedOpt, fresh_book, loud_delivery,
                                   preflight, print_experiment_readouts, use_experiments)

app = typer.Typer()


@app.command("simulate")
def simulate(loans: int = CountOpt(1000, "--loans", help="Loans in the synthetic book."),
             days: int = CountOpt(30, "--days", help="Days to simulate."),
             start: date = DayOpt("2026-11-01", "--start", help="First simulated day."),
             seed: int = SeedOpt("history"),
             db: Path = ReplacedDbOpt("data/simulation.duckdb"),
             audit: bool = typer.Option(True, help="Run the compliance audit at the end."),
             gateway: bool = typer.Option(False, "--gateway", help=(
                 "Send SMS and e-mail over HTTP to a local fake Twilio/SendGrid gateway that does not "
                 "deduplicate and injects faults, with the callback receiver; at the end the gateway counts "
                 "what each contact got (exit 1 unless exactly once).")),
             faults: float = typer.Option(0.2, "--faults", min=0.0, max=0.9, help=(
                 "With --gateway: the share of send requests that fail (errors, 429, resets, answers lost or "
                 "late after the gateway accepted).")),
             responsive_share: float = typer.Option(0.0, "--responsive-share", min=0.0, max=1.0, help=(
                 "The share of late payers' loans whose late payments are not in the book's feed: they pay "
                 "only when contact moves them (the response model, loan_comms/simulation/response.py).")),
             experiments: Optional[str] = ExperimentsOpt(None)) -> None:
    """Build a book, run the real daily flow and dispatch for each day, draw borrower behaviour.
    With --experiments config/experiments.toml, the strategy experiment runs too (issue 19)."""
    from loan_comms import db as dbm
    from loan_comms.ops import prefect_env

    use_experiments(experiments)
    preflight(None)
    t0 = time.perf_counter()
    typer.echo(f"book: {fresh_book(db, loans=loans, seed=seed, start=start, responsive_share=responsive_share)}")
    prefect_env.configure()
    from flows.simulate import simulate_lifecycle

    workdir = Path(db).with_suffix("").as_posix() + "-files"
    count = None
    with loud_delivery(), ExitStack() as stack:
        inbox = None
        if gateway:
            from loan_comms.simulation.gateway import local_gateway

            gw = stack.enter_context(local_gateway(Path(workdir), fault_rate=faults, seed=seed))
            inbox = str(gw.inbox)
            typer.echo(f"through a local gateway at {gw.gateway.url} ({faults:.0%} faults), callbacks to {gw.receiver.url}")
        simulate_lifecycle(start=start, days=days, db_path=str(db), seed=seed, workdir=workdir, receipts_inbox=inbox)
        if gateway:
            con = dbm.connect(db, read_only=True)
            try:
                count = gw.count(con)
            finally:
                con.close()
    typer.echo(f"simulated {loans} loans over {days} days in {time.perf_counter() - t0:.0f} s -> {db}")
    if count is not None:
        typer.echo(str(count))
    from loan_comms.ops.demo_summary import print_handoff_summary

    con = dbm.connect(db, read_only=True)
    try:
        print_handoff_summary(con)   # cases handed to the partner (exported each day by the flow)
        print_experiment_readouts(con)   # nothing when no experiment ran
    finally:
        con.close()
    if audit:
        from loan_comms.audit.runner import run_audit
        from loan_comms.config import load_config

        con = dbm.connect(db, read_only=True)
        report = run_audit(con, load_config())
        typer.echo(str(report))
        if not report.ok:
            raise typer.Exit(1)
    if count is not None and not count.exactly_once:
        raise typer.Exit(1)
