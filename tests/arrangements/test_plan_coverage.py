"""What a plan covers and settles (the stranger review's s1, s2, s3): the plan is recomputed at the
decision on the offer's loans, it records exactly the contractual installments it absorbs, and a kept
plan settles those and nothing else. An approval over nothing owed is refused in one line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from loan_comms.arrangements.accept import Choice, arrangement_id_for, land_choices
from loan_comms.arrangements.options import Subject, compute
from loan_comms.arrangements.reviews import ArrangementReviewError, approve, decline
from loan_comms.policy.engine import derive_state, register_policy_tables
from tests.arrangements.conftest import OFFERED, in_arrears, offer
from tests.builders import Book, insert

OFF = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
CHOSEN = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)      # 10 days after the offer


def fifteenth(book: Book, *, second_loan: bool = False) -> None:
    """Installments of 300 on the 15th, one overdue since Oct 15 (s1); optionally a second loan whose
    first installment falls due (and goes unpaid) between the offer and the choice (s3)."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-10-15", "300.00"), ("2026-11-15", "300.00"), ("2026-12-15", "300.00"),
                           ("2027-01-15", "300.00"), ("2027-02-15", "300.00"), ("2027-03-15", "300.00")])
    if second_loan:
        book.loan("L2", "B1", [("2026-11-15", "500.00"), ("2026-12-15", "500.00"), ("2027-01-15", "500.00")])
    book.event("B1", "hardship_request", "2026-11-05T10:00:00+08:00", loan_id="L1")


def real_offer(con, cfg, *, record_loans: bool = True) -> dict[str, int]:
    """The offer as the day's plan records it (options computed on Nov 10, the loans it covered)."""
    opts = compute(con, cfg, [Subject("s", "B1", "L1", date(2026, 11, 10), OFF)], offerable_only=True)["s"]
    insert(con, "arrangement_offers", token="TOK", attempt_id="A-TOK", borrower_id="B1", loan_id="L1",
           currency="CNY", arrears=opts[0]["arrears"], dpd=opts[0]["dpd"], channel="sms", language="zh-CN",
           step="hardship_offer", offered_on=date(2026, 11, 10), expires_at=OFF + timedelta(days=14))
    for o in opts:
        sched = [{"no": s["no"], "due_date": str(s["due_date"]), "amount": str(s["amount"])} for s in o["schedule"]]
        insert(con, "arrangement_offer_options", token="TOK", option_no=o["option_no"], option_id=o["option_id"],
               kind=o["kind"], months=o["months"], payment=o["payment"], total=o["total"],
               freeze_interest=o["freeze_interest"], needs_review=o["needs_review"], schedule=json.dumps(sched))
    if record_loans:
        for c in opts[0]["covered"]:
            insert(con, "arrangement_offer_loans", token="TOK", loan_id=c["loan_id"], arrears=c["arrears"])
    return {o["option_id"]: o["option_no"] for o in opts}


def choose(con, cfg, option_no: int, at: datetime = CHOSEN) -> str:
    report = land_choices(con, cfg, [Choice("web", "sub-1", at, token="TOK", option_no=option_no)], now=at)
    assert not report.refused, report.refused
    return arrangement_id_for("sub-1")


def pay_plan_and_derive(con, cfg, book: Book, day: date) -> None:
    for d, a in con.execute("SELECT due_date, amount FROM arrangement_installments ORDER BY 1").fetchall():
        book.pay("L1", str(a), f"{d}T10:00:00+08:00")
    register_policy_tables(con, cfg, day)
    derive_state(con, day, datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=1))


