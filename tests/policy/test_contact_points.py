"""Contact points (issue 11 cases 3 and 4): a phone shared by two borrowers gets one borrower's caps
and a STOP from it stops both; a wrong or reassigned number gets nothing until a number is verified;
a place the borrower asked us not to use is not used; dispatch sends to the point recorded on the
contact. Each case ends with the audit finding nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.inbound.contact_points import import_contact_points, ingest_reassigned_numbers
from loan_comms.inbound.events import ingest_call_outcomes
from loan_comms.inbound.receipts import ingest_replies
from loan_comms.lifecycle.planner import plan_day
from loan_comms.policy import recheck_before_send
from tests.builders import point

SHARED = "+8613900000001"
OLD, NEW = "+8613900000002", "+8613900000003"


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _day(book, day: date) -> list[dict]:
    return book.attempts(planned_for_date=day)


def _run(book, cfg, renderer, first: date, last: date) -> None:
    """Plan each day from first to last and send what was planned (a stand-in dispatcher)."""
    d = first
    while d <= last:
        plan_day(book.con, cfg, renderer, d)
        book.send_all_planned()
        d += timedelta(days=1)


def _audit_clean(book, cfg, now: datetime) -> None:
    book.con.execute("UPDATE contact_attempts SET decided_by_rule = coalesce(decided_by_rule, 'allowed')")
    report = run_audit(book.con, cfg, now=now, show=20)
    broken = {r.name: r.rows for r in report.rules if not r.ok}
    assert broken == {}, broken


def test_shared_phone_gets_one_borrowers_caps_and_a_stop_from_it_stops_both(book, cfg, renderer, tmp_path):
    """Case 3: two borrowers on one number, three loans each: six dpd_1 SMS would go to the number
    on one day; it gets sms_per_day in total (cap_sms_per_day). One of them replies TD/STOP: the
    other's SMS to that number stop too (opted_out_sms), their e-mail does not."""
    book.borrower("B1", phone=SHARED)
    book.borrower("B2", phone=SHARED, name="Li Na")
    for b in ("B1", "B2"):
        for n in range(3):
            book.loan(f"L{b}{n}", b, [("2026-11-01", f"{100 + n}.00")])
            book.loan(f"M{b}{n}", b, [("2026-11-02", f"{200 + n}.00")])
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    sms = [a for a in _day(book, date(2026, 11, 2)) if a["channel"] == "sms"]
    assert {a["contact_point"] for a in sms} == {point("phone", SHARED)}
    planned = [a for a in sms if a["status"] == "planned"]
    assert len(planned) == cfg.policy.profiles["cn"].sms_per_day == 2
    assert {a["suppressed_reason"] for a in sms if a["status"] == "suppressed"} == {"cap_sms_per_day"}
    book.send_all_planned()

    ingest_replies(book.con, cfg, _jsonl(tmp_path / "in.jsonl", [
        {"MessageSid": "SM1", "From": SHARED, "Body": "TD", "DateSent": "2026-11-02T06:00:00Z"}]),
        now=datetime(2026, 11, 2, 7, tzinfo=UTC))
    (stop_by, stop_point), = book.con.execute(
        "SELECT borrower_id, contact_point FROM borrower_events WHERE kind = 'opt_out'").fetchall()
    assert stop_point == point("phone", SHARED)

    plan_day(book.con, cfg, renderer, date(2026, 11, 3))  # the M loans' dpd_1 SMS, for both borrowers
    day3 = [a for a in _day(book, date(2026, 11, 3)) if a["step"] == "dpd_1"]
    other = "B2" if stop_by == "B1" else "B1"
    assert {a["borrower_id"] for a in day3} == {"B1", "B2"}
    assert {(a["status"], a["suppressed_reason"]) for a in day3 if a["borrower_id"] == other} == \
        {("suppressed", "opted_out_sms")}
    assert all(a["status"] == "suppressed" for a in day3)
    book.send_all_planned()
    _run(book, cfg, renderer, date(2026, 11, 4), date(2026, 11, 4))  # dpd_3 e-mails: their own addresses
    emails = [a for a in _day(book, date(2026, 11, 4)) if a["channel"] == "email"]
    assert {a["borrower_id"] for a in emails if a["status"] == "sent"} == {"B1", "B2"}
    _audit_clean(book, cfg, datetime(2026, 11, 5, tzinfo=UTC))


def _ladder_to_the_call(book, cfg, renderer) -> dict:
    """B1 (phone OLD) through dpd_1 .. dpd_5; returns the dpd_5 call, sent."""
    book.borrower("B1", phone=OLD)
    book.loan("L1", "B1", [("2026-11-01", "900.00")])
    _run(book, cfg, renderer, date(2026, 11, 2), date(2026, 11, 6))
    [call] = [a for a in _day(book, date(2026, 11, 6)) if a["channel"] == "call"]
    assert call["status"] == "sent" and call["contact_point"] == point("phone", OLD)
    return call


