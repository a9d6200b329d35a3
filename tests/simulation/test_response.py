"""The simulator's response model: the curve's shape (response.py) and the SQL draws that follow it
(sql/simulation/contact_payments.sql, the opt-out draw of email_unsubscribes.sql), on a hand-built
book of borrowers contacted 1, 3 or 8 times in the last 7 local days."""

from __future__ import annotations

from datetime import date, time, timedelta

import pydantic
import pytest

from loan_comms import db
from loan_comms.simulation.response import RESPONSE, ResponseModel

DAY = date(2026, 11, 16)
PER_GROUP = 2000
INTENSITIES = (1, 3, 8)


# ---- the curve ---------------------------------------------------------------------------------

def test_pay_rises_to_a_peak_at_three_contacts_then_falls_below_one_contact():
    pay = [RESPONSE.multiplier("pay", n) for n in range(1, 13)]
    peak = pay.index(max(pay)) + 1
    assert peak == 3
    assert all(a < b for a, b in zip(pay[:peak - 1], pay[1:peak]))              # rises to the peak
    assert all(a > b for a, b in zip(pay[peak - 1:8], pay[peak:9]))             # then falls
    assert RESPONSE.multiplier("pay", 6) < RESPONSE.multiplier("pay", 1) == 1.0  # worse than one contact by 6
    assert pay[-1] == pay[8] == RESPONSE.pay[-1]                                # the last value holds
    assert RESPONSE.multiplier("pay", 0) == 1.0                                 # below one counts as one


def test_complaints_and_opt_outs_only_rise_with_intensity():
    for curve in ("complaint", "opt_out"):
        values = [RESPONSE.multiplier(curve, n) for n in range(1, 12)]
        assert values[0] == 1.0
        assert all(a <= b for a, b in zip(values, values[1:]))
        assert values[-1] > 3 * values[0]
    steps = [b - a for a, b in zip(RESPONSE.complaint, RESPONSE.complaint[1:])]
    assert all(a <= b for a, b in zip(steps, steps[1:]))  # complaints: convex


@pytest.mark.parametrize("bad", [
    {"pay": (1.2, 1.5, 1.0)},                 # not 1 at one contact
    {"complaint": (1.0, 2.0, 1.5)},           # falls
    {"opt_out": (1.0, 0.0)},                  # not above 0
    {"contact_pay_base": 0.9},                # base x peak above 1
    {"pay": (1.0,)},                          # one point
    {"pay_within_days": 0},
    {"unknown": 1},
])
def test_a_curve_that_makes_no_sense_is_refused(bad):
    with pytest.raises(pydantic.ValidationError):
        ResponseModel(**bad)


# ---- the SQL draws -----------------------------------------------------------------------------

def hand_built_book(channel: str = "sms"):
    """PER_GROUP borrowers per intensity, each with one loan 100.00 overdue (due 10 days before DAY) and
    one installment not yet due, contacted `n` times in the 7 local days ending DAY (one of them on
    DAY), plus a survey and a contact 8 days back that do not count."""
    con = db.connect()
    con.execute("""
        CREATE TEMP TABLE hb AS
        SELECT g.n, i, 'B' || g.n || '-' || i AS borrower_id, 'L' || g.n || '-' || i AS loan_id
        FROM (SELECT unnest($ns) AS n) AS g, range($per) AS r(i)""", {"ns": list(INTENSITIES), "per": PER_GROUP})
    con.execute("""
        INSERT INTO borrowers (borrower_id, full_name, language, timezone)
        SELECT borrower_id, 'Test ' || borrower_id, 'en', 'Asia/Shanghai' FROM hb;
        INSERT INTO loans (loan_id, borrower_id, product, principal, currency)
        SELECT loan_id, borrower_id, 'personal', 1000, 'CNY' FROM hb;
        INSERT INTO installments (loan_id, installment_no, due_date, amount_due)
        SELECT loan_id, 1, $day::DATE - 10, 100.00 FROM hb
        UNION ALL SELECT loan_id, 2, $day::DATE + 20, 100.00 FROM hb;""", {"day": DAY})
    con.execute("""
        INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, channel, purpose, step,
                                      status, planned_for_date, created_at, updated_at, sent_at)
        SELECT a || '-' || k, a || '|' || k, borrower_id, loan_id, $channel,
               CASE WHEN k = -1 THEN 'survey' ELSE 'escalation' END, 'dpd_' || k::VARCHAR, 'sent', d, ts, ts, ts
        FROM (SELECT *, timezone('Asia/Shanghai', d + TIME '10:00') AS ts
              FROM (SELECT hb.*, 'A' || hb.borrower_id AS a, k,
                           $day::DATE - (CASE k WHEN -2 THEN 8 WHEN -1 THEN 0 ELSE k % 7 END)::INTEGER AS d
                    FROM hb, (SELECT unnest(range(-2, 8)) AS k) AS ks
                    WHERE k < hb.n)) AS c""", {"day": DAY, "channel": channel})
    return con


