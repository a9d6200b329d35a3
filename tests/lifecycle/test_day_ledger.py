"""The ledger of day runs on its own: databases from before it, and its marks."""

from __future__ import annotations

from datetime import date

from loan_comms import db
from loan_comms.lifecycle import days
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import plan_day


def test_a_database_from_before_the_ledger_counts_its_days_as_done(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    plan_day(book.con, cfg, renderer, date(2026, 11, 7))
    book.con.execute("DROP TABLE day_runs")                  # as it was before the ledger existed
    db.ensure_schema(book.con)
    st = days.status(book.con, date(2026, 11, 7))
    assert st.planned and st.dispatched and st.latest == date(2026, 11, 7)
    db.ensure_schema(book.con)                               # and only once
    assert book.con.execute("SELECT count(*) FROM day_runs").fetchall() == [(1,)]


def test_plan_and_dispatch_mark_the_day(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    day = date(2026, 11, 7)
    assert not days.status(book.con, day).started
    plan_day(book.con, cfg, renderer, day, dry_run=True)
    assert not days.status(book.con, day).started            # a dry run leaves no mark
    plan_day(book.con, cfg, renderer, day)
    st = days.status(book.con, day)
    assert st.planned and not st.dispatched
    assert len(dispatch_day(book.con, cfg, day)) > 0
    assert days.status(book.con, day).dispatched
    assert dispatch_day(book.con, cfg, day) == []            # a dispatched day is not replayed