def test_wrong_number_stops_calls_and_sms_to_that_number_letters_go_on(book, cfg, renderer, tmp_path):
    """Case 4: the dialer says wrong_number: no SMS or call to that number afterwards
    (point_unusable), the letter of the same step still goes to the postal address."""
    dpd_10 = next(s for s in cfg.ladder if s.step == "dpd_10")
    cfg = cfg.model_copy(update={"ladder": tuple(s.model_copy(update={"channels": ("sms", "call", "letter")})
                                                 if s is dpd_10 else s for s in cfg.ladder)})
    call = _ladder_to_the_call(book, cfg, renderer)
    ingest_call_outcomes(book.con, _jsonl(tmp_path / "calls.jsonl", [
        {"attempt_id": call["attempt_id"], "outcome": "wrong_number", "occurred_at": "2026-11-06T03:00:00Z"}]),
        now=datetime(2026, 11, 6, 4, tzinfo=UTC))
    _run(book, cfg, renderer, date(2026, 11, 7), date(2026, 11, 12))
    later = {(a["step"], a["channel"]): (a["status"], a["suppressed_reason"]) for a in book.attempts()
             if a["planned_for_date"] > date(2026, 11, 6)}
    assert later == {("dpd_10", "sms"): ("suppressed", "point_unusable"),
                     ("dpd_10", "call"): ("suppressed", "point_unusable"),
                     ("dpd_10", "letter"): ("sent", None)}
    _audit_clean(book, cfg, datetime(2026, 11, 13, tzinfo=UTC))


def test_a_newly_verified_number_is_used_after_a_wrong_number(book, cfg, renderer, tmp_path):
    """Case 4, continued: a new number imported as verified is used (planned to it, and dispatch
    sends to the recorded point); the wrong one stays unused."""
    call = _ladder_to_the_call(book, cfg, renderer)
    ingest_call_outcomes(book.con, _jsonl(tmp_path / "calls.jsonl", [
        {"attempt_id": call["attempt_id"], "outcome": "wrong_number", "occurred_at": "2026-11-06T03:00:00Z"}]),
        now=datetime(2026, 11, 6, 4, tzinfo=UTC))
    report = import_contact_points(book.con, _jsonl(tmp_path / "points.jsonl", [
        {"borrower_id": "B1", "kind": "phone", "address": "+86 139 0000 0003", "place": "mobile",
         "verified_at": "2026-11-08T02:00:00Z"},
        {"borrower_id": "B404", "kind": "phone", "address": NEW},
        {"borrower_id": "B1", "kind": "fax", "address": NEW}]), now=datetime(2026, 11, 8, 3, tzinfo=UTC))
    assert (report.points, report.verified, len(report.rejected)) == (1, 1, 2)
    assert NEW not in str(report)
    _run(book, cfg, renderer, date(2026, 11, 7), date(2026, 11, 10))
    plan_day(book.con, cfg, renderer, date(2026, 11, 11))
    dpd10 = {a["channel"]: a for a in _day(book, date(2026, 11, 11)) if a["step"] == "dpd_10"}
    assert {ch: (a["status"], a["contact_point"]) for ch, a in dpd10.items()} == {
        "sms": ("planned", point("phone", NEW)), "call": ("planned", point("phone", NEW))}
    opens = dpd10["sms"]["send_after"]
    db.run(book.con, "delivery/pass_due", {"now": opens, "day": None})   # the pass's contacts, addressed
    due = db.rows(book.con, "delivery/due_batch", {
        "until": opens, "halted": [], "after_priority": 10**9, "after_id": "", "limit": 10})
    assert {r["channel"]: r["recipient"] for r in due} == {"sms": NEW, "call": "B1"}


def test_reassigned_number_stops_every_borrower_holding_it(book, cfg, renderer, tmp_path):
    """A reassigned-numbers answer stops SMS to the number for both borrowers holding it
    (point_unusable); the one who verifies the number again after the reassignment gets it again."""
    book.borrower("B1", phone=SHARED)
    book.borrower("B2", phone=SHARED, name="Li Na")
    for b in ("B1", "B2"):
        book.loan(f"L{b}", b, [("2026-11-01", "100.00")])
        book.loan(f"M{b}", b, [("2026-11-02", "100.00")])
    report = ingest_reassigned_numbers(book.con, _jsonl(tmp_path / "rnd.jsonl", [
        {"phone": SHARED, "reassigned_on": "2026-10-20"}, {"phone": "+8613900000099", "reassigned_on": "2026-10-20"},
        {"phone": "not a number", "reassigned_on": "2026-10-20"}]), now=datetime(2026, 11, 1, tzinfo=UTC))
    assert (report.recorded, report.not_ours, len(report.rejected)) == (2, 1, 1)
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    assert {(a["borrower_id"], a["suppressed_reason"]) for a in _day(book, date(2026, 11, 2))
            if a["channel"] == "sms"} == {("B1", "point_unusable"), ("B2", "point_unusable")}
    import_contact_points(book.con, _jsonl(tmp_path / "verify.jsonl", [
        {"borrower_id": "B1", "kind": "phone", "address": SHARED, "verified_at": "2026-11-02T05:00:00Z"}]),
        now=datetime(2026, 11, 2, 6, tzinfo=UTC))
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))
    assert {(a["borrower_id"], a["status"], a["suppressed_reason"]) for a in _day(book, date(2026, 11, 3))
            if a["channel"] == "sms"} == {("B1", "planned", None), ("B2", "suppressed", "point_unusable")}
    book.send_all_planned()
    _audit_clean(book, cfg, datetime(2026, 11, 4, tzinfo=UTC))


