"""An SMS reply that is a score answers the number's latest open survey; a score with no open survey
stays a normal reply; re-ingesting changes nothing (issue 14, answers in, way 1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from loan_comms.inbound import InboundText, ingest_replies, record_texts
from loan_comms.surveys.sms_scores import score_in
from tests.builders import borrower_row, event_row, insert, loan_rows, point
from tests.surveys.conftest import SENT, invitation

PHONE = "+8613800000001"


def survey_sent(con, token, *, at=SENT, scale="csat", phone=PHONE, status="delivered", **kw):
    attempt = f"A-{token}"
    insert(con, "contact_attempts", attempt_id=attempt, idempotency_key=f"k-{token}", borrower_id="B1", loan_id="L1",
           channel="sms", purpose="survey", step="post_call_csat", status=status, planned_for_date=at.date(),
           created_at=at, updated_at=at, sent_at=at, contact_point=point("phone", phone))
    return invitation(con, token, scale=scale, attempt_id=attempt, **kw)


def sms_sent(con, attempt, *, at, borrower="B1", loan="L1", purpose="reminder", step="pre_due_1", channel="sms",
             phone=PHONE):
    """Another contact that went (by default an SMS reminder to the same number)."""
    insert(con, "contact_attempts", attempt_id=attempt, idempotency_key=f"k-{attempt}", borrower_id=borrower,
           loan_id=loan, channel=channel, purpose=purpose, step=step, status="sent", planned_for_date=at.date(),
           created_at=at, updated_at=at, sent_at=at,
           contact_point=point("phone", phone) if channel != "email" else point("email", "x@example.com"))


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The replies reach us the day after the survey (long after expiry, an answer is expired)."""
    monkeypatch.setattr("loan_comms.inbound.replies.utc_now", lambda: SENT + timedelta(days=1))


@pytest.fixture
def book(con):
    borrower_row(con, "B1", name="Li Lei", phone=PHONE, email=None, language="zh-CN", tz="Asia/Shanghai",
                 jurisdiction="default")
    loan_rows(con, "L1", "B1", [])
    return con


def sms(body, sid="SM1", at=SENT + timedelta(hours=1)):
    return InboundText(external_id=sid, channel="sms", text=body, occurred_at=at, source="sms_reply", sender=PHONE,
                       source_file="/in/replies.jsonl", source_line=1)


def answers(con):
    return con.execute("SELECT token, score, source, external_id FROM survey_answers ORDER BY token").fetchall()


def reply_detail(con, sid="SM1"):
    return json.loads(con.execute("SELECT detail FROM borrower_events WHERE external_id = ?", [sid]).fetchall()[0][0])


@pytest.mark.parametrize("text, score", [("4", 4), ("４", 4), ("9分", 9), ("10/10", 10), ("我给8分", 8), (" 5 ", 5),
                                         ("0", 0), ("10分！", 10)])
def test_scores_are_read(text, score):
    assert score_in(text) == score


@pytest.mark.parametrize("text", ["11", "I will pay 4 tomorrow", "4月5日", "stop", "", "明天还500"])
def test_other_texts_are_not_scores(text):
    assert score_in(text) is None


def test_a_score_answers_the_latest_open_survey_of_the_number(cfg, book):
    survey_sent(book, "older-token-0000000000", at=SENT - timedelta(days=1))
    survey_sent(book, "newer-token-0000000000", at=SENT)
    report = record_texts(book, cfg, [sms("４")])
    assert report.survey_answers == 1
    assert answers(book) == [("newer-token-0000000000", 4, "sms", "SM1")]
    detail = reply_detail(book)
    assert (detail["classified_as"], detail["decided_by"], detail["survey_token"]) == ([], "survey_score",
                                                                                        "newer-token-0000000000")
    again = record_texts(book, cfg, [sms("４")])      # replay: nothing new
    assert (again.survey_answers, again.duplicates, len(answers(book))) == (0, 1, 1)


