"""The daily flow end to end on a small book: plan, send through the outbox, report, re-run."""

from __future__ import annotations

import json
from datetime import date

import pytest

from loan_comms import db
from tests.builders import Book

pytestmark = pytest.mark.slow


def read_artifacts(key: str) -> list[dict]:
    """Artifacts by key, newest first, straight from the API (as the UI reads them)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        resp = client.request("POST", "/artifacts/filter", json={
            "artifacts": {"key": {"any_": [key]}}, "flow_runs": {}, "task_runs": {},
            "limit": 10, "offset": 0, "sort": "CREATED_DESC"})
        return resp.json()


@pytest.fixture
def small_book(tmp_path):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    b = Book(con)
    b.borrower("B-zh", name="王小明")
    b.borrower("B-en", tz="America/New_York", language="en", jurisdiction="us", phone="+12125550123",
               name="Ann Lee")
    b.loan("L-zh-1", "B-zh", [("2026-11-12", "800.00")])
    b.loan("L-zh-2", "B-zh", [("2026-10-31", "300.00"), ("2026-11-30", "300.00")])
    b.loan("L-en-1", "B-en", [("2026-11-12", "120.00")], currency="USD")
    b.loan("L-paid", "B-en", [("2026-11-12", "99.00")], currency="USD")
    b.pay("L-paid", "99.00", "2026-11-01T10:00:00-05:00")
    con.close()
    return path


def test_daily_flow_sends_each_contact_once_and_reports_the_day(small_book):
    from flows.daily_lifecycle import daily_lifecycle

    first = daily_lifecycle(as_of=date(2026, 11, 9), db_path=str(small_book))
    again = daily_lifecycle(as_of=date(2026, 11, 9), db_path=str(small_book))

    con = db.connect(small_book, read_only=True)
    rows = con.execute("SELECT borrower_id, loan_id, step, channel, status, language FROM contact_attempts "
                       "ORDER BY ALL").fetchall()
    outbox = con.execute("SELECT count(*), count(DISTINCT idempotency_key) FROM outbox_messages").fetchall()[0]
    con.close()
    # 3 days before due: sms+email for the two unpaid loans due 11-12; dpd 9 for L-zh-2 -> dpd_5 (entry step)
    assert ("B-zh", "L-zh-1", "pre_due_3", "sms", "sent", "zh-CN") in rows
    assert ("B-en", "L-en-1", "pre_due_3", "email", "sent", "en") in rows
    assert not any(r[1] == "L-paid" for r in rows), "a paid installment gets no reminder"
    # L-zh-2 is first seen at 9 dpd: its ladder starts at the step that calls for (dpd_5), not dpd_1
    assert any(r[1] == "L-zh-2" and r[2] == "dpd_5" for r in rows)
    assert first["sent"] == outbox[0] == outbox[1] == len([r for r in rows if r[4] == "sent"])
    assert again["planned"] == 0 and again["sent"] == first["sent"], "re-running the day sends nothing new"
    assert first["planned"] == len([r for r in rows if r[4] != "suppressed"]) > 0, "planned: what this run planned"
    assert again["already_planned"] and not first["already_planned"]
    # the template studio's usage counts, beside the book (its window is the wall clock's last 30 days)
    usage = json.loads((small_book.parent / "template_usage.json").read_text(encoding="utf-8"))
    assert set(usage) == {"generated_at", "days", "templates"} and usage["days"] == 30

    arts = read_artifacts("day-summary-2026-11-09")
    assert arts, "the day summary artifact exists"
    text = arts[0]["data"]
    assert "pre_due_3" in text and "Suppressed, by reason" in text
    assert "王小明" not in text and "+1212" not in text, "no personal data in artifacts"
