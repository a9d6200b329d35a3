"""Running the lifecycle: `run-day`, `run-days` (backfill or catch-up) and `demo`.

Each checks everything that would stop the run before Prefect starts (`preflight`), holds the
book's run lock, refuses a day behind the newest planned one (`_check_day_order`), and ends a run
whose delivery halted with one line, exit 1 (`loud_delivery`). Prints counts, never personal data.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import (ConfigOpt, CountOpt, DayOpt, DbOpt, ExperimentsOpt, ReplacedDbOpt, SeedOpt, book,
                                   fresh_book, print_experiment_readouts, use_experiments,
                                   loud_delivery, preflight, writing)

_loud_delivery = loud_delivery  # the name flows' callers and older imports know

app = typer.Typer()


@app.command("run-day")
def run_day(as_of: date = DayOpt(..., "--as-of", help="The day to run; re-running is safe."),
            db: Path = DbOpt, config: Optional[Path] = ConfigOpt) -> None:
    """Plan, police, render and send one day's contacts (daily-lifecycle flow), then summarise."""
    preflight(config)
    from loan_comms.ops import prefect_env

    with writing(db, f"run-day {as_of}"):
        _check_day_order(db, as_of)
        prefect_env.configure()
        from flows.daily_lifecycle import daily_lifecycle

        with loud_delivery():
            result = daily_lifecycle(as_of=as_of, db_path=str(db), config_path=str(config) if config else None)
    totals = (f"sent {result['sent'] + result['delivered']}{_unknown_part(result)}, "
              f"suppressed {result['suppressed']}, {_failed_part(result)}  ({db})")
    if result.get("already_planned"):
        typer.echo(f"{as_of}: already planned, nothing new recorded or sent; the day's totals: {totals}")
    else:
        typer.echo(f"{as_of}: planned {result['planned']} new, {totals}")


def _failed_part(result: dict) -> str:
    """'failed N', counting contacts lost to delivery failures: never 'failed 0' when sends failed."""
    lost = int(result.get("lost", 0))
    return f"failed {result['failed'] + lost}" + (f" ({lost} lost to delivery failures)" if lost else "")


def _unknown_part(result: dict) -> str:
    n = int(result.get("outcome_unknown", 0))
    return f" ({n} with an unknown outcome, not re-sent)" if n else ""


@app.command("run-days")
def run_days(start: date = DayOpt(..., "--start", help="First day."),
             days: int = CountOpt(1, "--days", help="How many consecutive days."),
             db: Path = DbOpt, config: Optional[Path] = ConfigOpt) -> None:
    """Run the lifecycle for consecutive days (backfill or catch-up), one flow run."""
    preflight(config)
    _days(start, days, db, config)


def _days(start: date, days: int, db: Path, config: Optional[Path], *, plan_takers_seed: int | None = None,
          workdir: Path | None = None) -> list[dict]:
    """The lifecycle-days flow over an existing book, under its run lock (after `preflight`);
    with plan_takers_seed (the demo), simulated borrowers take the plans offered each day."""
    from loan_comms.ops import prefect_env

    with writing(db, f"run-days {start} +{days}"):
        _check_day_order(db, start, days)
        prefect_env.configure()
        from flows.run_days import lifecycle_days

        with loud_delivery():
            return lifecycle_days(start=start, days=days, db_path=str(db), config_path=str(config) if config else None,
                                  plan_takers_seed=plan_takers_seed,
                                  workdir=str(workdir or Path(db).with_name(Path(db).stem + "-files")))


def _check_day_order(db: Path, first: date, count: int = 1) -> None:
    """A never-planned day behind the newest planned one, anywhere in the range, is refused before
    Prefect starts (not half-way through a run)."""
    from datetime import timedelta

    from loan_comms.lifecycle import days

    with book(db) as con:
        for i in range(count):
            days.check_can_plan(days.status(con, first + timedelta(days=i)))


