"""What every `loan-comms` command group shares: the options (declared once, here), dates, clear
failures, the book, and how a halted delivery ends a command.

Commands that need an existing loan book take `DbOpt` and open it with `book()` (or check it with
`writing()` before a flow starts); only the commands that build a book take `NewDbOpt`, and those
that build a fresh one each time (demo, simulate) `ReplacedDbOpt`. Domain errors are not caught
here: they escape to the main group, which prints them as one line (`errors.py`).
"""

from __future__ import annotations

import os

import logging
import traceback
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, NoReturn, Optional, overload

import typer

from loan_comms.paths import DEFAULT_DB

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig

DbOpt = typer.Option(DEFAULT_DB, "--db", help="DuckDB file holding the loan book (made by generate or import).")
NewDbOpt = typer.Option(DEFAULT_DB, "--db", help="DuckDB file (created if missing).")
ConfigOpt = typer.Option(None, "--config", help="Lifecycle config file (default config/lifecycle.toml).")
EncodingOpt = typer.Option(None, "--encoding", help="The file's text encoding when it is not UTF-8, e.g. gb18030.")


def ReplacedDbOpt(default: str) -> Any:
    """--db for the commands that build a fresh book each run (demo, simulate): the file is replaced."""
    return typer.Option(Path(default), "--db", help="DuckDB file (replaced).")


def SeedOpt(what: str = "book") -> Any:
    """--seed: the same seed gives the same synthetic book (or history)."""
    return typer.Option(7, "--seed", help=f"Same seed, same {what}.")


def NowOpt(help: str) -> Any:
    """--now, a UTC instant read by `parse_now` (a timestamp without an offset is refused)."""
    return typer.Option(None, "--now", help=help)


