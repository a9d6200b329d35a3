"""The call queue: the day's calls with their agents and slots (call_assignments), ranked per agent
by slot; without an assignment (no roster) in team 'unassigned', most severe and largest first;
phones masked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from loan_comms.calls.queue import build_call_queue, read_call_queue
from tests.builders import Book, insert

DAY = date(2026, 11, 10)


def call(con, aid: str, borrower: str, loan: str, *, step: str = "dpd_5", severity: int = 3,
         amount: str | None = "500.00", status: str = "planned", channel: str = "call", day: date = DAY,
         opens: datetime = datetime(2026, 11, 10, 0, 0, tzinfo=UTC)) -> None:
    at = datetime.now(UTC)
    insert(con, "contact_attempts", attempt_id=aid, idempotency_key=aid, borrower_id=borrower, loan_id=loan,
           channel=channel, purpose="escalation", step=step, priority=severity,
           amount_due=Decimal(amount) if amount else None, status=status, planned_for_date=day, send_after=opens,
           send_before=opens + timedelta(hours=13), created_at=at, updated_at=at)


@pytest.fixture
def con(con):
    """The shared in-memory book, with four borrowers and the day's calls (and three that are not)."""
    c = con
    b = Book(c)
    b.borrower("B-zh", phone="+8613812345678")
    b.borrower("B-zh2", phone="+8613900001111")
    b.borrower("B-ny", tz="America/New_York", language="en", jurisdiction="us", phone="+12125550123")
    b.borrower("B-ldn", tz="Europe/London", language="en", jurisdiction="uk", phone=None)
    b.loan("L-zh", "B-zh", [("2026-11-05", "500.00")])
    b.loan("L-zh2", "B-zh2", [("2026-10-31", "300.00"), ("2026-11-05", "900.00")])
    b.loan("L-ny", "B-ny", [("2026-11-05", "120.00")], currency="USD")
    b.loan("L-ldn", "B-ldn", [("2026-11-05", "80.00")], currency="GBP")
    call(c, "c1", "B-zh", "L-zh", severity=3, amount="500.00")
    call(c, "c2", "B-zh2", "L-zh2", severity=3, amount=None)              # amount from what is outstanding
    call(c, "c3", "B-zh", "L-zh", step="dpd_10", severity=4, amount="100.00", status="sent")
    call(c, "c4", "B-ny", "L-ny", opens=datetime(2026, 11, 10, 13, 0, tzinfo=UTC))
    call(c, "c5", "B-ldn", "L-ldn")
    call(c, "x-sms", "B-zh", "L-zh", channel="sms")                      # not a call
    call(c, "x-supp", "B-zh2", "L-zh2", status="suppressed")             # held back by the policy
    call(c, "x-day", "B-zh2", "L-zh2", day=DAY + timedelta(days=1))       # another day
    return c


def assignment(con, aid: str, borrower: str, loan: str, agent: str, team: str, slot: datetime, *,
               outcome: str = "assigned") -> None:
    """A call_assignments row as loan_comms/calls/assign.py records it (10-minute slot)."""
    insert(con, "call_assignments", attempt_id=aid, plan_date=DAY, borrower_id=borrower, loan_id=loan, step="dpd_5",
           team=team, agent_id=agent if outcome == "assigned" else None, work_date=DAY,
           slot_start=slot if outcome == "assigned" else None,
           slot_end=slot + timedelta(minutes=10) if outcome == "assigned" else None, queue_rank=1,
           priority_score=12.5, priority_reasons="[]", required_skills=[], carried_days=0, outcome=outcome,
           reason=None if outcome == "assigned" else "agent_capacity", max_dials=2,
           dial_until=slot + timedelta(hours=5), recorded_at=datetime.now(UTC))


