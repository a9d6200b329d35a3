"""A call the dialer holds is withdrawn when the policy would now stop it (review 16 item 1).

The dialer holds a call from its push and dials it from its slot, hours after the first dispatch
pass of its window released it, and may redial until dial_until. Every dispatch pass judges again
every call a dialer may still dial; the dialer sync after it cancels what the policy now forbids,
with the reason recorded. (The reviewer's reproduction, /tmp/rev16/exp1.py, made a test.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loan_comms.audit import run_audit
from loan_comms.calls.dialer import push_calls
from loan_comms.calls.fake_dialer import FakeDialer
from loan_comms.calls.roster import DialerSettings, roster_for
from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.inbound.events import ingest_call_outcomes
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book, EchoRenderer
from tests.calls.test_assignment import FRI, agent, late, roster

TOKEN = "held-calls-token"


@pytest.fixture
def day(con, cfg, tmp_path: Path, monkeypatch):
    """B1, B2, B3 late; one zh agent on shift 14:00-20:00 Shanghai (the borrowers' window 08:00-22:00):
    the calls are planned, pushed the evening before, and released by the first pass of the window."""
    monkeypatch.setenv("LOAN_COMMS_DIALER_TOKEN", TOKEN)
    book = Book(con)
    cfg = roster(cfg, tmp_path, agent("ZH-1", "zh", ["zh-CN"], capacity=5, shift=("14:00", "20:00")))
    loans = {b: late(book, b) for b in ("B1", "B2", "B3")}
    plan_day(con, cfg, EchoRenderer(), FRI)
    with FakeDialer(token=TOKEN) as fake:
        r = roster_for(cfg).model_copy(update={"dialer": DialerSettings(kind="http", url=fake.url,
                                                                         reconcile_after_seconds=0)})
        assert push_calls(con, r, FRI, now=datetime(2026, 11, 5, 23, 30, tzinfo=UTC)).pushed == 3
        opens = con.execute("SELECT min(send_after) FROM contact_attempts WHERE channel = 'call'").fetchall()[0][0]
        dispatch_due(con, cfg, opens + timedelta(minutes=1))
        assert {s for (s,) in con.execute("SELECT status FROM contact_attempts WHERE channel = 'call'").fetchall()} \
            == {"sent"}
        yield con, cfg, r, fake, book, loans


def _b1_call(con) -> str:
    return con.execute("SELECT attempt_id FROM contact_attempts WHERE channel = 'call' AND borrower_id = 'B1'").fetchall()[0][0]


def test_a_released_call_is_cancelled_at_the_dialer_once_the_borrower_pays_and_asks_us_to_stop(day):
    con, cfg, r, fake, book, loans = day
    book.pay(loans["B1"], "900.00", "2026-11-06T10:00:00+08:00")
    book.event("B1", "cease_contact", "2026-11-06T10:05:00+08:00")
    at = datetime(2026, 11, 6, 3, 0, tzinfo=UTC)                  # 11:00 Shanghai; B1's slot is at 14:00
    report = dispatch_due(con, cfg, at)
    assert report.cancelled.get("held:paid") == 1, report.cancelled
    report = push_calls(con, r, FRI, now=at + timedelta(minutes=1))
    assert report.cancelled == 1 and not report.needs_operator, report
    b1 = _b1_call(con)
    assert b1 not in {c["ref"] for c in fake.live()} and len(fake.live()) == 2
    assert con.execute("SELECT state, cancel_reason FROM dialer_pushes WHERE attempt_id = ?", [b1]).fetchall()[0] \
        == ("cancelled", "withdrawn: sent: paid")
    row = con.execute("SELECT status, reason, withdrawn_at FROM call_withdrawals WHERE attempt_id = ?", [b1]).fetchall()[0]
    assert row == ("sent", "paid", at)
    # The contact stays released (it was); a replayed pass withdraws nothing twice and cancels nothing again.
    assert con.execute("SELECT status FROM contact_attempts WHERE attempt_id = ?", [b1]).fetchall()[0][0] == "sent"
    deletes = fake.stats()["deletes"]
    dispatch_due(con, cfg, at)
    push_calls(con, r, FRI, now=at + timedelta(minutes=2))
    assert fake.stats()["deletes"] == deletes
    assert con.execute("SELECT count(*) FROM call_withdrawals").fetchall()[0][0] == 1


def test_a_call_whose_window_has_not_opened_is_suppressed_and_withdrawn_before_it(con, cfg, tmp_path, monkeypatch):
    """Pushed the evening before; the borrower asks us to stop at 06:00, before the window opens:
    the 07:00 pass (nothing of the day is sendable yet) suppresses the call and the sync cancels it."""
    monkeypatch.setenv("LOAN_COMMS_DIALER_TOKEN", TOKEN)
    book = Book(con)
    cfg = roster(cfg, tmp_path, agent("ZH-1", "zh", ["zh-CN"], capacity=5, shift=("14:00", "20:00")))
    late(book, "B1")
    plan_day(con, cfg, EchoRenderer(), FRI)
    with FakeDialer(token=TOKEN) as fake:
        r = roster_for(cfg).model_copy(update={"dialer": DialerSettings(kind="http", url=fake.url,
                                                                         reconcile_after_seconds=0)})
        push_calls(con, r, FRI, now=datetime(2026, 11, 5, 20, 0, tzinfo=UTC))
        book.event("B1", "cease_contact", "2026-11-06T06:00:00+08:00")
        at = datetime(2026, 11, 5, 23, 0, tzinfo=UTC)             # 07:00 Shanghai
        dispatch_due(con, cfg, at)
        report = push_calls(con, r, FRI, now=at)
        assert report.cancelled == 1 and fake.live() == []
        b1 = _b1_call(con)
        assert con.execute("SELECT status, suppressed_reason FROM contact_attempts WHERE attempt_id = ?",
                           [b1]).fetchall()[0] == ("suppressed", "cease_contact")
        assert con.execute("SELECT cancel_reason FROM dialer_pushes").fetchall()[0][0] == "withdrawn: planned: cease_contact"
    # Had the dialer dialled it anyway (before the DELETE arrived, or ignoring it), the dial is kept,
    # not quarantined as "not a call we made", and the audit flags it (review 16 item 3).
    dials = tmp_path / "dials.jsonl"
    dials.write_text(json.dumps({"attempt_id": b1, "outcome": "dispute", "agent_id": "ZH-1",
                                 "occurred_at": "2026-11-06T07:30:00+08:00"}) + "\n", encoding="utf-8")
    ingested = ingest_call_outcomes(con, dials, now=datetime(2026, 11, 6, 0, 0, tzinfo=UTC))
    assert ingested.recorded == 1 and not ingested.rejected, str(ingested)
    report = run_audit(con, cfg, now=datetime(2026, 11, 6, 0, 0, tzinfo=UTC), rules=("dial_after_withdrawal",))
    [row] = report.rule("dial_after_withdrawal").rows
    assert row["attempt_id"] == b1 and "a call never released (its contact is suppressed: cease_contact)" in row["violation"]


def test_a_reminder_by_call_is_judged_on_its_installment_s_outstanding_amount(con, cfg, tmp_path: Path):
    """A reminder may go by call (the ladder is data): the held call's re-judge reads its installment's
    outstanding amount as the first judge did. Nothing paid: the call goes out, nothing is withdrawn.
    Paid in full before its slot: withdrawn as paid."""
    rem = tuple(r.model_copy(update={"channels": ("call",)}) if r.step == "pre_due_1" else r for r in cfg.reminders)
    cfg = roster(cfg.model_copy(update={"reminders": rem}), tmp_path,
                 agent("ZH-1", "zh", ["zh-CN"], capacity=5, shift=("14:00", "20:00")))
    book = Book(con)
    book.borrower("B1")
    book.loan("L-B1", "B1", [("2026-11-07", "900.00")])
    plan_day(con, cfg, EchoRenderer(), FRI)
    assert con.execute("SELECT step, channel FROM contact_attempts").fetchall() == [("pre_due_1", "call")]
    opens = con.execute("SELECT min(send_after) FROM contact_attempts WHERE channel = 'call'").fetchall()[0][0]
    report = dispatch_due(con, cfg, opens + timedelta(minutes=1))
    assert not report.cancelled, report.cancelled
    assert con.execute("SELECT status FROM contact_attempts").fetchall() == [("sent",)]
    assert con.execute("SELECT count(*) FROM call_withdrawals").fetchall()[0][0] == 0
    book.pay("L-B1", "900.00", "2026-11-06T14:30:00+08:00")
    report = dispatch_due(con, cfg, datetime(2026, 11, 6, 7, 0, tzinfo=UTC))   # 15:00 Shanghai
    assert report.cancelled.get("held:paid") == 1, report.cancelled