def fail(msg: str, code: int = 2) -> NoReturn:
    """Say what is wrong, in one red line, and exit: bad input never ends in a traceback."""
    typer.secho(f"loan-comms: {one_line(msg)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def one_line(msg: str) -> str:
    """A message as one line (a config with three bad keys says all three, separated by ';')."""
    return "; ".join(part.strip() for part in str(msg).splitlines() if part.strip())


def load_cfg(config: Optional[Path]) -> LifecycleConfig:
    """The lifecycle config; a bad one raises ConfigError (exit 2, one line, from the main group)."""
    from loan_comms.config import load_config

    return load_config(config)


def preflight(config: Optional[Path], *, simulated_clock: bool = True) -> LifecycleConfig:
    """Everything that would stop a run, said in one line before Prefect starts or anything is
    written: the config, any error `templates lint` reports, and (for runs on a simulated clock)
    a real gateway that would reach people outside their hours. Returns the config."""
    from loan_comms.delivery.day_dispatch import check_simulated_clock_allowed
    from tasks.common import template_store

    cfg = load_cfg(config)
    template_store(cfg)
    if simulated_clock:
        check_simulated_clock_allowed(cfg)
    return cfg


def ExperimentsOpt(default: Optional[str]) -> Any:
    return typer.Option(default, "--experiments", help=(
        "Strategy experiments file to run (config/experiments.toml format; \"\" = none; default: "
        + (default or "what the config's [experiments].file names") + "). Sets LOAN_COMMS_EXPERIMENTS_FILE for this run."))


def use_experiments(path: Optional[str]) -> None:
    """Run with the experiments of `path` ("" = none; None = as the config says): set for this process
    (and the Prefect runs it starts), checked against the lifecycle config first, so a bad file is one
    line before any day runs."""
    from loan_comms.experiments.config import ENV

    if path is None:
        load_cfg(None)
        return
    if path and not Path(path).is_file():
        fail(f"--experiments {path}: no such file (the shipped one is config/experiments.toml)")
    os.environ[ENV] = str(Path(path).resolve()) if path else ""
    load_cfg(None)


def print_experiment_readouts(con: Any, *, verdicts_only: bool = False) -> None:
    """The experiments' readouts at the end of a run (simulate, demo): the arms side by side with their
    intervals, or only the verdict sentences; nothing when no experiment runs."""
    from loan_comms.experiments.readout import default_as_of, readout

    as_of = default_as_of(con)
    if as_of is None:
        return
    for r in readout(con, load_cfg(None), as_of):
        if verdicts_only:
            typer.echo(f"Experiment {r.name} (as of {as_of}; loan-comms experiments readout for the "
                       "numbers): " + "; ".join(r.verdicts))
        else:
            typer.echo(r.markdown())


def fresh_book(db: Path, *, loans: int, seed: int, start: date, responsive_share: float = 0.0) -> Any:
    """Replace `db` (and its WAL) with a new synthetic book (demo, simulate); returns the report.
    responsive_share: generate_book's share of late payers who pay late only when contact moves them."""
    from loan_comms import db as dbm
    from loan_comms.book.synthetic import generate_book

    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    con = dbm.connect(db)
    try:
        return generate_book(con, loans=loans, seed=seed, start=start, responsive_share=responsive_share)
    finally:
        con.close()


def parse_day(value: Any) -> date:
    """Every date option's parser: a calendar day, or a usage error that says what a date looks like."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise typer.BadParameter(f"{value}: not a date (YYYY-MM-DD)") from None


def DayOpt(default: Any, *flags: str, help: str) -> Any:
    """A date option (--as-of, --start): parsed and checked by `parse_day` for every command."""
    return typer.Option(default, *flags, help=help, parser=parse_day, metavar="YYYY-MM-DD")


def CountOpt(default: Optional[int], *flags: str, help: str, min: int = 1, max: Optional[int] = None) -> Any:
    """A count or size option (--days, --loans, --batch-size, --port): at least `min`."""
    return typer.Option(default, *flags, help=help, min=min, max=max)


@overload
def parse_now(now: Optional[str], *, default_now: Literal[True] = ...) -> datetime: ...
@overload
def parse_now(now: Optional[str], *, default_now: bool) -> Optional[datetime]: ...
def parse_now(now: Optional[str], *, default_now: bool = True) -> Optional[datetime]:
    """--now as a UTC instant; a timestamp without an offset is refused rather than guessed."""
    if not now:
        return datetime.now(UTC) if default_now else None
    try:
        value = datetime.fromisoformat(now.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--now: {now!r} is not an ISO timestamp like 2026-11-10T15:00:00Z")
    if value.tzinfo is None:
        fail(f"--now: {now!r} has no timezone; add Z or +00:00")
    return value.astimezone(UTC)


@contextmanager
def writing(db: Path, what: str, *, check: bool = True) -> Iterator[None]:
    """Hold the database's run lock for the block (waiting, with a message, for any other run) and,
    once we hold it, refuse a path with no loan book, or a locked or damaged file, in one line."""
    from loan_comms import db as dbm
    from loan_comms.ops.run_lock import run_lock

    if check and not Path(db).exists():
        raise dbm.no_book(db)  # before the lock file: a mistyped --db leaves nothing behind
    with run_lock(db, what, on_wait=lambda m: typer.echo(m, err=True)):
        if check:
            dbm.check_book(db)
        yield


@contextmanager
def book(db: Path, what: Optional[str] = None, *, read_only: bool = False) -> Iterator[Any]:
    """The existing loan book, opened and closed whatever happens; under its run lock when `what`
    names a run that writes."""
    from loan_comms import db as dbm

    if not Path(db).exists():
        raise dbm.no_book(db)
    with writing(db, what, check=False) if what else nullcontext():
        con = dbm.open_book(db, read_only=read_only)
        try:
            yield con
        finally:
            con.close()


def ingest_file(db: Path, ingest: Callable[[Any], Any], what: str = "ingest") -> None:
    """Run one file ingestion on the loan book and print its report; the database is closed whatever
    happens. A file that cannot be read (missing, a directory, not UTF-8, truncated gzip) raises
    InboundFileError: one line and exit 2. Quarantined rows are in the report; the exit is 0."""
    with book(db, f"{what} (CLI)") as con:
        report = ingest(con)
    typer.echo(str(report))


@contextmanager
def loud_delivery(*, counts: bool = False, alert_as: Optional[str] = None, cfg: Any = None) -> Iterator[None]:
    """A dispatch pass that halted (credentials, configuration, outage) ends the command with its
    one line and exit code 1, without Prefect's traceback on the console; with `counts`, the
    pass's report is printed first (the `dispatch` command). `alert_as` names the job in the alert
    posted for a command that runs no flow (flows post theirs from their failure hooks)."""
    from loan_comms.delivery.providers.errors import DeliveryHalted

    handlers = {h for lg in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
                if isinstance(lg, logging.Logger) for h in lg.handlers if isinstance(h, logging.StreamHandler)}
    hush = _HushHalted()
    for h in handlers:
        h.addFilter(hush)
    try:
        yield
    except DeliveryHalted as exc:
        if counts:
            typer.echo(str(exc.report))
        if alert_as:
            from loan_comms.ops.alerting import post_alert, run_failed_alert, webhook_url

            post_alert(run_failed_alert(alert_as, None, f"dispatch stopped: {exc}"), webhook_url(cfg))
        traceback.clear_frames(exc.__traceback__)   # let the run's database connections go now
        fail(f"dispatch stopped: {exc}", code=1)
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
