"""Arrangement analytics on a hand-built log: exact offer funnel, plan outcomes, cure comparison,
complaints and satisfaction; rebuilt twice gives the same tables; the report's section and the
artifact's markdown carry numbers only.

The story (horizon 2026-12-31, Shanghai borrowers; decisions at 10:00 local):
  offers   O1 taken (A1; its second answer A6 was declined), O2 pending (A2), O3 declined (A3),
           O4 unanswered (expired), O5 still open, O6 never went (suppressed)
  plans    A1 kept, A4 (agent, no offer) broken, A5 active with a missed installment
  episodes L1 (plan A1 at dpd 10, current after 50 days), L4 (plan A4 at dpd 45, broken),
           L5 (plan A5 at dpd 12, on track, window incomplete); no plan: L7 (cured in 20 days),
           L8 (never cured, 150 dpd), L9 (cured at dpd 77)
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from loan_comms.arrangements import analytics
from loan_comms.surveys import aggregate
from loan_comms.surveys.report import render_report
from tests.builders import insert

HORIZON = date(2026, 12, 31)


def _at(day: str, hour: int = 2) -> datetime:
    """10:00 Shanghai on `day` (02:00 UTC)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _borrower(con, bid: str) -> None:
    insert(con, "borrowers", borrower_id=bid, full_name=f"Name {bid}", phone_e164="+8613800138000",
           language="zh-CN", timezone="Asia/Shanghai", jurisdiction="cn")


def _loan(con, lid: str, bid: str, product: str = "personal_loan") -> None:
    _borrower(con, bid)
    insert(con, "loans", loan_id=lid, borrower_id=bid, product=product, principal=Decimal("1000"), currency="CNY")


def _offer(con, token: str, loan: str, bid: str, *, step: str = "hardship_offer", channel: str = "sms",
           status: str = "sent", day: str = "2026-10-10", expires: str = "2026-10-24") -> None:
    at = _at(day)
    insert(con, "contact_attempts", attempt_id=f"att-{token}", idempotency_key=f"{bid}|{loan}|{step}|{channel}|{day}",
           borrower_id=bid, loan_id=loan, channel=channel, purpose="follow_up", step=step, status=status,
           planned_for_date=date.fromisoformat(day), created_at=at, updated_at=at,
           sent_at=at if status == "sent" else None)
    insert(con, "arrangement_offers", token=token, attempt_id=f"att-{token}", borrower_id=bid, loan_id=loan,
           currency="CNY", arrears=Decimal("300"), dpd=10, channel=channel, language="zh-CN", step=step,
           offered_on=date.fromisoformat(day), expires_at=_at(expires))


def _plan(con, aid: str, loan: str, bid: str, *, status: str = "active", token: str | None = None,
          option_id: str = "respread_3", kind: str = "respread", source: str = "web", decided: str = "2026-10-11",
          ending: tuple[str, str] | None = None, missed: int = 0, agreed_via: str | None = None) -> None:
    at = _at(decided)
    insert(con, "arrangements", arrangement_id=aid, borrower_id=bid, loan_id=loan, currency="CNY",
           option_id=option_id, kind=kind, months=3, freeze_interest=False, offer_token=token,
           option_no=1 if token else None, source=source, agent_id="agent-7" if source == "agent" else None,
           status=status, requested_at=at, decided_at=None if status == "pending_review" else at,
           decided_by=None if status == "pending_review" else "rules", decision_reason=None,
           starts_on=date.fromisoformat(decided), ends_on=date.fromisoformat(decided) + timedelta(days=90),
           external_id=f"web:{aid}", recorded_at=at, agreed_via=agreed_via)
    insert(con, "arrangement_loans", arrangement_id=aid, loan_id=loan, arrears=Decimal("300"))
    if status == "active":
        _event(con, bid, loan, "arrangement_accepted", at, aid)
    for k in range(1, missed + 1):
        _event(con, bid, loan, "arrangement_missed", at + timedelta(days=30 * k), aid, k)
    if ending:
        _event(con, bid, loan, ending[0], _at(ending[1]), aid)


def _event(con, bid: str, loan: str | None, kind: str, at: datetime, aid: str | None = None,
           no: int | None = None) -> None:
    detail = {"arrangement_id": aid} if aid else {}
    if no:
        detail["installment_no"] = no
    ext = f"arr:{aid}:{kind.removeprefix('arrangement_')}" + (f":{no}" if no else "") if aid else f"x:{bid}:{kind}:{at}"
    insert(con, "borrower_events", borrower_id=bid, loan_id=loan, kind=kind, occurred_at=at,
           detail=json.dumps(detail), source="test", external_id=ext, scope="loan")


