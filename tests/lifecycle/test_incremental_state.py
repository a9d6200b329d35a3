"""Incremental state (issue 17): the installment and loan state a day derives from the stored state of
the last recorded day (only the loans whose payments, plan or schedule changed derived again) is
exactly what deriving the whole book gives, for the next day, a later instant, an older day and the
re-check before send, whatever arrived in between: on-time, partial and late-arriving payments,
payments recorded straight into the log (backdated or dated ahead), repayment plans kept and broken,
a new loan, a schedule the importer changed.

The reference is the same derive_state with no stored state to start from (the watermark removed
inside a transaction that is rolled back), so any stored row standing for a loan that changed shows.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.book.importer import import_book
from loan_comms.clock import plan_instant
from loan_comms.config import load_config
from loan_comms.lifecycle.planner import plan_day
from loan_comms.policy.engine import derive_state, register_policy_tables
from tests.arrangements.plans import add_plan
from tests.book.test_book_import import row, write_csv
from tests.builders import Book, EchoRenderer, event_row

CFG = load_config()
RENDERER = EchoRenderer()
START = date(2026, 11, 2)
STATE = {"installment_state": "SELECT * FROM installment_state",
         "loan_state": "SELECT * FROM loan_state"}


def _state(con) -> dict[str, list[tuple]]:
    return {k: sorted(con.execute(q).fetchall(), key=repr) for k, q in STATE.items()}


def incremental_and_whole(con, as_of: date, now: datetime, **kw) -> tuple[dict, dict, tuple]:
    """The state derive_state gives as it stands (from what is stored), the state it gives with nothing
    stored (whole book), and (whole_book, stale loans, loans) of the first derivation."""
    register_policy_tables(con, CFG, as_of)
    derive_state(con, as_of, now, **kw)
    incremental = _state(con)
    basis = con.execute("SELECT (SELECT whole_book FROM state_basis), (SELECT count(*) FROM stale_loans), "
                        "(SELECT count(*) FROM loans)").fetchall()[0]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM state_watermark")
        derive_state(con, as_of, now, **kw)
        assert con.execute("SELECT whole_book FROM state_basis").fetchall() == [(True,)]
        whole = _state(con)
    finally:
        con.execute("ROLLBACK")
    return incremental, whole, basis


def check_day(con, day: date, *, thorough: bool = True) -> list[tuple]:
    """After `day` was recorded: the next day and the re-check of the next day (thorough: also a
    later instant and an older day) derive what the whole book gives. Returns the bases seen."""
    nxt = day + timedelta(days=1)
    seen = []
    cases = [(nxt, plan_instant(nxt), {}),
             (nxt, plan_instant(nxt) + timedelta(hours=9), {"pending_only": True, "day": nxt})]
    if thorough:
        cases += [(nxt, plan_instant(nxt) + timedelta(days=2, hours=5), {}),
                  (day - timedelta(days=2), plan_instant(day - timedelta(days=2)), {})]
    for as_of, now, kw in cases:
        incremental, whole, basis = incremental_and_whole(con, as_of, now, **kw)
        assert incremental == whole, (as_of, now, kw, basis)
        seen.append(basis)
    return seen


def stored(con) -> dict[str, list[tuple]]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
            for t in ("state_installments", "state_loans", "state_watermark")}


def test_a_day_derived_from_the_stored_state_is_the_whole_book_s_state(tmp_path: Path):
    con = db.connect()
    book = Book(con)
    dues = [("2026-10-20", "300.00"), ("2026-11-03", "300.00"), ("2026-12-03", "300.00"), ("2027-01-03", "300.00")]
    for n in range(1, 7):
        book.borrower(f"B{n}")
        book.loan(f"L{n}", f"B{n}", dues)
    book.pay("L1", "300.00", "2026-10-20T09:00:00+08:00")             # on time
    book.pay("L2", "120.00", "2026-10-25T09:00:00+08:00")             # partial
    # L5: a plan decided Oct 28, its two installments paid on their dates: kept on Nov 4
    add_plan(book, "P5", "B5", ["L5"], decided="2026-10-28T10:00:00+08:00",
             schedule=[("2026-11-02", "150.00"), ("2026-11-04", "150.00")])
    book.pay("L5", "150.00", "2026-11-02T09:00:00+08:00")
    book.pay("L5", "150.00", "2026-11-04T09:00:00+08:00")
    book.pay("L5", "100.00", "2026-11-06T09:00:00+08:00")             # after the plan was kept
    # L6: a plan nobody pays: missed, then broken on Nov 3 (14 days after Oct 20)
    add_plan(book, "P6", "B6", ["L6"], decided="2026-10-12T10:00:00+08:00",
             schedule=[("2026-10-20", "200.00"), ("2026-11-10", "200.00")])
    # L9: a loan of the importer's
    importer_rows = [row(borrower_id="B9", loan_id="L9", installment_no=str(k), due_date=f"2026-{9 + k}-28",
                         amount_due="250.00", phone_e164="+8613812340009", email="b9@example.com") for k in (1, 2, 3)]
    import_book(con, write_csv(tmp_path / "book1.csv", importer_rows), now=datetime(2026, 10, 1, tzinfo=UTC))

    bases = []
    for d in range(7):
        day = START + timedelta(days=d)
        plan_day(con, CFG, RENDERER, day)
        if d == 0:
            book.pay("L3", "50.00", "2026-10-30T09:00:00+08:00")          # arrives late, dated days back
            event_row(con, "B4", "payment", datetime(2026, 11, 5, 3, tzinfo=UTC), loan_id="L4", channel=None,
                      amount=Decimal("300.00"), detail=None)            # recorded ahead of its date
        if d == 1:
            book.pay("L2", "80.00", f"{day}T20:00:00+08:00")               # partial, the same evening
            event_row(con, "B1", "payment", datetime(2026, 10, 29, 3, tzinfo=UTC), loan_id="L1", channel=None,
                      amount=Decimal("300.00"), detail=None)            # straight into the log, backdated
        if d == 2:
            book.borrower("B7")                                          # a new loan
            book.loan("L7", "B7", dues)
            book.pay("L7", "700.00", "2026-10-31T09:00:00+08:00")
            changed = [dict(r) for r in importer_rows] + [row(borrower_id="B9", loan_id="L9", installment_no="4",
                                                               due_date="2027-01-28", amount_due="250.00",
                                                               phone_e164="+8613812340009", email="b9@example.com")]
            changed[0]["amount_due"] = "200.00"                          # the lender re-cut the schedule
            report = import_book(con, write_csv(tmp_path / "book2.csv", changed), now=datetime(2026, 11, 4, tzinfo=UTC))
            assert (report.installments_updated, report.installments_new) == (1, 1)
            book.pay("L9", "260.00", "2026-10-29T09:00:00+08:00")
        bases += check_day(con, day)
    # the stored state was used (not the whole book every time), and some loans were derived again
    assert any(not whole and 0 < stale < loans for whole, stale, loans in bases)
    assert con.execute("SELECT status FROM arrangement_state WHERE arrangement_id = 'P5'").fetchall() == [("kept",)]
    assert con.execute("SELECT status FROM arrangement_state WHERE arrangement_id = 'P6'").fetchall() == [("broken",)]
    assert con.execute("SELECT with_plan FROM state_loans WHERE loan_id = 'L5'").fetchall() == [(True,)]

    # replaying older days: nothing recorded, no derived state moved; an older day's plan (dry run) as ever
    before = stored(con)
    for d in (1, 4):
        assert plan_day(con, CFG, RENDERER, START + timedelta(days=d)).already_planned
        plan_day(con, CFG, RENDERER, START + timedelta(days=d), dry_run=True)
    assert stored(con) == before
    incremental, whole, (was_whole, _, _) = incremental_and_whole(con, START + timedelta(days=1),
                                                                  plan_instant(START + timedelta(days=1)))
    assert was_whole and incremental == whole


payment_st = st.tuples(st.integers(0, 3),                  # which loan
                       st.integers(1, 4),                  # after which day it arrives
                       st.integers(-12, 2),                # its date, days from that day (late, on time, ahead)
                       st.integers(1, 700),                # amount
                       st.booleans())                      # through the feed, or recorded straight into the log


@settings(max_examples=int(os.environ.get("STATE_EXAMPLES", "5")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(payments=st.lists(payment_st, max_size=12), kept_plan=st.booleans())
def test_any_payments_in_any_order_derive_what_the_whole_book_gives(payments, kept_plan):
    con = db.connect()
    book = Book(con)
    for n in range(4):
        book.borrower(f"B{n}")
        book.loan(f"L{n}", f"B{n}", [("2026-10-25", "300.00"), ("2026-11-04", "300.00"), ("2026-12-04", "300.00")])
    if kept_plan:
        add_plan(book, "P0", "B0", ["L0"], decided="2026-10-28T10:00:00+08:00", schedule=[("2026-11-03", "100.00")])
        book.pay("L0", "100.00", "2026-11-03T09:00:00+08:00")
    for d in range(5):
        day = START + timedelta(days=d)
        plan_day(con, CFG, RENDERER, day)
        for n, (loan, arrives, offset, amount, feed) in enumerate(payments):
            if arrives != d + 1:
                continue
            at = plan_instant(day) + timedelta(days=offset, hours=n)
            if feed:
                book.pay(f"L{loan}", f"{amount}.00", at.isoformat())
            else:
                event_row(con, f"B{loan}", "payment", at, loan_id=f"L{loan}", channel=None,
                          amount=Decimal(amount), detail=None)
        check_day(con, day, thorough=False)


def test_a_payment_recorded_between_decide_and_record_makes_its_loan_stale_the_next_day(monkeypatch):
    """The watermark is what the derivation saw (state_basis.through_event_id), not the log when the
    state is stored: a payment event recorded between the two (another connection of the process,
    e.g. an ingest) is above it, so the next day derives its loan again from its payments."""
    import loan_comms.lifecycle.planner as planner

    con = db.connect()
    book = Book(con)
    for n in (1, 2):
        book.borrower(f"B{n}")
        book.loan(f"L{n}", f"B{n}", [("2026-11-03", "300.00"), ("2026-12-03", "300.00")])
    plan_day(con, CFG, RENDERER, START)
    real_record = planner.record

    def record_after_a_payment(*args, **kwargs):
        event_row(con, "B2", "payment", datetime(2026, 11, 1, 1, tzinfo=UTC), loan_id="L2", channel=None,   # dated back
                  amount=Decimal("300.00"), detail=None)
        return real_record(*args, **kwargs)

    monkeypatch.setattr(planner, "record", record_after_a_payment)
    day = START + timedelta(days=1)
    plan_day(con, CFG, RENDERER, day)
    monkeypatch.setattr(planner, "record", real_record)
    check_day(con, day, thorough=False)
