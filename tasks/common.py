"""What every task needs: the config, the template library, and the database, opened by path."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb

from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig, load_config
from loan_comms.errors import LoanCommsError

if TYPE_CHECKING:
    from loan_comms.templating import TemplateStore


class TemplateProblems(LoanCommsError, RuntimeError):
    """Templates a run cannot start with: any error `loan-comms templates lint` reports."""


@contextmanager
def open_db(db_path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The book of a single-book flow's task; a book split into shards, or a shard, is refused
    (db.check_single_book: its borrowers are planned and sent by the sharded flows)."""
    con = db.connect(db_path)
    try:
        db.check_single_book(con, db_path)
        yield con
    finally:
        con.close()


def config(config_path: str | None = None) -> LifecycleConfig:
    return load_config(config_path)


def template_store(cfg: LifecycleConfig, library: str | Path | None = None) -> TemplateStore:
    """The compiled template library: `library`, else the one the run reads now (the studio's published
    release, or templates/: templating.templates_dir). Refuses to start on any lint error (the same check
    as `loan-comms templates lint`, so what lint rejects never reaches a borrower)."""
    from loan_comms.templating import TemplateStore, templates_dir
    from loan_comms.templating.lint import lint, summary

    store = TemplateStore.load(Path(library) if library else templates_dir(cfg), cfg)
    problems = lint(store, cfg)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise TemplateProblems(f"{summary(store, problems)}; a run cannot start with template errors, the first: "
                               f"{errors[0]}. Run `loan-comms templates lint` for the full list.")
    return store


def default_day(tz: str = "Asia/Shanghai") -> date:
    """The day a scheduled run is for: its scheduled start's date in `tz` (so a run that starts
    late still plans the day it was scheduled for); outside a deployment, today in `tz`."""
    from zoneinfo import ZoneInfo

    when = None
    try:
        from prefect.runtime import flow_run

        when = flow_run.scheduled_start_time
    except Exception:
        when = None
    if when is None or not isinstance(when, datetime):
        when = utc_now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo(tz)).date()
