"""`visit-plan`: the day's home visits by city, district and pair of field agents, and their field sheets.

Reads the plan recorded by the day's plan (visit_assignments); prints ids, places and slots only
(no names, phones or addresses) and, with --out, writes one CSV per pair for the field team.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import DayOpt, DbOpt, book

app = typer.Typer()


@app.command("visit-plan")
def visit_plan(as_of: date = DayOpt(..., "--as-of", help="The plan day (the borrowers' local day)."),
               db: Path = DbOpt,
               out: Optional[Path] = typer.Option(None, "--out", help="Folder for the field sheets: one CSV per "
                                                                      "pair, and one of the carried visits.")) -> None:
    """Print the day's visit plan by city / district and pair (slot on the borrower's clock, borrower and
    loan ids, step, language, what became of the visit), the carried visits with their reasons, and
    with --out one CSV per pair. No name, phone or address leaves: the field team takes the address
    from the lender's CRM by borrower id (docs/collectors.md, field visits)."""
    from loan_comms.visits.sheet import read_visit_plan

    with book(db, read_only=True) as con:
        plan = read_visit_plan(con, as_of)
    for line in plan.lines():
        typer.echo(line)
    if out is not None:
        files = plan.export(out)
        typer.echo(f"{len(files)} field sheet(s) written to {out}")