def test_without_assignments_the_queue_is_unassigned_ranked_by_severity_then_amount(con):
    assert build_call_queue(con, DAY) == 5
    rows = con.execute("SELECT team, queue_rank, attempt_id, amount_due, agent_id FROM call_queue "
                       "ORDER BY team, queue_rank").fetchall()
    assert rows == [("unassigned", 1, "c3", Decimal("100.00"), None),   # severity 4 first, whatever the amount
                    ("unassigned", 2, "c2", Decimal("1200.00"), None),  # outstanding on both overdue installments
                    ("unassigned", 3, "c1", Decimal("500.00"), None),
                    ("unassigned", 4, "c5", Decimal("500.00"), None),
                    ("unassigned", 5, "c4", Decimal("500.00"), None)]   # its window opens later


def test_the_queue_takes_team_agent_and_slot_from_the_assignments_ranked_per_agent_by_slot(con):
    t0 = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
    assignment(con, "c1", "B-zh", "L-zh", "A-zh-01", "zh-CN/apac", t0 + timedelta(minutes=30))
    assignment(con, "c2", "B-zh2", "L-zh2", "A-zh-01", "zh-CN/apac", t0)
    assignment(con, "c3", "B-zh", "L-zh", "A-zh-02", "zh-CN/apac", t0)
    assignment(con, "c4", "B-ny", "L-ny", "A-gl-02", "global", t0 + timedelta(hours=13))   # overflow team
    assert build_call_queue(con, DAY) == 5
    rows = con.execute("SELECT team, agent_id, queue_rank, attempt_id, slot_start, max_dials FROM call_queue "
                       "ORDER BY team, agent_id NULLS FIRST, queue_rank").fetchall()
    assert rows == [("global", "A-gl-02", 1, "c4", t0 + timedelta(hours=13), 2),
                    ("unassigned", None, 1, "c5", None, None),          # no assignment: planned before a roster
                    ("zh-CN/apac", "A-zh-01", 1, "c2", t0, 2),           # the earlier slot first
                    ("zh-CN/apac", "A-zh-01", 2, "c1", t0 + timedelta(minutes=30), 2),
                    ("zh-CN/apac", "A-zh-02", 1, "c3", t0, 2)]
    q = read_call_queue(con, DAY)
    assert {t["team"]: t["calls"] for t in q.teams} == {"global": 1, "unassigned": 1, "zh-CN/apac": 3}
    assert [(r["team"], r["agent_id"], r["rank"]) for r in q.rows][:2] == [("global", "A-gl-02", 1),
                                                                          ("unassigned", None, 1)]


def test_each_call_carries_the_borrowers_local_window(con):
    build_call_queue(con, DAY)
    windows = dict(con.execute("SELECT attempt_id, local_window FROM call_queue").fetchall())
    assert windows["c1"] == "08:00-21:00 Asia/Shanghai"
    assert windows["c4"] == "08:00-21:00 America/New_York"


def test_rebuilding_a_day_gives_the_same_queue(con):
    build_call_queue(con, DAY)
    first = con.execute("SELECT * EXCLUDE (built_at, queue_rank) FROM call_queue ORDER BY ALL").fetchall()
    con.execute("UPDATE contact_attempts SET status = 'suppressed' WHERE attempt_id = 'c5'")
    assert build_call_queue(con, DAY) == 4
    assert build_call_queue(con, DAY) == 4
    again = con.execute("SELECT * EXCLUDE (built_at, queue_rank) FROM call_queue ORDER BY ALL").fetchall()
    assert again == [r for r in first if r[1] != "c5"]


def test_what_people_see_has_masked_phones_and_team_totals(con):
    build_call_queue(con, DAY)
    q = read_call_queue(con, DAY, limit=2)
    assert q.total == 5 and {t["team"]: t["calls"] for t in q.teams} == {"unassigned": 5}
    assert len(q.rows) == 2
    everything = read_call_queue(con, DAY).table()
    phones = {r["loan_id"]: r["phone_masked"] for r in everything}
    assert phones == {"L-zh": "+86****78", "L-zh2": "+86****11", "L-ny": "+12****23", "L-ldn": "-"}
    text = q.markdown() + str(everything)
    for secret in ("13812345678", "2125550123", "Wang Wei"):
        assert secret not in text
    assert "first 2 calls" in q.markdown()
