"""An agent names a contact point (`address` column of record-events): a wrong number stops SMS and
calls to it for every borrower holding it, a point_verified gives it back to that borrower only, an
opt-out with an address closes that number only; bad rows are quarantined with a masked reason."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from loan_comms.audit import run_audit
from loan_comms.inbound.events import ingest_operator_events
from loan_comms.lifecycle.planner import plan_day
from tests.builders import point, point_row

SHARED, OTHER = "+8613900000001", "+8613900000002"


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def ev(event_id: str, kind: str, borrower_id: str = "B1", at: str = "2026-11-02T14:00:00+08:00", **more) -> dict:
    return {"event_id": event_id, "borrower_id": borrower_id, "kind": kind, "occurred_at": at, **more}


def _sms_day(book, day: date) -> dict[str, tuple]:
    return {a["borrower_id"]: (a["status"], a["suppressed_reason"], a["contact_point"])
            for a in book.attempts(planned_for_date=day) if a["channel"] == "sms"}


def _audit_clean(book, cfg, now: datetime) -> None:
    book.con.execute("UPDATE contact_attempts SET decided_by_rule = coalesce(decided_by_rule, 'allowed')")
    report = run_audit(book.con, cfg, now=now, show=20)
    assert {r.name: r.rows for r in report.rules if not r.ok} == {}


def test_an_agents_wrong_number_stops_the_number_for_everyone_until_verified(book, cfg, renderer, tmp_path):
    """B1 and B2 share a number; an agent reaching B1's number hears it is someone else's: no SMS
    (nor calls) to it for either borrower (point_unusable). B1 then confirms the number is theirs
    after all: it is B1's again, and still not B2's."""
    book.borrower("B1", phone=SHARED)
    book.borrower("B2", phone=SHARED, name="Li Na")
    for b in ("B1", "B2"):
        book.loan(f"L{b}", b, [("2026-11-01", "100.00")])
        book.loan(f"M{b}", b, [("2026-11-02", "100.00")])
        book.loan(f"N{b}", b, [("2026-11-03", "100.00")])
    report = ingest_operator_events(book.con, _jsonl(tmp_path / "ops.jsonl", [
        ev("w1", "wrong_number", address="+86 139-0000-0001", channel="call", note="a restaurant answered")]),
        now=datetime(2026, 11, 2, 7, tzinfo=UTC))
    assert (report.recorded, report.quarantined) == (1, 0), str(report)
    assert book.con.execute("SELECT kind, scope, contact_point, detail FROM borrower_events").fetchall() == [
        ("wrong_number", "borrower", point("phone", SHARED), json.dumps({"note": "a restaurant answered"}))]
    plan_day(book.con, cfg, renderer, date(2026, 11, 3))     # the M loans' dpd_1 SMS
    assert _sms_day(book, date(2026, 11, 3)) == {
        "B1": ("suppressed", "point_unusable", point("phone", SHARED)),
        "B2": ("suppressed", "point_unusable", point("phone", SHARED))}

    verified = ingest_operator_events(book.con, _jsonl(tmp_path / "verify.jsonl", [
        ev("v1", "point_verified", address=SHARED, at="2026-11-03T15:00:00+08:00")]),
        now=datetime(2026, 11, 3, 8, tzinfo=UTC))
    assert verified.recorded == 1, str(verified)
    plan_day(book.con, cfg, renderer, date(2026, 11, 4))     # the N loans' dpd_1 SMS
    assert _sms_day(book, date(2026, 11, 4)) == {
        "B1": ("planned", None, point("phone", SHARED)),
        "B2": ("suppressed", "point_unusable", point("phone", SHARED))}
    book.send_all_planned()
    _audit_clean(book, cfg, datetime(2026, 11, 5, tzinfo=UTC))
    # the audit holds the agent's mark independently: an SMS to the number for B2 is a finding
    book.con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after + INTERVAL 1 HOUR "
                     "WHERE borrower_id = 'B2' AND planned_for_date = DATE '2026-11-04' AND channel = 'sms'")
    rule = run_audit(book.con, cfg, now=datetime(2026, 11, 5, tzinfo=UTC)).rule("wrong_number_honoured")
    assert rule.violations == 1


def test_an_opt_out_with_an_address_closes_that_number_only(book, cfg, renderer, tmp_path):
    """B1 asks for no texts on the home phone: SMS go to their other mobile instead (not suppressed),
    and the person's own SMS channel stays open (the event is point-scoped)."""
    book.borrower("B1", phone=SHARED)
    point_row(book.con, "B1", "phone", OTHER, place="mobile")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    report = ingest_operator_events(book.con, _jsonl(tmp_path / "ops.jsonl", [
        ev("o1", "opt_out", channel="sms", address=SHARED, at="2026-11-01T14:00:00+08:00")]),
        now=datetime(2026, 11, 1, 7, tzinfo=UTC))
    assert report.recorded == 1, str(report)
    assert book.con.execute("SELECT scope, contact_point FROM borrower_events").fetchall() == [
        ("point", point("phone", SHARED))]
    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    assert _sms_day(book, date(2026, 11, 2)) == {"B1": ("planned", None, point("phone", OTHER))}
    book.send_all_planned()
    _audit_clean(book, cfg, datetime(2026, 11, 3, tzinfo=UTC))


