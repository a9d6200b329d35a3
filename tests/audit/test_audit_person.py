"""The audit's rules for where the person is (issue 11, part B), each made to fire on a bad log:
quiet hours in every plausible zone, vulnerable limits, contact preferences."""

from __future__ import annotations


from loan_comms.config import LifecycleConfig
from tests.audit.log import NOW, ContactLog, audit, fired


def test_quiet_hours_every_zone_fires_on_the_phone_zone(log: ContactLog, cfg: LifecycleConfig) -> None:
    # Case 1: on file in New York (us), phone in Los Angeles: 09:00 New York is 06:00 Los Angeles.
    log.borrower("BNY", tz="America/New_York", jurisdiction="us", phone="+12135550123")
    log.loan("LNY", "BNY", ["2026-03-20"])
    early = log.contact("BNY", "LNY", "sms", "reminder", "pre_due_3", "2026-03-17 09:00", installment_no=1)
    report = audit(log, cfg)
    assert fired(report) == {"quiet_hours_every_zone"}          # the zone on file alone sees nothing wrong
    rule = report.rule("quiet_hours_every_zone")
    assert [r["attempt_id"] for r in rule.rows] == [early]
    assert "06:00 in America/Los_Angeles" in rule.rows[0]["violation"]
    assert "+1213" not in str(rule.rows)                          # no phone number in the findings


def test_quiet_hours_every_zone_fires_on_the_phone_countrys_profile(log: ContactLog, cfg: LifecycleConfig) -> None:
    # Case 2: cn on file in New York with a +1 phone: the us profile applies too, its window ends at 21:00.
    log.borrower("BCN", tz="America/New_York", jurisdiction="cn", phone="+12125550100")
    log.loan("LCN", "BCN", ["2026-03-20"])
    log.contact("BCN", "LCN", "sms", "reminder", "pre_due_3", "2026-03-17 21:30", installment_no=1,
                window=("08:00", "22:00"))
    report = audit(log, cfg)
    assert fired(report) == {"quiet_hours_every_zone"}
    assert "profiles cn,us" in report.rule("quiet_hours_every_zone").rows[0]["violation"]


def test_quiet_hours_every_zone_uses_the_jurisdictions_zones_for_a_derived_timezone(
        log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("BD", tz="America/New_York", jurisdiction="us", phone="+12125550100")
    log.con.execute("UPDATE borrowers SET timezone_source = 'jurisdiction' WHERE borrower_id = 'BD'")
    log.loan("LD", "BD", ["2026-03-20"])
    log.contact("BD", "LD", "email", "reminder", "pre_due_3", "2026-03-17 08:30", installment_no=1)
    report = audit(log, cfg)
    assert fired(report) == {"quiet_hours_every_zone"}           # 05:30 in Los Angeles, 02:30 in Honolulu
    assert "Pacific/Honolulu" in report.rule("quiet_hours_every_zone").rows[0]["violation"]


def test_vulnerable_limits_fire_on_a_call_and_a_second_contact(log: ContactLog, cfg: LifecycleConfig) -> None:
    call = log.contact("BVU", "LVU", "call", "reminder", "pre_due_1", "2026-03-09 10:00", installment_no=1)
    second = log.contact("BVU", "LVU", "email", "reminder", "pre_due_3", "2026-03-07 11:00", installment_no=1)
    report = audit(log, cfg)
    assert fired(report) == {"vulnerable_limits"}
    rows = {r["attempt_id"]: r["violation"] for r in report.rule("vulnerable_limits").rows}
    assert "call while the borrower is flagged vulnerable" in rows[call]
    assert "contact 2 of local day" in rows[second]


def test_vulnerable_limits_end_with_vulnerable_ended(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("BVU", "vulnerable_ended", "2026-03-08 09:00")
    log.contact("BVU", "LVU", "call", "reminder", "pre_due_1", "2026-03-09 10:00", installment_no=1)
    assert audit(log, cfg).ok


def test_preferences_honoured_fires_on_an_avoided_channel_and_outside_the_hours(
        log: ContactLog, cfg: LifecycleConfig) -> None:
    call = log.contact("BP", "LP", "call", "reminder", "pre_due_1", "2026-03-09 10:00", installment_no=1)
    late = log.contact("BP", "LP", "sms", "reminder", "due_today", "2026-03-10 20:30", installment_no=1)
    report = audit(log, cfg)
    assert fired(report) == {"preferences_honoured"}
    rows = {r["attempt_id"]: r["violation"] for r in report.rule("preferences_honoured").rows}
    assert "call is a channel the borrower asked us not to use" in rows[call]
    assert "outside the preferred 09:00-20:00" in rows[late]
