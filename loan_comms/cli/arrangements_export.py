"""`loan-comms arrangements export`: one core-banking export pass, or an operator's resolution.

A command of the `arrangements` group (loan_comms/cli/arrangements.py: review, approve, decline). The pass files new records in the day's export files and, when a webhook is
set, settles doubtful records and sends the pending ones (loan_comms.arrangements.export). It prints
one line of counts; anything failed, unknown past its time, or a pass that stopped early ends the
command with exit 1, a one-line reason and an alert. `--resolve ID delivered|resend` settles a
record no lookup can: the operator has checked the core banking system.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional, Tuple

import typer

from loan_comms.cli.arrangements import app   # one `arrangements` group: the review queue and the export
from loan_comms.cli.common import ConfigOpt, DayOpt, DbOpt, NowOpt, book, fail, load_cfg, parse_now


@app.command("export")
def export_cmd(db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
               resolve: Optional[Tuple[str, str]] = typer.Option(
                   None, "--resolve", metavar="ID delivered|resend",
                   help="Settle one unknown or failed record: 'delivered' (the core banking system has it) "
                        "or 'resend' (it does not; the next pass sends it)."),
               by: str = typer.Option("operator", "--by", help="Who resolves (a staff id, recorded with it)."),
               day: Optional[date] = DayOpt(None, "--day", help="The day new records are filed under "
                                            "(default: today, UTC)."),
               now: Optional[str] = NowOpt("The instant of the pass (default: now), e.g. 2026-11-10T15:00:00Z.")
               ) -> None:
    """Write the day's export files and deliver pending records to the core banking system, once."""
    from loan_comms.arrangements.export import export_arrangements, resolve_export
    from loan_comms.ops.alerting import post_alert, webhook_url

    cfg = load_cfg(config)
    at = parse_now(now)
    if resolve:
        export_id, action = resolve
        with book(db, "arrangements export --resolve (CLI)") as con:
            typer.echo(resolve_export(con, export_id, action, now=at, by=by))
        return
    with book(db, "arrangements export (CLI)") as con:
        report = export_arrangements(con, cfg, db_path=db, day=day, now=at)
    typer.echo(str(report))
    alert = report.alert("arrangements-export")
    if alert is not None:
        post_alert(alert, webhook_url(cfg))
        fail(alert.text, code=1)
