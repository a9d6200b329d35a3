"""`call-queue`: the collectors' queue of a planned day, printed, exported per team and (when a
dialer is configured) handed to it once.

Prints counts, ids and masked numbers only; the per-team CSV/Parquet files are masked too (they are
for team leads). The unmasked number only goes to the dialer (`--push`, docs/collectors/dialer.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, CountOpt, DayOpt, DbOpt, book, fail, load_cfg

app = typer.Typer()


@app.command("call-queue")
def call_queue(
    as_of: date = DayOpt(..., "--as-of", help="The planned day (the borrowers' local day)."),
    db: Path = DbOpt,
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the per-team CSV and Parquet files "
                                       "(default <db dir>/exports/call_queue/<as-of>/)."),
    push: Optional[bool] = typer.Option(None, "--push/--no-push", help="Hand the day's assigned calls to the "
                                        "dialer of config/agents.toml [dialer] (default: when one is configured)."),
    limit: int = CountOpt(20, "--limit", help="How many calls to print, in calling order.", min=0),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Rebuild the day's call queue, print it per team and agent (capacity, carry-over by reason,
    the first calls with masked numbers), export a CSV and a Parquet file per team, and push the
    assigned calls to the dialer once (exit 1 when calls are left unknown, failed or uncancelled)."""
    from loan_comms.calls import build_call_queue
    from loan_comms.calls.dialer import DialerPushFailed, push_calls
    from loan_comms.calls.exports import check_planned, default_out, export_day, summarize
    from loan_comms.calls.roster import roster_for

    cfg = load_cfg(config)
    roster = roster_for(cfg)                  # a bad roster or [dialer]: one line, before the book is touched
    kind = roster.dialer.kind if roster is not None else "none"
    if push and kind == "none":
        fail('--push: no dialer is configured (config/agents.toml [dialer] kind = "none")')
    do_push = kind != "none" if push is None else push
    with book(db, f"call-queue {as_of} (CLI)") as con:
        check_planned(con, as_of)
        build_call_queue(con, as_of)
        summary = summarize(con, as_of, carry_alert_days=roster.calls.carry_alert_days if roster else None)
        files = export_day(summary, out or default_out(db, as_of))
        report = push_calls(con, roster, as_of, db_path=db) if do_push else None
    for line in summary.lines(limit):
        typer.echo(line)
    if files:
        typer.echo(f"Exported {len(files) // 2} team files (CSV and Parquet, numbers masked) to {files[0].parent}")
    if report is not None:
        typer.echo(str(report))
        if report.needs_operator:
            for a in report.attention[:10]:
                typer.echo(f"  {a['attempt_id']} {a['team']} {a['state']} (tries {a['tries']}): {a['error'] or '-'}")
            raise DialerPushFailed(report)
