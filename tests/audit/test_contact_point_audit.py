"""The audit judges contact points as well as borrowers (issue 11 cases 3 and 4): caps per number,
call caps by dial attempts, a STOP from a number, wrong and reassigned numbers, places the borrower
asked us not to use, and a borrower's own extra points are not third parties. Each test starts from
`clean_log` and adds the one thing a complaint would be about."""

from __future__ import annotations

import duckdb
import pytest

from loan_comms.audit import run_audit
from loan_comms.config import LifecycleConfig
from tests.audit.log import NOW, ContactLog, clean_log
from tests.builders import point, point_row

SHARED = "+8613900000001"


@pytest.fixture
def log(con: duckdb.DuckDBPyConnection) -> ContactLog:
    log = clean_log(con)
    log.borrower("F1", phone=SHARED)  # a family sharing one phone, each with a loan of their own
    log.borrower("F2", phone=SHARED)
    log.loan("LF1", "F1", ["2026-03-10"])
    log.loan("LF2", "F2", ["2026-03-10"])
    return log


def fired(log: ContactLog, cfg: LifecycleConfig) -> dict[str, list[str]]:
    report = run_audit(log.con, cfg, now=NOW, show=20)
    return {r.name: [row["violation"] for row in r.rows] for r in report.rules if not r.ok}


def test_a_shared_number_gets_one_borrowers_sms_and_contacts_caps_per_day(log, cfg):
    for b, loan in (("F1", "LF1"), ("F2", "LF2")):  # 2 each: inside each borrower's cap, 4 to the number
        log.contact(b, loan, "sms", "reminder", "pre_due_3", "2026-03-07 10:00", installment_no=1)
        log.contact(b, loan, "sms", "reminder", "pre_due_1", "2026-03-07 11:00", installment_no=1)
    found = fired(log, cfg)
    assert set(found) == {"sms_per_day", "contacts_per_day"}, found
    assert found["sms_per_day"] == ["SMS #3 to the same number on local day 2026-03-07 (cap 2)",
                                    "SMS #4 to the same number on local day 2026-03-07 (cap 2)"]
    assert found["contacts_per_day"] == ["contact #4 to the same contact point on local day 2026-03-07 (cap 3)"]


def test_a_shared_number_gets_one_borrowers_sms_cap_per_7_days(log, cfg):
    for day in range(3, 7):  # one SMS a day each: 8 to the number in 4 days
        for b, loan in (("F1", "LF1"), ("F2", "LF2")):
            log.contact(b, loan, "sms", "reminder", "pre_due_3", f"2026-03-0{day} 10:00", installment_no=1)
    found = fired(log, cfg)
    assert set(found) == {"sms_per_7_days"}, found
    assert all("to the same number within 7 days" in v for v in found["sms_per_7_days"])


def test_calls_per_7_days_count_dial_attempts_for_the_borrower_and_the_number(log, cfg):
    for day in (3, 4):  # two calls, four dial attempts each: 8 > 7
        call = log.contact("F1", "LF1", "call", "reminder", "pre_due_3", f"2026-03-0{day} 10:00", installment_no=1)
        for minute in range(4):
            log.call_outcome("F1", call, "no_answer", f"2026-03-0{day} 10:0{minute}", loan_id="LF1")
    found = fired(log, cfg)
    assert set(found) == {"calls_per_7_days"}, found
    assert found["calls_per_7_days"] == ["call attempt #8 within 7 days (cap 7)"]


def test_a_stop_from_a_number_stops_sms_to_it_for_everyone(log, cfg):
    log.event("F1", "opt_out", "2026-03-05 12:00", channel="sms", contact_point=point("phone", SHARED))
    log.contact("F2", "LF2", "sms", "reminder", "pre_due_3", "2026-03-07 10:00", installment_no=1)
    log.contact("F2", "LF2", "email", "reminder", "pre_due_3", "2026-03-07 10:00", installment_no=1)
    found = fired(log, cfg)
    assert set(found) == {"opt_out_honoured"}, found
    assert found["opt_out_honoured"][0].startswith("sent by sms to a number or address that opted out of sms")


