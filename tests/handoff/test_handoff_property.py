"""Property: on random small books and days, run through the real plan and the real dispatch (with its
re-check before every send), nothing but the exempt steps goes about a handed-off loan after its
hand-off, the other loans of the same borrower are not held by it, and the case export writes each
handed-off case once.

Why random: the hand-off meets payments, opt-outs, cease-contact and ruled-out letters on the same
day or the next, on several loans of one person; a hand-built book checks one such meeting each.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.config import load_config
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.handoff.export import export_cases
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book, EchoRenderer

START = date(2026, 11, 2)
EXEMPT = {"payment_confirmation", "opt_out_confirmation", "dpd_60_handoff"}

loan_st = st.fixed_dictionaries({
    "dpd": st.sampled_from([0, 3, 58, 59, 61, 75]),      # 58/59: the hand-off comes during the run
    "next_due_in": st.integers(min_value=1, max_value=6),
    "pay_on": st.none() | st.integers(min_value=0, max_value=4),
})
borrower_st = st.fixed_dictionaries({
    "loans": st.lists(loan_st, min_size=1, max_size=2),
    "event": st.sampled_from([None, "opt_out_sms", "cease_contact", "no_letters"]),
    "event_on": st.integers(min_value=0, max_value=3),
})


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(borrowers=st.lists(borrower_st, min_size=1, max_size=3), days=st.integers(min_value=3, max_value=5))
def test_nothing_but_the_exempt_steps_goes_about_a_handed_off_loan(borrowers, days, tmp_path_factory):
    cfg = load_config()
    con = db.connect()
    try:
        book = Book(con)
        for b, spec in enumerate(borrowers):
            bid = book.borrower(f"B{b}")
            for n, loan in enumerate(spec["loans"]):
                first = START - timedelta(days=loan["dpd"]) if loan["dpd"] else START + timedelta(days=1)
                book.loan(f"L{b}{n}", bid, [(first.isoformat(), "500.00"),
                                            ((START + timedelta(days=loan["next_due_in"])).isoformat(), "500.00")])
                if loan["pay_on"] is not None:
                    book.pay(f"L{b}{n}", "200.00", f"{START + timedelta(days=loan['pay_on'])}T09:00:00+08:00")
            at = f"{START + timedelta(days=spec['event_on'])}T06:00:00+08:00"
            if spec["event"] == "opt_out_sms":
                book.event(bid, "opt_out", at, channel="sms", scope="borrower")
            elif spec["event"] == "cease_contact":
                book.event(bid, "cease_contact", at, scope="borrower")
            elif spec["event"] == "no_letters":
                book.event(bid, "contact_preference", at, window=None, avoid_channels=["letter"], avoid_places=[])
        renderer = EchoRenderer()
        for n in range(days):
            plan_day(con, cfg, renderer, START + timedelta(days=n))
            dispatch_day(con, cfg, START + timedelta(days=n))
        handed = dict(con.execute("SELECT loan_id, handed_off_at FROM handoffs").fetchall())
        for a in book.attempts():
            if a["loan_id"] in handed and a["sent_at"] is not None and a["sent_at"] > handed[a["loan_id"]]:
                assert a["step"] in EXEMPT, (a["loan_id"], a["step"], a["channel"], a["sent_at"])
            if a["loan_id"] not in handed:
                assert a["suppressed_reason"] != "handed_off", a
        report = run_audit(con, cfg, now=datetime.combine(START + timedelta(days=days), time(12), tzinfo=UTC))
        assert report.rule("handed_off_no_contact").ok, report.rule("handed_off_no_contact").rows
        out = tmp_path_factory.mktemp("handoff")
        first = export_cases(con, cfg, as_of=START + timedelta(days=days), out=out)
        again = export_cases(con, cfg, as_of=START + timedelta(days=days), out=out)
        assert first.cases == len(handed) and again.cases == 0
        event(f"loans handed off: {min(len(handed), 2)}")   # shown by --hypothesis-show-statistics
    finally:
        con.close()