def test_workplace_prohibited_leaves_the_work_phone_alone(book, cfg, renderer, tmp_path):
    """A borrower reachable only at work: texted there until a workplace_prohibited event, which also
    stops the SMS already planned (the re-check judges the recorded point: place_avoided); with a
    mobile added, the mobile is used instead."""
    book.borrower("B1", phone=None)
    for n, due in enumerate(("2026-11-01", "2026-11-02", "2026-11-03")):
        book.loan(f"L{n}", "B1", [(due, "100.00")])
    import_contact_points(book.con, _jsonl(tmp_path / "work.jsonl", [
        {"borrower_id": "B1", "kind": "phone", "address": OLD, "place": "work"}]),
        now=datetime(2026, 10, 1, tzinfo=UTC))
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    [sms] = [a for a in _day(book, date(2026, 11, 2)) if a["channel"] == "sms" and a["step"] == "dpd_1"]
    assert (sms["status"], sms["contact_point"]) == ("planned", point("phone", OLD))
    book.event("B1", "workplace_prohibited", "2026-11-02T00:30:00+00:00")
    counts = recheck_before_send(book.con, cfg, sms["send_after"] + timedelta(hours=1))
    assert book.attempts(attempt_id=sms["attempt_id"])[0]["suppressed_reason"] == "place_avoided", counts
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))
    assert {(a["status"], a["suppressed_reason"]) for a in _day(book, date(2026, 11, 3)) if a["channel"] == "sms"} \
        == {("suppressed", "place_avoided")}
    import_contact_points(book.con, _jsonl(tmp_path / "mobile.jsonl", [
        {"borrower_id": "B1", "kind": "phone", "address": NEW, "place": "mobile"}]),
        now=datetime(2026, 11, 3, 12, tzinfo=UTC))
    plan_day(book.con, cfg, renderer, date(2026, 11, 4))
    day4 = [a for a in _day(book, date(2026, 11, 4)) if a["channel"] == "sms"]
    assert {a["contact_point"] for a in day4} == {point("phone", NEW)}
    assert "planned" in {a["status"] for a in day4} and "place_avoided" not in {a["suppressed_reason"] for a in day4}
    book.send_all_planned()
    _audit_clean(book, cfg, datetime(2026, 11, 5, tzinfo=UTC))


def test_call_caps_count_every_dial_attempt_per_borrower_and_per_number(book, cfg, renderer):
    """Two calls already made this week, redialled to seven dial attempts in all (call_outcome
    events), leave no room for another call to the number, for either borrower on it."""
    book.borrower("B1", phone=SHARED)
    book.borrower("B2", phone=SHARED, name="Li Na")
    book.loan("L1", "B1", [("2026-11-01", "900.00")])
    book.loan("L2", "B2", [("2026-11-01", "900.00")])
    _run(book, cfg, renderer, date(2026, 11, 2), date(2026, 11, 5))
    for n, day in enumerate((date(2026, 11, 3), date(2026, 11, 4))):
        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
        book.contact(attempt_id=f"hist{n}", idempotency_key=f"B1|L1|manual_{n}|call|{day}", borrower_id="B1",
                     loan_id="L1", channel="call", purpose="escalation", step=f"manual_{n}", status="sent",
                     planned_for_date=day, send_after=at, send_before=at + timedelta(hours=10), created_at=at,
                     updated_at=at, sent_at=at, contact_point=point("phone", SHARED))
        for k in range(3 + n):  # 3 + 4 = 7 dial attempts
            book.event("B1", "call_outcome", (at + timedelta(minutes=k)).isoformat(), loan_id="L1",
                       outcome="no_answer", attempt_id=f"hist{n}")
    plan_day(book.con, cfg, renderer, date(2026, 11, 6))  # dpd_5: the call step, for both
    calls = {a["borrower_id"]: (a["status"], a["suppressed_reason"]) for a in _day(book, date(2026, 11, 6))
             if a["channel"] == "call"}
    assert calls == {"B1": ("suppressed", "cap_calls_per_7_days"), "B2": ("suppressed", "cap_calls_per_7_days")}
