"""Issue 12, the policy side of replies: the review queue pauses (awaiting_review) and, past its
deadline, stops (review_overdue) contact on the reply's channel; an opt-out made by reply is
confirmed once, to the number it came from, in the borrower's language; a callback asked for is
planned on its day within its hours. Events are inserted as the reply path records them (section B
of the design), so these tests do not depend on the classifier's wording."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.audit.runner import business_deadline
from loan_comms.config import load_config
from loan_comms.lifecycle.planner import decide, plan_day
from loan_comms.policy import recheck_before_send
from loan_comms.templating import TemplateStore, templates_dir
from tests.builders import Book, EchoRenderer, insert, point, point_row

_N = iter(range(10**6))


def recorded(book: Book, borrower_id: str, kind: str, at: str, *, channel: str | None = None,
             contact_point: str | None = None, source: str = "sms_reply", external_id: str | None = None,
             scope: str = "borrower", loan_id: str | None = None, **detail: Any) -> str:
    """A borrower_events row as the reply path records it (source, external_id, contact_point)."""
    external_id = external_id or f"X{next(_N)}:{kind}"
    insert(book.con, "borrower_events", borrower_id=borrower_id, loan_id=loan_id, kind=kind,
           occurred_at=datetime.fromisoformat(at).astimezone(UTC), detail=json.dumps(detail), channel=channel,
           source=source, external_id=external_id, scope=scope, contact_point=contact_point)
    return external_id


def review(book: Book, borrower_id: str, review_id: str, at: str, deadline: str, *, channel: str | None = "sms",
           contact_point: str | None = None) -> None:
    recorded(book, borrower_id, "review_opened", at, channel=channel, contact_point=contact_point,
             external_id=f"{review_id}:review", review_id=review_id, reason="ambiguous",
             candidates=[{"intent": "opt_out", "confidence": 0.5, "rule": "r"}],
             deadline=datetime.fromisoformat(deadline).astimezone(UTC).isoformat(), source="sms_reply")


def resolve(book: Book, borrower_id: str, review_id: str, at: str, *, channel: str | None = "sms",
            contact_point: str | None = None) -> None:
    recorded(book, borrower_id, "review_resolved", at, channel=channel, contact_point=contact_point,
             source="review", external_id=f"{review_id}:resolved", review_id=review_id,
             decided_by="reviewer:ana", intents=[])


def stop_reply(book: Book, borrower_id: str, sid: str, at: str, point_id: str, *, text: str = "STOP",
               decided_by: str = "rules:stub") -> None:
    """An SMS reply STOP from `point_id` and the opt-out recorded from it."""
    recorded(book, borrower_id, "sms_reply", at, channel="sms", contact_point=point_id, external_id=sid,
             text=text, classified_as=["opt_out"], review=[], decided_by=decided_by)
    recorded(book, borrower_id, "opt_out", at, channel="sms", contact_point=point_id, external_id=f"{sid}:opt_out",
             decided_by=decided_by)


def day_of(book: Book, day: str) -> dict[tuple[str, str, str], tuple[str, str | None]]:
    return {(a["loan_id"], a["step"], a["channel"]): (a["status"], a["suppressed_reason"])
            for a in book.attempts(planned_for_date=date.fromisoformat(day))}


def phone_of(book: Book, borrower_id: str) -> str:
    return book.con.execute("SELECT phone_e164 FROM borrowers WHERE borrower_id = ?", [borrower_id]).fetchall()[0][0]


# -- the review queue ------------------------------------------------------------------------------

def test_awaiting_review_pauses_collection_on_its_channel_only(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])   # dpd_1 sms on 2 Nov: collection
    book.loan("L2", "B1", [("2026-11-05", "100.00")])   # pre_due_3 sms + email on 2 Nov: reminders
    review(book, "B1", "SM1", "2026-11-01T12:00:00+08:00", "2026-11-20T00:00:00+00:00")
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    got = day_of(book, "2026-11-02")
    assert got[("L1", "dpd_1", "sms")] == ("suppressed", "awaiting_review")
    assert got[("L2", "pre_due_3", "sms")] == ("planned", None)      # a reminder still goes
    assert got[("L2", "pre_due_3", "email")] == ("planned", None)
    book.send_all_planned()
    resolve(book, "B1", "SM1", "2026-11-02T12:00:00+08:00")       # a person decided: the pause lifts
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))
    assert day_of(book, "2026-11-03")[("L1", "dpd_1", "sms")] == ("planned", None)   # a pause: tried again


def test_a_question_item_pauses_nothing(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    review(book, "B1", "SM9", "2026-11-01T12:00:00+08:00", "2026-11-01T13:00:00+08:00", channel=None)
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    assert day_of(book, "2026-11-02")[("L1", "dpd_1", "sms")] == ("planned", None)


def test_review_overdue_stops_every_contact_on_the_channel_to_the_borrower_and_the_point(book, cfg, renderer):
    book.borrower("B1")
    shared = phone_of(book, "B1")
    book.borrower("B2", phone=shared)                   # a family phone: the reply came from it
    book.borrower("B3")
    for loan, who in (("L1", "B1"), ("L2", "B2"), ("L3", "B3")):
        book.loan(loan, who, [("2026-11-05", "100.00")])  # pre_due_3 sms + email on 2 Nov
    review(book, "B1", "SM1", "2026-10-28T12:00:00+08:00", "2026-10-30T12:00:00+08:00",
           contact_point=point("phone", shared))
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    got = day_of(book, "2026-11-02")
    assert got[("L1", "pre_due_3", "sms")] == ("suppressed", "review_overdue")   # not only collection
    assert got[("L2", "pre_due_3", "sms")] == ("suppressed", "review_overdue")   # the point, whoever holds it
    assert got[("L3", "pre_due_3", "sms")] == ("planned", None)
    assert got[("L1", "pre_due_3", "email")] == ("planned", None)                # another channel
    assert got[("L2", "pre_due_3", "email")] == ("planned", None)
    book.send_all_planned()
    # B2 gives a number of their own: their SMS go there; the shared one stays closed for B1.
    own = point_row(book.con, "B2", "phone", "+8613911112222", place="mobile")
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))
    plan_day(book.con, cfg, renderer, date(2026, 11, 4))   # pre_due_1 sms
    got = {(a["borrower_id"], a["step"]): (a["status"], a["suppressed_reason"], a["contact_point"])
           for a in book.attempts(planned_for_date=date(2026, 11, 4))}
    assert got[("B2", "pre_due_1")] == ("planned", None, own)
    assert got[("B1", "pre_due_1")][:2] == ("suppressed", "review_overdue")
    book.send_all_planned()
    resolve(book, "B1", "SM1", "2026-11-04T12:00:00+08:00", contact_point=point("phone", shared))
    plan_day(book.con, cfg, renderer, date(2026, 11, 5))   # due_today sms: resolution lifts it
    assert day_of(book, "2026-11-05")[("L1", "due_today", "sms")] == ("planned", None)
    report = run_audit(book.con, cfg, now=datetime(2026, 11, 6, tzinfo=UTC),
                       rules=("reply_opt_outs_honoured", "opt_out_honoured"))
    assert report.ok, [r.rows for r in report.rules]


def test_review_overdue_found_at_send_time_stops_the_planned_reminder(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-12", "50.00")])
    plan_day(book.con, cfg, renderer, date(2026, 11, 9))       # pre_due_3 sms + email planned
    review(book, "B1", "SM1", "2026-11-08T21:00:00+08:00", "2026-11-09T08:10:00+08:00",
           contact_point=point("phone", phone_of(book, "B1")))
    # before the deadline a reminder is no collection: it may go; after it, it may not
    assert recheck_before_send(book.con, cfg, datetime(2026, 11, 9, 0, 5, tzinfo=UTC)) == {}
    assert recheck_before_send(book.con, cfg, datetime(2026, 11, 9, 0, 30, tzinfo=UTC)) == {"review_overdue": 1}


# -- one confirmation per opt-out made by reply ----------------------------------------------------

def test_opt_out_reply_is_confirmed_once_in_the_borrowers_language_to_the_number_it_came_from(book, cfg):
    renderer = TemplateStore.load(templates_dir(cfg), cfg)
    book.borrower("B1", language="zh-CN")
    second = point_row(book.con, "B1", "phone", "+8613900000001", place="mobile")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.loan("L2", "B1", [("2026-11-01", "300.00")])
    stop_reply(book, "B1", "SM1", "2026-11-01T12:00:00+08:00", second)
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    [confirmation] = book.attempts(step="opt_out_confirmation")
    assert (confirmation["status"], confirmation["channel"], confirmation["contact_point"]) == ("planned", "sms", second)
    assert confirmation["language"] == "zh-CN" and confirmation["purpose"] == "follow_up"
    body = book.con.execute("SELECT body_text FROM contact_messages WHERE attempt_id = ?",
                            [confirmation["attempt_id"]]).fetchall()[0][0]
    assert "退订" in body and "START" in body and "¥" not in body          # no amount, no collection
    got = day_of(book, "2026-11-02")
    assert got[("L1", "dpd_1", "sms")] == ("suppressed", "opted_out_sms")  # the opt-out itself holds
    assert got[("L2", "dpd_1", "sms")] == ("suppressed", "opted_out_sms")
    assert plan_day(book.con, cfg, renderer, date(2026, 11, 2)).already_planned   # a re-run adds nothing
    book.send_all_planned()
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))
    assert len(book.attempts(step="opt_out_confirmation")) == 1                    # one, not one a day
    report = run_audit(book.con, cfg, now=datetime(2026, 11, 4, tzinfo=UTC),
                       rules=("reply_opt_outs_honoured", "opt_out_honoured"))
    assert report.ok, [r.rows for r in report.rules]


def test_no_confirmation_when_twilio_confirmed_or_an_operator_recorded_the_opt_out(book, cfg, renderer):
    book.borrower("B1")
    book.borrower("B2")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.loan("L2", "B2", [("2026-11-01", "100.00")])
    stop_reply(book, "B1", "SM1", "2026-11-01T12:00:00+08:00", point("phone", phone_of(book, "B1")),
               decided_by="provider:twilio")
    recorded(book, "B2", "opt_out", "2026-11-01T12:00:00+08:00", channel="sms", source="operator",
             contact_point=point("phone", phone_of(book, "B2")))
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    assert book.attempts(step="opt_out_confirmation") == []


def test_confirmation_is_still_subject_to_everything_else(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "deceased", "2026-10-20T12:00:00+08:00")
    stop_reply(book, "B1", "SM1", "2026-11-01T12:00:00+08:00", point("phone", phone_of(book, "B1")))
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    [c] = book.attempts(step="opt_out_confirmation")
    assert (c["status"], c["suppressed_reason"]) == ("suppressed", "deceased")


# -- the callback asked for ------------------------------------------------------------------------

def test_callback_is_planned_on_the_day_asked_within_the_hours_asked_once(book, cfg, renderer):
    book.borrower("B1")                                            # Shanghai, UTC+8
    book.loan("L1", "B1", [("2026-12-20", "100.00")])              # nothing else due these days
    recorded(book, "B1", "callback_request", "2026-11-02T10:00:00+08:00", source="sms_reply",
             on="2026-11-04", **{"from": "14:00", "to": "16:00"})
    for d in (2, 3, 4, 5, 6):
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    [call] = book.attempts(step="callback")
    assert (call["planned_for_date"], call["channel"], call["purpose"]) == (date(2026, 11, 4), "call", "follow_up")
    assert call["send_after"] == datetime(2026, 11, 4, 6, 0, tzinfo=UTC)       # 14:00 in Shanghai
    assert call["send_before"] == datetime(2026, 11, 4, 8, 0, tzinfo=UTC)      # 16:00
    queue = book.con.execute("SELECT count(*) FROM call_queue").fetchall()[0][0]
    assert queue == 0   # the queue is built by its own flow; the window it shows is the call's (send_after/before)


def test_callback_without_a_day_goes_the_next_day_and_waits_for_the_cooldown(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-12-20", "100.00")])
    book.event("B1", "call_outcome", "2026-11-01T10:00:00+08:00", loan_id="L1", outcome="reached")
    recorded(book, "B1", "callback_request", "2026-11-01T11:00:00+08:00", source="agent_note")
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    [call] = book.attempts(step="callback")
    assert (call["status"], call["suppressed_reason"]) == ("suppressed", "cap_call_cooldown")   # still a call


# -- property: the gate never lets through what the audit flags ------------------------------------

CFG = load_config()
START = date(2026, 11, 2)
DAYS = 6
ACTIONS = ["stop", "start", "maybe", "resolve", "stop_twilio"]


def _reply_event(book: Book, n: int, action: str, at: datetime, pid: str, reviews: list[str]) -> None:
    when = at.isoformat()
    sid = f"SMP{n}"
    if action in ("stop", "stop_twilio"):
        stop_reply(book, "B1", sid, when, pid, decided_by="provider:twilio" if action == "stop_twilio" else "rules:stub")
    elif action == "start":
        recorded(book, "B1", "sms_reply", when, channel="sms", contact_point=pid, external_id=sid, text="START",
                 classified_as=["opt_in"], review=[], decided_by="rules:stub")
        recorded(book, "B1", "opt_in", when, channel="sms", contact_point=pid, external_id=f"{sid}:opt_in",
                 decided_by="rules:stub")
    elif action == "maybe":
        recorded(book, "B1", "sms_reply", when, channel="sms", contact_point=pid, external_id=sid,
                 text="maybe stop", classified_as=[], review=["opt_out"], decided_by="rules:stub")
        # the deadline as the recorder sets it: business days in the borrower's zone (B1: Shanghai)
        review(book, "B1", sid, when, business_deadline(at, 2, "Asia/Shanghai").isoformat(), contact_point=pid)
        reviews.append(sid)
    elif action == "resolve" and reviews:
        resolve(book, "B1", reviews.pop(0), when, contact_point=pid)


@settings(max_examples=int(os.environ.get("POLICY_EXAMPLES", "6")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(events=[("maybe", -2, 16, False)])                       # a review item on a Saturday (zone deadlines)
@example(events=[("stop", 0, 0, False), ("stop", 0, 11, True)])   # two STOPs from two numbers, one confirmed
@given(events=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(-2, DAYS - 1), st.integers(0, 23),
                                 st.booleans()), max_size=8))
def test_no_contact_the_gate_lets_through_is_one_the_audit_flags(events):
    con = db.connect()
    try:
        book = Book(con)
        book.borrower("B1")
        pid = point("phone", phone_of(book, "B1"))
        other = point_row(con, "B1", "phone", "+8613900000009", place="mobile")
        book.borrower("B2", phone=phone_of(book, "B1"))             # shares the number the replies come from
        for loan, who, due in (("L1", "B1", START - timedelta(days=1)), ("L2", "B1", START + timedelta(days=3)),
                               ("L3", "B2", START + timedelta(days=2))):
            book.loan(loan, who, [(due.isoformat(), "100.00")])
        reviews: list[str] = []
        base = datetime.combine(START, datetime.min.time(), tzinfo=UTC)
        for n, (action, day, hour, from_other) in enumerate(sorted(events, key=lambda e: (e[1], e[2]))):
            _reply_event(book, n, action, base + timedelta(days=day, hours=hour), other if from_other else pid, reviews)
        renderer = EchoRenderer()
        for d in range(DAYS):
            day = START + timedelta(days=d)
            plan_day(con, CFG, renderer, day)
            opens = con.execute("SELECT min(send_after) FROM contact_attempts WHERE status = 'planned' "
                                "AND planned_for_date = ?", [day]).fetchall()[0][0]
            if opens is not None:
                recheck_before_send(con, CFG, opens)    # what dispatch does first, then sends at the opening
                con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after "
                            "WHERE status = 'planned' AND planned_for_date = ? AND send_after <= ?", [day, opens]).fetchall()
                con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'window_missed' "
                            "WHERE status = 'planned' AND planned_for_date = ?", [day]).fetchall()
        report = run_audit(con, CFG, now=base + timedelta(days=DAYS + 1),
                           rules=("reply_opt_outs_honoured", "opt_out_honoured"))
        assert report.ok, [r.rows for r in report.rules]
    finally:
        con.close()


# -- review findings on i12-int (f2) ---------------------------------------------------------------

def _ingest(book: Book, cfg, tmp_path, sid: str, phone: str, body: str, at: str) -> None:
    from loan_comms.inbound import ingest_replies

    path = tmp_path / f"{sid}.jsonl"
    path.write_text(json.dumps({"MessageSid": sid, "From": phone, "Body": body, "DateSent": at}) + "\n")
    ingest_replies(book.con, cfg, path, now=datetime.fromisoformat(at.replace("Z", "+00:00")) + timedelta(minutes=1))



@pytest.mark.parametrize("body", ["Stop calling me", "STOP ALL"])
def test_stop_calling_from_a_shared_phone_stops_calls_to_it_for_everyone(book, cfg, renderer, tmp_path, body):
    """Finding 1: B1 and B2 share a phone; B1 texts it. Calls to that number stop for B2 too."""
    shared = "+12025550123"
    for b, loan in (("B1", "L1"), ("B2", "L2")):
        book.borrower(b, tz="America/New_York", language="en", jurisdiction="us", phone=shared)
        book.loan(loan, b, [("2026-11-01", "100.00")])
    for d in range(2, 6):
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    _ingest(book, cfg, tmp_path, "SMx", shared, body, "2026-11-05T09:00:00Z")
    for d in range(6, 12):
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    calls = [a for a in book.attempts() if a["channel"] == "call" and a["planned_for_date"] >= date(2026, 11, 6)]
    assert calls and {(a["status"], a["suppressed_reason"]) for a in calls} == {("suppressed", "opted_out_call")}
    report = run_audit(book.con, cfg, now=datetime(2026, 11, 13, tzinfo=UTC),
                       rules=("reply_opt_outs_honoured", "opt_out_honoured"))
    assert report.ok, [r.rows for r in report.rules]


def test_a_review_item_by_sms_about_calls_pauses_and_then_stops_calls(book, cfg, renderer):
    """Finding 2: "maybe stop calling me" texted pauses calls (and SMS) while it waits, and stops
    them after its deadline, for the borrower and for the number."""
    book.borrower("B1")
    book.borrower("B2", phone=phone_of(book, "B1"))                  # holds the same number
    book.loan("L1", "B1", [("2026-10-20", "100.00")])                 # dpd_10 calls in November
    book.loan("L2", "B2", [("2026-10-20", "100.00")])
    pid = point("phone", phone_of(book, "B1"))
    recorded(book, "B1", "review_opened", "2026-10-29T12:00:00+08:00", channel="sms", contact_point=pid,
             external_id="SMc:review", review_id="SMc", reason="ambiguous",
             candidates=[{"intent": "opt_out", "confidence": 0.6, "rule": "r"}], channels=["call", "sms"],
             deadline="2026-10-30T04:00:00+00:00", source="sms_reply")
    plan_day(book.con, cfg, renderer, date(2026, 10, 30))
    got = {(a["loan_id"], a["channel"]): a["suppressed_reason"] for a in book.attempts()}
    assert got[("L1", "call")] == "awaiting_review" and got[("L1", "sms")] == "awaiting_review"
    assert got[("L2", "call")] is None          # B2's own choice is not in doubt; the number's is, from the deadline
    recheck_before_send(book.con, cfg, datetime(2026, 10, 30, 4, 30, tzinfo=UTC))   # past the deadline
    [call] = book.attempts(loan_id="L2", channel="call")
    assert call["suppressed_reason"] == "review_overdue"       # the number's calls stop, for B2 too
    plan_day(book.con, cfg, renderer, date(2026, 10, 31))
    later = {(a["loan_id"], a["channel"]): a["suppressed_reason"]
             for a in book.attempts(planned_for_date=date(2026, 10, 31))}
    assert later[("L1", "call")] == "review_overdue"


def test_a_confirmation_is_not_repeated_when_days_are_planned_ahead_of_the_wall_clock(book, cfg, renderer):
    """The 60-day simulation found it: "already confirmed" was judged by created_at (the wall clock),
    so days planned on a simulated or replayed clock ahead of it confirmed the same STOP every day.
    It is judged by the days planned now (a confirmation on or after the opt-out's local day)."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2031-03-01", "100.00")])
    stop_reply(book, "B1", "SM1", "2031-03-01T12:00:00+08:00", point("phone", phone_of(book, "B1")))
    for d in (2, 3, 4):
        plan_day(book.con, cfg, renderer, date(2031, 3, d))
        book.send_all_planned()
    assert len(book.attempts(step="opt_out_confirmation")) == 1


@pytest.mark.parametrize("zone, phone, jurisdiction", [
    ("America/New_York", "+12025550123", "us"), ("Pacific/Honolulu", "+18085550123", "us"),
    ("Pacific/Pago_Pago", "+16846330123", "us"), ("Pacific/Guam", "+16716460123", "us"),
    ("Asia/Shanghai", "+8613800000001", "cn")])
@pytest.mark.parametrize("hour", [10, 22])
def test_the_confirmation_goes_once_and_within_what_the_audits_allow_in_every_zone(book, cfg, renderer, zone, phone,
                                                                                    jurisdiction, hour):
    """Finding 7: a STOP just after one plan's instant (the day minus 14 h: 10:00 UTC) is confirmed
    by the next plan; sent at the very end of that local day it is still within the audits' 3 days,
    from UTC-11 to UTC+10; never twice, and a re-run of the day proposes the same key."""
    book.borrower("B1", tz=zone, language="en", jurisdiction=jurisdiction, phone=phone)
    book.loan("L1", "B1", [("2026-12-20", "100.00")])
    stop_reply(book, "B1", "SM1", f"2026-11-05T{hour:02d}:05:00+00:00", point("phone", phone))
    for d in range(5, 10):
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        for a in book.attempts(step="opt_out_confirmation", status="planned"):   # sent as late as allowed
            book.con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_before - INTERVAL 1 MINUTE "
                             "WHERE attempt_id = ?", [a["attempt_id"]])
    [c] = book.attempts(step="opt_out_confirmation")
    assert c["sent_at"] - datetime(2026, 11, 5, hour, 5, tzinfo=UTC) < timedelta(days=3)
    decide(book.con, cfg, c["planned_for_date"], advance_state=False)     # a re-run of its day proposes the same key
    again = book.con.execute("SELECT idempotency_key FROM reply_follow_ups WHERE step = 'opt_out_confirmation'").fetchall()
    assert again == [(c["idempotency_key"],)]
    report = run_audit(book.con, cfg, now=datetime(2026, 11, 12, tzinfo=UTC),
                       rules=("reply_opt_outs_honoured", "opt_out_honoured"))
    assert report.ok, [r.rows for r in report.rules]