def test_nothing_goes_to_a_wrong_number_until_it_is_verified_again(log, cfg):
    call = log.contact("F1", "LF1", "call", "reminder", "pre_due_3", "2026-03-04 10:00", installment_no=1)
    log.call_outcome("F1", call, "wrong_number", "2026-03-04 10:02", loan_id="LF1")
    bad = log.contact("F2", "LF2", "sms", "reminder", "pre_due_1", "2026-03-05 10:00", installment_no=1)
    log.event("F2", "point_verified", "2026-03-06 09:00", contact_point=point("phone", SHARED))
    log.contact("F2", "LF2", "sms", "reminder", "pre_due_1", "2026-03-07 10:00", installment_no=1)  # verified: fine
    log.contact("F1", "LF1", "sms", "reminder", "pre_due_1", "2026-03-07 10:00", installment_no=1)  # not by F1
    report = run_audit(log.con, cfg, now=NOW, show=20)
    rule = report.rule("wrong_number_honoured")
    assert {r.name for r in report.rules if not r.ok} == {"wrong_number_honoured"}
    assert [(r["attempt_id"], r["borrower_id"]) for r in rule.rows][:1] == [(bad, "F2")]
    assert rule.violations == 2 and "marked call_outcome" in rule.rows[0]["violation"]


def test_a_reassigned_number_is_a_wrong_number_from_the_day_it_changed_hands(log, cfg):
    log.event("F1", "number_reassigned", "2026-02-20 00:00", contact_point=point("phone", SHARED))
    log.contact("F1", "LF1", "sms", "reminder", "pre_due_3", "2026-03-03 10:00", installment_no=1)  # not known yet
    log.con.execute("UPDATE borrower_events SET recorded_at = ? WHERE kind = 'number_reassigned'",
                    [log.at("F1", "2026-03-04 09:00")])  # the lookup's answer arrived on 4 March
    late = log.contact("F1", "LF1", "call", "reminder", "pre_due_3", "2026-03-04 10:00", installment_no=1)
    report = run_audit(log.con, cfg, now=NOW, show=20)
    assert {r.name for r in report.rules if not r.ok} == {"wrong_number_honoured"}
    rule = report.rule("wrong_number_honoured")
    assert [r["attempt_id"] for r in rule.rows] == [late]
    assert "marked number_reassigned" in rule.rows[0]["violation"]


def test_no_contact_at_a_place_the_borrower_ruled_out(log, cfg):
    point_row(log.con, "F1", "phone", "+8613900000077", place="work")
    point_row(log.con, "F2", "phone", "+8613900000078", place="home")
    log.event("F1", "workplace_prohibited", "2026-03-02 09:00")
    log.event("F2", "contact_preference", "2026-03-02 09:00", detail={"avoid_places": ["home"]})
    log.contact("F1", "LF1", "sms", "reminder", "pre_due_3", "2026-03-07 10:00", installment_no=1,
                recipient="+8613900000077")
    log.contact("F2", "LF2", "sms", "reminder", "pre_due_3", "2026-03-07 10:00", installment_no=1,
                recipient="+8613900000078")
    found = fired(log, cfg)
    assert set(found) == {"places_avoided"}, found  # their own points: not third parties
    assert sorted(found["places_avoided"]) == ["sms to a home point the borrower asked us not to use",
                                               "sms to a work point after contact at work was prohibited"]


def test_third_parties_accepts_the_borrowers_own_points_only(log, cfg):
    point_row(log.con, "F1", "email", "f1@other.example.com")
    log.contact("F1", "LF1", "email", "reminder", "pre_due_3", "2026-03-07 10:00", installment_no=1,
                recipient="F1@Other.example.com ")
    assert fired(log, cfg) == {}
    log.contact("F2", "LF2", "email", "reminder", "pre_due_3", "2026-03-08 10:00", installment_no=1,
                recipient="f1@other.example.com")  # F1's address, not F2's
    found = fired(log, cfg)
    assert set(found) == {"third_parties"}, found
