"""`loan-comms handoff ...`: the cases handed to the legal or agency partner at the end of the ladder.

A sub-app (like `reviews`): `handoff export` writes the case file of the day for every case handed off
and not exported yet, each case exactly once (loan_comms.handoff.export; it prints counts and file
names, never a name or a number), and `handoff recall --loan L --reason TEXT` gives a case back: its
contacts resume from where the ladder stood (loan_comms.handoff.recall). A wrong loan, a loan not
handed off or an empty reason is one line and exit 2; a partner folder the export cannot vouch for
(a manifest whose case file is missing or changed) is one line and exit 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, DayOpt, DbOpt, NowOpt, book, load_cfg, parse_now
from loan_comms.cli.errors import ReportingGroup

app = typer.Typer(help="Cases handed to the legal or agency partner: export them once, recall one.",
                  no_args_is_help=True, cls=ReportingGroup)


@app.command("export")
def export_cmd(db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
               as_of: Optional[date] = DayOpt(None, "--as-of", help="The day of the case file: cases handed off "
                                              "before its end (UTC) go in it (default: today, UTC)."),
               out: Optional[Path] = typer.Option(None, "--out", help="Folder for the partner's files (default "
                                                  "[handoff].dir, beside the database); the partner's own "
                                                  "folder is made inside it."),
               now: Optional[str] = NowOpt("The instant recorded as exported_at (default: now).")) -> None:
    """Write the day's case file (JSON lines + manifest, 0600) of every new hand-off, once."""
    from loan_comms.handoff.export import export_cases

    cfg = load_cfg(config)
    at = parse_now(now)
    day = as_of or datetime.now(UTC).date()
    with book(db, "handoff export (CLI)") as con:
        report = export_cases(con, cfg, as_of=day, db_path=db, out=out, now=at)
    typer.echo(str(report))


@app.command("recall")
def recall_cmd(loan: str = typer.Option(..., "--loan", help="The loan id whose case comes back."),
               reason: str = typer.Option(..., "--reason", help="Why: the partner returned it, handed off by "
                                          "mistake, ... (kept with the recall)."),
               by: str = typer.Option("operator", "--by", help="Who recalls (a staff id, recorded with it)."),
               db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
               now: Optional[str] = NowOpt("The instant of the recall (default: now).")) -> None:
    """Give a handed-off case back: a handoff_recalled event; the loan's contacts resume."""
    from loan_comms.handoff.recall import recall

    cfg = load_cfg(config)
    with book(db, "handoff recall (CLI)") as con:
        done = recall(con, cfg, loan, reason, now=parse_now(now), by=by)
    typer.echo(str(done))
