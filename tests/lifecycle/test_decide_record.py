"""decide() reads and returns a day's decisions without writing; record() writes exactly them."""

from __future__ import annotations

from datetime import date

from loan_comms.lifecycle import days
from loan_comms.lifecycle.planner import decide, plan_day

TABLES = ("borrowers", "loans", "installments", "payment_feed", "borrower_events", "delinquency_episodes",
          "contact_attempts", "contact_messages", "day_runs", "policy_versions")


def snapshot(con) -> dict[str, list]:
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}


def test_decide_writes_nothing_and_record_writes_what_it_decided(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])                      # overdue: an episode opens
    book.loan("L2", "B1", [("2026-11-01", "50.00"), ("2026-11-09", "50.00")])
    book.pay("L2", "50.00", "2026-11-01T15:00:00+08:00")                   # in the feed, not yet an event
    book.loan("L3", "B1", [("2026-11-05", "80.00")])                       # a reminder
    day = date(2026, 11, 2)
    plan_day(book.con, cfg, renderer, date(2026, 11, 1))
    before = snapshot(book.con)

    decided = decide(book.con, cfg, day, advance_state=days.status(book.con, day).is_newest)

    assert snapshot(book.con) == before
    wanted = {(d["loan_id"], d["step"], d["channel"], d["status"], d["suppressed_reason"]) for d in decided.to_pylist()}
    assert ("L1", "dpd_1", "sms", "planned", None) in wanted                # read through the episode it would open
    assert not any(loan == "L2" and step.startswith("dpd_") for loan, step, *_ in wanted)  # the payment counted

    plan_day(book.con, cfg, renderer, day)
    recorded = {(a["loan_id"], a["step"], a["channel"], a["status"], a["suppressed_reason"])
                for a in book.attempts(planned_for_date=day)}
    assert recorded == wanted
    assert book.con.execute("SELECT count(*) FROM delinquency_episodes WHERE loan_id = 'L1'").fetchall() == [(1,)]
    assert book.con.execute("SELECT count(*) FROM borrower_events WHERE kind = 'payment'").fetchall() == [(1,)]
