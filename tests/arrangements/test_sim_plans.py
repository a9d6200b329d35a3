"""The simulator's borrowers take the plans offered to them and keep or break them.

Why these hold: the demo must show borrowers coming back onto a plan through the PRODUCTION paths
(the page's file, an SMS menu reply from the number the offer went to), at believable rates, and a
replayed day must land nothing new; keepers must pay the plan's amounts on the plan's dates (or the
plan would break in the lifecycle for the simulator's fault), spread over the covered loans oldest
arrears first.
"""

from __future__ import annotations

import json
import types
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from loan_comms import db
from loan_comms.simulation import draw, draw_behaviour
from loan_comms.simulation.arrangements import CHOICES_FILE, SMS_FILE, choose_plans, plan_choices, schedule_plan_payments
from loan_comms.simulation.phrases import _bank
from loan_comms.understanding.classify import understand
from tests.builders import insert, point

MONDAY = date(2026, 11, 30)
SENT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)                 # 10:00 in Shanghai
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)                  # the day's ingestion instant
N = 400


def _offers(con, n: int, *, step: str = "hardship_offer", channel: str = "sms", start: int = 0,
            review_second: bool = True) -> None:
    """n borrowers in Shanghai, each with a loan 30 days overdue, a hardship request, and an
    offer-bearing contact sent on MONDAY with two options (option 2 needs review when review_second)."""
    con.execute(f"""
        INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone, jurisdiction)
        SELECT 'B' || i, 'Wang Wei', 'Wang', '+86138' || lpad(i::VARCHAR, 8, '0'), 'b' || i || '@example.com',
               CASE WHEN i % 2 = 0 THEN 'zh-CN' ELSE 'en' END, 'Asia/Shanghai', 'cn'
        FROM range({start}, {start + n}) AS t(i);
        INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on)
        SELECT 'L' || i, 'B' || i, 'personal_loan', 1200, 'CNY', DATE '2026-01-01' FROM range({start}, {start + n}) AS t(i);
        INSERT INTO installments (loan_id, installment_no, due_date, amount_due)
        SELECT 'L' || i, k, DATE '2026-10-31' + to_months(k - 1), 300
        FROM range({start}, {start + n}) AS t(i), range(1, 5) AS m(k);
        INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, channel, purpose, step, status,
                                      planned_for_date, created_at, updated_at, sent_at, contact_point)
        SELECT 'A' || i, 'k' || i, 'B' || i, 'L' || i, '{channel}', 'follow_up', '{step}', 'sent', DATE '{MONDAY}',
               TIMESTAMPTZ '{SENT}', TIMESTAMPTZ '{SENT}', TIMESTAMPTZ '{SENT}',
               CASE WHEN '{channel}' = 'sms' THEN point_id('phone', '+86138' || lpad(i::VARCHAR, 8, '0')) END
        FROM range({start}, {start + n}) AS t(i);
        -- they asked for help (the offer's option 2, reduced_50_6, requires it: a choice is recomputed)
        INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, source, external_id)
        SELECT 'B' || i, 'L' || i, 'hardship_request', TIMESTAMPTZ '{SENT}' - INTERVAL 2 DAY, 'test', 'hs' || i
        FROM range({start}, {start + n}) AS t(i);
        INSERT INTO arrangement_offers
        SELECT 'T' || i, 'A' || i, 'B' || i, 'L' || i, 'CNY', 300, 30, '{channel}',
               CASE WHEN i % 2 = 0 THEN 'zh-CN' ELSE 'en' END, '{step}', DATE '{MONDAY}',
               TIMESTAMPTZ '{SENT}' + INTERVAL 14 DAY
        FROM range({start}, {start + n}) AS t(i);
        INSERT INTO arrangement_offer_options
        SELECT 'T' || i, o.no, o.id, o.kind, o.months, o.payment, o.total, false,
               o.no = 2 AND {str(review_second).lower()}, o.schedule
        FROM range({start}, {start + n}) AS t(i),
             (VALUES (1, 'respread_3', 'respread', 3, 400, 1200, '{_schedule(3, "400.00")}'),
                     (2, 'reduced_50_6', 'reduced_payment', 6, 150, 900, '{_schedule(6, "150.00")}'))
             AS o(no, id, kind, months, payment, total, schedule);
    """)


