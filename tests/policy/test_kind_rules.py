"""Issue 11, part C: event kinds, their scope, call outcomes per attempt, required notices.

Cases 5 (a later outcome dropped), 6 (a dispute on the wrong loan) and 7 (a required notice never
reached) end to end on hand-built books; each standing restriction of loan_comms/policy/kinds.py
suppresses what it should, on every loan of the borrower, and the planner never sends what its
audit rule would call a violation.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from loan_comms.audit import run_audit
from loan_comms.config import LadderStep, LifecycleConfig
from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.inbound.events import ingest_call_outcomes, ingest_operator_events
from loan_comms.inbound.receipts import ingest_replies
from loan_comms.lifecycle.planner import decide, plan_day
from tests.builders import Book, EchoRenderer

DAY = date(2026, 11, 2)   # the day after L1's and L2's due date: dpd_1


def _first_step(cfg: LifecycleConfig, *channels: str) -> LifecycleConfig:
    """The config with a first ladder step on these channels (so one day shows them all)."""
    first = LadderStep(step="dpd_1", min_dpd=1, channels=channels, severity=1)
    return cfg.model_copy(update={"ladder": (first, *cfg.ladder[1:])})


def _legal(cfg: LifecycleConfig, *steps: str) -> LifecycleConfig:
    return cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"legally_required_steps": steps})})


def _audit(book: Book, cfg: LifecycleConfig, now: datetime):
    book.con.execute("UPDATE contact_attempts SET decided_by_rule = coalesce(decided_by_rule, 'allowed')")
    return run_audit(book.con, cfg, now=now, show=50)


def _two_loans(book: Book) -> None:
    book.borrower("B1", phone="+8613812345678")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.loan("L2", "B1", [("2026-11-01", "900.00")])


# -- each standing restriction, on every loan --------------------------------------------------

@pytest.mark.parametrize("kind, detail, reasons", [
    ("deceased", {}, {"sms": "deceased", "call": "deceased", "letter": "deceased"}),
    ("bankruptcy", {}, {"sms": "bankruptcy", "call": "bankruptcy", "letter": "bankruptcy"}),
    ("breathing_space", {"until": "2026-12-31"},
     {"sms": "breathing_space", "call": "breathing_space", "letter": "breathing_space"}),
    ("attorney_representation", {"attorney": "ref-77"},
     {"sms": "attorney_represented", "call": "attorney_represented", "letter": None}),
    ("complaint", {}, {"sms": None, "call": "paused_complaint", "letter": None}),
])
def test_standing_restriction_suppresses(book, cfg, kind, detail, reasons):
    _two_loans(book)
    book.event("B1", kind, "2026-11-01T12:00:00+08:00", **detail)   # names no loan: every loan
    decisions = decide(book.con, _first_step(cfg, "sms", "call", "letter"), DAY).to_pylist()
    got = {(d["loan_id"], d["channel"]): d["suppressed_reason"] for d in decisions if d["step"] == "dpd_1"}
    assert {k[0] for k in got} == {"L1", "L2"}
    for (loan, channel), why in got.items():
        expected = reasons[channel]
        if expected is None:   # allowed by the gate; the contacts-per-day cap may still pick among them
            assert why is None or why.startswith("cap_"), (loan, channel, why)
        else:
            assert why == expected, (loan, channel, why)


@pytest.mark.parametrize("ended", ["bankruptcy_dismissed", "attorney_withdrawn", "complaint_resolved",
                                   "breathing_space_ended"])
def test_a_restriction_ended_lets_contact_resume(book, cfg, ended):
    start = {"bankruptcy_dismissed": "bankruptcy", "attorney_withdrawn": "attorney_representation",
             "complaint_resolved": "complaint", "breathing_space_ended": "breathing_space"}[ended]
    _two_loans(book)
    book.event("B1", start, "2026-10-20T12:00:00+08:00", **({"until": "2026-12-31"} if start == "breathing_space" else {}))
    book.event("B1", ended, "2026-11-01T12:00:00+08:00")
    decisions = decide(book.con, _first_step(cfg, "sms", "call"), DAY).to_pylist()
    # the caps still speak (one call a day: the cooldown after a conversation), nothing else does
    assert {d["suppressed_reason"] for d in decisions} <= {None, "cap_contacts_per_day", "cap_calls_per_day"}


def test_breathing_space_ends_on_its_date(book, cfg):
    _two_loans(book)
    book.event("B1", "breathing_space", "2026-10-01T12:00:00+08:00", until="2026-11-02")
    on_last_day = decide(book.con, cfg, DAY).to_pylist()
    assert {d["suppressed_reason"] for d in on_last_day} == {"breathing_space"}
    after = decide(book.con, cfg, DAY + timedelta(days=1)).to_pylist()
    assert "breathing_space" not in {d["suppressed_reason"] for d in after}


def test_attorney_letters_still_go_addressed_to_the_attorney(book, cfg, renderer):
    day_cfg = _first_step(cfg, "sms", "letter")
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "attorney_representation", "2026-11-01T12:00:00+08:00", attorney="ref-77")
    plan_day(book.con, day_cfg, renderer, DAY)
    got = {a["channel"]: (a["status"], a["suppressed_reason"], a["addressed_to"]) for a in book.attempts()}
    assert got == {"sms": ("suppressed", "attorney_represented", None), "letter": ("planned", None, "attorney")}
    book.send_all_planned()
    audit = _audit(book, day_cfg, datetime(2026, 11, 3, tzinfo=UTC))
    assert audit.rule("attorney_only").checked == 1 and audit.rule("attorney_only").ok


def test_attorney_retained_after_the_plan_readdresses_the_letter_before_it_goes(book, cfg, renderer):
    day_cfg = _first_step(cfg, "sms", "letter")
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    plan_day(book.con, day_cfg, renderer, DAY)
    book.event("B1", "attorney_representation", "2026-11-02T07:00:00+08:00")
    dispatch_due(book.con, day_cfg, datetime(2026, 11, 2, 1, 0, tzinfo=UTC))   # 09:00 in Shanghai
    got = {a["channel"]: (a["status"], a["suppressed_reason"], a["addressed_to"]) for a in book.attempts()}
    assert got["sms"] == ("suppressed", "attorney_represented", None)
    assert got["letter"][1:] == (None, "attorney") and got["letter"][0] in ("planned", "sent", "delivered")


# -- case 6: a dispute on the wrong loan -------------------------------------------------------

def test_case_6_a_dispute_reply_pauses_every_loan_of_the_borrower(book, cfg, renderer, secrets_env, tmp_path):
    _two_loans(book)
    plan_day(book.con, cfg, renderer, DAY)
    book.send_all_planned()                       # dpd_1 SMS on both loans; the reply names neither
    drop = tmp_path / "in.jsonl"
    drop.write_text(json.dumps({"MessageSid": "SMd1", "From": "+8613812345678", "Body": "DISPUTE",
                                "DateSent": "2026-11-02T06:00:00Z"}) + "\n", encoding="utf-8")
    ingest_replies(book.con, cfg, drop, now=datetime(2026, 11, 2, 7, tzinfo=UTC))
    [(scope,)] = book.con.execute("SELECT scope FROM borrower_events WHERE kind = 'dispute'").fetchall()
    assert scope == "borrower"
    for d in range(3, 25):
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    later = [a for a in book.attempts() if a["planned_for_date"] > DAY and a["purpose"] == "escalation"]
    assert {a["loan_id"] for a in later} == {"L1", "L2"}
    assert {(a["status"], a["suppressed_reason"]) for a in later} == {("suppressed", "paused_dispute")}
    audit = _audit(book, cfg, datetime(2026, 11, 25, tzinfo=UTC))
    assert audit.rule("dispute_pause").ok


def test_an_operator_dispute_naming_a_loan_stays_on_that_loan(book, cfg, tmp_path):
    _two_loans(book)
    f = tmp_path / "ops.jsonl"
    f.write_text(json.dumps({"event_id": "d1", "borrower_id": "B1", "loan_id": "L1", "kind": "dispute",
                             "occurred_at": "2026-11-01T12:00:00+08:00"}) + "\n", encoding="utf-8")
    assert ingest_operator_events(book.con, f, now=datetime(2026, 11, 2, tzinfo=UTC)).recorded == 1
    got = {d["loan_id"]: d["suppressed_reason"] for d in decide(book.con, cfg, DAY).to_pylist()}
    assert got == {"L1": "paused_dispute", "L2": None}


def test_a_dispute_before_scopes_existed_is_read_borrower_wide_by_gate_and_audit(book, cfg, renderer):
    _two_loans(book)
    plan_day(book.con, cfg, renderer, DAY)
    book.send_all_planned()
    book.event("B1", "dispute", "2026-11-01T12:00:00+08:00", loan_id="L1")   # scope NULL
    audit = _audit(book, cfg, datetime(2026, 11, 3, tzinfo=UTC)).rule("dispute_pause")
    assert sorted(r["loan_id"] for r in audit.rows) == ["L1", "L2"]
    got = {d["loan_id"]: d["suppressed_reason"] for d in decide(book.con, cfg, DAY).to_pylist()}
    assert got == {}  # already decided today: nothing new; tomorrow both wait
    plan_day(book.con, cfg, renderer, DAY + timedelta(days=1))
    assert {a["suppressed_reason"] for a in book.attempts(planned_for_date=DAY + timedelta(days=1))} \
        <= {"paused_dispute"}


def test_a_hardship_request_pauses_every_ladder_but_the_offer_goes_on_its_loan(book, cfg, renderer):
    _two_loans(book)
    book.event("B1", "hardship_request", "2026-11-02T15:00:00+08:00", loan_id="L1", scope="borrower")
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))
    got = {(a["loan_id"], a["step"], a["channel"]): a["suppressed_reason"] for a in book.attempts()}
    assert got[("L1", "dpd_1", "sms")] == got[("L2", "dpd_1", "sms")] == "paused_hardship"
    assert {k[0] for k in got if k[1] == "hardship_offer"} == {"L1"}


# -- case 5: a later outcome dropped; inbound calls --------------------------------------------

@pytest.fixture
def called(con, cfg):
    """A book where one call went out on 2026-11-06 (dpd 5)."""
    b = Book(con)
    b.borrower("B1")
    b.loan("L1", "B1", [("2026-11-01", "500.00")])
    for d in range(2, 7):
        plan_day(con, cfg, EchoRenderer(), date(2026, 11, d))
        b.send_all_planned()
    b.con.execute("UPDATE contact_attempts SET contact_point = 'phone:0123456789abcdef' WHERE channel = 'call'")
    [call] = b.attempts(channel="call")
    return b, call["attempt_id"]


def test_case_5_every_dial_attempt_is_kept_and_a_later_reached_starts_the_cooldown(called, cfg, tmp_path):
    b, attempt_id = called
    f = tmp_path / "dialer.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"attempt_id": attempt_id, "dial_seq": 1, "outcome": "no_answer", "occurred_at": "2026-11-06T10:00:00+08:00"},
        {"attempt_id": attempt_id, "dial_seq": 2, "outcome": "reached", "occurred_at": "2026-11-06T14:00:00+08:00"},
        {"attempt_id": attempt_id, "outcome": "no_answer", "occurred_at": "2026-11-06T15:00:00+08:00"},
        {"attempt_id": attempt_id, "dial_seq": -1, "outcome": "reached", "occurred_at": "2026-11-06T15:00:00+08:00"},
    ]) + "\n", encoding="utf-8")
    now = datetime(2026, 11, 6, 12, tzinfo=UTC)
    first, again = ingest_call_outcomes(b.con, f, now=now), ingest_call_outcomes(b.con, f, now=now)
    assert (first.recorded, again.recorded, again.duplicates) == (3, 0, 3)
    assert "dial_seq -1 is out of range" in str(first)
    rows = b.con.execute("SELECT external_id, json_extract_string(detail, '$.outcome'), scope, contact_point "
                         "FROM borrower_events ORDER BY occurred_at").fetchall()
    assert [r[:2] for r in rows] == [(f"call:{attempt_id}:1", "no_answer"), (f"call:{attempt_id}:2", "reached"),
                                     (f"call:{attempt_id}:2026-11-06T07:00:00.000000Z", "no_answer")]
    assert {(r[2], r[3]) for r in rows} == {("loan", "phone:0123456789abcdef")}
    for d in range(7, 12):
        plan_day(b.con, cfg, EchoRenderer(), date(2026, 11, d))
        b.send_all_planned()
    calls = {a["planned_for_date"]: a["suppressed_reason"] for a in b.attempts(channel="call")
             if a["planned_for_date"] > date(2026, 11, 6)}
    assert set(calls.values()) == {"cap_call_cooldown"}, calls   # dpd_10's call waits out the cooldown


def test_an_inbound_conversation_starts_the_call_cooldown(book, cfg, tmp_path):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    f = tmp_path / "ops.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"event_id": "i1", "borrower_id": "B1", "kind": "inbound_call", "conversation": "true",
         "occurred_at": "2026-10-30T12:00:00+08:00"},
        {"event_id": "i2", "borrower_id": "B1", "kind": "inbound_call", "occurred_at": "2026-10-30T12:00:00+08:00"},
    ]) + "\n", encoding="utf-8")
    report = ingest_operator_events(book.con, f, now=datetime(2026, 11, 2, tzinfo=UTC))
    assert report.recorded == 1 and "conversation is missing" in str(report)
    got = {d["channel"]: d["suppressed_reason"] for d in decide(book.con, _first_step(cfg, "sms", "call"), DAY)
           .to_pylist()}
    assert got == {"sms": None, "call": "cap_call_cooldown"}


def test_an_inbound_call_that_was_no_conversation_starts_nothing(book, cfg):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "inbound_call", "2026-10-30T12:00:00+08:00", conversation=False)
    got = {d["channel"]: d["suppressed_reason"] for d in decide(book.con, _first_step(cfg, "sms", "call"), DAY)
           .to_pylist()}
    assert got == {"sms": None, "call": None}


# -- case 7: a required notice never reached ---------------------------------------------------

@pytest.mark.parametrize("kind, detail, reason", [
    ("cease_contact", {}, "cease_contact"),
    ("bankruptcy", {}, "bankruptcy"),
    ("breathing_space", {"until": "2027-01-31"}, "breathing_space"),
])
def test_case_7_the_ladder_reaches_a_legally_required_notice_under_a_standing_restriction(
        book, cfg, renderer, kind, detail, reason):
    day_cfg = _legal(cfg, "dpd_60_handoff")
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-09-01", "100.00")])      # seen from its first day past due
    book.event("B1", kind, "2026-09-01T12:00:00+08:00", **detail)
    day = date(2026, 9, 2)
    while day < date(2026, 11, 12):                        # every step is decided on the way to 60 dpd
        plan_day(book.con, day_cfg, renderer, day)
        book.send_all_planned()
        day += timedelta(days=1)
    esc = [a for a in book.attempts() if a["purpose"] == "escalation"]
    sent = [(a["step"], a["channel"]) for a in esc if a["status"] == "sent"]
    assert sent == [("dpd_60_handoff", "letter")]
    assert {a["suppressed_reason"] for a in esc if a["status"] == "suppressed"} == {reason}
    assert len([a for a in esc if a["step"] == "dpd_60_handoff"]) == 1   # once, never repeated
    audit = _audit(book, day_cfg, datetime(2026, 11, 12, tzinfo=UTC))
    assert audit.ok, str(audit)


def test_case_7_nothing_goes_to_a_deceased_borrower_not_even_a_required_notice(book, cfg, renderer):
    day_cfg = _legal(cfg, "dpd_60_handoff")
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-09-01", "100.00")])
    book.event("B1", "deceased", "2026-09-10T12:00:00+08:00")
    for d in range(2, 12):
        plan_day(book.con, day_cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    assert {(a["status"], a["suppressed_reason"]) for a in book.attempts()} == {("suppressed", "deceased")}


def test_without_the_legal_listing_the_handoff_is_held_back_too(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-09-01", "100.00")])
    book.event("B1", "cease_contact", "2026-09-10T12:00:00+08:00")
    for d in range(2, 12):
        plan_day(book.con, cfg, renderer, date(2026, 11, d))
        book.send_all_planned()
    assert {a["status"] for a in book.attempts()} == {"suppressed"}
    assert ("dpd_60_handoff", "letter") in {(a["step"], a["channel"]) for a in book.attempts()}
