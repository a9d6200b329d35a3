"""The SMS menu: which texts are a pick, and when a pick lands as a plan choice (the offer is the
matched borrower's, it was the latest SMS to the number, it is open); otherwise the text stays a
normal reply, and a pick outside the menu or one land_choices refuses is quarantined with its reason."""

from __future__ import annotations

import json
import unicodedata
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loan_comms.arrangements.accept import Choice, land_choices
from loan_comms.arrangements.menu_parse import menu_choice
from loan_comms.inbound import InboundText, record_texts
from tests.arrangements.conftest import OFFERED, offer
from tests.arrangements.pages_fixtures import AFTER, PHONE, TOKEN, offer_sent, ready_book, sms_sent
from tests.builders import insert

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("text, n", [
    ("1", 1), ("１", 1), (" 2 ", 2), ("2。", 2), ("选1", 1), ("回复1", 1), ("回1", 1), ("1号", 1), ("我选2", 2),
    ("第二个", 2), ("二", 2), ("选第三个方案", 3), ("我要第一个", 1), ("option 2", 2), ("Plan 2", 2),
    ("I choose 2", 2), ("2 please", 2), ("#3", 3), ("no. 2", 2), ("number 1", 1), ("I'll take 2", 2),
    ("Option 3!", 3), ("9", 9)])
def test_menu_picks_are_read(text, n):
    assert menu_choice(text) == n


@pytest.mark.parametrize("text", [
    "I will pay 1000 tomorrow", "0", "10", "12", "1000", "2020", "第二天还", "二月", "两个", "一下", "明天还500",
    "2 days", "1 week", "I have 2 loans", "stop", "", None, "1 2", "12号还", "option", "plan 10"])
def test_other_texts_are_not_picks(text):
    assert menu_choice(text) is None


@given(st.integers(min_value=1, max_value=9), st.sampled_from(["{n}", "选{n}", "回复{n}", "{n}号", "option {n}",
                                                                 "plan {n}", "I choose {n}", "{n} please", "#{n}"]),
       st.sampled_from(["", " ", "。", "!", "！"]))
def test_every_menu_form_of_every_number_is_that_pick(n, form, end):
    assert menu_choice(form.format(n=n) + end) == n
    assert menu_choice(unicodedata.normalize("NFKC", form.format(n=n)).translate(FULLWIDTH) + end) == n


@given(st.integers(min_value=10, max_value=10**7), st.sampled_from(["{n}", "选{n}", "option {n}", "pay {n}", "{n}元"]))
def test_an_amount_or_a_long_number_is_never_a_pick(n, form):
    assert menu_choice(form.format(n=n)) is None


@given(st.integers(min_value=1, max_value=9), st.text(alphabet="abcdefghijklmnopqrstuvwxyz天月日元块", min_size=2, max_size=8))
def test_a_number_inside_a_sentence_is_not_a_pick(n, words):
    assert menu_choice(f"{n} {words} {words}") is None


def sms(body: str, sid: str = "SM1", at=AFTER) -> InboundText:
    return InboundText(external_id=sid, channel="sms", text=body, occurred_at=at, source="sms_reply", sender=PHONE,
                       source_file="/in/replies.jsonl", source_line=3)


def plans(con) -> list[tuple]:
    return con.execute("SELECT offer_token, option_no, source, status, external_id FROM arrangements "
                       "ORDER BY requested_at").fetchall()


def reply(con, sid: str = "SM1") -> dict:
    return json.loads(con.execute("SELECT detail FROM borrower_events WHERE external_id = ?", [sid]).fetchone()[0])


def quarantined(con) -> list[tuple]:
    return con.execute("SELECT entity, record_id, source_line, reason FROM import_quarantine").fetchall()


@pytest.fixture
def ready(con):
    ready_book(con)
    return con


def test_a_pick_chooses_the_plan_and_the_reply_is_still_recorded(ready, cfg):
    report = record_texts(ready, cfg, [sms("１")])
    assert (report.plan_choices, report.new, report.survey_answers) == (1, 1, 0)
    assert plans(ready) == [(TOKEN, 1, "sms", "active", "SM1")]
    detail = reply(ready)
    assert (detail["decided_by"], detail["plan_option"], detail["classified_as"], detail["text"]) == (
        "plan_menu", 1, [], "１")
    kinds = {k for (k,) in ready.execute("SELECT kind FROM borrower_events").fetchall()}
    assert {"arrangement_accepted", "sms_reply"} <= kinds
    again = record_texts(ready, cfg, [sms("１")])                     # replay: nothing new
    assert (again.plan_choices, again.duplicates, len(plans(ready))) == (0, 1, 1)
    assert quarantined(ready) == []


def test_the_menu_lists_options_that_need_no_approval_under_their_own_numbers(con, cfg):
    ready_book(con)
    offer_sent(con, "TOKthree0000000000000A", at=OFFERED + timedelta(hours=1), options=[
        dict(option_no=1, option_id="respread_3", kind="respread", months=3, amounts=["400.00"] * 3),
        dict(option_no=2, option_id="reduced_50_6", kind="reduced_payment", months=6, amounts=["150.00"] * 6,
             needs_review=True),
        dict(option_no=3, option_id="respread_6", kind="respread", months=6, amounts=["200.00"] * 6)])
    report = record_texts(con, cfg, [sms("选2", sid="SM1"), sms("3", sid="SM2")])
    assert report.plan_choices == 1
    assert plans(con) == [("TOKthree0000000000000A", 3, "sms", "active", "SM2")]
    [(entity, record_id, _, reason)] = quarantined(con)                # option 2 is on the page only
    assert (entity, record_id) == ("arrangement_choice", "SM1") and "menu (1, 3)" in reason


