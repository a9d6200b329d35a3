"""The synthetic loan book: deterministic, realistic enough to exercise every part of the lifecycle."""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter
from datetime import date, timedelta

import phonenumbers
import pytest

from loan_comms import db
from loan_comms.book import validation
from loan_comms.book.synthetic import BookExistsError, generate_book

START = date(2026, 11, 1)
TABLES = ("borrowers", "loans", "installments", "payment_feed", "synthetic_profiles")


def build(loans: int, seed: int):
    con = db.connect()
    report = generate_book(con, loans=loans, seed=seed, start=START)
    return con, report


def dump(con) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


@pytest.fixture(scope="module")
def book():
    con, report = build(3000, seed=11)
    yield con, report
    con.close()


def q(con, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchall()


def test_same_seed_same_book_different_seed_different_book():
    a, ra = build(400, seed=5)
    b, rb = build(400, seed=5)
    c, _ = build(400, seed=6)
    assert dump(a) == dump(b)
    assert str(ra) == str(rb)
    da, dc = dump(a), dump(c)
    for t in TABLES:
        assert da[t] != dc[t], t


def test_report_counts_match_the_tables(book):
    con, report = book
    assert report.loans == 3000
    assert report.borrowers == q(con, "SELECT count(*) FROM borrowers")[0][0]
    assert report.installments == q(con, "SELECT count(*) FROM installments")[0][0]
    assert report.payments == q(con, "SELECT count(*) FROM payment_feed")[0][0]
    assert sum(report.behaviours.values()) == report.borrowers
    assert "3000 loans" in str(report)


def test_about_one_to_one_point_three_loans_per_borrower_and_everyone_has_a_loan(book):
    con, report = book
    assert 1.0 <= report.loans / report.borrowers <= 1.3
    assert q(con, "SELECT count(*) FROM borrowers WHERE borrower_id NOT IN (SELECT borrower_id FROM loans)")[0][0] == 0


def test_languages_timezones_and_jurisdictions(book):
    con, _ = book
    langs = dict(q(con, "SELECT language, count(*) FROM borrowers GROUP BY 1"))
    assert set(langs) == {"zh-CN", "en"}
    share = langs["zh-CN"] / sum(langs.values())
    assert 0.6 <= share <= 0.8
    tzs = Counter(dict(q(con, "SELECT timezone, count(*) FROM borrowers GROUP BY 1")))
    assert tzs.most_common(1)[0][0] == "Asia/Shanghai"
    assert len(set(tzs) - {"Asia/Shanghai"}) >= 3
    assert all(tz in zoneinfo.available_timezones() for tz in tzs)
    pairs = set(q(con, "SELECT timezone, jurisdiction FROM borrowers"))
    expected = {"Asia": "cn", "America": "us", "Europe": "uk"}
    for tz, jur in pairs:
        # label vs location: some New York borrowers are on file under the cn profile (issue 11)
        allowed = (expected[tz.split("/")[0]], "default") + (("cn",) if tz == "America/New_York" else ())
        assert jur in allowed, (tz, jur)
    assert any(j == "default" for _, j in pairs)
    assert ("America/New_York", "cn") in pairs


def test_names_match_the_language_and_some_are_long(book):
    con, _ = book
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for name, first, lang in q(con, "SELECT full_name, first_name, language FROM borrowers"):
        if lang == "zh-CN":
            assert cjk.search(name), name
            assert first is None
        else:
            assert re.fullmatch(r"[A-Za-z' -]+", name), name
            assert name.startswith(first + " ")
    assert q(con, "SELECT max(length(full_name)) FROM borrowers WHERE language = 'en'")[0][0] >= 25
    assert q(con, "SELECT max(length(full_name)) FROM borrowers WHERE language = 'zh-CN'")[0][0] >= 5


def test_phones_are_valid_mostly_local_and_shared_only_within_a_family(book):
    """Valid mobiles, local to the borrower except the seams issue 11 asks the simulator to show:
    New York and London borrowers with a Los Angeles number, and families sharing one phone."""
    con, _ = book
    rows = q(con, "SELECT borrower_id, phone_e164, timezone FROM borrowers ORDER BY borrower_id")
    region_of = {"Asia/Shanghai": "CN", "Asia/Hong_Kong": "HK", "Asia/Singapore": "SG",
                 "Europe/London": "GB", "America/New_York": "US", "America/Los_Angeles": "US"}
    elsewhere = Counter()
    for _, phone, tz in rows:
        parsed = phonenumbers.parse(phone, None)
        assert phonenumbers.is_valid_number(parsed), phone
        assert validation.is_valid_e164(phone), phone
        assert phonenumbers.number_type(parsed) in (phonenumbers.PhoneNumberType.MOBILE,
                                                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE), phone
        if phonenumbers.region_code_for_number(parsed) != region_of[tz]:
            assert tz == "Europe/London" and phone.startswith("+1"), (phone, tz)
            elsewhere[tz] += 1
        elif tz == "America/New_York" and phone[2:5] in {"213", "310", "323", "415", "818"}:
            elsewhere[tz] += 1
    assert elsewhere["Europe/London"] > 0 and elsewhere["America/New_York"] > 0
    holders: dict[str, list[str]] = {}
    for borrower_id, phone, _ in rows:
        holders.setdefault(phone, []).append(borrower_id)
    shared = [ids for ids in holders.values() if len(ids) > 1]
    assert shared, "some families share a phone"
    assert len(shared) <= 0.06 * len(rows)
    # a family: consecutive borrowers, living in the same place
    for ids in shared:
        assert len({tz for b, _, tz in rows if b in ids}) == 1


def test_emails_are_valid_or_missing(book):
    con, _ = book
    emails = [e for (e,) in q(con, "SELECT email FROM borrowers")]
    missing = sum(e is None for e in emails)
    assert 0 < missing < len(emails) * 0.3
    assert all(validation.email_problem(e) is None for e in emails if e)
    assert all(e.split("@")[1] in ("example.com", "example.net", "example.org") for e in emails if e)


def test_products_currencies_and_principals(book):
    con, _ = book
    segs = dict(q(con, "SELECT segment, count(*) FROM borrowers GROUP BY 1"))
    assert set(segs) == {"consumer", "small_business"}
    products = set(r[0] for r in q(con, "SELECT DISTINCT product FROM loans"))
    assert products == {"personal_loan", "credit_card_instalment", "auto_loan", "sme_working_capital"}
    bad = q(con, """SELECT count(*) FROM loans JOIN borrowers USING (borrower_id)
                    WHERE (segment = 'small_business') <> (product = 'sme_working_capital')""")[0][0]
    assert bad == 0
    cur = q(con, """SELECT DISTINCT split_part(timezone, '/', 1), currency FROM loans JOIN borrowers USING (borrower_id)""")
    assert set(cur) == {("Asia", "CNY"), ("America", "USD"), ("Europe", "GBP")}
    assert q(con, "SELECT min(principal) FROM loans")[0][0] > 0
    # an SME loan is bigger than a card instalment plan, in the same currency
    med = dict(q(con, "SELECT product, median(principal) FROM loans WHERE currency = 'CNY' GROUP BY 1"))
    assert med["sme_working_capital"] > med["auto_loan"] > med["credit_card_instalment"]


def test_schedules_are_monthly_mid_course_and_spread_over_the_month(book):
    con, _ = book
    assert q(con, "SELECT min(amount_due) FROM installments")[0][0] > 0
    n = q(con, "SELECT min(c), max(c) FROM (SELECT count(*) AS c FROM installments GROUP BY loan_id)")[0]
    assert n[0] >= 3 and n[1] <= 24
    # consecutive installments one month apart; numbering 1..n without gaps
    gaps = q(con, """SELECT count(*) FROM (
                        SELECT installment_no, lag(installment_no) OVER w AS prev_no,
                               date_diff('month', lag(due_date) OVER w, due_date) AS months
                        FROM installments WINDOW w AS (PARTITION BY loan_id ORDER BY installment_no))
                     WHERE prev_no IS NOT NULL AND (installment_no <> prev_no + 1 OR months <> 1)""")[0][0]
    assert gaps == 0
    assert q(con, "SELECT count(DISTINCT day(due_date)) FROM installments")[0][0] == 31
    # on START most loans have some installments behind them and some ahead
    mid = q(con, """SELECT avg(CASE WHEN first_due <= $s AND last_due > $s THEN 1 ELSE 0 END),
                           min(last_due)
                    FROM (SELECT loan_id, min(due_date) AS first_due, max(due_date) AS last_due
                          FROM installments GROUP BY loan_id)""", {"s": START})[0]
    assert mid[0] > 0.5
    assert mid[1] >= START - timedelta(days=31)
    # every loan is opened before START, its first installment a month later
    assert q(con, "SELECT count(*) FROM loans WHERE opened_on > $s", {"s": START})[0][0] == 0


def test_payments_never_exceed_what_is_due_and_stop_at_the_horizon(book):
    con, _ = book
    over = q(con, """SELECT count(*) FROM installments AS i
                     JOIN (SELECT loan_id, split_part(payment_id, ':', 3)::INT AS installment_no, sum(amount) AS paid
                           FROM payment_feed GROUP BY ALL) AS f USING (loan_id, installment_no)
                     WHERE f.paid > i.amount_due""")[0][0]
    assert over == 0
    per_loan = q(con, """SELECT count(*) FROM (SELECT loan_id, sum(amount) AS paid FROM payment_feed GROUP BY 1) AS p
                         JOIN (SELECT loan_id, sum(amount_due) AS due FROM installments GROUP BY 1) AS d USING (loan_id)
                         WHERE paid > due""")[0][0]
    assert per_loan == 0
    assert q(con, "SELECT min(amount) FROM payment_feed")[0][0] > 0
    assert q(con, "SELECT DISTINCT source FROM payment_feed") == [("synthetic",)]
    last = q(con, """SELECT max((f.paid_at AT TIME ZONE b.timezone)::DATE) FROM payment_feed f
                     JOIN loans USING (loan_id) JOIN borrowers b USING (borrower_id)""")[0][0]
    assert last <= START + timedelta(days=120)
    assert q(con, "SELECT count(*) FROM payment_feed WHERE paid_at < $s::TIMESTAMPTZ", {"s": START})[0][0] > 0
    assert q(con, "SELECT count(*) FROM payment_feed WHERE paid_at > $s::TIMESTAMPTZ", {"s": START})[0][0] > 0


def test_payments_happen_at_local_daytime(book):
    con, _ = book
    hours = q(con, """SELECT min(hour(f.paid_at AT TIME ZONE b.timezone)), max(hour(f.paid_at AT TIME ZONE b.timezone))
                      FROM payment_feed f JOIN loans USING (loan_id) JOIN borrowers b USING (borrower_id)""")[0]
    assert hours[0] >= 8 and hours[1] <= 21


def test_behaviours_show_in_the_payments(book):
    con, report = book
    shares = {k: v / report.borrowers for k, v in report.behaviours.items()}
    assert set(shares) == {"early", "on_time", "late", "partial", "never"}
    assert 0.18 < shares["early"] < 0.32 and 0.38 < shares["on_time"] < 0.52
    assert 0.12 < shares["late"] < 0.24 and 0.03 < shares["partial"] < 0.11 and 0.02 < shares["never"] < 0.09
    assert q(con, "SELECT count(*) FROM synthetic_profiles")[0][0] == report.borrowers
    # days from due date to the payment that covers it, by behaviour
    lag = dict(q(con, """
        SELECT p.behaviour, median(date_diff('day', i.due_date, (f.paid_at AT TIME ZONE b.timezone)::DATE))
        FROM payment_feed f
        JOIN installments i ON i.loan_id = f.loan_id AND i.installment_no = split_part(f.payment_id, ':', 3)::INT
        JOIN loans l ON l.loan_id = i.loan_id JOIN borrowers b ON b.borrower_id = l.borrower_id
        JOIN synthetic_profiles p ON p.borrower_id = b.borrower_id
        WHERE f.payment_id LIKE '%:a'
        GROUP BY 1"""))
    assert lag["early"] < 0 and lag["on_time"] == 0 and lag["late"] >= 3
    # partial payers pay in two parts; never-payers leave installments due before the horizon unpaid
    assert q(con, "SELECT count(*) FROM payment_feed WHERE payment_id LIKE '%:b'")[0][0] > 0
    unpaid = q(con, """
        SELECT count(*) FROM installments i JOIN loans l USING (loan_id)
        JOIN synthetic_profiles p ON p.borrower_id = l.borrower_id
        WHERE p.behaviour = 'never' AND i.due_date < $s
          AND NOT EXISTS (SELECT 1 FROM payment_feed f WHERE f.loan_id = i.loan_id
                          AND split_part(f.payment_id, ':', 3)::INT = i.installment_no)""",
                   {"s": START + timedelta(days=90)})[0][0]
    assert unpaid > 0


def test_contact_responsive_late_payers_lose_only_their_late_payments(book):
    """responsive_share: a share of the late payers' loans has no pre-generated late payment (the
    simulator's contact response pays them); everything else is the book the default generates."""
    con, _ = book
    full = set(q(con, "SELECT * EXCLUDE (ingested_at) FROM payment_feed"))
    responsive = db.connect()
    generate_book(responsive, loans=3000, seed=11, start=START, responsive_share=0.5)
    kept = set(q(responsive, "SELECT * EXCLUDE (ingested_at) FROM payment_feed"))
    for t in ("borrowers", "loans", "installments", "synthetic_profiles"):
        assert dump(responsive)[t] == dump(con)[t]
    assert kept < full
    responsive.execute("CREATE TEMP TABLE gone (payment_id VARCHAR, loan_id VARCHAR, paid_at TIMESTAMPTZ)")
    responsive.executemany("INSERT INTO gone VALUES (?, ?, ?)", [(r[0], r[1], r[3]) for r in full - kept])
    late = q(responsive, """
        SELECT count(*) FILTER (WHERE p.behaviour = 'late'
                                  AND date_diff('day', i.due_date, (g.paid_at AT TIME ZONE b.timezone)::DATE) >= 3),
               count(*)
        FROM gone AS g
        JOIN installments i ON i.loan_id = g.loan_id AND i.installment_no = split_part(g.payment_id, ':', 3)::INT
        JOIN loans l ON l.loan_id = i.loan_id JOIN borrowers b ON b.borrower_id = l.borrower_id
        JOIN synthetic_profiles p ON p.borrower_id = b.borrower_id""")[0]
    assert late[0] == late[1] == len(full - kept) > 100   # all of them late payments of late payers
    with pytest.raises(ValueError, match="responsive_share"):
        generate_book(db.connect(), loans=10, seed=1, start=START, responsive_share=1.5)
    responsive.close()


def test_the_latent_behaviour_stays_out_of_the_borrowers_table(book):
    con, _ = book
    cols = [r[0] for r in q(con, "DESCRIBE borrowers")]
    assert "behaviour" not in cols
    assert set(r[0] for r in q(con, "SELECT DISTINCT segment FROM borrowers")) <= {"consumer", "small_business"}


def test_generating_into_a_database_that_holds_a_book_is_refused(book):
    con, _ = book
    before = q(con, "SELECT count(*) FROM loans")[0][0]
    with pytest.raises(BookExistsError, match="already holds a loan book"):
        generate_book(con, loans=10, seed=1, start=START)
    assert q(con, "SELECT count(*) FROM loans")[0][0] == before


def test_bad_arguments_are_refused():
    con = db.connect()
    with pytest.raises(ValueError, match="loans must be at least 1"):
        generate_book(con, loans=0, seed=1, start=START)


def test_a_single_loan_book_works():
    con, report = build(1, seed=2)
    assert (report.borrowers, report.loans) == (1, 1)
    assert report.installments >= 3


def test_every_synthetic_borrower_has_a_city_of_their_timezone_and_a_district(con):
    """Where a home visit goes (issue 16): a city of the timezone, a district of the city; a family
    sharing a home shares it."""
    generate_book(con, loans=400, seed=5, start=START)
    cities = dict(q(con, "SELECT timezone, list(DISTINCT city ORDER BY city) FROM borrowers GROUP BY timezone"))
    assert cities["Asia/Shanghai"] == ["Beijing", "Shanghai"] and cities["Europe/London"] == ["London"]
    assert cities["Asia/Hong_Kong"] == ["Hong Kong"] and cities["America/Los_Angeles"] == ["Los Angeles"]
    assert q(con, "SELECT count(*) FROM borrowers WHERE city IS NULL OR district IS NULL")[0][0] == 0
    assert q(con, "SELECT count(DISTINCT district) FROM borrowers WHERE city = 'Shanghai'")[0][0] >= 4
