"""Options against hand-worked schedules: amounts, rounding (the remainder on the last), currency
minor units, limits, month-end clamping, and eligibility (sql/arrangements/options.sql)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from loan_comms.arrangements.accept import add_months
from loan_comms.arrangements.options import Subject, compute
from tests.arrangements.conftest import in_arrears

AT = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
DAY = date(2026, 11, 10)


def options(con, cfg, loan: str = "L1", borrower: str = "B1", starts_on: date | None = None,
            day: date = DAY) -> dict[str, dict[str, Any]]:
    rows = compute(con, cfg, [Subject("s", borrower, loan, day, AT, starts_on)])["s"]
    return {r["option_id"]: r for r in rows}


def amounts(row: dict[str, Any]) -> list[str]:
    return [str(s["amount"]) for s in row["schedule"]]


def dues(row: dict[str, Any]) -> list[str]:
    return [s["due_date"].isoformat() for s in row["schedule"]]


def test_respread_spreads_the_arrears_and_adds_the_installments_falling_due(con, cfg, book):
    in_arrears(book, amount="1000.00")      # 1000 overdue since Oct 31; 1000 due Nov 30, Dec 31, Jan 31
    o = options(con, cfg)
    r3 = o["respread_3"]
    assert r3["eligibility"] == "auto" and r3["arrears"] == Decimal("1000.00") and r3["dpd"] == 10
    # 1000 / 3 = 333.33, 333.33, 333.34 (remainder last) + the installment due in each plan month
    assert dues(r3) == ["2026-12-10", "2027-01-10", "2027-02-10"]
    assert amounts(r3) == ["1333.33", "1333.33", "1333.34"]
    assert r3["payment"] == Decimal("1333.33") and r3["total"] == Decimal("4000.00")
    # respread_12 wants arrears of at least 1000: held exactly
    assert o["respread_12"]["eligibility"] == "auto"
    assert amounts(o["respread_12"])[:4] == ["1083.33", "1083.33", "1083.33", "83.33"]
    assert amounts(o["respread_12"])[-1] == "83.37"         # 1000 - 11 * 83.33


def test_reduced_payment_is_a_share_of_the_installments_with_a_floor_and_needs_review(con, cfg, book):
    in_arrears(book, amount="300.00")
    r = options(con, cfg)["reduced_50_6"]
    assert r["eligibility"] == "review" and r["needs_review"]
    # 50 % of 300 = 150 in months with an installment; the floor (min_payment 50) where none falls due
    assert amounts(r) == ["150.00", "150.00", "150.00", "50.00", "50.00", "50.00"]


def test_holiday_has_no_installments_and_ends_after_its_months(con, cfg, book):
    in_arrears(book)
    h = options(con, cfg)["holiday_1m"]
    assert h["eligibility"] == "auto" and h["schedule"] == [] and h["payment"] == 0
    assert h["ends_on"] == date(2026, 12, 10)


def test_yen_has_no_minor_unit(con, cfg, book):
    in_arrears(book, amount="1000.00", currency="JPY")
    r = options(con, cfg)["respread_3"]
    assert amounts(r) == ["1333.00", "1333.00", "1334.00"]   # 333 + 333 + 334 yen of arrears


def test_a_payment_below_min_payment_is_not_offered(con, cfg, book):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-10-31", "120.00")])        # 120 overdue, nothing more to come
    book.event("B1", "hardship_request", "2026-11-05T10:00:00+08:00", loan_id="L1")
    o = options(con, cfg)
    assert amounts(o["respread_3"]) == ["40.00", "40.00", "40.00"]
    assert o["respread_3"]["eligibility"] == "no"
    assert o["respread_3"]["why_not"] == "a payment would be below min_payment"
    assert o["respread_3"]["option_no"] is None


def test_month_end_is_clamped(con, cfg, book):
    book.borrower("B1")
    book.loan("L1", "B1", [("2027-01-15", "600.00")])
    o = options(con, cfg, day=date(2027, 1, 31), starts_on=date(2027, 1, 31))
    assert dues(o["respread_3"]) == ["2027-02-28", "2027-03-31", "2027-04-30"]
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_option_numbers_follow_the_config_order_among_those_offered(con, cfg, book):
    in_arrears(book, amount="300.00")
    o = options(con, cfg)
    offered = sorted((r["option_no"], k) for k, r in o.items() if r["eligibility"] != "no")
    assert offered == [(1, "respread_3"), (2, "respread_6"), (3, "holiday_1m"), (4, "reduced_50_6")]


@pytest.mark.parametrize("flag, expect", [(None, "no"), ("hardship_request", "auto"), ("vulnerable", "auto")])
def test_requires_hardship_or_vulnerable(con, cfg, book, flag, expect):
    in_arrears(book, hardship=False)
    if flag:
        book.event("B1", flag, "2026-11-01T10:00:00+08:00", loan_id="L1")
    assert options(con, cfg)["holiday_1m"]["eligibility"] == expect


def test_broken_plans_send_an_option_to_review_then_rule_it_out(con, cfg, book):
    in_arrears(book)
    book.event("B1", "arrangement_broken", "2026-06-01T10:00:00+08:00", loan_id="L1")
    o = options(con, cfg)
    assert o["respread_3"]["eligibility"] == "auto"                   # max_broken 1
    assert o["holiday_1m"]["eligibility"] == "no"                     # max_broken 0, no review
    book.event("B1", "arrangement_broken", "2026-08-01T10:00:00+08:00", loan_id="L1")
    assert options(con, cfg)["respread_3"]["eligibility"] == "review"  # review_max_broken 2
    book.event("B1", "arrangement_broken", "2026-09-01T10:00:00+08:00", loan_id="L1")
    assert options(con, cfg)["respread_3"]["why_not"] == "too many broken plans"


def test_freeze_is_for_uk_profiles_and_freezes_interest(con, cfg, book):
    in_arrears(book, jurisdiction="uk", tz="Europe/London", language="en")
    o = options(con, cfg)
    assert o["freeze_3"]["eligibility"] == "auto" and o["freeze_3"]["freeze_interest"]
    assert amounts(o["freeze_3"]) == ["300.00", "300.00", "300.00"]
    # the uk profile asks for forbearance: where_profile_asks freezes interest on the others too
    assert o["respread_3"]["freeze_interest"]


def test_borrower_scope_covers_every_loan_in_arrears_in_the_same_currency(con, cfg, book):
    in_arrears(book, amount="300.00")
    book.loan("L2", "B1", [("2026-10-15", "200.00")])
    book.loan("L3", "B1", [("2026-10-15", "500.00")], currency="USD")
    book.pay("L2", "50.00", "2026-11-01T10:00:00+08:00")
    r = options(con, cfg)["respread_3"]
    assert r["arrears"] == Decimal("450.00")
    assert [(c["loan_id"], c["arrears"]) for c in r["covered"]] == [("L1", Decimal("300.00")), ("L2", Decimal("150.00"))]
    assert r["dpd"] == 26                                               # L2 since Oct 15


def test_nothing_in_arrears_offers_nothing(con, cfg, book):
    in_arrears(book)
    book.pay("L1", "300.00", "2026-11-09T10:00:00+08:00")
    o = options(con, cfg)
    assert {r["eligibility"] for r in o.values()} == {"no"}
    assert o["respread_3"]["why_not"] == "nothing in arrears on this loan"
