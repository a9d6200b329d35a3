"""What every `loan-comms` sub-command shares: --db, --config, dates, clear failures, the book.

Commands that need an existing loan book take `DbOpt` and open it with `book()` (or check it with
`writing()` before a flow starts); only the commands that build a book take `NewDbOpt`.
"""

from __future__ import annotations

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


def fail(msg: str, code: int = 2) -> NoReturn:
    """Say what is wrong, in one red line, and exit: bad input never ends in a traceback."""
    typer.secho(f"loan-comms: {one_line(msg)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def one_line(msg: str) -> str:
    """A message as one line (a config with three bad keys says all three, separated by ';')."""
    return "; ".join(part.strip() for part in str(msg).splitlines() if part.strip())


def load_cfg(config: Optional[Path]) -> LifecycleConfig:
    """The lifecycle config, or one red line naming the bad key and exit 2."""
    from loan_comms.config import ConfigError, load_config

    try:
        return load_config(config)
    except ConfigError as exc:
        fail(str(exc))


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
    """Run one file ingestion on the loan book and print its report; a file that cannot be read
    (missing, a directory, not UTF-8, truncated gzip) is one line and exit 2, not a traceback, and
    the database is closed whatever happens. Quarantined rows are in the report; the exit is 0."""
    from loan_comms.inbound.reader import InboundFileError

    with book(db, f"{what} (CLI)") as con:
        try:
            report = ingest(con)
        except (FileNotFoundError, InboundFileError) as exc:
            fail(str(exc))
    typer.echo(str(report))
