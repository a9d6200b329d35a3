"""Property: whatever the borrower pays toward a plan (in full, in part, late or not at all), no
escalation is planned on a covered loan on a day the plan is not broken, and it is never broken
while its installments were covered in time."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from loan_comms import db
from loan_comms.lifecycle.planner import plan_day
from tests.arrangements.plans import add_plan, rows
from tests.builders import Book, EchoRenderer

DUES = ("2026-12-10", "2027-01-10")
DAYS = [date(2026, 11, 9), date(2026, 12, 10), date(2026, 12, 12), date(2026, 12, 24), date(2026, 12, 31),
        date(2027, 1, 10), date(2027, 1, 12), date(2027, 1, 24), date(2027, 1, 31)]
# per installment: days after its due date it is paid (None: never), and the share paid
payment = st.tuples(st.one_of(st.none(), st.integers(-5, 20)), st.sampled_from(["100.00", "60.00"]))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pays=st.tuples(payment, payment))
def test_no_escalation_on_a_covered_loan_while_the_plan_is_not_broken(cfg, pays):
    con = db.connect()
    try:
        book = Book(con)
        book.borrower("B1")
        book.loan("L1", "B1", [("2026-11-01", "100.00"), ("2026-12-01", "100.00"), ("2027-01-01", "100.00")])
        add_plan(book, "P1", "B1", ["L1"], decided="2026-11-08T15:00:00+08:00",
                 schedule=[(d, "100.00") for d in DUES])
        for due, (after, amount) in zip(DUES, pays):
            if after is not None:
                day = date.fromisoformat(due) + timedelta(days=after)
                book.pay("L1", amount, f"{day}T10:00:00+08:00")
        for day in DAYS:
            plan_day(con, cfg, EchoRenderer(), day)
            book.send_all_planned()
        broken = rows(book, "SELECT timezone('Asia/Shanghai', occurred_at)::DATE AS day FROM borrower_events "
                            "WHERE kind = 'arrangement_broken'")
        broke_on = broken[0]["day"] if broken else None
        for a in book.attempts(purpose="escalation"):
            if a["status"] != "suppressed":
                assert broke_on is not None and a["planned_for_date"] >= broke_on, a
        on_time = all(after is not None and after < cfg.arrangements.break_after_days and amount == "100.00"
                      for after, amount in pays)
        if on_time:
            assert broke_on is None
    finally:
        con.close()
