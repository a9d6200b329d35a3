"""A repayment plan's life in the daily run: the ladder stops while it runs, its own reminders go,
a miss gets a kind reminder, a break a re-offer before the ladder resumes at the next step (never a
jump), a kept plan a thank-you and the loan back to normal; re-running days records nothing new."""

from __future__ import annotations

import json
from datetime import date

from loan_comms.audit import run_audit
from loan_comms.lifecycle.planner import plan_day
from tests.arrangements.plans import add_plan, events, rows, run_days

D = date.fromisoformat
AUDIT = ("arrangement_no_escalation", "arrangement_holds", "reoffer_before_resume", "arrangement_no_jump", "ladder_order",
         "ladder_pacing", "paid_means_stop")
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


def _plan_steps(book):
    return [(a["planned_for_date"], a["step"], a["installment_no"], a["status"])
            for a in book.attempts(channel="sms") if a["step"].startswith("arrangement_")]


def _counts(book):
    return {t: book.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("contact_attempts", "borrower_events", "arrangement_exports")}


def test_a_broken_plan_is_reoffered_then_the_ladder_resumes_at_the_next_step(book, cfg, renderer):
    _story(book)
    run_days(book, cfg, renderer, D("2026-11-02"), D("2026-11-08"))
    add_plan(book, "P1", "B1", ["L1"], decided="2026-11-08T15:00:00+08:00", schedule=SCHEDULE)
    run_days(book, cfg, renderer, D("2026-11-09"), D("2026-12-31"))
    steps = _plan_steps(book)
    assert (D("2026-12-12"), "arrangement_missed", 1, "sent") in steps, "a kind reminder 2 days after the miss"
    assert (D("2026-12-24"), "arrangement_reoffer", 1, "sent") in steps, "the re-offer on the day it broke"
    assert [k for k, _ in events(book)] == ["arrangement_missed", "arrangement_broken"]
    assert events(book)[1][1] == "arr:P1:broken"
    export = rows(book, "SELECT export_id, event, payload FROM arrangement_exports")
    assert [(x["export_id"], x["event"]) for x in export] == [("P1:broken", "broken")]
    payload = json.loads(export[0]["payload"])
    assert payload["loan_ids"] == ["L1"] and payload["occurred_on"] == "2026-12-24" and len(payload["schedule"]) == 3
    assert "Wang" not in export[0]["payload"]
    after = _escalations(book, "2026-12-24")
    waiting = [(d, r) for d, _, s, r in after if d < D("2026-12-31")]
    assert waiting and all(r == "awaiting_reoffer" for _, r in waiting), "the ladder waits reoffer_wait_days"
    resumed = {(d, step) for d, step, s, _ in after if s == "sent"}
    assert resumed == {(D("2026-12-31"), "dpd_10")}, "the step after dpd_5, not the 60-day hand-off its dpd calls for"
    report = run_audit(book.con, cfg, rules=AUDIT)
    assert report.ok, str(report)
    # replay: re-running a planned day, in any order, records nothing new
    before = _counts(book)
    for day in (D("2026-12-24"), D("2026-11-20"), D("2026-12-31")):
        plan_day(book.con, cfg, renderer, day)
    assert _counts(book) == before


def test_a_kept_plan_thanks_the_borrower_and_the_loan_is_current_again(book, cfg, renderer):
    _story(book)
    run_days(book, cfg, renderer, D("2026-11-02"), D("2026-11-08"))
    # a reduced plan: 3 x 60 replaces the 400 falling due by its end (the ledger defers the rest)
    add_plan(book, "P1", "B1", ["L1"], decided="2026-11-08T15:00:00+08:00", kind="reduced_payment",
             option_id="reduced_50_6", schedule=[(d, "60.00") for d, _ in SCHEDULE])
    book.pay("L1", "60.00", "2026-12-09T10:00:00+08:00")
    book.pay("L1", "60.00", "2027-01-09T10:00:00+08:00")
    book.pay("L1", "60.00", "2027-02-08T10:00:00+08:00")
    for day in ("2026-11-09", "2026-12-07", "2026-12-10", "2027-01-07", "2027-01-10", "2027-02-07", "2027-02-09",
                "2027-02-10", "2027-02-26"):
        run_days(book, cfg, renderer, D(day), D(day))
    steps = _plan_steps(book)
    assert (D("2027-02-09"), "arrangement_kept", None, "sent") in steps
    assert not [s for s in steps if s[1] in ("arrangement_missed", "arrangement_reoffer")]
    assert sorted(x for _, x in events(book)) == ["arr:P1:kept", "arr:P1:payment:1", "arr:P1:payment:2",
                                                  "arr:P1:payment:3"], "kept at the instant of the last payment"
    assert [x["export_id"] for x in rows(book, "SELECT export_id FROM arrangement_exports")] == ["P1:kept"]
    episodes = rows(book, "SELECT closed_on FROM delinquency_episodes WHERE loan_id = 'L1' ORDER BY opened_on")
    assert episodes == [{"closed_on": D("2027-02-09")}], "the installments the plan replaced are settled"
    assert book.con.execute("SELECT count(*) FROM loan_state WHERE dpd > 0").fetchone()[0] == 0
    normal = {(a["planned_for_date"], a["step"]): a["status"] for a in book.attempts(purpose="reminder")}
    assert normal[(D("2027-02-26"), "pre_due_3")] == "sent", "the next installment's reminders are normal again"
    assert run_audit(book.con, cfg, rules=AUDIT).ok


def test_a_pending_review_holds_the_ladder(book, cfg, renderer):
    _story(book)
    run_days(book, cfg, renderer, D("2026-11-02"), D("2026-11-08"))
    add_plan(book, "P1", "B1", ["L1"], decided=None, status="pending_review",
             requested="2026-11-08T15:00:00+08:00", schedule=SCHEDULE)
    run_days(book, cfg, renderer, D("2026-11-09"), D("2026-11-12"))
    held = _escalations(book, "2026-11-09")
    assert held and {r for *_, r in held} == {"arrangement_active"}
    assert not _plan_steps(book), "nothing to confirm yet"
    report = run_audit(book.con, cfg, rules=AUDIT)
    assert report.ok and report.rule("arrangement_holds").checked > 0, str(report)