def _episode(con, loan: str, opened: str, closed: str | None = None) -> None:
    insert(con, "delinquency_episodes", episode_id=f"{loan}:{opened}", loan_id=loan,
           opened_on=date.fromisoformat(opened), closed_on=date.fromisoformat(closed) if closed else None)


def _survey(con, token: str, bid: str, scale: str, score: int | None, day: str, *, status: str = "sent") -> None:
    at = _at(day)
    insert(con, "contact_attempts", attempt_id=f"att-{token}", idempotency_key=f"{bid}|L|survey|{token}",
           borrower_id=bid, loan_id="L", channel="sms", purpose="survey", step="survey", status=status,
           planned_for_date=date.fromisoformat(day), created_at=at, updated_at=at,
           sent_at=at if status == "sent" else None)
    insert(con, "survey_invitations", token=token, attempt_id=f"att-{token}", programme="hardship_plan", scale=scale,
           borrower_id=bid, channel="sms", language="zh-CN", contacts_30d=1,
           planned_for_date=date.fromisoformat(day), expires_at=at + timedelta(days=7))
    if score is not None:
        insert(con, "survey_answers", token=token, score=score, answered_at=at + timedelta(hours=1), source="sms",
               received_at=at + timedelta(hours=1))


@pytest.fixture
def log(con):
    for lid, bid in (("L1", "B1"), ("L2", "B2"), ("L3", "B3"), ("L4", "B4"), ("L5", "B5"), ("L6", "B6"),
                     ("L7", "B7"), ("L8", "B8"), ("L9", "B9")):
        _loan(con, lid, bid, product="car_loan" if lid == "L4" else "personal_loan")
    # Offers.
    _offer(con, "O1", "L1", "B1")
    _offer(con, "O2", "L2", "B2")
    _offer(con, "O3", "L3", "B3", step="forbearance_offer", channel="email")
    _offer(con, "O4", "L6", "B6", expires="2026-12-10")
    _offer(con, "O5", "L5", "B5", step="arrangement_reoffer", day="2026-12-28", expires="2027-01-11")
    _offer(con, "O6", "L6", "B6", status="suppressed", day="2026-10-12")
    # Plans.
    _plan(con, "A1", "L1", "B1", token="O1", ending=("arrangement_kept", "2026-11-20"))
    _plan(con, "A6", "L1", "B1", token="O1", status="declined", option_id="reduced_50_6", kind="reduced_payment")
    _plan(con, "A2", "L2", "B2", token="O2", status="pending_review", option_id="reduced_50_6", kind="reduced_payment")
    _plan(con, "A3", "L3", "B3", token="O3", status="declined", option_id="freeze_3", kind="freeze")
    _plan(con, "A4", "L4", "B4", source="agent", decided="2026-10-15", ending=("arrangement_broken", "2026-11-20"),
          agreed_via="visit")
    _plan(con, "A5", "L5", "B5", decided="2026-12-01", missed=0)
    _event(con, "B5", "L5", "arrangement_missed", _at("2026-12-20"), "A5", 1)
    # Delinquency episodes.
    _episode(con, "L1", "2026-10-02", "2026-11-20")
    _episode(con, "L4", "2026-09-01")
    _episode(con, "L5", "2026-11-20")
    _episode(con, "L7", "2026-09-01", "2026-09-20")
    _episode(con, "L8", "2026-08-01")
    _episode(con, "L9", "2026-09-10", "2026-11-25")
    # Complaints: counted from the plan's decision / the first episode on.
    _event(con, "B1", None, "complaint", _at("2026-10-20"))
    _event(con, "B4", None, "complaint", _at("2026-10-01"))      # before B4's plan: not counted
    _event(con, "B8", None, "complaint", _at("2026-09-15"))
    _event(con, "B8", None, "complaint", _at("2026-10-01", 3))
    _event(con, "B7", None, "complaint", _at("2026-08-15"))      # before B7's episode: not counted
    # Surveys.
    _survey(con, "S1", "B1", "csat", 5, "2026-11-01")
    _survey(con, "S2", "B5", "csat", 4, "2026-12-10")
    _survey(con, "S3", "B4", "csat", None, "2026-11-01")
    _survey(con, "S4", "B4", "csat", 1, "2026-10-01")              # before the plan: not counted
    _survey(con, "S5", "B8", "csat", 2, "2026-10-10")
    _survey(con, "S6", "B9", "nps", 10, "2026-10-10")
    _survey(con, "S7", "B7", "nps", 3, "2026-10-10")
    _survey(con, "S8", "B8", "nps", None, "2026-10-10", status="suppressed")   # never went
    return con


