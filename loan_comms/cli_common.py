"""What every `loan-comms` sub-command shares: --db, --config, clear failures, --now parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, NoReturn, Optional

import typer

from loan_comms.paths import DEFAULT_DB

DbOpt = typer.Option(DEFAULT_DB, "--db", help="DuckDB file (created if missing).")
ConfigOpt = typer.Option(None, "--config", help="Lifecycle config file (default config/lifecycle.toml).")
EncodingOpt = typer.Option(None, "--encoding", help="The file's text encoding when it is not UTF-8, e.g. gb18030.")


def fail(msg: str, code: int = 2) -> NoReturn:
    """Say what is wrong, in red, and exit: bad input never ends in a traceback."""
    typer.secho(msg, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def load_cfg(config: Optional[Path]):
    from loan_comms.config import ConfigError, load_config

    try:
        return load_config(config)
    except ConfigError as exc:
        fail(str(exc))


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


def ingest_file(db: Path, ingest: Callable[[Any], Any]) -> None:
    """Run one file ingestion on the database and print its report; a file that cannot be read
    (missing, a directory, not UTF-8, truncated gzip) is one line and exit 2, not a traceback, and
    the database is closed whatever happens. Quarantined rows are in the report; the exit is 0."""
    from loan_comms import db as dbm
    from loan_comms.inbound import InboundFileError

    con = dbm.connect(db)
    try:
        report = ingest(con)
    except (FileNotFoundError, InboundFileError) as exc:
        fail(str(exc))
    finally:
        con.close()
    typer.echo(str(report))
