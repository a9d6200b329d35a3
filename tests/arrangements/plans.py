"""Plans written straight into the arrangement tables, as part A's land_choices would leave them
(arrangements, arrangement_loans, arrangement_installments and the arrangement_accepted event), so
the lifecycle tests read like the story they tell without depending on how a plan was chosen."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book, insert


def local(at: str) -> datetime:
    """'2026-10-08T15:00:00+08:00' as a UTC instant."""
    return datetime.fromisoformat(at).astimezone(UTC)


def add_plan(book: Book, arrangement_id: str, borrower_id: str, loans: list[str], *, decided: str | None,
             schedule: list[tuple[str, str]], kind: str = "respread", status: str = "active",
             requested: str | None = None, starts_on: str | None = None, ends_on: str | None = None,
             option_id: str = "respread_3", months: int | None = None) -> None:
    """A plan over `loans` (the first is the plan's loan) with its installments [(due_date, amount)],
    decided at `decided` (None: still pending review) and, when active, its arrangement_accepted event
    (pending review: its arrangement_requested event); it absorbs the covered loans' installments due by
    its end (arrangement_covered_installments)."""
    requested = requested or decided
    assert requested is not None
    dues = [date.fromisoformat(d) for d, _ in schedule]
    start = date.fromisoformat(starts_on) if starts_on else local(requested).date()
    end = date.fromisoformat(ends_on) if ends_on else max(dues)
    insert(book.con, "arrangements", arrangement_id=arrangement_id, borrower_id=borrower_id, loan_id=loans[0],
           currency="CNY", option_id=option_id, kind=kind, months=months or max(len(schedule), 1),
           freeze_interest=False, source="web", status=status, requested_at=local(requested),
           decided_at=local(decided) if decided else None, decided_by="rules" if decided else None,
           starts_on=start, ends_on=end, external_id=f"choice-{arrangement_id}", recorded_at=local(requested))
    for loan_id in loans:
        insert(book.con, "arrangement_loans", arrangement_id=arrangement_id, loan_id=loan_id, arrears=Decimal("100"))
    for no, (due, amount) in enumerate(schedule, start=1):
        insert(book.con, "arrangement_installments", arrangement_id=arrangement_id, installment_no=no,
               due_date=date.fromisoformat(due), amount=Decimal(amount))
    # what it absorbs (accept.py stores options.sql's `absorbs`): the covered loans' installments due by its end
    book.con.execute("INSERT INTO arrangement_covered_installments SELECT ?, loan_id, installment_no, amount_due "
                     "FROM installments WHERE list_contains(?, loan_id) AND due_date <= ?", [arrangement_id, loans, end])
    if decided and status == "active":
        insert(book.con, "borrower_events", borrower_id=borrower_id, loan_id=loans[0], kind="arrangement_accepted",
               occurred_at=local(decided), detail=json.dumps({"arrangement_id": arrangement_id, "decided_by": "rules"}),
               source="test", scope="loan", external_id=f"arr:{arrangement_id}:accepted")
    if status == "pending_review":
        insert(book.con, "borrower_events", borrower_id=borrower_id, loan_id=loans[0], kind="arrangement_requested",
               occurred_at=local(requested), detail=json.dumps({"arrangement_id": arrangement_id}),
               source="test", scope="loan", external_id=f"arr:{arrangement_id}:requested")


def run_days(book: Book, cfg: Any, renderer: Any, first: date, last: date, *, send: bool = True) -> None:
    """Plan every day from `first` to `last` (inclusive), sending what was planned after each."""
    day = first
    while day <= last:
        plan_day(book.con, cfg, renderer, day)
        if send:
            book.send_all_planned()
        day = date.fromordinal(day.toordinal() + 1)


def rows(book: Book, sql: str, *params: Any) -> list[dict[str, Any]]:
    cur = book.con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def events(book: Book, prefix: str = "arrangement_") -> list[tuple[str, str]]:
    """(kind, external_id) of the plan events in the log, in order."""
    return [(r["kind"], r["external_id"]) for r in rows(
        book, "SELECT kind, external_id FROM borrower_events WHERE kind LIKE ? AND source <> 'test' "
              "ORDER BY occurred_at, external_id", prefix + "%")]
