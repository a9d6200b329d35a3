"""The audit's rules for bursts and visits (issue 11 case 8) fire on a bad log, and only they.

Starts from `clean_log` (which already holds a loan first seen at 30 dpd whose visit came a week
after its notice, on a Tuesday) and adds the one thing a complaint would be about.
"""

from __future__ import annotations

import pytest

from loan_comms.audit import run_audit
from loan_comms.config import LifecycleConfig

from tests.audit.log import NOW, VISIT_EPISODE, ContactLog, audit, fired


def late_loan(log: ContactLog, due: str = "2026-01-01") -> str:
    """B5's loan L5, due on `due`, first seen by the planner on 20 March (78 dpd by default)."""
    log.borrower("B5")
    log.loan("L5", "B5", [due])
    return f"L5:{due[:8]}02"


def test_a_loan_first_seen_late_may_start_at_the_step_its_dpd_calls_for(log: ContactLog, cfg: LifecycleConfig) -> None:
    ep = late_loan(log)
    log.contact("B5", "L5", "letter", "escalation", "dpd_60_handoff", "2026-03-20 10:00", episode_id=ep)
    report = audit(log, cfg)
    assert report.ok, str(report)
    assert report.rule("ladder_order").checked >= 1


def test_a_late_loan_may_not_pass_a_legally_required_step(log: ContactLog, cfg: LifecycleConfig) -> None:
    """dpd_20 listed as legally required: a late entry must serve it before the hand-off."""
    required = cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"legally_required_steps": ("dpd_20",)})})
    ep = late_loan(log)
    handoff = log.contact("B5", "L5", "letter", "escalation", "dpd_60_handoff", "2026-03-20 10:00", episode_id=ep)
    report = audit(log, required)
    assert fired(report) == {"ladder_order"}
    rows = {r["attempt_id"]: r["violation"] for r in report.rule("ladder_order").rows if r["loan_id"] == "L5"}
    assert rows == {handoff: "step dpd_60_handoff skipped the previous ladder step (the episode was first seen at 78 dpd)"}
    # BV's visit (first seen at 30 dpd) and BHO's hand-off letter (71 dpd) passed dpd_20 too: now that it
    # is required, that is a finding
    assert {r["loan_id"] for r in report.rule("ladder_order").rows} == {"L5", "LV", "LHO"}


def test_a_loan_seen_on_time_may_not_jump(log: ContactLog, cfg: LifecycleConfig) -> None:
    """Seen at 1 dpd (its first row, suppressed, says so), the episode must climb every step."""
    ep = late_loan(log, due="2026-03-19")
    log.contact("B5", "L5", "sms", "escalation", "dpd_1", "2026-03-20 10:00", episode_id=ep, status="suppressed",
                suppressed_reason="paused_dispute")
    log.contact("B5", "L5", "email", "escalation", "dpd_3", "2026-03-22 10:00", episode_id=ep)
    jump = log.contact("B5", "L5", "letter", "escalation", "dpd_20", "2026-03-24 10:00", episode_id=ep)
    report = audit(log, cfg)
    assert fired(report) == {"ladder_order"}
    assert [r["attempt_id"] for r in report.rule("ladder_order").rows] == [jump]


def test_ladder_pacing_fires_on_a_catch_up_burst(log: ContactLog, cfg: LifecycleConfig) -> None:
    """A step a day (the old catch-up) breaks min_days_between_steps = 2."""
    ep = late_loan(log, due="2026-03-01")
    log.contact("B5", "L5", "sms", "escalation", "dpd_1", "2026-03-02 10:00", episode_id=ep)
    log.contact("B5", "L5", "email", "escalation", "dpd_3", "2026-03-04 10:00", episode_id=ep)
    burst = log.contact("B5", "L5", "call", "escalation", "dpd_5", "2026-03-05 10:00", episode_id=ep)
    report = audit(log, cfg)
    assert fired(report) == {"ladder_pacing"}
    [row] = report.rule("ladder_pacing").rows
    assert (row["attempt_id"], row["violation"]) == (burst, "step dpd_5 1 day(s) after step dpd_3 (at least 2 apart)")
    wider = cfg.model_copy(update={"ladder_pacing": cfg.ladder_pacing.model_copy(
        update={"min_days_between_steps": 3})})
    assert audit(log, wider).rule("ladder_pacing").violations > 1  # the clean ladder too is then too fast


