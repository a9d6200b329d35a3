"""Audit rule experiment_arm_honoured: a log whose arms do not match the draw, the dates or a stop is
caught, each way it can go wrong; an honest log passes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from loan_comms.audit.runner import run_audit
from loan_comms.lifecycle.planner import plan_day
from tests.experiments.test_arms import borrower_in, experiments_cfg

RULE = ("experiment_arm_honoured",)


@pytest.fixture
def planned(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch)
    champ, fewer = borrower_in("champion"), borrower_in("fewer")
    for b in (champ, fewer):
        book.borrower(b)
        book.loan(f"L{b}", b, [("2026-11-01", "500.00")])
    for i in range(1, 7):
        plan_day(book.con, cfg, renderer, date(2026, 11, 1) + timedelta(days=i))
        book.send_all_planned()
    assert run_audit(book.con, cfg, rules=RULE).violations == 0
    return book, cfg, champ, fewer


def violations(book, cfg) -> list[str]:
    report = run_audit(book.con, cfg, rules=RULE, keep_tables=True)
    return [r[0] for r in book.con.execute("SELECT violation FROM audit_rows WHERE violation IS NOT NULL").fetchall()] \
        if report.violations else []


def test_an_assignment_that_is_not_the_draw(planned):
    book, cfg, champ, _ = planned
    book.con.execute("UPDATE experiment_assignments SET arm = 'fewer' WHERE borrower_id = ?", [champ])
    book.con.execute("UPDATE contact_attempts SET arm = 'fewer' WHERE borrower_id = ?", [champ])
    got = violations(book, cfg)
    assert got and all("but the draw gives champion" in v for v in got)


def test_a_contact_under_another_arm(planned):
    book, cfg, champ, _ = planned
    book.con.execute("UPDATE contact_attempts SET arm = 'fewer' WHERE borrower_id = ? AND step = 'dpd_3'", [champ])
    assert violations(book, cfg) == ["planned under arm fewer, but the borrower is in arm champion"]


def test_a_contact_that_names_no_experiment(planned):
    book, cfg, _, fewer = planned
    book.con.execute("UPDATE contact_attempts SET experiment = NULL, arm = NULL WHERE borrower_id = ? "
                     "AND step = 'dpd_5'", [fewer])
    assert violations(book, cfg) == ["the borrower is in experiment fewer_contacts but the contact names none"]


def test_a_challenger_contact_after_the_arm_stopped(planned):
    book, cfg, _, fewer = planned
    book.con.execute("INSERT INTO experiment_arms VALUES ('fewer_contacts', 'fewer', DATE '2026-11-04', "
                     "'complaint_rate', NULL, now())")
    got = violations(book, cfg)   # dpd_5 went on 11-06 under 'fewer', after the stop of 11-04
    assert got == ["planned under arm fewer after the borrower left it (2026-11-04)"]


def test_a_challenger_taking_a_step_its_arm_skips(planned):
    book, cfg, champ, fewer = planned
    book.con.execute("UPDATE contact_attempts SET step = 'dpd_3' WHERE borrower_id = ? AND step = 'dpd_5'", [fewer])
    assert violations(book, cfg) == ["step dpd_3 by call is not what arm fewer proposes"]


def test_a_contact_naming_an_experiment_the_borrower_was_never_in(planned):
    book, cfg, _, _ = planned
    book.borrower("OUT")
    book.contact(attempt_id="x1", idempotency_key="k-x1", borrower_id="OUT", loan_id="LOUT", channel="sms",
                 purpose="reminder", step="pre_due_3", status="sent", planned_for_date=date(2026, 11, 3),
                 created_at="2026-11-03T01:00:00Z", updated_at="2026-11-03T01:00:00Z",
                 experiment="fewer_contacts", arm="fewer")
    got = violations(book, cfg)
    assert got == ["names experiment fewer_contacts on 2026-11-03, but the borrower was not assigned to it then"]
