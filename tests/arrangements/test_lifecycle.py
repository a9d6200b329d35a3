"""A repayment plan's life in the daily run: the ladder stops while it runs, its own reminders go,
a miss gets a kind reminder, a break a re-offer before the ladder resumes at the next step (never a
jump), a kept plan a thank-you and the loan back to normal; re-running days records nothing new."""

from __future__ import annotations

from datetime import date

from tests.arrangements.plans import add_plan, events, rows, run_days

D = date.fromisoformat
SCHEDULE = [("2026-12-10", "150.00"), ("2027-01-10", "150.00"), ("2027-02-10", "150.00")]


def _story(book):
    """B1 (cn, Shanghai) with L1 late since 11-01; the ladder climbed dpd_1, dpd_3, dpd_5 before the plan."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00"), ("2026-12-01", "100.00"), ("2027-01-01", "100.00"),
                           ("2027-02-01", "100.00"), ("2027-03-01", "100.00")])


def _escalations(book, since: str):
    return [(a["planned_for_date"], a["step"], a["status"], a["suppressed_reason"]) for a in book.attempts()
            if a["purpose"] == "escalation" and a["planned_for_date"] >= D(since)]


def test_an_active_plan_holds_the_ladder_and_the_contractual_reminders(book, cfg, renderer):
    _story(book)
    run_days(book, cfg, renderer, D("2026-11-02"), D("2026-11-08"))
    taken = [a["step"] for a in book.attempts(status="sent") if a["purpose"] == "escalation"]
    assert taken == ["dpd_1", "dpd_3", "dpd_5"]
    add_plan(book, "P1", "B1", ["L1"], decided="2026-11-08T15:00:00+08:00", schedule=SCHEDULE)
    run_days(book, cfg, renderer, D("2026-11-09"), D("2026-12-10"))
    held = _escalations(book, "2026-11-09")
    assert held and all(s == "suppressed" and r == "arrangement_active" for _, _, s, r in held)
    reminders = {(a["planned_for_date"], a["step"]): (a["status"], a["suppressed_reason"])
                 for a in book.attempts(purpose="reminder")}
    assert reminders[(D("2026-11-28"), "pre_due_3")] == ("suppressed", "arrangement_active")
    plan_steps = [(a["planned_for_date"], a["step"], a["channel"], a["installment_no"], a["status"])
                  for a in book.attempts() if a["step"].startswith("arrangement_")]
    assert (D("2026-11-09"), "arrangement_confirmed", "sms", None, "sent") in plan_steps
    assert [(d, n) for d, s, _, n, st in plan_steps if s == "arrangement_reminder"] == [
        (D("2026-12-07"), 1), (D("2026-12-10"), 1)]
