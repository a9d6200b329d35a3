"""The offer menus state a plan as it is (the stranger review's s4): "N months of X" only when every
payment is X; otherwise the first payment and the total. Options computed by the real SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from loan_comms.arrangements.offers import menu_entry
from loan_comms.arrangements.options import Subject, compute
from tests.builders import Book

STEPS = ("hardship_offer", "forbearance_offer", "arrangement_reoffer", "arrangement_declined")


@pytest.fixture
def menu(con, cfg):
    book = Book(con)
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-10-31", "300.00"), ("2026-11-30", "300.00"), ("2026-12-31", "300.00"),
                           ("2027-01-31", "6000.00")])
    book.event("B1", "hardship_request", "2026-11-05T10:00:00+08:00", loan_id="L1")
    opts = compute(con, cfg, [Subject("s", "B1", "L1", date(2026, 11, 10), datetime(2026, 11, 10, 2, tzinfo=UTC))],
                   offerable_only=True)["s"]
    return {o["option_id"]: o for o in opts}


def test_unequal_options_are_flagged_with_their_last_payment(menu):
    r3 = menu_entry(menu["respread_3"], "en")
    assert [str(s["amount"]) for s in menu["respread_3"]["schedule"]] == ["400.00", "400.00", "6100.00"]
    assert (r3["equal"], str(r3["payment"]), str(r3["last"]), str(r3["total"])) == (False, "400.00", "6100.00", "6900.00")


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("channel", ("sms", "email"))
def test_the_menu_never_says_n_months_of_the_first_payment_of_an_unequal_plan(shipped, ctx, menu, step, channel):
    options = [dict(menu_entry(menu["respread_3"], "en"), no=1)]
    en = shipped.render(step, channel, "en", {**ctx, "plan_options": options, "arrears": 300}).text
    zh = shipped.render(step, channel, "zh-CN", {**ctx, "language": "zh-CN", "plan_options": options,
                                                  "arrears": 300}).text
    assert "months of" not in en and "6,900.00" in en
    assert "每期" not in zh and "6,900.00" in zh


def test_an_equal_plan_is_n_months_of_x(shipped, ctx):
    option = dict(no=2, label="x", kind="respread", months=3, payment=133, total=399, first_due=None,
                  needs_review=False, equal=True, last=133)
    assert "3 months of" in shipped.render("hardship_offer", "sms", "en", {**ctx, "plan_options": [option]}).text
    assert "分3期，每期" in shipped.render("hardship_offer", "sms", "zh-CN",
                                          {**ctx, "language": "zh-CN", "plan_options": [option]}).text


def test_the_plan_page_headline_says_the_first_payment_of_an_unequal_plan(menu):
    from loan_comms.arrangements.web import TEXTS, _Money, _view

    o = menu["respread_3"]
    option = {"no": 1, "label": "x", "kind": o["kind"], "months": o["months"], "payment": str(o["payment"]),
              "total": str(o["total"]), "schedule": [{"no": s["no"], "due_date": str(s["due_date"]),
                                                      "amount": str(s["amount"])} for s in o["schedule"]]}
    assert "the first" in _view(option, _Money("en", "CNY"), TEXTS["en"])["headline"]
    assert "首期" in _view(option, _Money("zh-CN", "CNY"), TEXTS["zh-CN"])["headline"]
    equal = {**option, "schedule": [dict(s, amount="400.00") for s in option["schedule"]]}
    assert "payments of" in _view(equal, _Money("en", "CNY"), TEXTS["en"])["headline"]