def test_bad_address_rows_are_quarantined_with_masked_reasons(book, tmp_path):
    book.borrower("B1", phone=SHARED)
    book.borrower("B2", phone=OTHER, name="Li Na")
    rows = [
        ev("w1", "wrong_number"),
        ev("w2", "wrong_number", address="13912345678"),
        ev("w3", "wrong_number", address="+86 123"),
        ev("w4", "wrong_number", address="someone@nowhere"),
        ev("w5", "wrong_number", address=["+8613900000001"]),
        ev("w6", "wrong_number", address=SHARED, channel="email"),
        ev("v1", "point_verified", address=OTHER),               # B2's number, not B1's
        ev("v2", "point_verified", address="b1@elsewhere.example.com"),
        ev("o1", "opt_out", channel="email", address=SHARED),
        ev("c1", "cease_contact", address=SHARED),
        ev("ok1", "wrong_number", address="B1@Example.COM "),     # B1's own e-mail (the builder's)
        ev("ok2", "point_verified", address="+86 139 0000 0001"),
        ev("ok3", "opt_in", channel="call", address=SHARED),
    ]
    report = ingest_operator_events(book.con, _jsonl(tmp_path / "ops.jsonl", rows),
                                    now=datetime(2026, 11, 2, 7, tzinfo=UTC))
    assert (report.read, report.recorded, report.quarantined) == (13, 3, 10), str(report)
    reasons = [r.split(": ", 1)[1] for r in report.rejected]
    assert reasons[0] == "address is missing (the phone in E.164, e.g. +8613812345678, or the e-mail)"
    assert reasons[1].startswith("address: malformed phone") and "must start with +" in reasons[1]
    assert reasons[2].startswith("address: malformed phone")
    assert reasons[3] == "address s***@nowhere is not an e-mail address"    # masked as everywhere (masking.py)
    assert reasons[4] == "address must be text, not a JSON list"     # the reader refuses it first
    assert reasons[5] == "channel email does not go to a phone number (address for sms, call only)"
    assert reasons[6] == reasons[7] == ("address is not a contact point of borrower 'B1' "
                                        "(add it with import-contact-points first)")
    assert reasons[8] == "channel email does not go to a phone number (address for sms, call only)"
    assert reasons[9].startswith("address is only for wrong_number, point_verified, opt_out, opt_in")
    text = str(report)
    for secret in ("13912345678", "0000001", "0000002", "someone", "elsewhere"):
        assert secret not in text
    quarantined = book.con.execute("SELECT reason FROM import_quarantine WHERE entity = 'operator_event'").fetchall()
    assert len(quarantined) == 10 and not any("13912345678" in r for (r,) in quarantined)
    got = book.con.execute("SELECT external_id, kind, contact_point, scope FROM borrower_events "
                           "ORDER BY external_id").fetchall()
    assert got == [("operator:ok1", "wrong_number", point("email", "b1@example.com"), "borrower"),
                   ("operator:ok2", "point_verified", point("phone", SHARED), "borrower"),
                   ("operator:ok3", "opt_in", point("phone", SHARED), "point")]
    again = ingest_operator_events(book.con, _jsonl(tmp_path / "ops.jsonl", rows),
                                   now=datetime(2026, 11, 2, 7, tzinfo=UTC))
    assert (again.recorded, again.duplicates) == (0, 3)


def test_recorded_at_is_the_ingests_instant(book, tmp_path):
    """The simulator's clock, not the wall clock: "recorded within N days" is judged on the log's clock."""
    book.borrower("B1", phone=SHARED)
    now = datetime(2026, 3, 2, 7, tzinfo=UTC)
    ingest_operator_events(book.con, _jsonl(tmp_path / "ops.jsonl", [
        ev("w1", "wrong_number", address=SHARED, at="2026-03-02T14:00:00+08:00")]), now=now)
    assert book.con.execute("SELECT recorded_at FROM borrower_events").fetchone()[0] == now
