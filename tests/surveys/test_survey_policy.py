"""Issue 14, S1: survey eligibility and fatigue on hand-built histories, through the day's plan.

Every survey is a contact like any other (purpose 'survey'): the same gate, caps and audit. These
cases build a borrower whose call reached them, plan the next day, and check who is asked, who is
not and why, that the invitation is recorded with its token in the link, and that a re-run adds
nothing.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.lifecycle.planner import decide, plan_day
from loan_comms.surveys import attempt_id_for, token_for
from loan_comms.surveys.tokens import TOKEN_KEY_ENV
from tests.builders import Book, EchoRenderer, insert

DAY = date(2026, 11, 10)   # Tuesday; the call below reached B1 the day before
CALL_DAY = DAY - timedelta(days=1)


class LinkRenderer(EchoRenderer):
    """EchoRenderer that also shows the survey link (the template variable), to check the token."""

    def render_many(self, kind, channel, language, ctxs):
        out = super().render_many(kind, channel, language, ctxs)
        for res, c in zip(out, ctxs):
            if not isinstance(res, Exception):
                res.text = f"{res.text} {c['survey_link']}"
        return out


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv(TOKEN_KEY_ENV, "test-survey-key")


def _only(cfg: LifecycleConfig, *names: str, **changes) -> LifecycleConfig:
    """The config with only these programmes enabled (and [surveys] changes)."""
    progs = {n: p.model_copy(update={"enabled": n in names}) for n, p in cfg.surveys.programmes.items()}
    return cfg.model_copy(update={"surveys": cfg.surveys.model_copy(update={"programmes": progs, **changes})})


def _reached_call(book: Book, borrower: str, loan: str, day: date, n: int = 1) -> str:
    """A call contact on `day` that reached the borrower at 10:00 Shanghai (02:00 UTC)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
    attempt = f"call-{borrower}-{n}"
    book.contact(attempt_id=attempt, idempotency_key=f"{borrower}|{loan}|dpd_5|call|{day}|{n}", borrower_id=borrower,
                 loan_id=loan, channel="call", purpose="escalation", step="dpd_5", status="sent",
                 planned_for_date=day, send_after=at, send_before=at + timedelta(hours=12), created_at=at,
                 updated_at=at, sent_at=at)
    book.event(borrower, "call_outcome", (at + timedelta(minutes=5)).isoformat(), loan_id=loan,
               outcome="reached", attempt_id=attempt)
    return attempt


def _past_survey(book: Book, borrower: str, loan: str, day: date, *, status: str = "sent",
                 reason: str | None = None) -> None:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)
    book.contact(attempt_id=f"srv-{borrower}-{day}", idempotency_key=f"{borrower}|{loan}|survey|sms|{day}",
                 borrower_id=borrower, loan_id=loan, channel="sms", purpose="survey", step="survey", status=status,
                 suppressed_reason=reason, planned_for_date=day, send_after=at, send_before=at + timedelta(hours=12),
                 created_at=at, updated_at=at, sent_at=at if status == "sent" else None)


def _borrower_with_call(book: Book) -> None:
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00"), ("2026-12-01", "100.00")])
    _reached_call(book, "B1", "L1", CALL_DAY)


def _count(book: Book, table: str) -> int:
    return book.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _surveys(decisions) -> list[dict]:
    return [d for d in decisions.to_pylist() if d["purpose"] == "survey"]


# -- eligibility ---------------------------------------------------------------------------------