def paid_share(con) -> dict[int, float]:
    found = dict(con.execute("""
        SELECT hb.n, count(f.payment_id) / count(*) FROM hb LEFT JOIN payment_feed AS f USING (loan_id)
        GROUP BY hb.n""").fetchall())
    return {n: float(found[n]) for n in INTENSITIES}


@pytest.fixture(scope="module")
def drawn():
    """The book after one day's draw with a base of 30% (so the groups' shares are far apart)."""
    con = hand_built_book()
    model = ResponseModel(contact_pay_base=0.3)
    added = db.changed(con, "simulation/contact_payments", {"as_of": DAY, "seed": 7, **model.params()})
    yield con, model, added
    con.close()


def test_contact_intensity_counts_the_7_local_days_without_surveys(drawn):
    con, _, _ = drawn
    counts = dict(con.execute("""
        SELECT hb.n, list(DISTINCT ci.contacts_7d) FROM hb JOIN contact_intensity($day::DATE) AS ci USING (borrower_id)
        GROUP BY hb.n""", {"day": DAY}).fetchall())
    assert counts == {1: [1], 3: [3], 8: [8]}
    today = con.execute("SELECT DISTINCT contacts_today FROM contact_intensity($day::DATE) ORDER BY ALL",
                        {"day": DAY}).fetchall()
    assert today == [(1,), (2,)]   # 8 contacts in 7 days: two of them today


def test_the_paid_share_follows_the_curve(drawn):
    con, model, added = drawn
    share = paid_share(con)
    assert added == sum(round(s * PER_GROUP) for s in share.values())
    assert share[3] > share[1] > share[8]
    for n in INTENSITIES:
        assert share[n] == pytest.approx(model.contact_pay_base * model.multiplier("pay", n), abs=0.035)


def test_a_payment_is_the_overdue_amount_a_few_days_later_at_local_noon(drawn):
    con, model, _ = drawn
    rows = con.execute("""
        SELECT DISTINCT amount, source, timezone('Asia/Shanghai', paid_at)::TIME,
               timezone('Asia/Shanghai', paid_at)::DATE - $day::DATE
        FROM payment_feed ORDER BY ALL""", {"day": DAY}).fetchall()
    assert {r[:3] for r in rows} == {(100, "simulator", time(12))}
    assert {r[3] for r in rows} == set(range(1, model.pay_within_days + 1))


def test_same_seed_same_rows_and_another_seed_others(drawn):
    con, model, _ = drawn
    first = con.execute("SELECT * EXCLUDE (ingested_at) FROM payment_feed ORDER BY payment_id").fetchall()
    again = hand_built_book()
    db.changed(again, "simulation/contact_payments", {"as_of": DAY, "seed": 7, **model.params()})
    assert again.execute("SELECT * EXCLUDE (ingested_at) FROM payment_feed ORDER BY payment_id").fetchall() == first
    other = hand_built_book()
    db.changed(other, "simulation/contact_payments", {"as_of": DAY, "seed": 8, **model.params()})
    assert other.execute("SELECT * EXCLUDE (ingested_at) FROM payment_feed ORDER BY payment_id").fetchall() != first