def test_a_score_with_no_open_survey_stays_a_normal_reply(cfg, book):
    survey_sent(book, "expired-token-00000000", expires_at=SENT + timedelta(minutes=30))   # closed before the reply
    survey_sent(book, "failed-token-000000000", status="failed")
    report = record_texts(book, cfg, [sms("4")])
    assert report.survey_answers == 0 and answers(book) == []
    assert "survey_token" not in reply_detail(book)


def test_an_answered_survey_is_not_answered_again_by_a_second_score(cfg, book):
    survey_sent(book, "only-token-00000000000")
    record_texts(book, cfg, [sms("5", sid="SM1")])
    report = record_texts(book, cfg, [sms("1", sid="SM2", at=SENT + timedelta(hours=2))])
    assert report.survey_answers == 0 and answers(book) == [("only-token-00000000000", 5, "sms", "SM1")]


def test_a_score_out_of_the_scale_is_quarantined_and_stays_a_reply(cfg, book):
    survey_sent(book, "csat-token-0000000000a", scale="csat")
    report = record_texts(book, cfg, [sms("9分")])
    assert report.survey_answers == 0 and answers(book) == []
    assert book.execute("SELECT reason FROM import_quarantine WHERE entity = 'survey_answer'").fetchall() == [
        ("score 9 is outside the csat scale (1-5)",)]
    assert reply_detail(book)["decided_by"] != "survey_score"


@pytest.mark.parametrize(("scale", "text"), [("csat", "4/10"), ("csat", "4 out of 10"), ("nps", "4/5"),
                                             ("nps", "4 out of 5")])
def test_a_score_on_another_scale_than_asked_is_not_an_answer(cfg, book, scale, text):
    """"4/10" to a 1-5 survey means unhappy, not a CSAT 4; "4/5" to an NPS survey is not a detractor."""
    survey_sent(book, "scale-token-000000000c", scale=scale)
    report = record_texts(book, cfg, [sms(text)])
    assert report.survey_answers == 0 and answers(book) == []
    (reason,) = book.execute("SELECT reason FROM import_quarantine WHERE entity = 'survey_answer'").fetchone()
    assert reason.startswith(f"scored out of {text.split()[-1].split('/')[-1]} on a {scale} survey")
    assert reply_detail(book)["decided_by"] != "survey_score"


def test_a_score_on_the_asked_scale_is_an_answer(cfg, book):
    survey_sent(book, "scale-token-000000000d", scale="nps")
    assert record_texts(book, cfg, [sms("8/10")]).survey_answers == 1