def _table(con, name: str, order: str) -> list[dict]:
    cur = con.execute(f"SELECT * FROM {name} ORDER BY {order}")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _row(con, table: str, **where) -> dict:
    rows = [r for r in _table(con, table, "1") if all(r[k] == v for k, v in where.items())]
    assert len(rows) == 1, (table, where, rows)
    return rows[0]


def test_offer_funnel_counts_each_outcome(log):
    s = analytics.rebuild(log, as_of=HORIZON)
    assert s.funnel == analytics.Funnel(offers=5, taken=1, pending_review=1, declined=1, open=1, unanswered=1,
                                        take_rate=0.2)
    outcomes = {r["token"]: r["outcome"] for r in _table(log, "arrangement_stats_offers", "token")}
    assert outcomes == {"O1": "taken", "O2": "pending_review", "O3": "declined", "O4": "unanswered", "O5": "open"}
    hard = _row(log, "arrangement_stats_offer_funnel", dimension="step", value="hardship_offer")
    assert (hard["offers"], hard["taken"], hard["pending_review"], hard["unanswered"]) == (3, 1, 1, 1)
    assert hard["take_rate"] == pytest.approx(1 / 3, abs=1e-4)
    email = _row(log, "arrangement_stats_offer_funnel", dimension="channel", value="email")
    assert (email["offers"], email["declined"]) == (1, 1)


def test_an_offer_is_open_until_it_expires_then_unanswered(log):
    analytics.rebuild(log, as_of=date(2026, 12, 5))                # O4 expires on Dec 10: still open
    assert _row(log, "arrangement_stats_offers", token="O4")["outcome"] == "open"


def test_plans_kept_broken_active_by_product_option_kind(log):
    s = analytics.rebuild(log, as_of=HORIZON)
    assert s.plans == analytics.PlanOutcomes(requested=6, accepted=3, active=1, kept=1, broken=1, pending_review=1,
                                             declined=2, missed_any=1, keep_rate=0.5)
    outcomes = {r["arrangement_id"]: r["outcome"] for r in _table(log, "arrangement_stats_plans", "arrangement_id")}
    assert outcomes == {"A1": "kept", "A2": "pending_review", "A3": "declined", "A4": "broken", "A5": "active",
                        "A6": "declined"}
    car = _row(log, "arrangement_stats_plan_slices", dimension="product", value="car_loan")
    assert (car["accepted"], car["broken"], car["keep_rate"]) == (1, 1, 0.0)
    respread = _row(log, "arrangement_stats_plan_slices", dimension="option", value="respread_3")
    assert (respread["accepted"], respread["kept"], respread["broken"], respread["active"]) == (3, 1, 1, 1)
    assert respread["keep_rate"] == pytest.approx(0.5)
    agent = _row(log, "arrangement_stats_plan_slices", dimension="source", value="agent")
    assert agent["requested"] == 1 and agent["keep_rate"] == 0.0
    visit = _row(log, "arrangement_stats_plan_slices", dimension="agreed_via", value="visit")
    assert (visit["requested"], visit["broken"]) == (1, 1), "an agent's channel, stored as agreed_via"
    web = _row(log, "arrangement_stats_plan_slices", dimension="agreed_via", value="web")
    assert web["requested"] == sum(1 for r in _table(log, "arrangement_stats_plans", "arrangement_id")
                                   if r["source"] == "web"), "a page choice without the column reads as web"
    freeze = _row(log, "arrangement_stats_plan_slices", dimension="kind", value="freeze")
    assert (freeze["declined"], freeze["keep_rate"]) == (1, None)


