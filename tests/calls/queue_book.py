"""A hand-built day of assigned calls for the call-queue and dialer tests (issue 16 part B).

Part A's planner fills call_assignments; these tests write its rows by hand (the contract in
sql/schema/100_collectors.sql), with the contact_attempts row each one stands for, the agent shifts
(agent_days) they fill, and the day_runs row that says the day was planned.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb

from tests.builders import Book, insert

DAY = date(2026, 11, 10)
OPENS = datetime(2026, 11, 10, 0, 0, tzinfo=UTC)          # 08:00 in Shanghai
PHONES = {"B-zh": "+8613812345678", "B-zh2": "+8613900001111", "B-ny": "+12125550123"}


def planned(con: duckdb.DuckDBPyConnection, day: date = DAY) -> None:
    """The day's plan finished (day_runs), so call-queue may read it."""
    at = datetime.now(UTC)
    insert(con, "day_runs", as_of=day, plan_started_at=at, planned_at=at)


def shift(con: duckdb.DuckDBPyConnection, agent: str, team: str, capacity: int, *, work_date: date = DAY,
          tz: str = "Asia/Shanghai", start: datetime = OPENS, hours: int = 7) -> None:
    insert(con, "agent_days", agent_id=agent, work_date=work_date, team=team, languages=["zh-CN", "en"],
           skills=[], cities=["*"], capacity=capacity, timezone=tz, shift_start=start,
           shift_end=start + timedelta(hours=hours), recorded_at=datetime.now(UTC))


def call(con: duckdb.DuckDBPyConnection, aid: str, borrower: str, loan: str, *, team: str = "zh-CN/apac",
         agent: str | None = "A-zh-01", rank: int | None = 1, slot: int = 0, status: str = "planned",
         outcome: str = "assigned", reason: str | None = None, day: date = DAY, step: str = "dpd_5",
         score: float = 12.5, work_date: date = DAY) -> None:
    """One call of the day: its contact (status) and its assignment (agent, slot `slot` x 10 min
    after the window opens) or its carry-over (outcome 'carried', reason)."""
    at = datetime.now(UTC)
    insert(con, "contact_attempts", attempt_id=aid, idempotency_key=aid, borrower_id=borrower, loan_id=loan,
           channel="call", purpose="escalation", step=step, priority=3, amount_due=Decimal("500.00"),
           status="suppressed" if outcome == "carried" else status,
           suppressed_reason=reason if outcome == "carried" else None, planned_for_date=day, send_after=OPENS,
           send_before=OPENS + timedelta(hours=13), created_at=at, updated_at=at)
    assigned = outcome == "assigned"
    start = OPENS + timedelta(minutes=10 * slot)
    insert(con, "call_assignments", attempt_id=aid, plan_date=day, borrower_id=borrower, loan_id=loan, step=step,
           team=team, agent_id=agent if assigned else None, work_date=work_date if assigned else None,
           slot_start=start if assigned else None, slot_end=start + timedelta(minutes=10) if assigned else None,
           queue_rank=rank if assigned else None, priority_score=score,
           priority_reasons=json.dumps([{"factor": "dpd", "value": 5, "points": 2.5},
                                        {"factor": "amount", "value": 500, "points": 10.0}]),
           required_skills=[], carried_days=0, outcome=outcome, reason=reason,
           max_dials=2 if assigned else None, dial_until=start + timedelta(hours=2) if assigned else None,
           recorded_at=at)


def day_book(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Three borrowers, four assigned calls over two teams and two carried ones; the day planned."""
    b = Book(con)
    b.borrower("B-zh", phone=PHONES["B-zh"])
    b.borrower("B-zh2", phone=PHONES["B-zh2"])
    b.borrower("B-ny", tz="America/New_York", language="en", jurisdiction="us", phone=PHONES["B-ny"])
    b.loan("L-zh", "B-zh", [("2026-11-05", "500.00")])
    b.loan("L-zh2", "B-zh2", [("2026-11-05", "900.00")])
    b.loan("L-ny", "B-ny", [("2026-11-05", "120.00")], currency="USD")
    shift(con, "A-zh-01", "zh-CN/apac", 3)
    shift(con, "A-zh-02", "zh-CN/apac", 2)
    shift(con, "A-am-01", "en/americas", 4, tz="America/New_York",
          start=datetime(2026, 11, 10, 13, 0, tzinfo=UTC), hours=9)
    call(con, "c1", "B-zh", "L-zh", agent="A-zh-01", rank=1, slot=0, score=40.0)
    call(con, "c2", "B-zh2", "L-zh2", agent="A-zh-01", rank=2, slot=1, score=30.0, step="dpd_10")
    call(con, "c3", "B-zh2", "L-zh2", agent="A-zh-02", rank=1, slot=0, score=20.0, status="sent")
    call(con, "c4", "B-ny", "L-ny", team="en/americas", agent="A-am-01", rank=1, slot=80, score=15.0)
    call(con, "k1", "B-zh", "L-zh", outcome="carried", reason="agent_capacity", step="dpd_15")
    call(con, "k2", "B-ny", "L-ny", team="en/americas", outcome="carried", reason="no_agent_today", step="dpd_15")
    planned(con)
    return con
