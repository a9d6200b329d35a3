"""`replay`: a what-if of a config (and template) change over past days, for compliance to see its
effect before it ships (loan_comms/replay, docs/replay.md).

The real book is only read (ATTACHed READ_ONLY and copied); everything is written into the scratch
book, whose path is printed. Prints counts by step, channel and reason, never personal data. A bad
config, dates that are not planned days of the book, a missing book or a scratch path that is the
book: one line, non-zero exit (errors.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import DayOpt, load_cfg, use_experiments
from loan_comms.paths import DEFAULT_DB

app = typer.Typer()


@app.command("replay")
def replay(config: Path = typer.Option(..., "--config", help="The changed lifecycle config to replay with."),
           start: date = DayOpt(..., "--from", help="First day to replay (a planned day of the book)."),
           end: date = DayOpt(..., "--to", help="Last day to replay (a planned day of the book)."),
           db: Path = typer.Option(DEFAULT_DB, "--db", help="The loan book (only read, never written)."),
           templates: Optional[Path] = typer.Option(None, "--templates",
                                                    help="Template library to render with (default: the one the recorded days used)."),
           scratch: Optional[Path] = typer.Option(None, "--scratch",
                                                  help="Scratch DuckDB written by the replay (replaced; default "
                                                       "<book stem>-replay.duckdb next to the book)."),
           as_json: bool = typer.Option(False, "--json", help="The report as JSON."),
           experiments: Optional[str] = typer.Option(None, "--experiments", help=(
               "Strategy experiments to replay with (config/experiments.toml format; \"\" = none). Default: "
               "what the config's [experiments].file names. A run made with `demo` or `simulate --experiments` "
               "replays unchanged only with the same file."))) -> None:
    """Re-plan past days with a changed config on a scratch copy and report what would have differed."""
    from loan_comms import replay as rp
    from tasks.common import template_store

    from loan_comms import db as dbm

    if not db.exists():
        raise dbm.no_book(db)
    rp.check_paths(db, scratch or rp.default_scratch(db))
    if experiments is not None:
        use_experiments(experiments)
    cfg = load_cfg(config)
    if templates is not None and not templates.is_dir():
        raise rp.ReplayError(f"--templates {templates}: no such template directory")
    if templates is not None:
        library, note = templates, f"rendered with --templates {templates}"
    else:
        from loan_comms.replay.templates import recorded_library

        rp.check_dates(db, start, end)   # before the book is read for its library
        found = recorded_library(db, cfg, start, end)
        library, note = found.folder, found.note
    store = template_store(cfg, library)
    report = rp.replay(db, cfg, store, start, end, scratch=scratch)
    report.templates = note
    typer.echo(report.to_json() if as_json else str(report))