def test_cure_rate_with_a_plan_against_the_plain_ladder_by_dpd_band(log):
    s = analytics.rebuild(log, as_of=HORIZON)
    got = {(r.band, r.grp): (r.loans, r.complete_windows, r.cured, r.on_track, r.cure_rate, r.resolved_rate)
           for r in s.cure}
    assert got[("1-30", "plan")] == (2, 1, 1, 1, 0.5, 1.0)          # L1 cured, L5 on track (window open)
    assert got[("1-30", "plain_ladder")] == (3, 3, 1, 0, 0.3333, 0.3333)   # L7 cured; L8, L9 not in 60 days
    assert got[("31-60", "plan")] == (1, 1, 0, 0, 0.0, 0.0)          # L4: broken
    assert got[("31-60", "plain_ladder")] == (2, 2, 1, 0, 0.5, 0.5)  # L9 cured from dpd 31
    assert got[("61-90", "plan")] == (0, 0, 0, 0, None, None)
    assert got[("61-90", "plain_ladder")] == (2, 1, 1, 0, 0.5, 0.5)
    assert got[("91+", "plain_ladder")] == (1, 1, 0, 0, 0.0, 0.0)
    plan, plain = s.cure_all("plan"), s.cure_all("plain_ladder")
    assert plan is not None and plain is not None
    assert (plan.loans, plan.cured, plan.cure_rate, plan.resolved_rate) == (3, 1, 0.3333, 0.6667)
    # Plain ladder: 3 distinct episodes, 2 cured in some window; the rate standardized to the plans'
    # band mix (2 units at 1-30, 1 at 31-60): (1/3 * 2 + 1/2 * 1) / 3.
    assert (plain.loans, plain.cured, plain.standardized) == (3, 2, True)
    assert plain.cure_rate == pytest.approx((2 / 3 + 0.5) / 3, abs=1e-4)


def test_complaints_and_satisfaction_on_a_plan_against_in_arrears_without(log):
    s = analytics.rebuild(log, as_of=HORIZON)
    on, off = s.experience
    assert (on.grp, on.borrowers, on.complainants, on.complaints, on.complaints_per_100) == ("on_plan", 3, 1, 1, 33.33)
    assert (on.csat_sent, on.csat_answers, on.csat_mean, on.nps_answers, on.nps) == (3, 2, 4.5, 0, None)
    assert (off.grp, off.borrowers, off.complainants, off.complaints, off.complaints_per_100) == \
        ("arrears_no_plan", 3, 1, 2, 66.67)
    assert (off.csat_answers, off.csat_mean, off.nps_sent, off.nps_answers, off.nps) == (1, 2.0, 2, 2, 0.0)


def test_rebuilt_twice_gives_the_same_tables(log):
    first = analytics.rebuild(log, as_of=HORIZON)
    tables = {t: _table(log, t, "ALL") for t in analytics.TABLES}
    second = analytics.rebuild(log, as_of=HORIZON)
    assert second == first
    assert {t: _table(log, t, "ALL") for t in analytics.TABLES} == tables


def test_horizon_is_the_newest_day_planned(log):
    assert analytics.horizon(log) == date(2026, 12, 28)               # no day run: the newest contact
    insert(log, "day_runs", as_of=date(2026, 12, 30), plan_started_at=_at("2026-12-30"), planned_at=_at("2026-12-30"))
    assert analytics.horizon(log) == date(2026, 12, 30)


def test_empty_log_gives_zeros_and_no_rates(con):
    s = analytics.rebuild(con)
    assert s.funnel == analytics.Funnel() and s.plans == analytics.PlanOutcomes()
    assert [r.loans for r in s.cure if r.band != "all"] == [0] * 8
    assert all(e.borrowers == 0 and e.csat_mean is None for e in s.experience)
    assert "Repayment arrangements" in "\n".join(s.markdown_lines())


def test_feedback_aggregate_builds_them_and_the_report_and_markdown_show_numbers_only(log):
    feedback = aggregate(log)
    assert feedback.arrangements is not None and feedback.arrangements.plans.kept == 1
    text = "\n".join(feedback.markdown_lines())
    assert "## Repayment arrangements" in text and "observational" in text
    assert "Offers that went out: 5; taken 1 (20.0%)" in text
    page = render_report(log, source="demo.duckdb")
    assert "Repayment arrangements" in page and "not an experiment" in page
    for key in ("plan-offers", "plan-outcomes", "plan-cure", "plan-experience"):
        assert f'id="chart-{key}"' in page
    for secret in ("Name B1", "B1", "L1", "A1", "O1", "+8613800138000", "agent-7"):
        assert f'"{secret}"' not in page and f">{secret}<" not in page
