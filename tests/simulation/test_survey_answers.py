"""The simulator answers the surveys sent on a day through the production paths (issue 14): SMS
surveys by an SMS whose text is the score (ingest_replies' score hook), e-mail surveys by a file drop
(ingest_survey_answers, source 'file'), sometimes with a themed comment. The experience drives it:
more contacts in the 30 days before, lower scores; replaying a day lands nothing new."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from statistics import mean

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.simulation import answer_surveys, draw_behaviour
from loan_comms.simulation.survey_answers import COMMENTS, comment_for, sms_text
from loan_comms.surveys import load_themes
from loan_comms.surveys.sms_scores import score_in

MONDAY = date(2026, 11, 30)
N = 3000
PROGRAMMES = ("post_call_csat", "hardship_plan", "relationship_nps")   # sms csat, sms csat, email nps


@pytest.fixture
def surveyed(con):
    """N borrowers (half zh-CN, half en), each sent one survey on MONDAY: a third post-call CSAT by SMS,
    a third hardship-plan CSAT by SMS, a third relationship NPS by e-mail; contacts_30d = (i // 3) % 15."""
    con.execute(f"""
        INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone, jurisdiction)
        SELECT 'B' || i, 'Wang Wei', 'Wang', '+86138' || lpad(i::VARCHAR, 8, '0'), 'b' || i || '@example.com',
               CASE WHEN i % 2 = 0 THEN 'zh-CN' ELSE 'en' END, 'Asia/Shanghai', 'cn'
        FROM range({N}) AS t(i);
        INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on)
        SELECT 'L' || i, 'B' || i, 'personal_loan', 1000, 'CNY', DATE '2026-01-01' FROM range({N}) AS t(i);
        CREATE TEMP TABLE _sv AS
        SELECT i, ['post_call_csat', 'hardship_plan', 'relationship_nps'][i % 3 + 1] AS programme FROM range({N}) AS t(i);
        INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, channel, purpose, step, status,
                                      planned_for_date, created_at, updated_at, sent_at, contact_point)
        SELECT 'A' || i, 'k' || i, 'B' || i, 'L' || i, CASE WHEN programme = 'relationship_nps' THEN 'email' ELSE 'sms' END,
               'survey', programme, 'sent', DATE '2026-11-30', TIMESTAMPTZ '2026-11-30 01:00:00+00',
               TIMESTAMPTZ '2026-11-30 01:00:00+00', TIMESTAMPTZ '2026-11-30 02:00:00+00',
               CASE WHEN programme = 'relationship_nps' THEN point_id('email', 'b' || i || '@example.com')
                    ELSE point_id('phone', '+86138' || lpad(i::VARCHAR, 8, '0')) END
        FROM _sv;
        INSERT INTO survey_invitations (token, attempt_id, programme, scale, borrower_id, loan_id, channel, language,
                                        contacts_30d, planned_for_date, expires_at)
        SELECT 'tok' || lpad(i::VARCHAR, 19, '0'), 'A' || i, programme,
               CASE WHEN programme = 'relationship_nps' THEN 'nps' ELSE 'csat' END, 'B' || i, 'L' || i,
               CASE WHEN programme = 'relationship_nps' THEN 'email' ELSE 'sms' END,
               CASE WHEN i % 2 = 0 THEN 'zh-CN' ELSE 'en' END, (i // 3) % 15, DATE '2026-11-30',
               TIMESTAMPTZ '2026-12-14 02:00:00+00'
        FROM _sv;
    """)
    return con


def _drawn(con, seed=7):
    rows = db.rows(con, "simulation/survey_answers", {"as_of": MONDAY, "seed": seed})
    invited = {r[0]: r[1:] for r in con.execute("SELECT token, programme, contacts_30d FROM survey_invitations").fetchall()}
    return rows, invited


def test_satisfaction_falls_with_contact_intensity_and_rises_after_a_hardship_plan(surveyed):
    rows, invited = _drawn(surveyed)
    assert rows == _drawn(surveyed)[0]                                     # deterministic per seed
    assert {r["token"] for r in _drawn(surveyed, seed=8)[0]} != {r["token"] for r in rows}
    by: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        programme, contacts = invited[r["token"]]
        by[(programme, "low" if contacts <= 4 else "high" if contacts >= 10 else "mid")].append(r["score"])
    for programme in PROGRAMMES:
        assert mean(by[(programme, "low")]) > mean(by[(programme, "high")]) + 0.3, programme
        assert len(by[(programme, "low")]) > len(by[(programme, "high")])    # and answer more often
    assert mean(by[("hardship_plan", "low")] + by[("hardship_plan", "high")]) > \
        mean(by[("post_call_csat", "low")] + by[("post_call_csat", "high")])
    csat = [r["score"] for r in rows if r["scale"] == "csat"]
    nps = [r["score"] for r in rows if r["scale"] == "nps"]
    assert set(csat) <= set(range(1, 6)) and len(set(csat)) >= 4
    assert set(nps) <= set(range(11)) and len(set(nps)) >= 6
    assert 0.2 * N < len(rows) < 0.5 * N


def test_only_email_answers_carry_comments_and_low_scores_complain(surveyed):
    rows, _ = _drawn(surveyed)
    assert all(r["comment_kind"] is None for r in rows if r["channel"] == "sms")
    kinds = {r["comment_kind"] for r in rows if r["channel"] == "email"}
    assert {"frequency", "conduct", "negotiation", "fees", "praise", None} <= kinds
    low = [r for r in rows if r["comment_kind"] in ("frequency", "conduct", "negotiation", "fees")]
    assert mean(r["score"] for r in low) < mean(r["score"] for r in rows if r["comment_kind"] == "praise")


@pytest.mark.parametrize("kind", sorted(COMMENTS))
def test_every_complaint_comment_shows_its_theme_and_others_show_none(kind):
    themes = load_themes()
    for lang in ("zh-CN", "en"):
        for text in COMMENTS[kind][lang]:
            assert themes.tag(text) == ((kind,) if kind in themes.names else ()), (kind, text)
    assert comment_for(kind, "zh-CN", "k1") == comment_for(kind, "zh-CN", "k1")


@given(st.integers(0, 10), st.sampled_from(["csat", "nps"]), st.sampled_from(["zh-CN", "en"]), st.text(max_size=12))
def test_an_sms_answer_reads_as_its_score(score, scale, language, key):
    assert score_in(sms_text(score, scale, language, key)) == score


def test_answers_land_through_the_production_paths_and_replay_adds_nothing(surveyed, cfg, tmp_path):
    report = draw_behaviour(surveyed, cfg, MONDAY, 7, tmp_path)
    assert "surveys:" in str(report)
    drawn, _ = _drawn(surveyed)
    day = tmp_path / MONDAY.isoformat()
    sms = [json.loads(x) for x in (day / "survey_sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sms and set(sms[0]) == {"From", "Body", "MessageSid", "DateSent"}          # Twilio's field names
    landed = dict(surveyed.execute("SELECT source, count(*) FROM survey_answers GROUP BY ALL").fetchall())
    assert landed == {"sms": sum(r["channel"] == "sms" for r in drawn), "file": sum(r["channel"] == "email" for r in drawn)}
    scores = dict(surveyed.execute("SELECT token, score FROM survey_answers").fetchall())
    assert scores == {r["token"]: r["score"] for r in drawn}
    comments = [c for (c,) in surveyed.execute("SELECT comment FROM survey_answers WHERE comment IS NOT NULL").fetchall()]
    assert comments and any("频繁" in c or "天天打" in c or "老是打" in c or "骚扰" in c for c in comments)
    assert surveyed.execute("SELECT count(*) FROM import_quarantine WHERE entity = 'survey_answer'").fetchone()[0] == 0
    before = surveyed.execute("SELECT count(*) FROM survey_answers").fetchone()[0]
    events = surveyed.execute("SELECT count(*) FROM borrower_events").fetchone()[0]
    answer_surveys(surveyed, cfg, MONDAY, 7, tmp_path / "again", now=report_now())
    draw_behaviour(surveyed, cfg, MONDAY, 7, tmp_path)
    assert surveyed.execute("SELECT count(*) FROM survey_answers").fetchone()[0] == before
    assert surveyed.execute("SELECT count(*) FROM borrower_events").fetchone()[0] == events


def report_now():
    from datetime import UTC, datetime
    return datetime(2026, 12, 1, 12, tzinfo=UTC)