def test_a_reached_call_is_asked_about_the_next_day_with_a_token_in_the_link(book, cfg):
    _borrower_with_call(book)
    c = _only(cfg, "post_call_csat")
    report = plan_day(book.con, c, LinkRenderer(), DAY)
    [survey] = book.attempts(purpose="survey")
    assert (survey["step"], survey["channel"], survey["status"]) == ("survey", "sms", "planned")
    [inv] = book.con.sql("SELECT * FROM survey_invitations").to_arrow_table().to_pylist()
    assert inv["attempt_id"] == survey["attempt_id"] == attempt_id_for(survey["idempotency_key"])
    assert inv["token"] == token_for(b"test-survey-key", survey["attempt_id"]) and len(inv["token"]) == 22
    assert (inv["programme"], inv["scale"], inv["trigger_attempt_id"]) == ("post_call_csat", "csat", "call-B1-1")
    assert inv["dpd_bucket"] == "8-30" and inv["contacts_30d"] == 1 and inv["product"] == "personal_loan"
    assert inv["expires_at"] == survey["send_before"] + timedelta(days=cfg.surveys.answer_days)
    body = book.con.execute("SELECT body_text FROM contact_messages AS m JOIN contact_attempts AS a "
                            "USING (attempt_id) WHERE a.purpose = 'survey'").fetchall()[0][0]
    assert body.endswith(cfg.general.survey_link_base + inv["token"])
    assert report.planned[("survey", "survey", "sms")] == 1


def test_replaying_the_day_records_nothing_new(book, cfg):
    _borrower_with_call(book)
    c = _only(cfg, "post_call_csat")
    plan_day(book.con, c, LinkRenderer(), DAY)
    before = _count(book, "contact_attempts")
    again = plan_day(book.con, c, LinkRenderer(), DAY)
    assert again.already_planned
    assert _count(book, "contact_attempts") == before
    assert _count(book, "survey_invitations") == 1
    # deciding the day again proposes the same key, already recorded: nothing new
    assert _surveys(decide(book.con, c, DAY)) == []


def test_a_call_not_reached_or_older_is_not_asked_about(book, cfg):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    _reached_call(book, "B1", "L1", DAY - timedelta(days=3))                 # asked by an earlier day's run
    assert _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY)) == []


def test_sample_rate_zero_asks_nobody_and_disabled_programmes_propose_nothing(book, cfg):
    _borrower_with_call(book)
    c = _only(cfg, "post_call_csat")
    zero = c.model_copy(update={"surveys": c.surveys.model_copy(update={"programmes": {
        **c.surveys.programmes,
        "post_call_csat": c.surveys.programmes["post_call_csat"].model_copy(update={"sample_rate": 0.0})}})})
    assert _surveys(decide(book.con, zero, DAY)) == []
    assert _surveys(decide(book.con, _only(cfg), DAY)) == []


def test_payoff_is_asked_about_after_the_last_installment_is_paid(book, cfg):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.pay("L1", "100.00", "2026-11-09T12:00:00+08:00")    # paid off, local day 9 Nov
    c = _only(cfg, "payoff_nps")
    [s] = _surveys(decide(book.con, c, DAY))                 # delay_days 1: asked on 10 Nov
    assert (s["status"], s["suppressed_reason"], s["loan_id"]) == ("planned", None, "L1")
    assert _surveys(decide(book.con, c, DAY + timedelta(days=1))) == []


# -- the policy: restrictions and fatigue ---------------------------------------------------------

def test_no_survey_while_a_complaint_is_open(book, cfg):
    _borrower_with_call(book)
    book.event("B1", "complaint", "2026-11-05T12:00:00+08:00")
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert s["suppressed_reason"] == "survey_complaint"


def test_no_survey_while_any_loan_is_disputed(book, cfg):
    _borrower_with_call(book)
    book.loan("L2", "B1", [("2026-11-20", "50.00")])
    book.event("B1", "dispute", "2026-11-05T12:00:00+08:00", loan_id="L2", scope="loan")   # the OTHER loan
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert (s["loan_id"], s["suppressed_reason"]) == ("L1", "survey_dispute")


@pytest.mark.parametrize("kind, reason", [("cease_contact", "cease_contact")])
def test_cease_contact_stops_surveys_too(book, cfg, kind, reason):
    _borrower_with_call(book)
    book.event("B1", kind, "2026-11-05T12:00:00+08:00")
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert s["suppressed_reason"] == reason


def test_opted_out_of_the_channel_gets_no_survey(book, cfg):
    _borrower_with_call(book)
    book.event("B1", "opt_out", "2026-11-05T12:00:00+08:00", channel="sms")
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert s["suppressed_reason"] == "opted_out_sms"