def test_rerunning_the_day_and_drawing_the_next_day_pay_nobody_twice(drawn):
    con, model, _ = drawn
    params = {"as_of": DAY, "seed": 7, **model.params()}
    before = con.execute("SELECT count(*) FROM payment_feed").fetchone()
    assert db.changed(con, "simulation/contact_payments", params) == 0
    assert con.execute("SELECT count(*) FROM payment_feed").fetchone() == before
    # the next day (contacted again): a loan whose contact payment is pending owes nothing more
    con.execute("""
        INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, channel, purpose, step,
                                      status, planned_for_date, created_at, updated_at, sent_at)
        SELECT 'N' || loan_id, 'N|' || loan_id, borrower_id, loan_id, 'sms', 'escalation', 'next', 'sent',
               $next, now(), now(), now()
        FROM hb""", {"next": DAY + timedelta(days=1)})
    next_day = {**params, "as_of": DAY + timedelta(days=1)}
    db.changed(con, "simulation/contact_payments", next_day)
    twice = con.execute("SELECT count(*) FROM (SELECT loan_id FROM payment_feed GROUP BY loan_id HAVING count(*) > 1)")
    assert twice.fetchone() == (0,)


def test_a_loan_the_feed_will_pay_anyway_and_a_borrower_not_contacted_today_are_not_drawn():
    con = hand_built_book()
    # half the loans: the borrower's own late payment is already in the feed, 20 days on
    con.execute("""
        INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source)
        SELECT 'own-' || loan_id, loan_id, 100.00, timezone('Asia/Shanghai', $day::DATE + 20 + TIME '09:00'), 'synthetic'
        FROM hb WHERE i % 2 = 0""", {"day": DAY})
    certain = ResponseModel(pay=(1.0, 1.5, 2.0), contact_pay_base=0.5)   # 3 contacts: always pay
    db.changed(con, "simulation/contact_payments", {"as_of": DAY, "seed": 7, **certain.params()})
    paid = con.execute("""
        SELECT hb.i % 2, count(*) FROM hb JOIN payment_feed AS f USING (loan_id)
        WHERE f.source = 'simulator' AND hb.n = 3 GROUP BY ALL ORDER BY ALL""").fetchall()
    assert paid == [(1, PER_GROUP // 2)]
    # the day after, nobody is contacted: nothing is drawn
    tomorrow = DAY + timedelta(days=1)
    assert db.changed(con, "simulation/contact_payments", {"as_of": tomorrow, "seed": 7, **certain.params()}) == 0
    con.close()


def test_email_unsubscribes_rise_with_intensity():
    con = hand_built_book(channel="email")
    con.execute("UPDATE contact_attempts SET provider_message_id = 'sg-' || attempt_id")
    model = ResponseModel(opt_out=(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0))
    rows = db.rows(con, "simulation/email_unsubscribes", {"as_of": DAY, "seed": 7, **model.params()})
    by_n = dict(con.execute("""
        SELECT hb.n, count(*) FROM hb JOIN contact_attempts AS a USING (borrower_id)
        WHERE list_contains($ids, a.attempt_id) GROUP BY hb.n""", {"ids": [r["attempt_id"] for r in rows]}).fetchall())
    emails_today = dict(con.execute("""
        SELECT hb.n, count(*) FROM hb JOIN contact_attempts AS a USING (borrower_id)
        WHERE a.planned_for_date = $day GROUP BY hb.n""", {"day": DAY}).fetchall())
    rate = {n: by_n.get(n, 0) / emails_today[n] for n in INTENSITIES}
    assert rate[1] < rate[3] < rate[8]
    assert rate[8] == pytest.approx(0.005 * 8, abs=0.015)
    con.close()
