"""A request declined after a break holds nothing (review finding 4): asked for after the plan broke
and before the re-offer went, then declined, it neither stops the re-offer nor keeps the ladder
waiting for it forever; the ladder resumes reoffer_wait_days after the re-offer."""

from __future__ import annotations

from tests.arrangements.plans import add_plan, run_days
from tests.arrangements.test_lifecycle import D, SCHEDULE, _escalations, _plan_steps, _story


def test_a_declined_request_between_break_and_reoffer_holds_nothing(book, cfg, renderer):
    _story(book)
    run_days(book, cfg, renderer, D("2026-11-02"), D("2026-11-08"))
    add_plan(book, "P1", "B1", ["L1"], decided="2026-11-08T15:00:00+08:00", schedule=SCHEDULE)
    run_days(book, cfg, renderer, D("2026-11-09"), D("2026-12-23"))
    # P1 is short and breaks on Dec 24 (the day's plan sees up to clock.plan_instant); on Dec 23 the
    # borrower asks for another plan, which a reviewer declines within the hour: newer than P1, before
    # the re-offer
    add_plan(book, "P2", "B1", ["L1"], decided="2026-12-23T10:00:00+08:00", status="declined",
             requested="2026-12-23T09:00:00+08:00", schedule=SCHEDULE)
    run_days(book, cfg, renderer, D("2026-12-24"), D("2027-01-02"))
    reoffers = [(d, st) for d, s, _, st in _plan_steps(book) if s == "arrangement_reoffer"]
    assert reoffers and reoffers[0] == (D("2026-12-24"), "sent"), "the declined request does not stop the re-offer"
    resumed = {d for d, _, s, _ in _escalations(book, "2026-12-24") if s == "sent"}
    assert resumed and min(resumed) == D("2026-12-31"), "the wait ends reoffer_wait_days after the re-offer"