def test_visit_notice_fires_on_a_visit_without_notice(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.con.execute("DELETE FROM contact_attempts WHERE step = 'visit_notice'")
    report = audit(log, cfg)
    assert fired(report) == {"visit_notice"}
    [row] = report.rule("visit_notice").rows
    assert row["violation"] == "visit on local day 2026-03-10 with no notice sent before it"


def test_visit_notice_fires_on_a_notice_too_short(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.con.execute("DELETE FROM contact_attempts WHERE step = 'visit_notice'")
    log.contact("BV", "LV", "letter", "follow_up", "visit_notice", "2026-03-06 10:00", installment_no=1,
                episode_id=VISIT_EPISODE)
    report = audit(log, cfg)
    assert fired(report) == {"visit_notice"}
    assert [r["violation"] for r in report.rule("visit_notice").rows] == ["visit 4 day(s) after its notice (at least 7)"]


@pytest.mark.parametrize("day, why, also", [
    # no visit plan would have assigned it a pair (the log's plan assigns visits since 10 March): visit_pair too
    ("2026-03-14 10:00", "visit on a Saturday, not a working day", {"visit_pair"}),
    # a collection contact on a holiday: the holidays rule finds it too
    ("2026-04-06 10:00", "visit on a public holiday: CN: Tomb-Sweeping Day (observed)", {"holidays", "visit_pair"}),
])
def test_visit_working_days_fires_on_a_weekend_or_a_holiday(log: ContactLog, cfg: LifecycleConfig, day: str,
                                                             why: str, also: set[str]) -> None:
    log.con.execute("DELETE FROM contact_attempts WHERE step = 'dpd_30' AND status = 'delivered'")
    visit = log.contact("BV", "LV", "visit", "escalation", "dpd_30", day, installment_no=1, episode_id=VISIT_EPISODE)
    log.visit_outcome("BV", visit, "not_home", day[:11] + "11:00", loan_id="LV")   # recorded in full
    report = audit(log, cfg)
    assert fired(report) == {"visit_working_days"} | also
    assert [r["violation"] for r in report.rule("visit_working_days").rows] == [why]


def test_visit_collectors_is_exercised_and_quiet_on_the_clean_log(log: ContactLog, cfg: LifecycleConfig) -> None:
    report = audit(log, cfg)
    assert report.ok, str(report)
    assert report.rule("visit_collectors").checked == 1


def _bv_visit(log: ContactLog) -> str:
    [(visit,)] = log.con.execute("SELECT attempt_id FROM contact_attempts WHERE channel = 'visit' "
                                 "AND sent_at IS NOT NULL").fetchall()
    return str(visit)


def test_visit_collectors_fires_on_a_visit_with_one_collector(log: ContactLog, cfg: LifecycleConfig) -> None:
    """A second report of the same visit names one collector: recorded, and a finding."""
    visit = _bv_visit(log)
    log.visit_outcome("BV", visit, "promise_to_pay", "2026-03-10 11:30", loan_id="LV", collectors=("FC01",))
    report = audit(log, cfg)
    assert fired(report) == {"visit_collectors", "visit_pair"}   # one collector: not the assigned pair either
    [row] = report.rule("visit_collectors").rows
    assert (row["attempt_id"], row["violation"]) == (visit, "visit outcome recorded with 1 collector(s) present "
                                                            "(at least 2)")
    one = cfg.model_copy(update={"visits": cfg.visits.model_copy(update={"min_collectors": 1})})
    assert fired(audit(log, one)) == {"visit_pair"}   # one is enough for the count, but FC02 was assigned too


def test_visit_collectors_fires_on_an_outcome_never_or_late_recorded(log: ContactLog,
                                                                     cfg: LifecycleConfig) -> None:
    visit = _bv_visit(log)
    log.con.execute("DELETE FROM borrower_events WHERE kind = 'visit_outcome'")
    report = audit(log, cfg)
    assert fired(report) == {"visit_collectors"}
    assert [r["violation"] for r in report.rule("visit_collectors").rows] == [
        "no outcome recorded for the visit within 2 day(s)"]
    # not yet a finding while the two days have not passed
    assert run_audit(log.con, cfg, now=log.at("BV", "2026-03-12 09:00"), show=20).rule("visit_collectors").ok
    log.visit_outcome("BV", visit, "met", "2026-03-10 11:00", loan_id="LV", recorded="2026-03-13 09:00")
    report = audit(log, cfg)
    assert fired(report) == {"visit_collectors"}
    assert [r["violation"] for r in report.rule("visit_collectors").rows] == [
        "visit outcome first recorded 2026-03-13 01:00 UTC, more than 2 day(s) after the visit"]
    longer = cfg.model_copy(update={"visits": cfg.visits.model_copy(update={"outcome_within_days": 3})})
    assert audit(log, longer).ok


def _notice_then_no_pair(log: ContactLog, *, plan_row: bool) -> str:
    """BN (no city on file) was sent the letter announcing a visit on 3 March, and the visit was then
    never made: no pair of field agents could make it (no_field_pair, on the contact or on its plan row)."""
    log.borrower("BN")
    log.loan("LN", "BN", ["2026-02-01"])
    episode = "LN:2026-02-02"
    notice = log.contact("BN", "LN", "letter", "follow_up", "visit_notice", "2026-03-03 10:00", installment_no=1,
                         episode_id=episode)
    visit = log.contact("BN", "LN", "visit", "escalation", "dpd_30", "2026-03-10 10:00", installment_no=1,
                        episode_id=episode, status="suppressed",
                        suppressed_reason="visit_unannounced" if plan_row else "no_field_pair")
    if plan_row:   # the reason only on the visit plan's row (the contact says something else)
        log.con.execute("INSERT INTO visit_assignments (attempt_id, plan_date, borrower_id, loan_id, carried_days, "
                        "outcome, reason, recorded_at) VALUES (?, DATE '2026-03-10', 'BN', 'LN', 0, 'carried', "
                        "'no_field_pair', ?)", [visit, log.at("BN", "2026-03-10 07:00")])
    return notice


@pytest.mark.parametrize("plan_row", [False, True])
def test_visit_notice_no_pair_fires_on_a_notice_sent_for_a_visit_no_pair_could_make(log: ContactLog,
                                                                                     cfg: LifecycleConfig,
                                                                                     plan_row: bool) -> None:
    """The defect no_field_pair now prevents at the gate: the notice went, then the visit ended
    no_field_pair and was never made. On the clean log the rule checks BV's notice and is quiet."""
    before = audit(log, cfg)
    clean = before.rule("visit_notice_no_pair")
    assert (clean.checked, clean.violations) == (1, 0)
    notice = _notice_then_no_pair(log, plan_row=plan_row)
    report = audit(log, cfg)
    # only this rule changes its verdict (compared with the clean log's own, whatever that is)
    assert fired(report) == fired(before) | {"visit_notice_no_pair"}
    [row] = report.rule("visit_notice_no_pair").rows
    assert (row["attempt_id"], row["violation"]) == (
        notice, "visit notice sent on local day 2026-03-03 but its visit was never made: no pair of field agents "
                "could make it (no_field_pair on 2026-03-10)")


def test_visit_notice_no_pair_is_quiet_when_the_notice_was_withheld(log: ContactLog, cfg: LifecycleConfig) -> None:
    """The fixed planner's log: the notice suppressed no_field_pair (never sent), the visit too."""
    before = audit(log, cfg)
    _notice_then_no_pair(log, plan_row=False)
    log.con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'no_field_pair', "
                    "sent_at = NULL WHERE borrower_id = 'BN' AND step = 'visit_notice'")
    report = audit(log, cfg)
    assert fired(report) == fired(before) and report.rule("visit_notice_no_pair").ok, str(report)
    assert report.rule("visit_notice_no_pair").checked == 1   # BV's notice; BN's never went