def test_an_ingested_twilio_file(cfg, book, tmp_path):
    survey_sent(book, "nps-token-00000000000b", scale="nps")
    f = tmp_path / "replies.jsonl"
    f.write_text(json.dumps({"MessageSid": "SM9", "From": PHONE, "Body": "我给8分",
                             "DateSent": (SENT + timedelta(hours=3)).isoformat()}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    report = ingest_replies(book, cfg, f, now=SENT + timedelta(hours=4))
    assert report.by_kind == {"survey_answer": 1}
    assert answers(book) == [("nps-token-00000000000b", 8, "sms", "SM9")]
    assert "我给8分" not in str(report)


def quarantined(con):
    return [r[0] for r in con.execute("SELECT reason FROM import_quarantine WHERE entity = 'survey_answer'").fetchall()]


def test_a_score_from_a_number_now_another_borrowers_does_not_answer_the_old_holders_survey(cfg, book):
    """B1 had the number when surveyed; it is now B2's alone (B1 changed phones): the text is B2's."""
    survey_sent(book, "b1-token-0000000000000")
    book.execute("UPDATE borrowers SET phone_e164 = '+8613800000009' WHERE borrower_id = 'B1'")
    borrower_row(book, "B2", name="Han Mei", phone=PHONE, email=None, language="zh-CN", tz="Asia/Shanghai",
                 jurisdiction="default")
    loan_rows(book, "L2", "B2", [])
    report = record_texts(book, cfg, [sms("4")])
    assert report.survey_answers == 0 and answers(book) == []
    assert "survey_token" not in reply_detail(book)


def test_a_score_from_a_shared_number_is_a_normal_reply(cfg, book):
    """B1 and B2 share the phone: even when the match picks the surveyed borrower it is not certain."""
    borrower_row(book, "B2", name="Han Mei", phone=PHONE, email=None, language="zh-CN", tz="Asia/Shanghai",
                 jurisdiction="default")
    loan_rows(book, "L2", "B2", [])
    sms_sent(book, "A-b2-email", at=SENT - timedelta(days=3), borrower="B2", loan="L2", channel="email")
    survey_sent(book, "shared-token-000000000")           # B1 contacted last: the match picks B1
    report = record_texts(book, cfg, [sms("5")])
    assert book.execute("SELECT borrower_id FROM borrower_events WHERE external_id = 'SM1'").fetchone() == ("B1",)
    assert report.survey_answers == 0 and answers(book) == []
    assert "survey_token" not in reply_detail(book)


@pytest.mark.parametrize("kind", ["wrong_number", "number_reassigned"])
def test_a_number_reported_wrong_or_reassigned_since_has_no_open_survey(cfg, book, kind):
    survey_sent(book, "marked-token-000000000")
    event_row(book, "B1", kind, SENT + timedelta(minutes=30), loan_id=None, channel="sms", amount=None, detail=None,
              contact_point=point("phone", PHONE))
    report = record_texts(book, cfg, [sms("4")])
    assert report.survey_answers == 0 and answers(book) == []


def test_a_number_verified_again_after_the_mark_answers_its_survey(cfg, book):
    event_row(book, "B1", "wrong_number", SENT - timedelta(days=5), loan_id=None, channel="sms", amount=None,
              detail=None, contact_point=point("phone", PHONE))
    event_row(book, "B1", "point_verified", SENT - timedelta(days=2), loan_id=None, channel="sms", amount=None,
              detail=None, contact_point=point("phone", PHONE))
    survey_sent(book, "verified-token-0000000")
    assert record_texts(book, cfg, [sms("4")]).survey_answers == 1


def test_a_score_answers_only_the_latest_outbound_sms_to_the_number(cfg, book):
    """A bare "1" after a later reminder answers the reminder, not the older survey."""
    survey_sent(book, "older-survey-000000000")
    sms_sent(book, "A-reminder", at=SENT + timedelta(minutes=30))
    report = record_texts(book, cfg, [sms("1")])
    assert report.survey_answers == 0 and answers(book) == []
    assert "survey_token" not in reply_detail(book)


def test_an_e_mail_after_the_survey_does_not_hide_it(cfg, book):
    survey_sent(book, "sms-survey-0000000000e")
    sms_sent(book, "A-mail", at=SENT + timedelta(minutes=30), channel="email")
    assert record_texts(book, cfg, [sms("4")]).survey_answers == 1



def test_a_second_score_to_the_latest_answered_survey_is_quarantined_not_given_to_an_older_one(cfg, book):
    survey_sent(book, "older-open-00000000000", at=SENT - timedelta(days=1))
    survey_sent(book, "latest-token-000000000")
    record_texts(book, cfg, [sms("5", sid="SM1")])
    report = record_texts(book, cfg, [sms("1", sid="SM2", at=SENT + timedelta(hours=2))])
    assert report.survey_answers == 0
    assert answers(book) == [("latest-token-000000000", 5, "sms", "SM1")]
    assert quarantined(book) == ["already answered (the latest survey to this number); kept as a normal reply"]
    detail = reply_detail(book, "SM2")
    assert detail["decided_by"] != "survey_score" and "survey_token" not in detail
