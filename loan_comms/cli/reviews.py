"""`loan-comms reviews ...`: the review queue of texts too uncertain to act on alone.

A sub-app (like `templates`): `reviews list` shows the open items as of now (the text masked:
phone numbers and e-mail addresses never reach a terminal or a log; `--json` for tools), and
`reviews resolve ID --as opt_out,hardship|nothing --by NAME` records the reviewer's decision as
events (loan_comms.inbound.reviews); ID is the real id or the public one (R-..., what artifacts
and alerts show). A wrong id, an item resolved already or an unknown intent is
one line and exit 2 (ReviewError, reported by the main group).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, DbOpt, NowOpt, book, load_cfg, parse_now
from loan_comms.cli.errors import ReportingGroup

app = typer.Typer(help="The review queue: ambiguous replies and questions a person must decide.",
                  no_args_is_help=True, cls=ReportingGroup)


@app.command("list")
def list_cmd(db: Path = DbOpt, as_json: bool = typer.Option(False, "--json", help="One JSON object per item."),
             now: Optional[str] = NowOpt("The instant the queue is read as of (default: now), e.g. "
                                         "2026-11-10T15:00:00Z.")) -> None:
    """Open review items, oldest deadline first: id (the real one, and the public one artifacts and
    alerts show), age, deadline, overdue, channels paused, candidate intents and the text (phone
    numbers and e-mail addresses masked)."""
    from loan_comms.inbound.reviews import open_reviews
    from loan_comms.masking import mask_pii

    with book(db, read_only=True) as con:
        items = open_reviews(con, parse_now(now))
    for i in items:
        text = mask_pii(" ".join((i.text or "").split()))
        if as_json:
            typer.echo(json.dumps({**i.public(), "review_id": i.review_id, "public_id": i.public_id,
                                   "borrower_id": i.borrower_id, "text": text}, ensure_ascii=False))
            continue
        late = "OVERDUE" if i.overdue else "due"
        typer.echo(f"{i.review_id} ({i.public_id})  {i.borrower_id}  {i.reason}  "
                   f"pauses {', '.join(i.channels) or '-'}  "
                   f"age {i.age_hours:.1f}h  {late} {i.public()['deadline']}  "
                   f"candidates {', '.join(i.candidate_intents) or '-'}")
        typer.echo(f"    {text[:300]}")
    if not as_json:
        overdue = sum(1 for i in items if i.overdue)
        typer.echo(f"{len(items)} open review items, {overdue} overdue")


@app.command("resolve")
def resolve_cmd(review_id: str = typer.Argument(..., help="The item's id or its public id R-... (from `reviews "
                                                "list`, the review-queue artifact or an alert)."),
                intents: str = typer.Option(..., "--as", help="What the text means: intents separated by commas "
                                            "(opt_out, opt_out:all, opt_out:email, opt_in, hardship, dispute, "
                                            "wrong_number, complaint, callback_request, question), or 'nothing'."),
                by: str = typer.Option(..., "--by", help="Who decides (name or staff id), recorded as reviewer:NAME."),
                note: Optional[str] = typer.Option(None, "--note", help="Why (kept with the decision)."),
                db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                now: Optional[str] = NowOpt("The instant of the decision (default: now).")) -> None:
    """Resolve one item: its pause lifts and the intents given are recorded (decided_by reviewer:NAME)."""
    from loan_comms.inbound.reviews import resolve_review

    cfg = load_cfg(config)
    with book(db, "reviews resolve (CLI)") as con:
        done = resolve_review(con, review_id, intents.split(","), by, note, parse_now(now), cfg=cfg)
    applied = ", ".join(done.applied) or "nothing"
    typer.echo(f"review {done.review_id} resolved by {by}: applied {applied} ({done.events} events recorded)")
