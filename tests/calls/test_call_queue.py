"""The call queue: the day's calls, routed to teams, most severe and largest first, phones masked."""

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


def test_the_queue_holds_the_days_calls_ranked_by_severity_then_amount(con):
    assert build_call_queue(con, DAY) == 5
    rows = con.execute("SELECT team, queue_rank, attempt_id, amount_due FROM call_queue ORDER BY team, queue_rank").fetchall()
    assert rows == [("en/americas", 1, "c4", Decimal("500.00")),
                    ("en/emea", 1, "c5", Decimal("500.00")),
                    ("zh-CN/apac", 1, "c3", Decimal("100.00")),     # severity 4 first, whatever the amount
                    ("zh-CN/apac", 2, "c2", Decimal("1200.00")),    # outstanding on both overdue installments
                    ("zh-CN/apac", 3, "c1", Decimal("500.00"))]


def test_each_call_carries_the_borrowers_local_window(con):
    build_call_queue(con, DAY)
    windows = dict(con.execute("SELECT attempt_id, local_window FROM call_queue").fetchall())
    assert windows["c1"] == "08:00-21:00 Asia/Shanghai"
    assert windows["c4"] == "08:00-21:00 America/New_York"


def test_rebuilding_a_day_gives_the_same_queue(con):
    build_call_queue(con, DAY)
    first = con.execute("SELECT * EXCLUDE (built_at) FROM call_queue ORDER BY ALL").fetchall()
    con.execute("UPDATE contact_attempts SET status = 'suppressed' WHERE attempt_id = 'c5'")
    assert build_call_queue(con, DAY) == 4
    assert build_call_queue(con, DAY) == 4
    again = con.execute("SELECT * EXCLUDE (built_at) FROM call_queue ORDER BY ALL").fetchall()
    assert again == [r for r in first if r[1] != "c5"]


def test_what_people_see_has_masked_phones_and_team_totals(con):
    build_call_queue(con, DAY)
    q = read_call_queue(con, DAY, limit=2)
    assert q.total == 5 and {t["team"]: t["calls"] for t in q.teams} == {"en/americas": 1, "en/emea": 1, "zh-CN/apac": 3}
    assert len(q.rows) == 2
    everything = read_call_queue(con, DAY).table()
    phones = {r["loan_id"]: r["phone_masked"] for r in everything}
    assert phones == {"L-zh": "+86****78", "L-zh2": "+86****11", "L-ny": "+12****23", "L-ldn": "-"}
    text = q.markdown() + str(everything)
    for secret in ("13812345678", "2125550123", "Wang Wei"):
        assert secret not in text
    assert "first 2 calls" in q.markdown()
