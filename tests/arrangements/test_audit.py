"""The plan audit rules read the log on their own: each is made to fire by a contact the
planner would never make (injected into the log), and stays quiet for the log a correct run leaves."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from loan_comms.audit import run_audit
from tests.builders import ContactLog, insert

RULES = ("arrangement_no_escalation", "arrangement_holds", "reoffer_before_resume", "arrangement_no_jump")


@pytest.fixture
def log(con):
    log = ContactLog(con)
    log.borrower("B1")
    log.loan("L1", "B1", ["2026-11-01", "2026-12-01", "2027-01-01"])
    insert(con, "arrangement_loans", arrangement_id="P1", loan_id="L1", arrears=Decimal("100"))
    # before the plan: dpd_1 and dpd_3 in the episode
    log.contact("B1", "L1", "sms", "escalation", "dpd_1", "2026-11-02 10:00", episode_id="E1")
    log.contact("B1", "L1", "email", "escalation", "dpd_3", "2026-11-04 10:00", episode_id="E1")
    _plan_event(log, "arrangement_accepted", "2026-11-08 15:00")
    return log


def _plan_event(log: ContactLog, kind: str, local: str, plan: str = "P1", loan: str = "L1") -> None:
    log.event("B1", kind, local, loan_id=loan, scope="loan", detail={"arrangement_id": plan})


def _audit(log: ContactLog, cfg):
    return run_audit(log.con, cfg, now=log.at("B1", "2027-02-01 00:00"), show=5, rules=RULES)


def test_an_escalation_during_a_running_plan_fails_arrangement_no_escalation(log, cfg):
    log.contact("B1", "L1", "call", "escalation", "dpd_5", "2026-11-12 10:00", episode_id="E1")
    report = _audit(log, cfg)
    rule = report.rule("arrangement_no_escalation")
    assert rule.violations == 1 and "while plan P1 ran" in rule.rows[0]["violation"]


def test_escalation_before_the_plan_and_after_it_was_kept_is_fine(log, cfg):
    _plan_event(log, "arrangement_kept", "2027-01-09 10:00")
    log.contact("B1", "L1", "call", "escalation", "dpd_5", "2027-01-12 10:00", episode_id="E2")
    rule = _audit(log, cfg).rule("arrangement_no_escalation")
    assert rule.checked == 3 and rule.ok


def test_the_ladder_resuming_without_a_reoffer_fails_reoffer_before_resume(log, cfg):
    _plan_event(log, "arrangement_broken", "2026-12-24 00:00")
    log.contact("B1", "L1", "call", "escalation", "dpd_5", "2027-01-02 10:00", episode_id="E1")
    report = _audit(log, cfg)
    assert report.rule("reoffer_before_resume").violations == 1
    assert report.rule("arrangement_no_jump").ok, "dpd_5 is the step after dpd_3"
    assert report.rule("arrangement_no_escalation").ok, "the plan had broken"


def test_a_reoffer_sent_first_satisfies_reoffer_before_resume(log, cfg):
    _plan_event(log, "arrangement_broken", "2026-12-24 00:00")
    log.contact("B1", "L1", "sms", "follow_up", "arrangement_reoffer", "2026-12-24 10:00")
    log.contact("B1", "L1", "call", "escalation", "dpd_5", "2027-01-02 10:00", episode_id="E1")
    rule = _audit(log, cfg).rule("reoffer_before_resume")
    assert rule.checked == 1 and rule.ok


def test_resuming_at_the_step_todays_dpd_calls_for_fails_arrangement_no_jump(log, cfg):
    _plan_event(log, "arrangement_broken", "2026-12-24 00:00")
    log.contact("B1", "L1", "sms", "follow_up", "arrangement_reoffer", "2026-12-24 10:00")
    log.contact("B1", "L1", "letter", "escalation", "dpd_60_handoff", "2027-01-02 10:00", episode_id="E1")
    rule = _audit(log, cfg).rule("arrangement_no_jump")
    assert rule.violations == 1 and "the last step taken before it was 2" in rule.rows[0]["violation"]


# -- arrangement_holds: what else a plan holds (a request while it waits; reminders and offers) --------

@pytest.mark.parametrize("channel, purpose, step, rule", [
    ("sms", "reminder", "pre_due_3", "arrangement_holds"),          # the plan's own reminders replace them
    ("sms", "follow_up", "hardship_offer", "arrangement_holds"),    # a plan is agreed: no new offer
    ("sms", "follow_up", "forbearance_offer", "arrangement_no_escalation"),   # a collection follow-up
])
def test_a_held_contact_during_a_running_plan_fails_its_rule(log, cfg, channel, purpose, step, rule):
    log.contact("B1", "L1", channel, purpose, step, "2026-11-28 10:00", installment_no=2)
    report = _audit(log, cfg)
    assert {r.name for r in report.rules if not r.ok} == {rule}
    assert report.rule(rule).violations == 1 and "while plan P1 ran" in report.rule(rule).rows[0]["violation"]


@pytest.fixture
def asked(log):
    """B1's second loan L2 is covered by plan P2, asked for on Nov 20 and waiting for a reviewer."""
    log.loan("L2", "B1", ["2026-11-10", "2026-12-10"])
    insert(log.con, "arrangement_loans", arrangement_id="P2", loan_id="L2", arrears=Decimal("100"))
    _plan_event(log, "arrangement_requested", "2026-11-20 09:00", plan="P2", loan="L2")
    return log


@pytest.mark.parametrize("channel, purpose, step", [
    ("sms", "escalation", "dpd_10"),
    ("sms", "follow_up", "broken_promise"),
    ("sms", "reminder", "pre_due_3"),
    ("sms", "follow_up", "hardship_offer"),
    ("sms", "follow_up", "forbearance_offer"),
])
def test_a_held_contact_while_a_request_waits_fails_arrangement_holds(asked, cfg, channel, purpose, step):
    asked.contact("B1", "L2", channel, purpose, step, "2026-11-25 10:00", installment_no=1)
    report = _audit(asked, cfg)
    assert {r.name for r in report.rules if not r.ok} == {"arrangement_holds"}
    rule = report.rule("arrangement_holds")
    assert rule.violations == 1 and "while plan P2 waited for a decision" in rule.rows[0]["violation"]


def test_after_the_decision_or_before_the_request_nothing_is_held_by_the_request(asked, cfg):
    _plan_event(asked, "arrangement_declined", "2026-11-22 09:00", plan="P2", loan="L2")
    asked.contact("B1", "L2", "sms", "escalation", "dpd_10", "2026-11-19 10:00", installment_no=1)
    asked.contact("B1", "L2", "sms", "reminder", "pre_due_3", "2026-12-07 10:00", installment_no=2)
    asked.contact("B1", "L2", "sms", "follow_up", "arrangement_declined", "2026-11-22 10:00")
    report = _audit(asked, cfg)
    rule = report.rule("arrangement_holds")
    assert rule.ok and rule.checked == 4, "dpd_1, dpd_3 (L1), dpd_10 and pre_due_3 (L2); not the plan's own"
    assert report.ok, str(report)
