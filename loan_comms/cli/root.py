"""The `loan-comms` command line: build and import books, run days, simulate, audit, templates.

Every command takes --db (a DuckDB file) and prints counts, never personal data.
"""

from __future__ import annotations

import logging
import time
import traceback
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

import typer

from loan_comms.cli.common import (ConfigOpt, CountOpt, DayOpt, DbOpt, EncodingOpt, NewDbOpt, book, ingest_file,
                                   preflight, writing)
from loan_comms.cli.common import fail as _fail
from loan_comms.cli.common import load_cfg as _cfg
from loan_comms.cli.errors import DEBUG_ENV, ReportingGroup, set_debug

if TYPE_CHECKING:
    import duckdb

app = typer.Typer(add_completion=False, no_args_is_help=True, cls=ReportingGroup,
                  help="Borrower communications: reminders, escalation, contact policy, audit.")


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", envvar=DEBUG_ENV,
                                     help=f"Show Python tracebacks (also {DEBUG_ENV}=1).")) -> None:
    """Borrower communications: reminders, escalation, contact policy, audit."""
    set_debug(debug)


@app.command("generate")
def generate(db: Path = NewDbOpt, loans: int = CountOpt(1000, help="Number of loans."),
             seed: int = typer.Option(7, help="Same seed, same book."),
             start: date = DayOpt("2026-11-01", "--start", help="First day the book will be run for.")) -> None:
    """Build a synthetic loan book (borrowers, loans, installments, future payments) in --db."""
    from loan_comms import db as dbm
    from loan_comms.book.synthetic import BookExistsError, generate_book

    con = dbm.connect(db)
    t0 = time.perf_counter()
    try:
        report = generate_book(con, loans=loans, seed=seed, start=start)
    except BookExistsError as exc:
        _fail(str(exc))
    typer.echo(f"{report}  ({time.perf_counter() - t0:.1f}s) -> {db}")


@app.command("import")
def import_(file: Path = typer.Argument(..., help="CSV or Parquet export, one row per installment."),
            db: Path = NewDbOpt, config: Optional[Path] = ConfigOpt,
            encoding: Optional[str] = EncodingOpt) -> None:
    """Import a loan book; bad rows go to import_quarantine with the reason and line."""
    from loan_comms import db as dbm
    from loan_comms.book.importer import BookFileError, import_book

    cfg = _cfg(config)
    with writing(db, f"import {file.name}", check=False):
        con = dbm.connect(db)  # creates the book if need be; refuses a damaged file before writing
        try:
            report = import_book(con, file, jurisdictions=tuple(cfg.policy.profiles), encoding=encoding)
        except BookFileError as exc:
            _fail(str(exc))
        finally:
            con.close()
    typer.echo(str(report))


@app.command("ingest-call-outcomes")
def ingest_call_outcomes_cmd(file: Path = typer.Argument(..., help="Dialer export (.jsonl or .csv): "
                                                         "attempt_id, outcome, occurred_at [, promised_date, amount]."),
                             db: Path = DbOpt, encoding: Optional[str] = EncodingOpt) -> None:
    """Record call outcomes (no_answer, reached, promise_to_pay, wrong_number); re-ingesting is safe.
    Bad rows go to import_quarantine with their line and reason; the good ones are recorded."""
    from loan_comms.inbound.events import ingest_call_outcomes

    ingest_file(db, lambda con: ingest_call_outcomes(con, file, encoding=encoding), "ingest-call-outcomes")


@app.command("record-events")
def record_events_cmd(file: Path = typer.Argument(..., help="Operator events (.jsonl or .csv): event_id, "
                                                  "borrower_id, kind, occurred_at [, loan_id, channel, promised_date, amount, note]."),
                      db: Path = DbOpt, encoding: Optional[str] = EncodingOpt) -> None:
    """Record what an agent was told: cease-contact, disputes, hardship, promises, opt-outs.
    Each row is checked against the book (the loan must be the borrower's; no future dates); bad
    rows go to import_quarantine with their line and reason, the good ones are recorded."""
    from loan_comms.inbound.events import ingest_operator_events

    ingest_file(db, lambda con: ingest_operator_events(con, file, encoding=encoding), "record-events")


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

        with _loud_delivery():
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


@contextmanager
def _loud_delivery() -> Iterator[None]:
    """A dispatch pass that halted (credentials, configuration, outage) ends the command with its
    one line and exit code 1, without Prefect's traceback on the console."""
    from loan_comms.delivery.providers.errors import DeliveryHalted

    handlers = {h for lg in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
                if isinstance(lg, logging.Logger) for h in lg.handlers if isinstance(h, logging.StreamHandler)}
    hush = _HushHalted()
    for h in handlers:
        h.addFilter(hush)
    try:
        yield
    except DeliveryHalted as exc:
        traceback.clear_frames(exc.__traceback__)   # let the run's database connections go now
        _fail(f"dispatch stopped: {exc}", code=1)
    finally:
        for h in handlers:
            h.removeFilter(hush)