def test_the_plan_is_recomputed_at_the_choice_and_stores_what_it_absorbs(con, book, cfg):
    fifteenth(book)
    nos = real_offer(con, cfg)
    aid = choose(con, cfg, nos["respread_3"])
    # as of Nov 20: arrears 600 (Oct 15, Nov 15) / 3 = 200, + the Dec 15, Jan 15, Feb 15 installments
    assert con.execute("SELECT installment_no, due_date::VARCHAR, amount::VARCHAR FROM arrangement_installments "
                       "ORDER BY 1").fetchall() == [(1, "2026-12-20", "500.00"), (2, "2027-01-20", "500.00"),
                                                    (3, "2027-02-20", "500.00")]
    assert con.execute("SELECT loan_id, installment_no, outstanding::VARCHAR FROM arrangement_covered_installments "
                       "WHERE arrangement_id = ? ORDER BY 1, 2", [aid]).fetchall() == [
        ("L1", n, "300.00") for n in (1, 2, 3, 4, 5)]


def test_a_kept_plan_settles_only_the_installments_it_collected(con, book, cfg):
    fifteenth(book)
    aid = choose(con, cfg, real_offer(con, cfg)["respread_3"])
    pay_plan_and_derive(con, cfg, book, date(2027, 2, 21))
    assert con.execute("SELECT status FROM arrangement_state WHERE arrangement_id = ?", [aid]).fetchone() == ("kept",)
    state = con.execute("SELECT installment_no, outstanding::VARCHAR, by_plan FROM installment_state "
                        "WHERE loan_id = 'L1' ORDER BY 1").fetchall()
    # 1500 paid to the plan settles the five 300s it was computed on; Mar 15 stays owed, nothing free
    assert state == [(1, "0.00", True), (2, "0.00", True), (3, "0.00", True), (4, "0.00", True),
                     (5, "0.00", True), (6, "300.00", False)]
    assert sum(Decimal(a) for (a,) in con.execute("SELECT amount FROM arrangement_installments").fetchall()) == \
        sum(Decimal(o) for (o,) in con.execute("SELECT outstanding FROM arrangement_covered_installments").fetchall())


def test_a_loan_that_fell_into_arrears_after_the_offer_is_not_covered_nor_settled(con, book, cfg):
    fifteenth(book, second_loan=True)
    aid = choose(con, cfg, real_offer(con, cfg)["respread_3"])
    assert con.execute("SELECT loan_id FROM arrangement_loans WHERE arrangement_id = ?", [aid]).fetchall() == [("L1",)]
    assert con.execute("SELECT DISTINCT loan_id FROM arrangement_covered_installments").fetchall() == [("L1",)]
    pay_plan_and_derive(con, cfg, book, date(2027, 2, 21))
    assert con.execute("SELECT installment_no, outstanding::VARCHAR, by_plan FROM installment_state "
                       "WHERE loan_id = 'L2' ORDER BY 1").fetchall() == [(1, "500.00", False), (2, "500.00", False),
                                                                         (3, "500.00", False)]


def test_an_offer_without_recorded_loans_covers_its_own_loan_only(con, book, cfg):
    fifteenth(book, second_loan=True)
    aid = choose(con, cfg, real_offer(con, cfg, record_loans=False)["respread_3"])
    assert con.execute("SELECT loan_id FROM arrangement_loans WHERE arrangement_id = ?", [aid]).fetchall() == [("L1",)]


def test_a_payment_between_offer_and_choice_lowers_the_plan(con, book, cfg):
    fifteenth(book)
    nos = real_offer(con, cfg)
    book.pay("L1", "200.00", "2026-11-12T10:00:00+08:00")
    aid = choose(con, cfg, nos["respread_3"])
    # arrears on Nov 20: 600 - 200 = 400 -> 133.33, 133.33, 133.34 on top of the 300s
    assert [a for (a,) in con.execute("SELECT amount::VARCHAR FROM arrangement_installments ORDER BY installment_no")
            .fetchall()] == ["433.33", "433.33", "433.34"]
    assert con.execute("SELECT installment_no, outstanding::VARCHAR FROM arrangement_covered_installments "
                       "WHERE arrangement_id = ? ORDER BY 1", [aid]).fetchall()[:2] == [(1, "100.00"), (2, "300.00")]


