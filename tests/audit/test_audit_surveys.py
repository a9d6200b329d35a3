"""Issue 14, S1: the audit re-checks the survey policy from the log (survey_fatigue,
survey_restrictions), independently of the gate; each rule fires on a log that breaks it."""

from __future__ import annotations

from loan_comms.config import LifecycleConfig
from tests.audit.log import ContactLog, audit, fired


def test_survey_fatigue_fires_on_two_surveys_within_the_window(log: ContactLog, cfg: LifecycleConfig) -> None:
    second = log.contact("BS", "LS", "email", "survey", "survey", "2026-03-25 10:00")   # 5 days after the last
    report = audit(log, cfg)
    assert fired(report) == {"survey_fatigue"}
    rule = report.rule("survey_fatigue")
    assert rule.violations == 1 and rule.rows[0]["attempt_id"] == second
    assert "5 days after the previous one (90 required)" in rule.rows[0]["violation"]


def test_survey_fatigue_counts_local_days_not_instants(log: ContactLog, cfg: LifecycleConfig) -> None:
    # 90 local days after 20 March at 09:00 is fine even though fewer than 90x24 hours passed
    log.contact("BS", "LS", "sms", "survey", "survey", "2026-06-18 08:30")
    assert "survey_fatigue" not in fired(audit(log, cfg, now=log.at("BS", "2026-06-19 10:00")))


def test_survey_restrictions_fires_on_a_survey_during_a_complaint(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("BC")
    log.loan("LC", "BC", ["2026-03-25"])
    log.event("BC", "complaint", "2026-03-01 10:00")
    bad = log.contact("BC", "LC", "sms", "survey", "survey", "2026-03-05 10:00")
    report = audit(log, cfg)
    assert fired(report) == {"survey_restrictions"}
    row = report.rule("survey_restrictions").rows[0]
    assert row["attempt_id"] == bad and "complaint is open" in row["violation"]


def test_survey_restrictions_fires_when_another_loan_is_disputed(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("BD")
    log.loan("LD1", "BD", ["2026-03-25"])
    log.loan("LD2", "BD", ["2026-03-25"])
    log.event("BD", "dispute", "2026-03-01 10:00", loan_id="LD2", scope="loan")
    bad = log.contact("BD", "LD1", "sms", "survey", "survey", "2026-03-05 10:00")
    report = audit(log, cfg)
    assert fired(report) == {"survey_restrictions"}
    row = report.rule("survey_restrictions").rows[0]
    assert row["attempt_id"] == bad and "disputed" in row["violation"]


def test_a_resolved_dispute_no_longer_holds_surveys(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("BD")
    log.loan("LD1", "BD", ["2026-03-25"])
    log.event("BD", "dispute", "2026-03-01 10:00")
    log.event("BD", "dispute_resolved", "2026-03-03 10:00")
    log.contact("BD", "LD1", "sms", "survey", "survey", "2026-03-05 10:00")
    assert fired(audit(log, cfg)) == set()


def test_survey_restrictions_fires_on_a_survey_after_cease_contact(log: ContactLog, cfg: LifecycleConfig) -> None:
    # cease_contact_honoured checks collection contacts only, and a survey is never collection
    log.borrower("BX")
    log.loan("LX", "BX", ["2026-03-25"])
    log.event("BX", "cease_contact", "2026-03-01 10:00")
    bad = log.contact("BX", "LX", "sms", "survey", "survey", "2026-03-05 10:00")
    report = audit(log, cfg)
    assert fired(report) == {"survey_restrictions"}
    row = report.rule("survey_restrictions").rows[0]
    assert row["attempt_id"] == bad and "cease contact" in row["violation"]


def test_a_revoked_cease_contact_no_longer_holds_surveys(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("BX")
    log.loan("LX", "BX", ["2026-03-25"])
    log.event("BX", "cease_contact", "2026-03-01 10:00")
    log.event("BX", "cease_contact_revoked", "2026-03-03 10:00")
    log.contact("BX", "LX", "sms", "survey", "survey", "2026-03-05 10:00")
    assert fired(audit(log, cfg)) == set()


def test_survey_headroom_fires_on_a_survey_that_took_the_last_sms_of_seven_days(log: ContactLog,
                                                                                cfg: LifecycleConfig) -> None:
    log.borrower("BH")
    log.loan("LH", "BH", ["2026-03-25"])
    for day in range(2, 7):                                     # five SMS, then the survey: #6 of 6
        log.contact("BH", "LH", "sms", "follow_up", "payment_confirmation", f"2026-03-0{day} 10:00")
    bad = log.contact("BH", "LH", "sms", "survey", "survey", "2026-03-07 10:00")
    report = audit(log, cfg)
    assert fired(report) == {"survey_headroom"}
    row = report.rule("survey_headroom").rows[0]
    assert row["attempt_id"] == bad and "SMS #6 within 7 days (cap 6)" in row["violation"]


def test_survey_headroom_fires_on_a_survey_that_took_the_last_contact_of_its_day(log: ContactLog,
                                                                                 cfg: LifecycleConfig) -> None:
    log.borrower("BH")
    log.loan("LH", "BH", ["2026-03-25"])
    log.contact("BH", "LH", "email", "follow_up", "payment_confirmation", "2026-03-05 09:00")
    log.contact("BH", "LH", "call", "follow_up", "callback", "2026-03-05 11:00")
    bad = log.contact("BH", "LH", "sms", "survey", "survey", "2026-03-05 10:00")
    report = audit(log, cfg)
    assert fired(report) == {"survey_headroom"}
    row = report.rule("survey_headroom").rows[0]
    assert row["attempt_id"] == bad and "local day of 3 contacts (cap 3)" in row["violation"]


def test_a_survey_with_room_left_is_fine(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("BH")
    log.loan("LH", "BH", ["2026-03-25"])
    for day in range(3, 7):                                     # four SMS, then the survey: #5 of 6
        log.contact("BH", "LH", "sms", "follow_up", "payment_confirmation", f"2026-03-0{day} 10:00")
    log.contact("BH", "LH", "sms", "survey", "survey", "2026-03-07 10:00")
    assert fired(audit(log, cfg)) == set()


_ITEM = {"review_id": "RV1", "reason": "ambiguous", "candidates": [{"intent": "opt_out", "confidence": 0.5, "rule": "r"}],
         "channels": ["email"], "deadline": "2026-03-20T02:00:00+00:00"}


def test_survey_restrictions_fires_on_a_survey_while_a_review_item_is_open(log: ContactLog,
                                                                          cfg: LifecycleConfig) -> None:
    log.borrower("BR")
    log.loan("LR", "BR", ["2026-03-25"])
    log.event("BR", "review_opened", "2026-03-01 10:00", channel="email", detail=_ITEM)
    bad = log.contact("BR", "LR", "sms", "survey", "survey", "2026-03-05 10:00")
    report = audit(log, cfg)
    assert fired(report) == {"survey_restrictions"}
    row = report.rule("survey_restrictions").rows[0]
    assert row["attempt_id"] == bad and "review item" in row["violation"]


def test_a_resolved_review_item_no_longer_holds_surveys(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("BR")
    log.loan("LR", "BR", ["2026-03-25"])
    log.event("BR", "review_opened", "2026-03-01 10:00", channel="email", detail=_ITEM)
    log.event("BR", "review_resolved", "2026-03-02 10:00", detail={"review_id": "RV1"})
    log.contact("BR", "LR", "sms", "survey", "survey", "2026-03-05 10:00")
    assert fired(audit(log, cfg)) == set()