def _schedule(months: int, amount: str) -> str:
    """An option's schedule as arrangement_offer_options holds it: monthly from Dec 30, 2026."""
    dues = [date(2026, 12, 30), date(2027, 1, 30), date(2027, 2, 28), date(2027, 3, 30), date(2027, 4, 30),
            date(2027, 5, 30)]
    return json.dumps([{"no": k, "due_date": dues[k - 1].isoformat(), "amount": amount} for k in range(1, months + 1)])


@pytest.fixture
def offered(con):
    _offers(con, N)
    return con


def _lines(path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


# -- the phrase bank ------------------------------------------------------------------------------

def test_zh_hardship_replies_ask_for_instalments_and_read_as_hardship():
    wanted = {"我失业了，能不能分期还？", "最近手头紧，可以分期吗", "能不能晚点还", "能不能少还一点"}
    drawn = {draw("hardship", "zh", f"k{i}", MONDAY) for i in range(6000)}
    assert wanted <= drawn
    asks = [t for t in drawn if "分期" in t or "晚点还" in t or "少还" in t]
    assert len(asks) > 40
    for text in asks:
        u = understand(text, channel="sms", received_at=SENT, timezone="Asia/Shanghai")
        assert "hardship" in u.names(), text
    assert any("分期" in t for t in _bank()["hardship"]["zh"])


# -- who takes an offer, and how --------------------------------------------------------------------

def test_those_who_asked_take_their_offer_more_often_half_by_page_half_by_sms(offered, cfg):
    _offers(offered, N, step="forbearance_offer", start=N)
    web, sms = plan_choices(offered, cfg, MONDAY, 7, NOW)
    step = {r["token"]: r["step"] for r in db.rows(offered, "simulation/plan_choices",
                                                   {"as_of": MONDAY, "seed": 7, "deadline": NOW,
                                                    "sms_menu_options": 3})}
    taken = Counter(step.values())
    assert 0.5 * N < taken["hardship_offer"] < 0.7 * N           # ~60%: they asked for help
    assert 0.17 * N < taken["forbearance_offer"] < 0.33 * N      # ~25%
    assert 0.3 < len(sms) / (len(web) + len(sms)) < 0.5          # half of SMS offers; option 2 needs review: web
    assert (web, sms) == plan_choices(offered, cfg, MONDAY, 7, NOW)        # replayable
    assert plan_choices(offered, cfg, MONDAY, 8, NOW) != (web, sms)


def test_the_page_file_is_the_page_servers_format(offered, cfg, tmp_path):
    report = choose_plans(offered, cfg, MONDAY, 7, tmp_path, NOW)
    rows = _lines(tmp_path / CHOICES_FILE)
    assert len(rows) == report.web > 0
    for r in rows:
        assert set(r) == {"token", "option_no", "chosen_at", "source", "external_id"}
        assert r["source"] == "web" and r["external_id"].startswith("web:") and r["option_no"] in (1, 2)
        chosen = datetime.fromisoformat(r["chosen_at"])
        assert chosen.tzinfo is not None and SENT < chosen < NOW
    options = Counter(r["option_no"] for r in rows)
    assert options[1] > 2 * options[2] > 0                              # option 1 mostly, sometimes 2
    assert len({r["external_id"] for r in rows}) == len(rows)


def test_the_sms_menu_reply_comes_from_the_number_the_offer_went_to(offered, cfg, tmp_path):
    report = choose_plans(offered, cfg, MONDAY, 7, tmp_path, NOW)
    rows = _lines(tmp_path / SMS_FILE)
    assert len(rows) == report.sms > 0
    phones = dict(offered.execute("SELECT 'SIMPLAN' || 'A' || substr(borrower_id, 2), phone_e164 FROM borrowers")
                  .fetchall())
    for r in rows:
        assert set(r) == {"From", "Body", "MessageSid", "DateSent"}        # Twilio's field names
        assert r["From"] == phones[r["MessageSid"]]
        assert r["Body"] in ("1", "选1")                                     # option 2 needs review: page only
        assert SENT < datetime.fromisoformat(r["DateSent"]) < NOW
    assert {"1", "选1"} == {r["Body"] for r in rows}


def test_an_automatic_second_option_is_chosen_by_sms_too(con, cfg, tmp_path):
    _offers(con, N, review_second=False)
    _, sms = plan_choices(con, cfg, MONDAY, 7, NOW)
    assert {"2", "选2"} & {r["Body"] for r in sms}
    narrow = cfg.model_copy(update={"arrangements": cfg.arrangements.model_copy(update={"sms_menu_options": 1})})
    _, sms = plan_choices(con, cfg=narrow, as_of=MONDAY, seed=7, now=NOW)
    assert {r["Body"] for r in sms} <= {"1", "选1"}                         # 2 is not in a one-item menu


def test_no_menu_reply_when_a_later_sms_went_to_the_number_nor_for_an_email_offer(con, cfg):
    _offers(con, 40)
    _offers(con, 40, channel="email", start=40)
    con.execute("""INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, channel, purpose,
                       step, status, planned_for_date, created_at, updated_at, sent_at, contact_point)
                   SELECT 'X' || i, 'x' || i, 'B' || i, 'L' || i, 'sms', 'survey', 'survey', 'sent', DATE '2026-11-30',
                          TIMESTAMPTZ '2026-11-30 02:05:00+00', TIMESTAMPTZ '2026-11-30 02:05:00+00',
                          TIMESTAMPTZ '2026-11-30 02:05:00+00', point_id('phone', '+86138' || lpad(i::VARCHAR, 8, '0'))
                   FROM range(0, 20) AS t(i)""")
    web, sms = plan_choices(con, cfg, MONDAY, 7, NOW)
    by_sms = {r["MessageSid"].removeprefix("SIMPLAN") for r in sms}
    assert by_sms and all(20 <= int(a[1:]) < 40 for a in by_sms)          # the first 20 got a later SMS
    assert any(r["token"] in {f"T{i}" for i in range(40, 80)} for r in web)


def test_an_offer_on_a_loan_with_a_plan_already_open_is_not_taken_and_a_replay_draws_the_same(offered, cfg):
    web, sms = plan_choices(offered, cfg, MONDAY, 7, NOW)
    first = (web + sms)[0]
    token = first.get("token") or "T" + first["MessageSid"].removeprefix("SIMPLANA")
    loan = "L" + token[1:]
    for i, when in enumerate((SENT - timedelta(days=3), SENT + timedelta(hours=1))):
        insert(offered, "arrangements", arrangement_id=f"P{i}", borrower_id="B" + token[1:], loan_id=loan,
               currency="CNY", option_id="respread_3", kind="respread", months=3, freeze_interest=False,
               source="web", status="active", requested_at=when, decided_at=when, starts_on=MONDAY,
               ends_on=MONDAY + timedelta(days=92), external_id=f"earlier{i}", recorded_at=when)
        insert(offered, "arrangement_loans", arrangement_id=f"P{i}", loan_id=loan, arrears=300)
        if i == 0:
            again = plan_choices(offered, cfg, MONDAY, 7, NOW)
            assert token not in {r.get("token") for r in again[0]} and len(again[0]) + len(again[1]) == len(web) + len(sms) - 1
            offered.execute("DELETE FROM arrangements WHERE arrangement_id = 'P0'")
            offered.execute("DELETE FROM arrangement_loans WHERE arrangement_id = 'P0'")
    assert plan_choices(offered, cfg, MONDAY, 7, NOW) == (web, sms)      # a plan landed after the offer: same draw


def test_landing_goes_through_the_intake_and_the_reply_ingestion(offered, cfg, tmp_path):
    """Every choice lands as a plan, once: the page's file through the plan intake, the menu replies
    through the normal reply ingestion and its SMS menu hook."""
    report = choose_plans(offered, cfg, MONDAY, 7, tmp_path, NOW)
    assert report.landed_web and report.landed_sms
    assert (tmp_path / CHOICES_FILE).exists() and (tmp_path / SMS_FILE).exists()
    replies = "SELECT count(*) FROM borrower_events WHERE external_id LIKE 'SIMPLAN%'"
    recorded = offered.execute(replies).fetchone()[0]
    assert recorded == report.sms                                           # through the normal reply ingestion
    plans = "SELECT source, count(*) FROM arrangements GROUP BY source ORDER BY source"
    landed = offered.execute(plans).fetchall()
    assert landed == [("sms", report.sms), ("web", report.web)]             # every choice became a plan
    choose_plans(offered, cfg, MONDAY, 7, tmp_path, NOW)                    # replay: nothing new
    assert offered.execute(replies).fetchone()[0] == recorded and offered.execute(plans).fetchall() == landed


# -- payments of those on a plan ------------------------------------------------------------------

def _plans(con, n: int) -> None:
    """n borrowers, each on an active 3-month plan (200 / 200 / 250) covering their two loans: LA
    overdue since Sep 30 (300), LB since Oct 31 (100, then 300 in Dec)."""
    decided = datetime(2026, 11, 30, 3, tzinfo=UTC)
    for i in range(n):
        b = f"P{i}"
        insert(con, "borrowers", borrower_id=b, full_name="Li Lei", phone_e164=f"+8613900{i:06d}", language="zh-CN",
               timezone="Asia/Shanghai", jurisdiction="cn")
        for loan, dues in ((f"LA{i}", [(date(2026, 9, 30), 300)]),
                           (f"LB{i}", [(date(2026, 10, 31), 100), (date(2026, 12, 31), 300)])):
            insert(con, "loans", loan_id=loan, borrower_id=b, product="personal_loan", principal=Decimal(400),
                   currency="CNY")
            for k, (due, amount) in enumerate(dues, start=1):
                insert(con, "installments", loan_id=loan, installment_no=k, due_date=due, amount_due=Decimal(amount))
            insert(con, "arrangement_loans", arrangement_id=f"ARR{i}", loan_id=loan, arrears=Decimal(300))
        insert(con, "arrangements", arrangement_id=f"ARR{i}", borrower_id=b, loan_id=f"LA{i}", currency="CNY",
               option_id="respread_3", kind="respread", months=3, freeze_interest=False, source="web", status="active",
               requested_at=decided, decided_at=decided, decided_by="rules", starts_on=date(2026, 11, 30),
               ends_on=date(2027, 2, 28), external_id=f"web:{i}", recorded_at=decided)
        for k, (due, amount) in enumerate(((date(2026, 12, 30), 200), (date(2027, 1, 30), 200),
                                           (date(2027, 2, 28), 250)), start=1):
            insert(con, "arrangement_installments", arrangement_id=f"ARR{i}", installment_no=k, due_date=due,
                   amount=Decimal(amount))
    # not scheduled: a plan waiting for review, and one accepted after `now`
    for aid, status, at in (("WAIT", "pending_review", decided), ("LATER", "active", NOW + timedelta(days=1))):
        insert(con, "arrangements", arrangement_id=aid, borrower_id="P0", loan_id="LA0", currency="CNY",
               option_id="respread_3", kind="respread", months=3, freeze_interest=False, source="web", status=status,
               requested_at=at, decided_at=at if status == "active" else None, starts_on=date(2026, 11, 30),
               ends_on=date(2027, 2, 28), external_id=f"x:{aid}", recorded_at=at)
        insert(con, "arrangement_installments", arrangement_id=aid, installment_no=1, due_date=date(2026, 12, 30),
               amount=Decimal(100))


def _paid(con) -> dict[str, dict[int, list[tuple[str, Decimal, date]]]]:
    out: dict[str, dict[int, list]] = {}
    for pid, loan, amount, at in con.execute("SELECT payment_id, loan_id, amount, paid_at FROM payment_feed "
                                             "ORDER BY payment_id").fetchall():
        _, _, aid, no, _ = pid.split("-", 4)
        out.setdefault(aid, {}).setdefault(int(no), []).append((loan, amount, at.astimezone(ZoneInfo("Asia/Shanghai")).date()))
    return out


def test_keepers_pay_the_plan_amounts_on_the_plan_dates_breakers_stop(con):
    _plans(con, 60)
    added = schedule_plan_payments(con, 7, now=NOW)
    paid = _paid(con)
    assert set(paid) <= {f"ARR{i}" for i in range(60)}                  # none for WAIT or LATER
    dues = {1: (date(2026, 12, 30), Decimal(200)), 2: (date(2027, 1, 30), Decimal(200)), 3: (date(2027, 2, 28), Decimal(250))}
    keepers = breakers = 0
    for i in range(60):
        got = paid.get(f"ARR{i}", {})
        assert sorted(got) == list(range(1, len(got) + 1))               # a prefix of the schedule
        for no, parts in got.items():
            due, amount = dues[no]
            assert sum(a for _, a, _ in parts) == amount
            assert all(due - timedelta(days=2) <= day <= due for _, _, day in parts), parts
        keepers += len(got) == 3
        breakers += len(got) < 3
    assert 0.55 * 60 < keepers < 0.85 * 60 and breakers > 0
    assert added == sum(len(p) for plan in paid.values() for p in plan.values())
    assert schedule_plan_payments(con, 7, now=NOW) == 0                  # replay: nothing new


def test_payments_fill_the_oldest_arrears_first_the_last_loan_takes_the_rest(con):
    _plans(con, 60)
    schedule_plan_payments(con, 7, now=NOW)
    keeper = next(p for p in _paid(con).values() if len(p) == 3)
    split = {no: sorted((loan[:2], a) for loan, a, _ in parts) for no, parts in keeper.items()}
    # owed by Feb 28: LA 300 (since Sep 30) first, then LB 100 + 300 = 400; cumulative 200 / 400 / 650
    assert split == {1: [("LA", Decimal(200))], 2: [("LA", Decimal(100)), ("LB", Decimal(100))],
                     3: [("LB", Decimal(250))]}


def test_a_split_is_decided_once_even_when_the_loans_change(con):
    _plans(con, 10)
    schedule_plan_payments(con, 7, now=NOW)
    before = con.execute("SELECT * FROM payment_feed ORDER BY payment_id").fetchall()
    con.execute("UPDATE installments SET amount_paid = amount_due")         # everything paid meanwhile
    assert schedule_plan_payments(con, 7, now=NOW) == 0
    assert con.execute("SELECT * FROM payment_feed ORDER BY payment_id").fetchall() == before


# -- the day's behaviour ---------------------------------------------------------------------------

def test_draw_behaviour_reports_plans_and_plan_payments(con, cfg, tmp_path):
    _offers(con, 60)
    _plans(con, 5)
    report = draw_behaviour(con, cfg, MONDAY, 7, tmp_path)
    assert report.plans.startswith("plans: ") and "by SMS menu" in report.plans
    assert report.plan_payments > 0 and "plan payments scheduled" in str(report)
    assert (tmp_path / MONDAY.isoformat() / CHOICES_FILE).exists()
    again = draw_behaviour(con, cfg, MONDAY, 7, tmp_path)
    assert again.plan_payments == 0


def test_the_simulated_reviewer_decides_each_request_within_two_days(con, cfg, monkeypatch):
    """Against a stand-in review queue (the real one's pending, approve and decline replaced): every
    request is decided by 2 days after it was made, most approved, some declined with a reason; none twice."""
    from loan_comms.simulation import arrangements as sim
    from loan_comms.simulation.arrangements import REVIEWER, review_plans

    made = datetime(2026, 11, 30, 3, tzinfo=UTC)
    queue = {f"R{i}": types.SimpleNamespace(arrangement_id=f"R{i}", requested_at=made) for i in range(200)}
    decided: dict[str, tuple[str, str, datetime]] = {}
    monkeypatch.setattr(sim.reviews, "pending", lambda con, cfg, now: [r for k, r in queue.items() if k not in decided])
    monkeypatch.setattr(sim.reviews, "approve", lambda con, aid, by, now, cfg=None: decided.setdefault(aid, ("approved", by, now)))
    monkeypatch.setattr(sim.reviews, "decline", lambda con, aid, by, reason, now:
                        decided.setdefault(aid, ("declined", by, now)) if reason else None)
    days = [made + timedelta(days=d, hours=9) for d in range(4)]
    notes = [review_plans(con, cfg, 7, now) for now in days]
    assert len(decided) == 200 and notes[-1] == "plan reviews: 0 approved, 0 declined"
    assert {by for _, by, _ in decided.values()} == {REVIEWER}
    assert all(at <= made + timedelta(days=2, hours=9) for _, _, at in decided.values())
    verdicts = Counter(v for v, _, _ in decided.values())
    assert 0.6 * 200 < verdicts["approved"] < 0.8 * 200 and verdicts["declined"] > 0
    assert len({at for _, _, at in decided.values()}) == 3                  # spread over 0, 1 and 2 days