def test_a_kept_plan_leaves_a_partly_paid_installment_s_payment_with_it(con, book, cfg):
    """The part of an installment paid before the plan is not counted twice after the plan is kept."""
    fifteenth(book)
    nos = real_offer(con, cfg)
    book.pay("L1", "200.00", "2026-11-12T10:00:00+08:00")
    choose(con, cfg, nos["respread_3"])
    pay_plan_and_derive(con, cfg, book, date(2027, 2, 21))
    book.pay("L1", "100.00", "2027-03-01T10:00:00+08:00")
    register_policy_tables(con, cfg, date(2027, 3, 2))
    derive_state(con, date(2027, 3, 2), datetime(2027, 3, 2, 1, tzinfo=UTC))
    assert con.execute("SELECT installment_no, paid_amount::VARCHAR, outstanding::VARCHAR, by_plan FROM installment_state "
                       "WHERE loan_id = 'L1' AND installment_no = 6").fetchall() == [(6, "100.00", "200.00", False)]


def test_an_option_no_longer_offerable_at_the_choice_is_refused(con, book, cfg):
    fifteenth(book)
    nos = real_offer(con, cfg)
    book.pay("L1", "300.00", "2026-11-12T10:00:00+08:00")    # Oct 15 paid: 300 in arrears (Nov 15)
    book.pay("L1", "290.00", "2026-11-13T10:00:00+08:00")    # 10 left: respread_6 ends on ~1.67 < min_payment
    report = land_choices(con, cfg, [Choice("web", "sub-1", CHOSEN, token="TOK", option_no=nos["respread_6"])],
                          now=CHOSEN)
    assert not report.accepted and not report.requested
    [(_, why)] = report.refused
    assert why.startswith(f"option {nos['respread_6']} is no longer available: ")


def test_a_request_whose_loan_was_paid_off_cannot_be_approved_into_a_plan(con, book, cfg):
    """s2: approving it would make a plan over nothing owed that then 'breaks'."""
    in_arrears(book)
    offer(con)
    at = OFFERED + timedelta(hours=1)
    [aid] = land_choices(con, cfg, [Choice("web", "sub-2", at, token="TOK1", option_no=2)], now=at).requested
    book.pay("L1", "1200.00", "2026-11-11T10:00:00+08:00")
    when = datetime(2026, 11, 12, 2, tzinfo=UTC)
    with pytest.raises(ArrangementReviewError, match="nothing in arrears on its loans any more: decline it"):
        approve(con, aid, "rev1", when, cfg=cfg)
    assert con.execute("SELECT status FROM arrangements").fetchall() == [("pending_review",)]
    assert con.execute("SELECT count(*) FROM borrower_events WHERE kind = 'arrangement_accepted'").fetchone() == (0,)
    assert decline(con, aid, "rev1", "the loan is paid: no plan needed", when).status == "declined"


def test_an_approval_recomputes_the_plan_as_of_the_approval(con, book, cfg):
    in_arrears(book)
    offer(con)
    at = OFFERED + timedelta(hours=1)
    [aid] = land_choices(con, cfg, [Choice("web", "sub-2", at, token="TOK1", option_no=2)], now=at).requested
    book.pay("L1", "300.00", "2026-11-11T10:00:00+08:00")     # the arrears paid while it waited
    approve(con, aid, "rev1", datetime(2026, 12, 5, 2, tzinfo=UTC), cfg=cfg)   # Nov 30 now overdue
    rows = con.execute("SELECT installment_no, due_date::VARCHAR, amount::VARCHAR FROM arrangement_installments "
                       "ORDER BY 1").fetchall()
    assert rows[0] == (1, "2027-01-05", "150.00") and rows[-1] == (6, "2027-06-05", "50.00")
    assert con.execute("SELECT loan_id, installment_no FROM arrangement_covered_installments ORDER BY 2").fetchall() == [
        ("L1", 2), ("L1", 3), ("L1", 4)]