def test_one_survey_per_fatigue_window(book, cfg):
    _borrower_with_call(book)
    _past_survey(book, "B1", "L1", DAY - timedelta(days=89))
    c = _only(cfg, "post_call_csat")
    [s] = _surveys(decide(book.con, c, DAY))
    assert s["suppressed_reason"] == "survey_fatigue"
    # 90 days after the last one it goes again
    assert [d["status"] for d in _surveys(decide(book.con, _only(cfg, "post_call_csat", fatigue_days=89), DAY))] \
        == ["planned"]


def test_a_survey_that_never_went_does_not_count_for_fatigue(book, cfg):
    _borrower_with_call(book)
    _past_survey(book, "B1", "L1", DAY - timedelta(days=5), status="suppressed", reason="cap_sms_per_day")
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert s["status"] == "planned"


def test_two_programmes_the_same_day_ask_once(book, cfg):
    _borrower_with_call(book)
    book.loan("L2", "B1", [("2026-11-01", "40.00")])
    book.pay("L2", "40.00", "2026-11-09T12:00:00+08:00")
    got = _surveys(decide(book.con, _only(cfg, "post_call_csat", "payoff_nps"), DAY))
    assert len(got) == 1 and got[0]["loan_id"] == "L1"      # post_call_csat has the higher priority


def test_a_survey_never_takes_another_contacts_place_under_the_caps(book, cfg):
    _borrower_with_call(book)
    book.loan("L2", "B1", [("2026-11-11", "60.00")])          # pre_due_1 by SMS on DAY
    c = _only(cfg, "post_call_csat")
    profiles = {n: p.model_copy(update={"sms_per_day": 1}) for n, p in c.policy.profiles.items()}
    c = c.model_copy(update={"policy": c.policy.model_copy(update={"profiles": profiles})})
    decisions = decide(book.con, c, DAY).to_pylist()
    got = {(d["purpose"], d["step"], d["channel"]): d["suppressed_reason"] for d in decisions}
    assert got[("reminder", "pre_due_1", "sms")] is None
    assert got[("survey", "survey", "sms")] == "cap_sms_per_day"



