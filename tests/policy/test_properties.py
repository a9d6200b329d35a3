"""Property: whatever the book and whatever borrowers do, the policy is never broken.

Random small books (timezones on both sides of the date line, all jurisdiction profiles, missing
phones and emails; every borrower with a phone shares the same one, so caps per contact point hold
across borrowers, profiles and timezones), random behaviour (opt-outs, cease-contact, disputes, hardship, promises,
conversations, partial and full payments), run day by day through the real planner and
dispatch. The independent audit must find nothing, and no contact may be left in limbo.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.config import load_config
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book, EchoRenderer, point, point_row

START = date(2026, 9, 26)   # the run crosses China's National Day holidays
DAYS = 14
TIMEZONES = ["Asia/Shanghai", "America/Los_Angeles", "Europe/London", "Pacific/Auckland", "America/New_York"]
PROFILES = ["cn", "us", "uk", "default"]
EVENT_KINDS = ["opt_out_sms", "opt_out_email", "opt_out_call", "opt_in_sms", "cease_contact", "dispute",
               "dispute_resolved", "hardship_request", "promise_to_pay", "reached", "no_answer", "pay_part", "pay_all",
               # issue 11: the person, the phone and the place
               "wrong_number", "number_reassigned", "stop_from_number", "attorney_representation", "bankruptcy",
               "breathing_space", "deceased", "complaint", "complaint_resolved", "vulnerable", "contact_preference",
               "inbound_call", "workplace_prohibited"]
# A small pool: borrowers drawing the same number share it (a family phone); +1 and +44 numbers put
# people on file in Shanghai or Auckland in other zones too.
PHONES = ["+8613812345678", "+8613912345679", "+12135550123", "+14155550188", "+447700900123"]

CFG = load_config()

borrower_st = st.fixed_dictionaries({
    "tz": st.sampled_from(TIMEZONES), "profile": st.sampled_from(PROFILES),
    "phone": st.sampled_from(PHONES) | st.none(),
    "email": st.booleans(),
    "second_phone": st.sampled_from(PHONES) | st.none(),
    "work_email": st.booleans(),
    "loans": st.lists(st.lists(st.tuples(st.integers(-12, DAYS + 3), st.integers(10, 900)), min_size=1, max_size=3),
                      min_size=1, max_size=3),
})
event_st = st.tuples(st.integers(0, 5), st.sampled_from(EVENT_KINDS), st.integers(-3, DAYS),
                     st.integers(0, 23), st.integers(0, 2))


@settings(max_examples=int(os.environ.get("POLICY_EXAMPLES", "10")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(borrowers=st.lists(borrower_st, min_size=1, max_size=5), events=st.lists(event_st, max_size=14))
def test_random_books_never_break_the_policy_and_lose_nothing(borrowers, events):
    con = db.connect()
    book = Book(con)
    loans_of: dict[int, list[tuple[str, int]]] = {}
    for i, b in enumerate(borrowers):
        book.borrower(f"B{i}", tz=b["tz"], jurisdiction=b["profile"], phone=b["phone"],
                      email="x@example.com" if b["email"] else None, language="en")
        if b["second_phone"] and b["second_phone"] != b["phone"]:
            point_row(con, f"B{i}", "phone", b["second_phone"], place="home")
        if b["work_email"]:
            point_row(con, f"B{i}", "email", f"b{i}@work.example.com", place="work")
        for j, dues in enumerate(b["loans"]):
            loan_id = f"L{i}-{j}"
            book.loan(loan_id, f"B{i}", sorted((str(START + timedelta(days=d)), f"{a}.00") for d, a in dues))
            loans_of.setdefault(i, []).append((loan_id, sum(a for _, a in dues)))
    for n, (who, kind, day, hour, which) in enumerate(events):
        i = who % len(borrowers)
        loan_id, total = loans_of[i][which % len(loans_of[i])]
        at = (datetime.combine(START + timedelta(days=day), datetime.min.time(), tzinfo=UTC)
              + timedelta(hours=hour)).isoformat()
        if kind.startswith("opt_"):
            action, _, channel = kind.rpartition("_")
            book.event(f"B{i}", action, at, channel=channel)
        elif kind in ("reached", "no_answer"):
            book.event(f"B{i}", "call_outcome", at, loan_id=loan_id, outcome=kind)
        elif kind == "promise_to_pay":
            book.event(f"B{i}", kind, at, loan_id=loan_id,
                       promised_date=str(START + timedelta(days=day + 1 + hour % 5)))
        elif kind in ("pay_part", "pay_all"):
            book.pay(loan_id, f"{total if kind == 'pay_all' else max(1, total // 3)}.00", at)
        elif kind in ("dispute", "dispute_resolved", "hardship_request"):
            book.event(f"B{i}", kind, at, loan_id=loan_id, scope="loan" if hour % 2 else "borrower")
        elif kind == "wrong_number":
            book.event(f"B{i}", "call_outcome", at, loan_id=loan_id, outcome="wrong_number")
        elif kind in ("number_reassigned", "stop_from_number"):
            phone = PHONES[hour % len(PHONES)]
            holders = [j for j, b in enumerate(borrowers) if phone in (b["phone"], b["second_phone"])]
            for j in holders or [i]:
                if kind == "number_reassigned":
                    book.event(f"B{j}", kind, at, contact_point=point("phone", phone))
                else:
                    book.event(f"B{j}", "opt_out", at, channel="sms", contact_point=point("phone", phone))
                    break   # one STOP from the number, recorded for the borrower it matched
        elif kind == "breathing_space":
            book.event(f"B{i}", kind, at, until=str(START + timedelta(days=day + 1 + hour % 9)))
        elif kind == "contact_preference":
            book.event(f"B{i}", kind, at, window=["10:00", "18:00"] if hour % 2 else None,
                       avoid_channels=["call"] if hour % 3 else ["sms"], avoid_places=["work"])
        elif kind == "inbound_call":
            book.event(f"B{i}", kind, at, conversation=bool(hour % 2))
        else:
            book.event(f"B{i}", kind, at)

    renderer = EchoRenderer()
    for d in range(DAYS):
        day = START + timedelta(days=d)
        plan_day(con, CFG, renderer, day)
        dispatch_day(con, CFG, day)

    end = datetime.combine(START + timedelta(days=DAYS + 2), datetime.min.time(), tzinfo=UTC)
    report = run_audit(con, CFG, now=end)
    assert report.ok, str(report)
    limbo = con.execute("SELECT count(*) FROM contact_attempts WHERE status = 'planned' "
                        "OR (status = 'suppressed' AND suppressed_reason IS NULL)").fetchall()[0][0]
    assert limbo == 0, "every contact ends sent, failed or suppressed with a reason"
    con.close()
