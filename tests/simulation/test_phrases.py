"""The simulator's phrase bank and the free-text SMS replies drawn from it.

Why these hold: a simulation must be replayable (the same seed, the same replies), must speak in
the words the issue lists (zh, en, mixed; every intent), must date promises where the reply says
(relative to the day the SMS went), and must NOT be the labelled corpus, or a 60-day run would
only replay what the rules were measured on.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.simulation import DRAWABLE, PhraseError, draw, draw_behaviour, promised_days
from loan_comms.simulation.response import RESPONSE
from loan_comms.simulation.phrases import LANGUAGES, _bank, _zh_number

CORPUS = Path(__file__).resolve().parent.parent / "data" / "replies" / "corpus.jsonl"
MONDAY = date(2026, 11, 30)


@given(intent=st.sampled_from(DRAWABLE), lang=st.sampled_from(LANGUAGES), key=st.text(max_size=20),
       days=st.integers(0, 400))
def test_a_key_always_draws_the_same_non_empty_text(intent, lang, key, days):
    as_of = date(2026, 1, 1) + timedelta(days=days)
    text = draw(intent, lang, key, as_of)
    assert text and text == draw(intent, lang, key, as_of)
    assert not re.search(r"[{}\[\]<>|]", text), text  # every alternative and slot resolved


def test_every_intent_and_language_has_many_wordings():
    for intent in DRAWABLE:
        for lang in LANGUAGES:
            texts = {draw(intent, lang, f"k{i}", MONDAY) for i in range(200)}
            assert len(texts) >= 5, (intent, lang)


def test_languages_are_written_as_named():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for intent in DRAWABLE:
        for i in range(50):
            assert not cjk.search(draw(intent, "en", f"k{i}", MONDAY)), intent
        # Chinese replies may carry STOP/TD/START codes, but mostly Chinese
        zh = [draw(intent, "zh-CN", f"k{i}", MONDAY) for i in range(50)]
        assert sum(bool(cjk.search(t)) for t in zh) >= 25, intent


def test_the_bank_is_not_the_corpus():
    """Distinct in wording: the bank is written apart from the corpus, so only the commonest short
    phrases ("stop texting me", "ok 收到") may coincide with a corpus line: under 3% of the distinct
    replies the bank draws (compared after trimming and case)."""
    corpus = {json.loads(line)["text"].strip().lower() for line in CORPUS.read_text(encoding="utf-8").splitlines()}
    drawn = {draw(intent, lang, f"c{i}", MONDAY).strip().lower()
             for intent in DRAWABLE for lang in LANGUAGES for i in range(300)}
    clashes = drawn & corpus
    assert len(drawn) > 1500
    assert len(clashes) < 0.03 * len(drawn), f"phrase bank wordings that are corpus lines: {sorted(clashes)}"


def test_a_promise_names_the_day_the_key_draws():
    """The date in a promise is `as_of + promised_days(key)`, written in one of the forms."""
    weekdays_en = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    zh_days = "一二三四五六日"
    for i in range(300):
        key = f"p{i}"
        n = promised_days(key)
        assert 3 <= n <= 7
        d = MONDAY + timedelta(days=n)
        en = draw("promise_to_pay", "en", key, MONDAY)
        en_forms = [weekdays_en[d.weekday()], weekdays_en[d.weekday()][:3], f"the {d.day}", f"{months[d.month - 1]} {d.day}",
                    f"{d.month}/{d.day}", f"{d.day} {months[d.month - 1]}"]
        assert any(f in en for f in en_forms), (en, d)
        zh = draw("promise_to_pay", "zh", key, MONDAY)
        week = "这" if d.isocalendar()[1] == MONDAY.isocalendar()[1] else "下"
        zh_forms = [f"{d.day}号", f"{d.day}日", f"{week}周{zh_days[d.weekday()]}", f"{week}星期{zh_days[d.weekday()]}",
                    f"{week}礼拜", "大后天" if n == 3 else "\x00"]
        assert any(f in zh for f in zh_forms), (zh, d)


def test_chinese_amounts_read_as_people_write_them():
    assert [_zh_number(n) for n in (200, 300, 500, 800, 1000, 1200, 1500, 2000, 3000)] == [
        "两百", "三百", "五百", "八百", "一千", "一千二", "一千五", "两千", "三千"]


def test_unknown_intent_or_language_is_one_clear_error():
    with pytest.raises(PhraseError, match="unknown intent"):
        draw("spam", "en", "k", MONDAY)
    with pytest.raises(PhraseError, match="unknown language"):
        draw("opt_out", "fr", "k", MONDAY)


def test_every_intent_has_templates_in_every_language():
    assert set(_bank()) == set(DRAWABLE)


# ---- the simulator: sql/simulation/sms_replies.sql + draw_behaviour

N = 4000


@pytest.fixture
def sent_day(con):
    """N borrowers (half zh-CN, half en), each sent one SMS on MONDAY."""
    con.execute(f"""
        INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone, jurisdiction)
        SELECT 'B' || i, 'Wang Wei', 'Wang', '+86138' || lpad(i::VARCHAR, 8, '0'), NULL,
               CASE WHEN i % 2 = 0 THEN 'zh-CN' ELSE 'en' END, 'Asia/Shanghai', 'cn'
        FROM range({N}) AS t(i);
        INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on)
        SELECT 'L' || i, 'B' || i, 'personal_loan', 1000, 'CNY', DATE '2026-01-01' FROM range({N}) AS t(i);
        INSERT INTO installments (loan_id, installment_no, due_date, amount_due)
        SELECT 'L' || i, 1, DATE '2026-11-25', 1000 FROM range({N}) AS t(i);
        INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, channel, purpose, step, status,
                                      planned_for_date, created_at, updated_at, sent_at)
        SELECT 'A' || i, 'k' || i, 'B' || i, 'L' || i, 'sms', 'reminder', 'due_soon', 'sent', DATE '2026-11-30',
               TIMESTAMPTZ '2026-11-30 01:00:00+00', TIMESTAMPTZ '2026-11-30 01:00:00+00',
               TIMESTAMPTZ '2026-11-30 02:00:00+00'
        FROM range({N}) AS t(i);
    """)
    return con


def test_replies_are_drawn_at_the_asked_rates_and_languages(sent_day):
    rows = db.rows(sent_day, "simulation/sms_replies", {"as_of": MONDAY, "seed": 7, **RESPONSE.params()})
    assert rows == db.rows(sent_day, "simulation/sms_replies", {"as_of": MONDAY, "seed": 7, **RESPONSE.params()})  # replayable
    by = Counter(r["intent"] for r in rows)
    assert set(by) <= set(DRAWABLE)
    assert 0.05 * N < len(rows) < 0.09 * N  # 7% of SMS get a reply
    assert 0.007 * N < by["opt_out"] < 0.018 * N
    assert 0.011 * N < by["promise_to_pay"] < 0.024 * N
    assert 0.009 * N < by["chatter"] < 0.022 * N
    assert {"hardship", "dispute", "question", "callback_request"} <= set(by)
    langs = Counter(r["language"] for r in rows)
    assert langs["zh"] and langs["en"] and langs["mixed"]
    assert all(r["sent_on"] == MONDAY for r in rows)
    assert len({r["key"] for r in rows}) == len(rows)
    other_seed = db.rows(sent_day, "simulation/sms_replies", {"as_of": MONDAY, "seed": 8, **RESPONSE.params()})
    assert {r["MessageSid"] for r in other_seed} != {r["MessageSid"] for r in rows}


def test_draw_behaviour_sends_free_text_through_the_production_ingestion(sent_day, cfg, tmp_path):
    report = draw_behaviour(sent_day, cfg, MONDAY, 7, tmp_path)
    assert report.replies
    lines = [json.loads(x) for x in (tmp_path / MONDAY.isoformat() / "inbound_sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines and set(lines[0]) == {"From", "Body", "MessageSid", "DateSent"}  # Twilio's field names
    bodies = [x["Body"] for x in lines]
    assert len(set(bodies)) > len(bodies) // 3  # free text, not a handful of keywords
    assert not any(re.fullmatch(r"(PROMISE|承诺) \d{4}-\d{2}-\d{2}", b) for b in bodies)
    recorded = sent_day.execute("SELECT count(*) FROM borrower_events WHERE kind = 'sms_reply'").fetchone()[0]
    assert recorded == len(lines)
    assert f"; {report.contact_payments} contact-driven payments scheduled" in str(report)
    # replaying the day records nothing new
    feed = sent_day.execute("SELECT count(*) FROM payment_feed").fetchone()[0]
    again = draw_behaviour(sent_day, cfg, MONDAY, 7, tmp_path)
    assert sent_day.execute("SELECT count(*) FROM borrower_events WHERE kind = 'sms_reply'").fetchone()[0] == recorded
    assert again.contact_payments == again.promised_payments == 0
    assert sent_day.execute("SELECT count(*) FROM payment_feed").fetchone()[0] == feed


def test_one_in_ten_reply_opt_outs_sends_start_on_its_drawn_day(con):
    """START comes from the number that opted out by reply, 2-11 days later, once."""
    n = 300
    con.execute(f"""
        INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone, jurisdiction)
        SELECT 'B' || i, 'Li Na', 'Li', '+86139' || lpad(i::VARCHAR, 8, '0'), NULL, 'zh-CN', 'Asia/Shanghai', 'cn'
        FROM range({n}) AS t(i);
        INSERT INTO borrower_events (borrower_id, kind, occurred_at, channel, source, external_id, scope, contact_point)
        SELECT 'B' || i, 'opt_out', TIMESTAMPTZ '2026-11-30 03:00:00+00', 'sms', 'sms_reply', 'SIMX' || i || ':opt_out',
               'borrower', point_id('phone', '+86139' || lpad(i::VARCHAR, 8, '0'))
        FROM range({n}) AS t(i);
    """)
    starts = []
    for day in range(0, 14):
        starts += db.rows(con, "simulation/sms_replies", {"as_of": MONDAY + timedelta(days=day), "seed": 3,
                                                                  **RESPONSE.params()})
    assert all(r["intent"] == "opt_in" for r in starts)
    assert 0.03 * n < len(starts) < 0.2 * n
    assert len({r["From"] for r in starts}) == len(starts)  # once per opt-out
    for r in starts:
        assert 2 <= (r["sent_on"] - MONDAY).days <= 11
        assert r["occurred_at"].astimezone(UTC).date() == datetime(2026, 11, 30, tzinfo=UTC).date() + (r["sent_on"] - MONDAY)