def _sms_sent(book: Book, borrower: str, loan: str, day: date, n: int) -> None:
    """An SMS that went on `day` at 10:00 Shanghai (a payment thank-you: it moves no ladder)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
    book.contact(attempt_id=f"sms-{borrower}-{n}", idempotency_key=f"{borrower}|{loan}|thanks|sms|{day}|{n}",
                 borrower_id=borrower, loan_id=loan, channel="sms", purpose="follow_up", step="payment_confirmation",
                 status="sent", planned_for_date=day, send_after=at, send_before=at + timedelta(hours=12),
                 created_at=at, updated_at=at, sent_at=at)


def test_a_survey_that_would_fill_the_seven_day_sms_cap_waits_and_the_next_days_step_goes(book, cfg):
    """cn: 6 SMS per 7 days. Five went in the five days before DAY: a survey on DAY would be the
    sixth and push the next day's dpd_10 SMS out of the cap, so it is suppressed survey_headroom
    and dpd_10 goes on DAY + 1."""
    _borrower_with_call(book)
    for n, back in enumerate(range(5, 0, -1)):
        _sms_sent(book, "B1", "L1", DAY - timedelta(days=back), n)
    c = _only(cfg, "post_call_csat")
    plan_day(book.con, c, LinkRenderer(), DAY)
    [survey] = book.attempts(purpose="survey")
    assert (survey["status"], survey["suppressed_reason"]) == ("suppressed", "survey_headroom")
    book.send_all_planned()
    plan_day(book.con, c, LinkRenderer(), DAY + timedelta(days=1))
    [dpd10] = [a for a in book.attempts(step="dpd_10", channel="sms")]
    assert (dpd10["planned_for_date"], dpd10["status"]) == (DAY + timedelta(days=1), "planned")


def test_a_survey_with_room_for_one_more_goes(book, cfg):
    _borrower_with_call(book)
    for n, back in enumerate(range(4, 0, -1)):                # four SMS: the survey is the fifth of six
        _sms_sent(book, "B1", "L1", DAY - timedelta(days=back), n)
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert s["status"] == "planned"


def test_a_survey_leaves_room_for_another_contact_on_its_day(book, cfg):
    """cn: 3 contacts per day. Two are already planned on DAY (e-mail): the survey would be the
    third, so it is suppressed survey_headroom."""
    _borrower_with_call(book)
    for n in range(2):
        at = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
        book.contact(attempt_id=f"mail-{n}", idempotency_key=f"B1|L1|mail|email|{DAY}|{n}", borrower_id="B1",
                     loan_id="L1", channel="email", purpose="follow_up", step="payment_confirmation",
                     status="planned", planned_for_date=DAY, send_after=at, send_before=at + timedelta(hours=12),
                     created_at=at, updated_at=at)
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert s["suppressed_reason"] == "survey_headroom"



def _review(book: Book, review_id: str, *, channel: str | None, asks: bool = False, at: str = "2026-11-08T12:00:00+08:00",
            deadline: str = "2026-11-30T12:00:00+08:00") -> None:
    intent = "question" if asks else "opt_out"
    book.con.execute(
        "INSERT INTO borrower_events (borrower_id, kind, occurred_at, detail, channel, source, external_id, scope) "
        "VALUES ('B1', 'review_opened', ?, ?, ?, 'sms_reply', ?, 'borrower')",
        [datetime.fromisoformat(at).astimezone(UTC),
         json.dumps({"review_id": review_id, "reason": "needs_answer" if asks else "ambiguous",
                     "candidates": [{"intent": intent, "confidence": 0.5, "rule": "r"}],
                     "deadline": datetime.fromisoformat(deadline).astimezone(UTC).isoformat(), "source": "sms_reply",
                     "channels": [channel] if channel else []}),
         channel, f"{review_id}:review"])


@pytest.mark.parametrize("channel, asks", [("email", False), (None, True)])
def test_no_survey_while_a_review_item_of_the_borrower_is_open_awaiting_review(book, cfg, channel, asks):
    """An ambiguous reply on another channel than the survey's, or a question waiting for an answer
    (which pauses no collection), still holds the survey: awaiting_review."""
    _borrower_with_call(book)
    _review(book, "R1", channel=channel, asks=asks)
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert s["suppressed_reason"] == "awaiting_review"


def test_a_resolved_review_item_no_longer_holds_the_survey(book, cfg):
    _borrower_with_call(book)
    _review(book, "R1", channel="sms")
    book.con.execute("INSERT INTO borrower_events (borrower_id, kind, occurred_at, detail, source, external_id) "
                     "VALUES ('B1', 'review_resolved', TIMESTAMPTZ '2026-11-09 01:00:00+00', "
                     "'{\"review_id\": \"R1\"}', 'review', 'R1:resolved')")
    [s] = _surveys(decide(book.con, _only(cfg, "post_call_csat"), DAY))
    assert s["status"] == "planned"


@settings(max_examples=25, deadline=None)
@given(gaps=st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=4),
       fatigue=st.integers(min_value=1, max_value=120))
def test_property_a_survey_goes_only_when_no_other_went_within_fatigue_days(gaps, fatigue):
    """For any history of surveys that went (days before DAY), today's survey is suppressed as
    survey_fatigue exactly when one of them is fewer than fatigue_days days back."""
    from loan_comms.config import load_config

    con = db.connect()
    try:
        book = Book(con)
        _borrower_with_call(book)
        for g in sorted(set(gaps)):
            if g > 0:
                _past_survey(book, "B1", "L1", DAY - timedelta(days=g))
        [s] = _surveys(decide(con, _only(load_config(), "post_call_csat", fatigue_days=fatigue), DAY))
        fatigued = any(0 < g < fatigue for g in gaps)
        assert (s["suppressed_reason"] == "survey_fatigue") == fatigued, (gaps, fatigue, s["suppressed_reason"])
    finally:
        con.close()


def test_a_complaint_after_the_plan_stops_the_survey_at_send_time(book, cfg):
    from loan_comms.policy import recheck_before_send

    _borrower_with_call(book)
    plan_day(book.con, _only(cfg, "post_call_csat"), LinkRenderer(), DAY)
    [survey] = book.attempts(purpose="survey")
    book.event("B1", "complaint", (survey["send_after"] - timedelta(minutes=30)).isoformat())
    counts = recheck_before_send(book.con, cfg, survey["send_after"] + timedelta(minutes=1))
    assert counts.get("survey_complaint") == 1
    assert book.attempts(purpose="survey")[0]["suppressed_reason"] == "survey_complaint"


def test_a_planned_survey_is_not_its_own_fatigue_at_send_time(book, cfg):
    from loan_comms.policy import recheck_before_send

    _borrower_with_call(book)
    plan_day(book.con, _only(cfg, "post_call_csat"), LinkRenderer(), DAY)
    [survey] = book.attempts(purpose="survey")
    recheck_before_send(book.con, cfg, survey["send_after"] + timedelta(minutes=1))
    assert book.attempts(purpose="survey")[0]["status"] == "planned"


def _hardship_plan_history(book: Book, agreed: date, *, accepted: bool = True) -> None:
    """B1 asked for help: a hardship_offer went two days before `agreed`, and on `agreed` (10:00
    Shanghai) the borrower took option 1 on the page: plan ARR1 active, its arrangement_accepted event
    (accepted=False: the offer went and nothing was agreed)."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    offer_day = agreed - timedelta(days=2)
    sent = datetime.combine(offer_day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
    book.contact(attempt_id="offer-1", idempotency_key=f"B1|L1|hardship_offer|sms|{offer_day}", borrower_id="B1",
                 loan_id="L1", channel="sms", purpose="follow_up", step="hardship_offer", status="sent",
                 planned_for_date=offer_day, send_after=sent, send_before=sent + timedelta(hours=12), created_at=sent,
                 updated_at=sent, sent_at=sent)
    insert(book.con, "arrangement_offers", token="PT1", attempt_id="offer-1", borrower_id="B1", loan_id="L1",
           currency="CNY", arrears=100, dpd=7, channel="sms", language="zh-CN", step="hardship_offer",
           offered_on=offer_day, expires_at=sent + timedelta(days=14))
    if not accepted:
        return
    at = datetime.combine(agreed, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
    insert(book.con, "arrangements", arrangement_id="ARR1", borrower_id="B1", loan_id="L1", currency="CNY",
           option_id="respread_3", kind="respread", months=3, freeze_interest=False, offer_token="PT1", option_no=1,
           source="web", status="active", requested_at=at, decided_at=at, decided_by="rules", starts_on=agreed,
           ends_on=agreed + timedelta(days=92), external_id="web:1", recorded_at=at)
    book.event("B1", "arrangement_accepted", at.isoformat(), loan_id="L1", scope="loan", arrangement_id="ARR1",
               decided_by="rules")
    # the plan's confirmation went that day (else it is retried, and with the survey would fill the day's cap)
    book.contact(attempt_id="confirmed-1", idempotency_key=f"B1|L1|arrangement_confirmed|sms|{agreed}", borrower_id="B1",
                 loan_id="L1", channel="sms", purpose="follow_up", step="arrangement_confirmed", status="sent",
                 planned_for_date=agreed, send_after=at, send_before=at + timedelta(hours=12), created_at=at,
                 updated_at=at, sent_at=at)


def test_hardship_plan_is_asked_about_a_week_after_a_plan_was_agreed(book, cfg):
    agreed = DAY - timedelta(days=cfg.surveys.programmes["hardship_plan"].delay_days)
    _hardship_plan_history(book, agreed)
    c = _only(cfg, "hardship_plan")
    [s] = _surveys(decide(book.con, c, DAY))
    assert (s["status"], s["suppressed_reason"], s["loan_id"]) == ("planned", None, "L1")
    assert _surveys(decide(book.con, c, DAY - timedelta(days=1))) == []
    assert _surveys(decide(book.con, c, DAY + timedelta(days=1))) == []
    plan_day(book.con, c, LinkRenderer(), DAY)
    [(programme, trigger)] = book.con.execute(
        "SELECT programme, trigger_attempt_id FROM survey_invitations").fetchall()
    assert (programme, trigger) == ("hardship_plan", "offer-1")          # the offer the plan came from


def test_hardship_plan_is_not_asked_after_an_offer_alone(book, cfg):
    """The offer going is not the trigger any more (issue 15): only a plan agreed is asked about."""
    delay = cfg.surveys.programmes["hardship_plan"].delay_days
    _hardship_plan_history(book, DAY - timedelta(days=delay), accepted=False)
    c = _only(cfg, "hardship_plan")
    for day in (DAY - timedelta(days=2), DAY, DAY + timedelta(days=2)):
        assert _surveys(decide(book.con, c, day)) == []


def test_end_of_delinquency_is_asked_after_the_loan_is_current_again(book, cfg):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00"), ("2026-12-01", "100.00")])
    closed = DAY - timedelta(days=cfg.surveys.programmes["end_of_delinquency"].delay_days)
    book.con.execute("INSERT INTO delinquency_episodes VALUES ('L1:2026-11-02', 'L1', DATE '2026-11-02', ?)", [closed])
    book.pay("L1", "100.00", f"{closed}T09:00:00+08:00")
    [s] = _surveys(decide(book.con, _only(cfg, "end_of_delinquency"), DAY))
    assert s["status"] == "planned" and s["dpd"] == 0


def test_relationship_nps_asks_an_active_borrower_once_a_month_on_a_drawn_day(book, cfg):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-12-20", "100.00")])
    c = _only(cfg, "relationship_nps")
    c = c.model_copy(update={"surveys": c.surveys.model_copy(update={"programmes": {
        **c.surveys.programmes,
        "relationship_nps": c.surveys.programmes["relationship_nps"].model_copy(update={"sample_rate": 1.0})}})})
    days = [date(2026, 11, d) for d in range(1, 31)]
    asked = [d for d in days if _surveys(decide(book.con, c, d))]
    assert len(asked) == 1 and asked[0].day <= 28
    [s] = _surveys(decide(book.con, c, asked[0]))
    assert (s["channel"], s["step"]) == ("email", "survey")


# -- a missing token key -------------------------------------------------------------------------

def test_a_missing_token_key_holds_the_surveys_alone_and_the_day_is_recorded(book, cfg, monkeypatch, caplog):
    """A real SMS provider and no survey token key: the surveys are marked failed with their own
    reason and one warning; the day's reminders are recorded as usual (the plan does not crash)."""
    monkeypatch.delenv(TOKEN_KEY_ENV)
    monkeypatch.setenv("LOAN_COMMS_SMS_PROVIDER", "twilio")
    _borrower_with_call(book)
    book.borrower("B2")
    book.loan("L2", "B2", [("2026-11-13", "100.00")])          # pre_due_3 on DAY
    with caplog.at_level(logging.WARNING, logger="loan_comms"):
        report = plan_day(book.con, _only(cfg, "post_call_csat"), LinkRenderer(), DAY)
    [survey] = book.attempts(purpose="survey")
    assert (survey["status"], survey["error"]) == ("failed", "render_failed: survey token key missing")
    reminders = book.attempts(purpose="reminder")
    assert reminders and {r["status"] for r in reminders} == {"planned"}
    assert _count(book, "survey_invitations") == 0
    assert report.render_failed == {"survey token key missing": 1}
    assert sum("survey token key" in r.getMessage() and TOKEN_KEY_ENV in r.getMessage()
               for r in caplog.records) == 1
    assert plan_day(book.con, _only(cfg, "post_call_csat"), LinkRenderer(), DAY).already_planned
