"""NPS, CSAT and response rate against hand-computed values on hand-built surveys; replace-on-rerun."""

from __future__ import annotations

from datetime import date

import pytest

from loan_comms.surveys import aggregate, load_themes

from .builders import reply, survey

WEEK1, WEEK2 = date(2026, 11, 3), date(2026, 11, 10)     # Tuesdays: weeks of Mon 2 and Mon 9 November


@pytest.fixture
def history(con):
    # NPS: week 1 four promoters; week 2 a passive, three detractors and two unanswered.
    for s in (10, 9, 9, 9):
        survey(con, scale="nps", score=s, day=WEEK1)
    for s in (8, 6, 3, 0, None, None):
        survey(con, scale="nps", score=s, day=WEEK2)
    survey(con, scale="nps", score=None, day=WEEK2, status="suppressed")   # never went out: not counted
    # CSAT: team A 5, 4; team B 4, 2, 1 and one unanswered. contacts_30d across the bucket edges.
    survey(con, scale="csat", score=5, team="A", last_step="dpd_3", contacts_30d=0)
    survey(con, scale="csat", score=4, team="A", last_step="dpd_3", contacts_30d=2)
    survey(con, scale="csat", score=4, team="B", last_step="dpd_7", contacts_30d=3, language="zh-CN")
    survey(con, scale="csat", score=2, team="B", last_step="dpd_7", contacts_30d=5, comment="太频繁了")
    survey(con, scale="csat", score=1, team="B", last_step="dpd_7", contacts_30d=11, comment="RUDE agent")
    survey(con, scale="csat", score=None, team="B", last_step="dpd_7", contacts_30d=10)
    return con


def _slice(con, scale, dimension, value):
    cur = con.execute("SELECT * FROM feedback_slices WHERE scale = ? AND dimension = ? AND value = ?",
                      [scale, dimension, value])
    cols = [d[0] for d in cur.description]
    found = cur.fetchall()
    assert len(found) == 1, (scale, dimension, value, found)
    return dict(zip(cols, found[0]))


def test_nps_is_percent_promoters_minus_percent_detractors(history):
    aggregate(history)
    whole = _slice(history, "nps", "all", "all")
    assert (whole["invitations"], whole["answers"]) == (10, 8)
    assert (whole["promoters"], whole["passives"], whole["detractors"]) == (4, 1, 3)
    assert whole["nps"] == pytest.approx(12.5)            # 100 * (4 - 3) / 8
    assert whole["response_rate"] == pytest.approx(0.8)
    assert whole["csat_mean"] is None


def test_csat_mean_distribution_and_slices(history):
    aggregate(history)
    whole = _slice(history, "csat", "all", "all")
    assert (whole["invitations"], whole["answers"]) == (6, 5)
    assert whole["csat_mean"] == pytest.approx(3.2)       # (5 + 4 + 4 + 2 + 1) / 5
    assert [whole[f"csat_{k}"] for k in range(1, 6)] == [1, 1, 0, 2, 1]
    assert whole["response_rate"] == pytest.approx(5 / 6, abs=1e-4)
    assert whole["nps"] is None
    assert _slice(history, "csat", "team", "A")["csat_mean"] == pytest.approx(4.5)
    b = _slice(history, "csat", "team", "B")
    assert b["csat_mean"] == pytest.approx(7 / 3, abs=1e-4) and b["response_rate"] == pytest.approx(0.75)
    assert _slice(history, "csat", "last_step", "dpd_3")["answers"] == 2
    assert _slice(history, "csat", "language", "zh-CN")["csat_mean"] == pytest.approx(4.0)
    assert _slice(history, "nps", "team", "(none)")["invitations"] == 10


def test_contact_intensity_buckets_edges(history):
    aggregate(history)
    got = {v: (_slice(history, "csat", "intensity", v)["invitations"]) for v in ("0-2", "3-5", "6-10", "11+")}
    assert got == {"0-2": 2, "3-5": 2, "6-10": 1, "11+": 1}
    assert _slice(history, "csat", "intensity", "0-2")["csat_mean"] == pytest.approx(4.5)
    assert _slice(history, "csat", "intensity", "11+")["csat_mean"] == pytest.approx(1.0)
    assert _slice(history, "csat", "intensity", "6-10")["csat_mean"] is None     # sent, not answered


def test_weekly_trend_per_programme_and_overall(history):
    aggregate(history)
    rows = history.execute("SELECT week, programme, invitations, answers, nps FROM feedback_weekly "
                           "WHERE scale = 'nps' ORDER BY week, programme").fetchall()
    assert rows == [(date(2026, 11, 2), "all", 4, 4, 100.0), (date(2026, 11, 2), "payoff_nps", 4, 4, 100.0),
                    (date(2026, 11, 9), "all", 6, 4, -75.0), (date(2026, 11, 9), "payoff_nps", 6, 4, -75.0)]


def test_rerun_replaces_and_picks_up_new_answers(history):
    aggregate(history)
    tables = ("feedback_responses", "feedback_slices", "feedback_weekly", "feedback_themes_weekly")
    before = {t: sorted(history.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    aggregate(history)
    assert {t: sorted(history.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables} == before
    survey(history, scale="nps", score=10, day=WEEK2)
    s = aggregate(history)
    nps = {h.scale: h for h in s.headlines}["nps"]
    assert (nps.invitations, nps.answers, nps.nps) == (11, 9, pytest.approx(100 * (5 - 3) / 9, abs=0.01))


def test_themes_counted_by_week_from_comments_and_replies(history):
    reply(history, "你们天天打電話，太騷擾了")
    reply(history, "Too many calls, and the agent was rude", kind="email_reply")
    reply(history, "ok thanks")
    s = aggregate(history, load_themes())
    assert s.theme_counts == {"conduct": 2, "frequency": 3}
    assert s.texts_read == 5
    rows = history.execute("SELECT source, theme, texts, texts_read FROM feedback_themes_weekly "
                           "ORDER BY source, theme NULLS LAST").fetchall()
    assert rows == [("email_reply", "conduct", 1, 1), ("email_reply", "frequency", 1, 1),
                    ("sms_reply", "frequency", 1, 2), ("survey", "conduct", 1, 2), ("survey", "frequency", 1, 2)]


def test_summary_markdown_has_numbers_and_no_text(history):
    reply(history, "wrong number, not me 13800138000")
    md = "\n".join(aggregate(history).markdown_lines())
    assert "+12.5" in md and "3.20" in md and "80.0%" in md
    assert "13800138000" not in md and "RUDE" not in md and "频繁" not in md


def test_empty_database_aggregates_to_nothing(con):
    s = aggregate(con)
    assert s.headlines == () and s.texts_read == 0 and s.theme_counts == {}
