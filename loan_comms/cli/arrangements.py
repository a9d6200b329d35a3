"""`loan-comms arrangements ...`: the review queue of repayment plans a person must decide.

`arrangements review` lists pending requests (masked loan numbers, option, amounts, age, overdue;
`--json` for tools) and exits 1 when any is past its review deadline (the list is printed first: a
monitor or cron job sees the overdue queue, an operator still reads it); `arrangements approve ID --by REVIEWER [--reason TEXT]` makes one active from
today; `arrangements decline ID --by REVIEWER --reason TEXT` declines it with the reason the borrower
is told. Errors (unknown id, decided already, self-approval, no reason) are one line, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, DbOpt, NowOpt, book, load_cfg, parse_now
from loan_comms.cli.errors import ReportingGroup

app = typer.Typer(help="Repayment plans: the review queue (a person approves or declines) and the core-banking export.",
                  no_args_is_help=True, cls=ReportingGroup)


@app.command("review")
def review_cmd(db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
               as_json: bool = typer.Option(False, "--json", help="One JSON object per request."),
               now: Optional[str] = NowOpt("The instant the queue is read as of (default: now).")) -> None:
    """Pending plan requests, oldest first: id, masked loan, option, first payment and total, age, deadline.
    Exits 1 when any is overdue (past review_within_days), 0 otherwise."""
    from loan_comms.arrangements.reviews import pending

    cfg = load_cfg(config)
    with book(db, read_only=True) as con:
        items = pending(con, cfg, parse_now(now))
    for r in items:
        if as_json:
            typer.echo(json.dumps({"arrangement_id": r.arrangement_id, "loan": r.loan_masked, "option_id": r.option_id,
                                   "kind": r.kind, "months": r.months, "payment": str(r.payment),
                                   "total": str(r.total), "currency": r.currency, "source": r.source,
                                   "agent_id": r.agent_id, "reason": r.reason, "age_hours": round(r.age_hours, 1),
                                   "deadline": r.deadline.isoformat(), "overdue": r.overdue}))
            continue
        late = "OVERDUE" if r.overdue else "due"
        typer.echo(f"{r.arrangement_id}  loan {r.loan_masked}  {r.option_id} ({r.kind}, {r.months} months)  "
                   f"{r.payment} {r.currency} first, {r.total} total  via {r.source}"
                   f"{' by ' + r.agent_id if r.agent_id else ''}  age {r.age_hours:.1f}h  {late} "
                   f"{r.deadline:%Y-%m-%d %H:%M}Z")
        if r.reason:
            typer.echo(f"    {r.reason}")
    overdue = sum(1 for r in items if r.overdue)
    if not as_json:
        typer.echo(f"{len(items)} plan requests waiting, {overdue} overdue")
    if overdue:   # like `arrangements export` needing an operator: a cron or a monitor sees it
        raise typer.Exit(1)


@app.command("approve")
def approve_cmd(arrangement_id: str = typer.Argument(..., help="The request's id (from `arrangements review`)."),
                by: str = typer.Option(..., "--by", help="The reviewer's staff id (not the agent who recorded it)."),
                reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept with the decision)."),
                db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                now: Optional[str] = NowOpt("The instant of the decision (default: now).")) -> None:
    """Approve a request: recomputed as of now, active from today, the borrower is told, the ledger gets it."""
    from loan_comms.arrangements.reviews import approve

    cfg = load_cfg(config)
    with book(db, "arrangements approve (CLI)") as con:
        done = approve(con, arrangement_id, by, parse_now(now), reason, cfg=cfg)
    typer.echo(f"arrangement {done.arrangement_id} approved by {by}: active from {done.starts_on}")


@app.command("decline")
def decline_cmd(arrangement_id: str = typer.Argument(..., help="The request's id (from `arrangements review`)."),
                by: str = typer.Option(..., "--by", help="The reviewer's staff id."),
                reason: str = typer.Option(..., "--reason", help="Why: the borrower is told this."),
                db: Path = DbOpt,
                now: Optional[str] = NowOpt("The instant of the decision (default: now).")) -> None:
    """Decline a request with the reason the borrower is told."""
    from loan_comms.arrangements.reviews import decline

    with book(db, "arrangements decline (CLI)") as con:
        done = decline(con, arrangement_id, by, reason, parse_now(now))
    typer.echo(f"arrangement {done.arrangement_id} declined by {by}")