@app.command("demo")
def demo(db: Path = ReplacedDbOpt("data/demo.duckdb"),
         loans: int = CountOpt(20000, "--loans", help="Loans in the synthetic book."),
         days: int = CountOpt(30, "--days", help="Days to run."),
         start: date = DayOpt("2026-11-01", "--start", help="First day."),
         seed: int = SeedOpt(),
         experiments: str = ExperimentsOpt("config/experiments.toml")) -> None:
    """The main job: a fresh synthetic book, `days` days of the lifecycle, the feedback aggregation and
    its HTML report (<db stem>-feedback.html beside the database), and a summary ending with the survey
    numbers. The shipped strategy experiment runs (config/experiments.toml; --experiments "" for none)."""
    from loan_comms import db as dbm

    use_experiments(experiments)
    preflight(None)
    t0 = time.perf_counter()
    typer.echo(f"Building a synthetic book of {loans} loans in {db} ...")
    typer.echo(f"  {fresh_book(db, loans=loans, seed=seed, start=start)}")
    typer.echo(f"Running {days} days from {start} in Prefect's local mode (first start takes ~20 s) ...")
    files = Path(db).with_suffix("").with_name(Path(db).stem + "-files")
    _days(start, days, db, None, plan_takers_seed=seed, workdir=files)   # borrowers take the plans offered
    from loan_comms.audit.runner import run_audit
    from loan_comms.config import load_config
    from loan_comms.simulation.borrowers import report_visits
    from loan_comms.simulation.survey_answers import answer_surveys

    # Borrowers in the demo only take the repayment plans offered to them (each day, above); besides,
    # the field team reports, and borrowers answer the surveys they got (through the production paths:
    # SMS scores, a file drop), filed after the days have run: an answer changes no plan.
    with writing(db, "demo field reports and survey answers"):
        con = dbm.connect(db)
        cfg = load_config()
        for n in range(days):
            as_of = start + timedelta(days=n)
            report_visits(con, cfg, as_of, seed, files, answers=False)
            answer_surveys(con, cfg, as_of, seed, files / as_of.isoformat(),
                           now=datetime.combine(as_of + timedelta(days=1), dtime(12), tzinfo=UTC))
        con.close()
    from loan_comms.surveys import aggregate, load_themes, write_report

    feedback_html = Path(db).with_name(f"{Path(db).stem}-feedback.html")
    with writing(db, "demo feedback"):   # what the nightly feedback-aggregate deployment does
        con = dbm.connect(db)
        themes = load_themes()
        feedback = aggregate(con, themes)
        from loan_comms.experiments.report import readouts_for_report

        feedback_html = write_report(con, feedback_html, source=str(db), themes=themes,
                                     experiments=readouts_for_report(con, load_config()))
        con.close()
    with writing(db, "demo hand-off export"):   # what the nightly handoff-export deployment does
        from loan_comms.handoff.export import export_cases

        con = dbm.connect(db)
        handoff = export_cases(con, load_config(), as_of=start + timedelta(days=days - 1), db_path=db)
        con.close()
    typer.echo(str(handoff))
    con = dbm.connect(db, read_only=True)
    from loan_comms.ops.demo_summary import print_demo_summary, print_survey_summary

    print_demo_summary(con, db, time.perf_counter() - t0)
    from loan_comms.ops.collector_summary import print_collector_summary

    print_collector_summary(con)       # calls assigned/carried by reason, capacity use, the dialer
    print_survey_summary(feedback, feedback_html)
    print_experiment_readouts(con, verdicts_only=True)
    report = run_audit(con, load_config())
    broken = [r.name for r in report.rules if not r.ok]
    typer.echo(f"Audit of the contact log: {len(report.rules)} policy rules, "
               f"{sum(r.checked for r in report.rules):,} rule checks, {report.violations} violations"
               + (f" (broken: {', '.join(broken)})" if broken else "")
               + f". Details: .venv/bin/loan-comms audit --db {db}")
    if broken:
        raise typer.Exit(1)
