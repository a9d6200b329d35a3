"""What providers report comes back as events we honour (issue 13): Twilio 21610 in a status
callback is an SMS opt-out for that number, a SendGrid invalid-address bounce marks the e-mail
unusable, a drop for an unsubscribed address is an opt-out; each once, and the next plan and the
audit both see it. Any receipt resolves a send whose outcome was unknown."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from loan_comms.audit import run_audit
from loan_comms.inbound import ingest_receipts
from loan_comms.inbound.receipts import _sendgrid
from loan_comms.lifecycle.planner import plan_day
from tests.audit.log import NOW as AUDIT_NOW
from tests.audit.log import clean_log, fired
from tests.builders import NOW, Book, EchoRenderer, plan, point

T0 = 1794470400  # 2026-11-11 08:00 UTC, after the 11-07 contacts went out


def _jsonl(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sent(con, cfg):
    """B1 (Shanghai) with a loan overdue soon: the 11-07 SMS and e-mail sent, with provider ids."""
    b = Book(con)
    b.borrower("B1")
    b.loan("L1", "B1", [("2026-11-10", "500.00"), ("2026-12-10", "500.00")])
    plan_day(con, cfg, EchoRenderer(), date(2026, 11, 7))
    b.send_all_planned()
    con.execute("UPDATE contact_attempts SET provider_message_id = 'SM-' || attempt_id WHERE channel = 'sms'")
    con.execute("UPDATE contact_attempts SET provider_message_id = 'SG-' || attempt_id WHERE channel = 'email'")
    [sms] = b.attempts(channel="sms")
    [email] = b.attempts(channel="email")
    return b, sms, email


def _events(con, kind):
    return con.execute("SELECT borrower_id, channel, source, contact_point, detail FROM borrower_events "
                       "WHERE kind = ?", [kind]).fetchall()


def _next_plan(con, cfg, b):
    plan_day(con, cfg, EchoRenderer(), date(2026, 12, 7))
    return {a["channel"]: (a["status"], a["suppressed_reason"]) for a in b.attempts(planned_for_date=date(2026, 12, 7))}


def test_twilio_21610_in_a_status_callback_opts_the_number_out_of_sms(con, cfg, sent, tmp_path):
    b, sms, _email = sent
    phone = con.execute("SELECT phone_e164 FROM borrowers WHERE borrower_id = 'B1'").fetchone()[0]
    drop = _jsonl(tmp_path / "twilio.jsonl", [
        {"MessageSid": sms["provider_message_id"], "MessageStatus": "sent", "Timestamp": T0},
        {"MessageSid": sms["provider_message_id"], "MessageStatus": "undelivered", "ErrorCode": "21610",
         "attempt_id": sms["attempt_id"], "To": phone},
    ])
    first = ingest_receipts(con, drop, now=NOW)
    again = ingest_receipts(con, drop, now=NOW)
    assert (first.failed, first.opt_outs, again.opt_outs, again.failed) == (1, 1, 0, 0)
    [(borrower, channel, source, cp, detail)] = _events(con, "opt_out")
    assert (borrower, channel, source, cp) == ("B1", "sms", "provider", point("phone", phone))
    assert json.loads(detail) == {"decided_by": "provider:twilio", "error_code": 21610, "via": "status callback"}
    assert "21610" in b.attempts(channel="sms")[0]["error"]
    got = _next_plan(con, cfg, b)
    assert got["sms"] == ("suppressed", "opted_out_sms") and got["email"] == ("planned", None)
    assert not b.attempts(step="opt_out_confirmation"), "Twilio refuses the number: no confirmation text"


def test_other_twilio_errors_record_nothing(con, cfg, sent, tmp_path):
    _b, sms, _email = sent
    ingest_receipts(con, _jsonl(tmp_path / "t.jsonl", [
        {"MessageSid": sms["provider_message_id"], "MessageStatus": "undelivered", "ErrorCode": "30003"}]), now=NOW)
    assert _events(con, "opt_out") == []


def test_an_invalid_address_bounce_marks_the_email_unusable_once(con, cfg, sent, tmp_path):
    b, _sms, email = sent
    address = con.execute("SELECT email FROM borrowers WHERE borrower_id = 'B1'").fetchone()[0]
    drop = _jsonl(tmp_path / "sendgrid.jsonl", [
        {"event": "processed", "sg_message_id": email["provider_message_id"] + ".filter01", "timestamp": T0},
        {"event": "bounce", "sg_message_id": email["provider_message_id"] + ".filter01", "sg_event_id": "evB1",
         "attempt_id": email["attempt_id"], "type": "bounce", "bounce_classification": "Invalid Address",
         "reason": "550 5.1.1 The email account that you tried to reach does not exist", "timestamp": T0 + 60,
         "email": address},
    ])
    first, again = ingest_receipts(con, drop, now=NOW), ingest_receipts(con, drop, now=NOW)
    assert (first.failed, first.invalid_points, again.invalid_points) == (1, 1, 0)
    [(borrower, channel, source, cp, detail)] = _events(con, "wrong_number")
    assert (borrower, channel, source, cp) == ("B1", "email", "provider", point("email", address))
    assert json.loads(detail)["decided_by"] == "provider:sendgrid" and address not in detail
    assert "invalid address" in str(first)
    got = _next_plan(con, cfg, b)
    assert got["email"] == ("suppressed", "point_unusable") and got["sms"] == ("planned", None)


@pytest.mark.parametrize("record, kind", [
    ({"event": "bounce", "type": "bounce", "bounce_classification": "Invalid Address"}, "wrong_number"),
    ({"event": "bounce", "type": "bounce"}, "wrong_number"),                 # a hard bounce, not classified
    ({"event": "bounce", "type": "bounce", "bounce_classification": "Technical"}, None),
    ({"event": "bounce", "type": "blocked", "bounce_classification": "Reputation"}, None),
    ({"event": "bounce", "reason": "550 mailbox unavailable"}, None),
    ({"event": "dropped", "reason": "Bounced Address"}, "wrong_number"),
    ({"event": "dropped", "reason": "Invalid"}, "wrong_number"),
    ({"event": "dropped", "reason": "Unsubscribed Address"}, "opt_out"),
    ({"event": "dropped", "reason": "Spam Reporting Address"}, "opt_out"),
    ({"event": "dropped", "reason": "Spam Content"}, None),
    ({"event": "unsubscribe"}, "opt_out"),
    ({"event": "group_unsubscribe", "asm_group_id": 42}, "opt_out"),
    ({"event": "spamreport"}, "opt_out"),
    ({"event": "deferred"}, None),
])
def test_which_sendgrid_events_report_on_the_person_or_the_address(record, kind):
    row, reports = _sendgrid({"sg_message_id": "M1.filter", "attempt_id": "A1", **record}, NOW)
    assert [r["kind"] for r in reports] == ([kind] if kind else [])
    assert row["status"] == {"bounce": "failed", "dropped": "failed"}.get(record["event"], "progress")


def test_a_drop_for_an_unsubscribed_address_stops_email(con, cfg, sent, tmp_path):
    b, _sms, email = sent
    drop = _jsonl(tmp_path / "sg.jsonl", [{"event": "dropped", "reason": "Unsubscribed Address",
                                          "sg_message_id": email["provider_message_id"] + ".f", "timestamp": T0}])
    first, again = ingest_receipts(con, drop, now=NOW), ingest_receipts(con, drop, now=NOW)
    assert (first.failed, first.opt_outs, again.opt_outs) == (1, 1, 0)
    assert [(r[1], r[2]) for r in _events(con, "opt_out")] == [("email", "provider")]
    assert _next_plan(con, cfg, b)["email"] == ("suppressed", "opted_out_email")


def test_any_receipt_resolves_a_send_whose_outcome_was_unknown(con, tmp_path):
    sms = plan(con, 2)
    (mail,) = plan(con, 1, channel="email", start=10)
    con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = ?, provider_message_id = 'P-' || attempt_id",
                [NOW])
    con.execute("UPDATE contact_attempts SET provider_message_id = NULL, outcome_unknown = true, "
                "error = 'outcome unknown: no answer within 10s' WHERE attempt_id IN (?, ?)", [sms[0], mail])
    drop = _jsonl(tmp_path / "r.jsonl", [
        {"MessageSid": "SMlost0001", "MessageStatus": "queued", "attempt_id": sms[0]},   # from StatusCallback ?attempt_id
        {"event": "processed", "sg_message_id": "SGlost.filter0001", "attempt_id": mail},
        {"MessageSid": "P-" + sms[1], "MessageStatus": "sent"},                          # a known send: seen, nothing else
    ])
    report = ingest_receipts(con, drop, now=NOW)
    assert (report.resolved, report.progress, report.unknown) == (2, 3, 0)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT attempt_id, status, provider_message_id, outcome_unknown, error, provider_seen_at "
        "FROM contact_attempts").fetchall()}
    assert rows[sms[0]] == ("sent", "SMlost0001", False, None, NOW)
    assert rows[mail] == ("sent", "SGlost", False, None, NOW)
    assert rows[sms[1]] == ("sent", "P-" + sms[1], False, None, NOW)

    later = NOW + timedelta(hours=1)
    again = ingest_receipts(con, drop, now=later)
    assert again.resolved == 0
    assert con.execute("SELECT count(*) FROM contact_attempts WHERE provider_seen_at = ?", [later]).fetchone()[0] == 0
    # the id it learnt is the one later receipts carry
    ingest_receipts(con, _jsonl(tmp_path / "d.jsonl", [{"MessageSid": "SMlost0001", "MessageStatus": "delivered"}]),
                    now=later)
    assert con.execute("SELECT status FROM contact_attempts WHERE attempt_id = ?", [sms[0]]).fetchone()[0] == "delivered"


def test_a_contact_to_an_address_after_the_provider_said_it_is_invalid_is_a_violation(con, cfg, tmp_path):
    log = clean_log(con)
    log.borrower("F1", email="f1@nowhere.example")
    log.loan("LF1", "F1", ["2026-03-10"])
    first = log.contact("F1", "LF1", "email", "reminder", "pre_due_3", "2026-03-07 10:00", installment_no=1)
    assert fired(run_audit(con, cfg, now=AUDIT_NOW)) == set()
    bounced_at = log.at("F1", "2026-03-07 10:05")
    ingest_receipts(con, _jsonl(tmp_path / "b.jsonl", [
        {"event": "bounce", "attempt_id": first, "type": "bounce", "bounce_classification": "Invalid Address",
         "sg_event_id": "evF1", "timestamp": int(bounced_at.timestamp())}]), now=bounced_at)
    assert fired(run_audit(con, cfg, now=AUDIT_NOW)) == set()
    late = log.contact("F1", "LF1", "email", "reminder", "pre_due_1", "2026-03-09 10:00", installment_no=1)
    report = run_audit(con, cfg, now=AUDIT_NOW, show=20)
    assert fired(report) == {"wrong_number_honoured"}
    rule = report.rule("wrong_number_honoured")
    assert [r["attempt_id"] for r in rule.rows] == [late]


def test_an_sms_after_twilio_said_the_number_unsubscribed_is_a_violation(con, cfg, tmp_path):
    log = clean_log(con)
    log.borrower("F1", phone="+8613900000091")
    log.loan("LF1", "F1", ["2026-03-10"])
    first = log.contact("F1", "LF1", "sms", "reminder", "pre_due_3", "2026-03-02 10:00", installment_no=1)
    at = log.at("F1", "2026-03-02 10:01")
    ingest_receipts(con, _jsonl(tmp_path / "t.jsonl", [
        {"MessageSid": "SMx1", "MessageStatus": "failed", "ErrorCode": 21610, "attempt_id": first,
         "Timestamp": at.isoformat()}]), now=at)
    assert fired(run_audit(con, cfg, now=AUDIT_NOW)) == set()
    late = log.contact("F1", "LF1", "sms", "reminder", "due_today", "2026-03-10 10:00", installment_no=1)
    report = run_audit(con, cfg, now=AUDIT_NOW, show=20)
    assert fired(report) == {"opt_out_honoured"}
    assert [r["attempt_id"] for r in report.rule("opt_out_honoured").rows] == [late]


def test_receipt_times_are_utc(con, sent, tmp_path):
    """A status callback's own time is the opt-out's time (not the ingest's)."""
    _b, sms, _email = sent
    ingest_receipts(con, _jsonl(tmp_path / "t.jsonl", [
        {"MessageSid": sms["provider_message_id"], "MessageStatus": "failed", "ErrorCode": "21610",
         "Timestamp": "2026-11-11T08:00:00Z"}]), now=NOW)
    (at,) = con.execute("SELECT occurred_at FROM borrower_events WHERE kind = 'opt_out'").fetchone()
    assert at == datetime(2026, 11, 11, 8, 0, tzinfo=UTC)