def test_a_pick_answering_a_later_message_is_not_a_menu_choice(ready, cfg):
    sms_sent(ready, "A-reminder", OFFERED + timedelta(hours=1))       # the latest SMS is a reminder
    report = record_texts(ready, cfg, [sms("1")])
    assert report.plan_choices == 0 and plans(ready) == []
    assert reply(ready)["decided_by"] != "plan_menu" and quarantined(ready) == []


def test_a_later_survey_gets_the_bare_number_not_the_menu(ready, cfg):
    from tests.surveys.conftest import invitation

    sms_sent(ready, "A-survey", OFFERED + timedelta(hours=1), purpose="survey", step="post_call_csat")
    invitation(ready, "surveytoken00000000000", attempt_id="A-survey", expires_at=AFTER + timedelta(days=3))
    report = record_texts(ready, cfg, [sms("1")], now=AFTER)   # received while the survey is open
    assert (report.plan_choices, report.survey_answers) == (0, 1)
    assert plans(ready) == []


def test_a_shared_number_held_by_another_borrower_does_not_pick_for_the_offer_s_borrower(ready, cfg, book):
    book.borrower("B2", phone=PHONE)                                  # the same number, contacted more recently
    book.loan("L2", "B2", [("2026-12-31", "100.00")])
    insert(ready, "contact_attempts", attempt_id="A-B2", idempotency_key="k-B2", borrower_id="B2", loan_id="L2",
           channel="email", purpose="reminder", step="pre_due_3", status="sent", planned_for_date=AFTER.date(),
           created_at=AFTER, updated_at=AFTER, sent_at=OFFERED + timedelta(hours=1))
    report = record_texts(ready, cfg, [sms("1")])
    assert report.plan_choices == 0 and plans(ready) == []
    assert ready.execute("SELECT borrower_id FROM borrower_events WHERE external_id = 'SM1'").fetchone() == ("B2",)


def test_a_number_outside_the_menu_is_quarantined_and_stays_a_reply(ready, cfg):
    report = record_texts(ready, cfg, [sms("3")])                    # the offer has 2 options
    assert report.plan_choices == 0 and plans(ready) == []
    [(entity, record_id, line, reason)] = quarantined(ready)
    assert (entity, record_id, line) == ("arrangement_choice", "SM1", 3) and "menu (1)" in reason
    assert reply(ready).get("plan_option") is None


def test_menu_numbers_beyond_sms_menu_options_are_on_the_page_only(con, cfg):
    ready_book(con)
    offer_sent(con, "TOKthree0000000000000A", at=OFFERED + timedelta(hours=1), options=[
        dict(option_no=n, option_id=oid, kind="respread", months=m, amounts=["100.00"] * m)
        for n, oid, m in ((1, "respread_3", 3), (2, "respread_6", 6), (3, "respread_12", 12))])
    narrow = cfg.model_copy(update={"arrangements": cfg.arrangements.model_copy(update={"sms_menu_options": 2})})
    report = record_texts(con, narrow, [sms("3", sid="SM1"), sms("2", sid="SM2")])
    assert report.plan_choices == 1 and plans(con) == [("TOKthree0000000000000A", 2, "sms", "active", "SM2")]
    [(_, record_id, _, reason)] = quarantined(con)
    assert record_id == "SM1" and "menu (1, 2)" in reason


def test_a_number_reported_reassigned_since_the_offer_picks_nothing(ready, cfg):
    from tests.builders import event_row, point

    event_row(ready, "B1", "number_reassigned", OFFERED + timedelta(hours=1), loan_id=None, channel="sms", amount=None,
              detail=None, contact_point=point("phone", PHONE))
    assert record_texts(ready, cfg, [sms("1")]).plan_choices == 0 and plans(ready) == []


def test_an_expired_offer_takes_no_pick(ready, cfg):
    report = record_texts(ready, cfg, [sms("1", at=OFFERED + timedelta(days=15))])
    assert report.plan_choices == 0 and plans(ready) == [] and quarantined(ready) == []


def test_a_pick_land_choices_refuses_is_quarantined_with_its_reason_and_stays_a_reply(ready, cfg):
    # an older offer on the same loan was taken on the page: a plan is open on L1
    offer(ready, "TOKolder0000000000000A")
    land_choices(ready, cfg, [Choice("web", "web:1", OFFERED, token="TOKolder0000000000000A", option_no=1)],
                 now=OFFERED)
    report = record_texts(ready, cfg, [sms("1")])
    assert report.plan_choices == 0 and len(plans(ready)) == 1
    [(entity, record_id, _, reason)] = quarantined(ready)
    assert (entity, record_id) == ("arrangement_choice", "SM1") and "another plan" in reason
    assert reply(ready).get("plan_option") is None


def test_an_offer_sent_by_email_takes_no_sms_pick(con, cfg):
    ready_book(con)
    con.execute("UPDATE arrangement_offers SET channel = 'email'")
    assert record_texts(con, cfg, [sms("1")]).plan_choices == 0


def test_ingest_replies_counts_plan_choices(ready, cfg, tmp_path):
    from loan_comms.inbound import ingest_replies

    f = tmp_path / "replies.jsonl"
    f.write_text(json.dumps({"MessageSid": "SM9", "From": PHONE, "Body": "option 1",
                             "DateSent": AFTER.isoformat()}) + "\n", encoding="utf-8")
    report = ingest_replies(ready, cfg, f, now=AFTER + timedelta(minutes=1))
    assert report.by_kind.get("plan_choice") == 1 and PHONE not in str(report)
    assert plans(ready) == [(TOKEN, 1, "sms", "active", "SM9")]