class _HushHalted(logging.Filter):
    """Drops the console records (with their tracebacks) Prefect writes about a DeliveryHalted: the
    command prints that one line itself. The records still reach the API (and the UI) otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and type(exc).__name__ == "DeliveryHalted":
            return False
        try:
            return "DeliveryHalted" not in record.getMessage()
        except Exception:
            return True


@app.command("run-days")
def run_days(start: date = DayOpt(..., "--start", help="First day."),
             days: int = CountOpt(1, "--days", help="How many consecutive days."),
             db: Path = DbOpt, config: Optional[Path] = ConfigOpt) -> None:
    """Run the lifecycle for consecutive days (backfill or catch-up), one flow run."""
    preflight(config)
    _days(start, days, db, config)


def _days(start: date, days: int, db: Path, config: Optional[Path]) -> list[dict]:
    """The lifecycle-days flow over an existing book, under its run lock (after `preflight`)."""
    from loan_comms.ops import prefect_env

    with writing(db, f"run-days {start} +{days}"):
        _check_day_order(db, start)
        prefect_env.configure()
        from flows.run_days import lifecycle_days

        with _loud_delivery():
            return lifecycle_days(start=start, days=days, db_path=str(db), config_path=str(config) if config else None)


def _check_day_order(db: Path, first: date) -> None:
    """A never-planned day behind the newest planned one is refused before Prefect starts."""
    from loan_comms.lifecycle import days

    with book(db) as con:
        days.check_can_plan(days.status(con, first))


@app.command("demo")
def demo(db: Path = typer.Option(Path("data/demo.duckdb"), "--db", help="DuckDB file (replaced)."),
         loans: int = CountOpt(20000, "--loans", help="Loans in the synthetic book."),
         days: int = CountOpt(30, "--days", help="Days to run."),
         start: date = DayOpt("2026-11-01", "--start", help="First day."),
         seed: int = typer.Option(7, "--seed", help="Same seed, same book.")) -> None:
    """The main job: a fresh synthetic book, `days` days of the lifecycle, and a summary."""
    from loan_comms import db as dbm
    from loan_comms.book.synthetic import generate_book

    preflight(None)
    t0 = time.perf_counter()
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    con = dbm.connect(db)
    typer.echo(f"Building a synthetic book of {loans} loans in {db} ...")
    typer.echo(f"  {generate_book(con, loans=loans, seed=seed, start=start)}")
    con.close()
    typer.echo(f"Running {days} days from {start} in Prefect's local mode (first start takes ~20 s) ...")
    _days(start, days, db, None)
    con = dbm.connect(db, read_only=True)
    from loan_comms.audit.runner import run_audit
    from loan_comms.config import load_config
    from loan_comms.ops.demo_summary import print_demo_summary

    print_demo_summary(con, db, time.perf_counter() - t0)
    report = run_audit(con, load_config())
    broken = [r.name for r in report.rules if not r.ok]
    typer.echo(f"Audit of the contact log: {len(report.rules)} policy rules, "
               f"{sum(r.checked for r in report.rules):,} rule checks, {report.violations} violations"
               + (f" (broken: {', '.join(broken)})" if broken else "")
               + f". Details: .venv/bin/loan-comms audit --db {db}")
    if broken:
        raise typer.Exit(1)


@app.command("trace")
def trace(borrower: str = typer.Option(..., "--borrower", help="The borrower_id to trace."),
          db: Path = DbOpt,
          wording: bool = typer.Option(False, "--wording", help="Also print each sent message's text "
                                       "(it carries the borrower's name: for complaint handling only).")) -> None:
    """One borrower's contact history: what was sent or held back, by which rule and policy version,
    in which template version, next to what the borrower did. Answers a complaint from the log."""
    from loan_comms import db as dbm

    with book(db, read_only=True) as con:
        _trace(con, dbm.rows(con, "ops/report/borrower_timeline", {"borrower_id": borrower}), borrower, db, wording)


def _trace(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], borrower: str, db: Path,
           wording: bool) -> None:
    from loan_comms import db as dbm

    if not rows:
        _fail(f"no borrower {borrower!r} with any history in {db}")
    for r in rows:
        local = r["at_local"].strftime("%Y-%m-%d %H:%M") if r["at_local"] else "-"
        if r["what"] == "event":
            typer.echo(f"{local} local  event    {r['detail']}  {r['channel'] or ''}  loan {r['loan_id'] or '-'}")
            continue
        why = f" ({r['reason']})" if r["reason"] else ""
        tmpl = f"  {r['template_id']}@{r['template_version']}" if r["template_id"] else ""
        typer.echo(f"{local} local  {r['channel']:<6}  {r['detail']:<20} {r['status']}{why}  "
                   f"rule={r['rule']}  policy={r['policy_version']}{tmpl}  loan {r['loan_id']}")
        if wording and r["status"] in ("sent", "delivered"):
            msg = dbm.run(con, "ops/report/message_wording", {"attempt_id": r["attempt_id"]}).fetchall()
            for subject, body in msg:
                typer.echo("        " + (f"[{subject}] " if subject else "") + (body or "").replace("\n", " ")[:300])


_mounted: list[bool] = []


def _mount() -> None:
    """Sub-commands that live in their own modules, one per area (once per process)."""
    from loan_comms.cli import audit as cli_audit, delivery as cli_delivery, simulate as cli_simulate, templates as cli_templates

    if _mounted:
        return
    _mounted.append(True)
    app.add_typer(cli_templates.app, name="templates")
    for sub in (cli_delivery.app, cli_audit.app, cli_simulate.app):
        app.registered_commands.extend(sub.registered_commands)


def main() -> None:
    """The `loan-comms` entry point: a user's mistake is one line on stderr, never a traceback."""
    from loan_comms.ops.prefect_env import stop_on_signals

    _mount()
    stop_on_signals()
    app(prog_name="loan-comms")


if __name__ == "__main__":
    main()
