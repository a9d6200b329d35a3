"""One hand-built history per rule: the contact the policy must hold back is held back, and why."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import plan_day
from loan_comms.policy import recheck_before_send


def made_call(book, borrower_id: str, loan_id: str, day: date, n: int) -> None:
    """A call attempt already made on `day` (history), as the dialer queue recorded it."""
    key = f"{borrower_id}|{loan_id}|manual_{n}|call|{day}"
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
    book.contact(attempt_id=f"hist{n}", idempotency_key=key, borrower_id=borrower_id, loan_id=loan_id, channel="call",
                 purpose="escalation", step=f"manual_{n}", status="sent", planned_for_date=day, send_after=at,
                 send_before=at + timedelta(hours=10), created_at=at, updated_at=at, sent_at=at)


def decision(book, day: str, step: str, channel: str, loan_id: str | None = None) -> tuple[str, str | None]:
    [a] = [a for a in book.attempts(planned_for_date=date.fromisoformat(day))
           if (a["step"], a["channel"]) == (step, channel) and loan_id in (None, a["loan_id"])]
    return a["status"], a["suppressed_reason"]


def test_eighth_call_in_seven_days_is_suppressed(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "900.00")])
    for d in range(2, 6):  # dpd_1 .. dpd_3 steps, sent
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    for n in range(7):  # seven calls already made in the last seven days
        made_call(book, "B1", "L1", date(2026, 10, 30) + timedelta(days=n), n)
    plan_day(book.con, cfg, renderer, date(2026, 11, 6))  # dpd 5: the call step
    assert decision(book, "2026-11-06", "dpd_5", "call") == ("suppressed", "cap_calls_per_7_days")


def test_no_call_within_seven_days_after_a_conversation(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "900.00")])
    book.event("B1", "call_outcome", "2026-11-03T10:00:00+08:00", loan_id="L1", outcome="reached")
    for d in range(2, 12):
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    assert decision(book, "2026-11-06", "dpd_5", "call") == ("suppressed", "cap_call_cooldown")
    assert decision(book, "2026-11-10", "dpd_5", "call") == ("suppressed", "cap_call_cooldown")  # day +7
    assert decision(book, "2026-11-11", "dpd_5", "call") == ("sent", None)                     # day +8


def test_los_angeles_borrower_is_not_messaged_at_eight_in_shanghai(book, cfg, renderer):
    book.borrower("LA", tz="America/Los_Angeles", language="en", jurisdiction="us", phone="+14155550100")
    book.loan("L1", "LA", [("2026-11-12", "50.00")], currency="USD")
    plan_day(book.con, cfg, renderer, date(2026, 11, 9))
    shanghai_8am = datetime(2026, 11, 9, 0, 0, tzinfo=UTC)  # 08:00 Asia/Shanghai = 16:00 PST the day before
    from loan_comms.delivery.dispatch import dispatch_due

    dispatch_due(book.con, cfg, shanghai_8am)
    assert {a["status"] for a in book.attempts()} == {"planned"}
    dispatch_due(book.con, cfg, datetime(2026, 11, 9, 16, 0, tzinfo=UTC))  # 08:00 in Los Angeles
    assert {a["status"] for a in book.attempts()} == {"sent"}


def test_window_passed_unsent_is_suppressed_never_sent_late(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-12", "50.00")])
    plan_day(book.con, cfg, renderer, date(2026, 11, 9))
    from loan_comms.delivery.dispatch import dispatch_due

    dispatch_due(book.con, cfg, datetime(2026, 11, 9, 15, 0, tzinfo=UTC))  # 23:00 Shanghai: closed
    assert {(a["status"], a["suppressed_reason"]) for a in book.attempts()} == {("suppressed", "window_missed")}
    assert book.con.execute("SELECT count(*) FROM outbox_messages").fetchall()[0][0] == 0


def test_stop_stops_sms_but_not_email(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-12", "50.00")])
    book.event("B1", "opt_out", "2026-11-05T09:00:00+08:00", channel="sms")
    plan_day(book.con, cfg, renderer, date(2026, 11, 9))
    assert decision(book, "2026-11-09", "pre_due_3", "sms") == ("suppressed", "opted_out_sms")
    assert decision(book, "2026-11-09", "pre_due_3", "email") == ("planned", None)


def test_stop_received_after_the_plan_stops_the_pending_sms(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-12", "50.00")])
    plan_day(book.con, cfg, renderer, date(2026, 11, 9))
    book.event("B1", "opt_out", "2026-11-09T07:00:00+08:00", channel="sms")
    assert recheck_before_send(book.con, cfg, datetime(2026, 11, 9, 0, 30, tzinfo=UTC)) == {"opted_out_sms": 1}


def test_cease_contact_stops_collection_and_dispute_pauses_only_that_loan(book, cfg, renderer):
    book.borrower("B1")
    book.borrower("B2", phone="+8613912345678")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.loan("L2", "B2", [("2026-11-01", "100.00")])
    book.loan("L3", "B2", [("2026-11-01", "100.00")])
    book.event("B1", "cease_contact", "2026-11-01T12:00:00+08:00")
    # An operator naming the disputed loan: recorded loan-scoped (kinds.py), so L3 goes on.
    book.event("B2", "dispute", "2026-11-01T12:00:00+08:00", loan_id="L2", scope="loan")
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    got = {a["loan_id"]: (a["status"], a["suppressed_reason"]) for a in book.attempts()}
    assert got == {"L1": ("suppressed", "cease_contact"), "L2": ("suppressed", "paused_dispute"),
                   "L3": ("planned", None)}
    book.send_all_planned()
    book.event("B2", "dispute_resolved", "2026-11-02T12:00:00+08:00", loan_id="L2", scope="loan")
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))
    assert decision(book, "2026-11-03", "dpd_1", "sms", "L2") == ("planned", None)  # L2's ladder resumes at step 1
    # Under a cease the step can never go: it counts as taken (step_taken) and is not proposed again,
    # so the ladder can still reach a later legally required notice (issue 11 case 7).
    assert [a for a in book.attempts(loan_id="L1") if a["planned_for_date"] == date(2026, 11, 3)] == []


def test_hardship_pauses_escalation_and_offers_a_plan_instead(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "hardship_request", "2026-11-02T15:00:00+08:00", loan_id="L1")  # before the 11-03 plan
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))
    got = {(a["step"], a["channel"]): (a["status"], a["suppressed_reason"]) for a in book.attempts()}
    assert got[("dpd_1", "sms")] == ("suppressed", "paused_hardship")
    assert got[("hardship_offer", "sms")] == ("planned", None)
    assert got[("hardship_offer", "email")] == ("planned", None)
    book.send_all_planned()
    for d in range(4, 18):
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    sent = [(a["planned_for_date"].day, a["step"]) for a in book.attempts(status="sent") if a["purpose"] == "escalation"]
    assert sent and sent[0] == (17, "dpd_1"), "ladder resumes after the 14-day pause, at the step it was on"
    assert len([a for a in book.attempts() if a["step"] == "hardship_offer" and a["status"] == "sent"]) == 2


def test_no_collection_contact_on_a_public_holiday_but_reminders_go(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-09-30", "100.00")])   # dpd 1 on 2026-10-01, National Day
    book.loan("L2", "B1", [("2026-10-04", "100.00")])   # pre_due_3 on 2026-10-01
    plan_day(book.con, cfg, renderer, date(2026, 10, 1))
    got = {(a["loan_id"], a["step"], a["channel"]): (a["status"], a["suppressed_reason"]) for a in book.attempts()}
    assert got[("L1", "dpd_1", "sms")] == ("suppressed", "holiday")
    assert got[("L2", "pre_due_3", "sms")] == ("planned", None)


def test_caps_keep_the_most_severe_then_largest_contacts(book, cfg, renderer):
    book.borrower("B1")
    # Three loans reach different steps the same day, plus a reminder: more SMS than 2 a day.
    book.loan("L-small", "B1", [("2026-11-08", "10.00")])     # dpd 1 -> dpd_1 sms (severity 1)
    book.loan("L-big", "B1", [("2026-11-08", "9000.00")])     # dpd 1 -> dpd_1 sms (severity 1), larger
    book.loan("L-rem", "B1", [("2026-11-12", "50.00")])       # pre_due_3 sms+email (severity 0)
    plan_day(book.con, cfg, renderer, date(2026, 11, 9))
    sms = {a["loan_id"]: (a["status"], a["suppressed_reason"]) for a in book.attempts(channel="sms")}
    assert sms == {"L-big": ("planned", None), "L-small": ("planned", None),
                   "L-rem": ("suppressed", "cap_sms_per_day")}
    # ...and the overall 3-a-day cap leaves room for the reminder email.
    assert decision(book, "2026-11-09", "pre_due_3", "email") == ("planned", None)


def test_dispatch_day_sends_each_planned_contact_in_its_own_window(book, cfg, renderer):
    book.borrower("SH")
    book.borrower("NY", tz="America/New_York", jurisdiction="us", language="en", phone="+12125550123")
    book.loan("L1", "SH", [("2026-11-12", "50.00")])
    book.loan("L2", "NY", [("2026-11-12", "50.00")], currency="USD")
    plan_day(book.con, cfg, renderer, date(2026, 11, 9))
    dispatch_day(book.con, cfg, date(2026, 11, 9))
    for a in book.attempts():
        assert a["status"] == "sent" and a["send_after"] <= a["sent_at"] < a["send_before"]


def test_uk_borrower_is_offered_forbearance_before_the_ladder_goes_on(book, cfg, renderer):
    book.borrower("UK", tz="Europe/London", jurisdiction="uk", language="en", phone="+447700900123")
    book.borrower("CN")
    book.loan("L-uk", "UK", [("2026-11-01", "100.00")], currency="GBP")
    book.loan("L-cn", "CN", [("2026-11-01", "100.00")])
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    first = {(a["loan_id"], a["step"], a["channel"]): a["status"] for a in book.attempts()}
    assert first[("L-uk", "forbearance_offer", "sms")] == "planned"
    assert first[("L-uk", "forbearance_offer", "email")] == "planned"
    assert first[("L-uk", "dpd_1", "sms")] == "planned"
    assert not any(k[1] == "forbearance_offer" for k in first if k[0] == "L-cn"), "cn asks for no such offer"
    # The offer has not gone out yet (say dispatch never ran): the ladder waits after its first step.
    book.con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'window_missed' "
                     "WHERE step = 'forbearance_offer'")
    book.con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after WHERE status = 'planned'")
    plan_day(book.con, cfg, renderer, date(2026, 11, 4))
    assert decision(book, "2026-11-04", "dpd_3", "email", "L-uk") == ("suppressed", "awaiting_forbearance_offer")
    assert decision(book, "2026-11-04", "dpd_3", "email", "L-cn") == ("planned", None)
    assert decision(book, "2026-11-04", "forbearance_offer", "sms", "L-uk") == ("planned", None)  # tried again
    book.send_all_planned()
    plan_day(book.con, cfg, renderer, date(2026, 11, 5))
    assert decision(book, "2026-11-05", "dpd_3", "email", "L-uk") == ("planned", None)
    assert not [a for a in book.attempts(planned_for_date=date(2026, 11, 5)) if a["step"] == "forbearance_offer"]


def test_a_simulated_clock_refuses_a_real_gateway_but_not_a_local_test_one(book, cfg, monkeypatch):
    from loan_comms.delivery.day_dispatch import SimulatedClockRefused, check_simulated_clock_allowed

    check_simulated_clock_allowed(cfg)                      # outbox: fine
    monkeypatch.setenv("LOAN_COMMS_SMS_BASE_URL", "http://127.0.0.1:8099")
    check_simulated_clock_allowed(cfg)                      # a gateway on this machine: fine
    monkeypatch.setenv("LOAN_COMMS_SMS_BASE_URL", "https://api.twilio.com")
    with pytest.raises(SimulatedClockRefused, match="outside the borrowers' contact hours"):
        check_simulated_clock_allowed(cfg)
    with pytest.raises(SimulatedClockRefused):
        dispatch_day(book.con, cfg, date(2026, 11, 9))       # and dispatch_day itself checks
    monkeypatch.setenv("LOAN_COMMS_ALLOW_SIMULATED_CLOCK_SENDS", "1")
    check_simulated_clock_allowed(cfg)
