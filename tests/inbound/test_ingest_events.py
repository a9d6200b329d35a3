"""Call outcomes and operator events: recorded once, bad rows named, never attached to strangers."""

from __future__ import annotations

import json
from datetime import date

import pytest

from loan_comms import db
from loan_comms.config import load_config
from loan_comms.inbound.events import ingest_call_outcomes, ingest_operator_events
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book, EchoRenderer


@pytest.fixture
def called(con, cfg):
    """A book where one call went out on 2026-11-06 (dpd 5)."""
    b = Book(con)
    b.borrower("B1")
    b.loan("L1", "B1", [("2026-11-01", "500.00")])
    for d in range(2, 7):
        plan_day(con, cfg, EchoRenderer(), date(2026, 11, d))
        b.send_all_planned()
    [call] = b.attempts(channel="call")
    return b, call["attempt_id"]


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) if isinstance(r, dict) else r for r in rows), encoding="utf-8")
    return path


def test_call_outcomes_recorded_once_and_bad_rows_named(called, tmp_path):
    b, attempt_id = called
    f = write_jsonl(tmp_path / "dialer.jsonl", [
        {"attempt_id": attempt_id, "outcome": "promise_to_pay", "occurred_at": "2026-11-06T10:00:00+08:00",
         "promised_date": "2026-11-10", "amount": "500"},
        {"attempt_id": "nope", "outcome": "reached", "occurred_at": "2026-11-06T10:00:00+08:00"},
        {"attempt_id": attempt_id, "outcome": "shouted", "occurred_at": "2026-11-06T10:00:00+08:00"},
        "{not json",
    ])
    first = ingest_call_outcomes(b.con, f)
    again = ingest_call_outcomes(b.con, f)
    assert (first.read, first.recorded, len(first.rejected)) == (4, 1, 3)
    assert "line 2: attempt_id 'nope' is not a call we made" in str(first)
    assert "line 3: outcome 'shouted'" in str(first)
    assert "line 4: not JSON" in str(first)
    assert again.recorded == 0 and again.duplicates == 1
    [(kind, detail, loan)] = b.con.execute("SELECT kind, detail, loan_id FROM borrower_events").fetchall()
    assert kind == "call_outcome" and loan == "L1" and json.loads(detail)["promised_date"] == "2026-11-10"


def test_promise_from_a_call_pauses_the_ladder_until_the_day_after(called, tmp_path):
    b, attempt_id = called
    ingest_call_outcomes(b.con, write_jsonl(tmp_path / "d.jsonl", [
        {"attempt_id": attempt_id, "outcome": "promise_to_pay", "occurred_at": "2026-11-06T10:00:00+08:00",
         "promised_date": "2026-11-12", "amount": "500"}]))
    cfg = load_config()
    reasons = {}
    for d in range(7, 16):
        plan_day(b.con, cfg, EchoRenderer(), date(2026, 11, d))
        b.send_all_planned()
        reasons[d] = {(a["step"], a["status"], a["suppressed_reason"])
                      for a in b.attempts(planned_for_date=date(2026, 11, d))}
    assert ("dpd_10", "suppressed", "paused_promise") in reasons[11]
    assert ("dpd_10", "suppressed", "paused_promise") in reasons[13]   # promised date + 1
    assert ("broken_promise", "sent", None) in reasons[14]            # promise broken: follow-up...
    assert ("dpd_10", "sent", None) in reasons[14]                    # ...and the ladder resumes


def test_operator_events_validate_kind_borrower_and_loan(called, tmp_path):
    b, _ = called
    f = write_jsonl(tmp_path / "ops.jsonl", [
        {"event_id": "e1", "borrower_id": "B1", "kind": "cease_contact", "occurred_at": "2026-11-06T12:00:00Z"},
        {"event_id": "e2", "borrower_id": "B9", "kind": "cease_contact", "occurred_at": "2026-11-06T12:00:00Z"},
        {"event_id": "e3", "borrower_id": "B1", "kind": "dispute", "occurred_at": "2026-11-06T12:00:00Z"},
        {"event_id": "e4", "borrower_id": "B1", "kind": "opt_out", "occurred_at": "2026-11-06T12:00:00Z"},
        {"borrower_id": "B1", "kind": "opt_out", "channel": "sms", "occurred_at": "2026-11-06T12:00:00Z"},
        {"event_id": "e6", "borrower_id": "B1", "kind": "opt_in", "channel": "sms", "occurred_at": "2026-11-06 12:00"},
    ])
    report = ingest_operator_events(b.con, f)
    text = str(report)
    assert report.recorded == 2  # e1, and e3: a dispute naming no loan is borrower-wide (kinds.py)
    assert "borrower_id 'B9' is unknown" in text
    assert "opt_out needs a channel" in text
    assert "event_id is missing" in text
    assert "has no timezone offset" in text


def test_email_unsubscribe_from_the_provider_stops_email_but_not_sms(tmp_path):
    from loan_comms.inbound.receipts import ingest_receipts

    con = db.connect()
    b = Book(con)
    b.borrower("B1")
    b.loan("L1", "B1", [("2026-11-10", "500.00"), ("2026-12-10", "500.00")])
    cfg = load_config()
    plan_day(con, cfg, EchoRenderer(), date(2026, 11, 7))
    b.send_all_planned()
    [email] = b.attempts(channel="email")
    events = write_jsonl(tmp_path / "sendgrid.jsonl", [
        {"event": "unsubscribe", "attempt_id": email["attempt_id"], "sg_event_id": "ev1", "timestamp": 1794470400},
        {"event": "unsubscribe", "attempt_id": "nobody", "sg_event_id": "ev2", "timestamp": 1794470400},
    ])
    first, again = ingest_receipts(con, events), ingest_receipts(con, events)
    assert (first.opt_outs, again.opt_outs) == (1, 0), "recorded once; an unknown message is skipped"
    [(kind, channel)] = con.execute("SELECT kind, channel FROM borrower_events").fetchall()
    assert (kind, channel) == ("opt_out", "email")
    plan_day(con, cfg, EchoRenderer(), date(2026, 12, 7))
    got = {a["channel"]: (a["status"], a["suppressed_reason"]) for a in b.attempts(planned_for_date=date(2026, 12, 7))}
    # (L1 first seen overdue on 12-07, at 27 dpd: its ladder starts at the dpd_20 letter, issue 11 case 8)
    assert got == {"email": ("suppressed", "opted_out_email"), "sms": ("planned", None), "letter": ("planned", None)}
    con.close()
