"""The one landing function: each malformed answer quarantined with its reason, the first answer
stands, the same answer again is a no-op (issue 14, answers in)."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest
from hypothesis import given, strategies as st

from loan_comms.surveys import SurveyAnswer, parse_score, record_answers
from tests.surveys.conftest import SENT, invitation

AT = SENT + timedelta(hours=2)


def ans(token: object, score: object, *, comment: object = None, source: str = "file", ext: str | None = None,
        at=AT, line: int = 1) -> SurveyAnswer:
    return SurveyAnswer(token=token, score=score, answered_at=at, source=source, comment=comment, external_id=ext,
                        source_file="/drop/answers.jsonl", source_line=line)


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT source_line, reason FROM import_quarantine WHERE entity = 'survey_answer' "
                       "ORDER BY source_line").fetchall()


def stored(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT token, score, comment, source FROM survey_answers ORDER BY token").fetchall()


@pytest.fixture
def surveys(con, monkeypatch):
    # the answers reach us the day after the survey (an answer received long after expiry is expired)
    monkeypatch.setattr("loan_comms.surveys.answers.utc_now", lambda: SENT + timedelta(days=1))
    invitation(con, "csat-token-0000000000a", scale="csat")
    invitation(con, "nps-token-00000000000b", scale="nps")
    return con


def test_good_answers_land_with_their_comment(surveys):
    report = record_answers(surveys, [ans("csat-token-0000000000a", "４", comment=" 很好 "),
                                      ans("nps-token-00000000000b", 0, line=2)])
    assert (report.landed, report.refused) == (2, [])
    assert stored(surveys) == [("csat-token-0000000000a", 4, "很好", "file"), ("nps-token-00000000000b", 0, None, "file")]


@pytest.mark.parametrize("answer, reason", [
    (ans("no-such-token-00000000", 3), "unknown token (no survey has it)"),
    (ans(None, 3), "unknown token (the answer carries none)"),
    (ans("csat-token-0000000000a", "great"), "score is not a number"),
    (ans("csat-token-0000000000a", 4.5), "score is not a number"),
    (ans("csat-token-0000000000a", True), "score is not a number"),
    (ans("csat-token-0000000000a", None), "no score"),
    (ans("csat-token-0000000000a", 0), "score 0 is outside the csat scale (1-5)"),
    (ans("csat-token-0000000000a", 6), "score 6 is outside the csat scale (1-5)"),
    (ans("nps-token-00000000000b", 11), "score 11 is outside the nps scale (0-10)"),
    (ans("nps-token-00000000000b", -1), "score -1 is outside the nps scale (0-10)"),
    (ans("csat-token-0000000000a", 3, at=SENT + timedelta(days=8)),
     "expired token (the survey closed at 2026-11-12T10:00:00Z)"),
    (ans("csat-token-0000000000a", 3, comment=["a", "list"]), "comment must be text"),
])
def test_each_malformed_answer_is_quarantined_with_its_reason(surveys, answer, reason):
    report = record_answers(surveys, [answer, ans("nps-token-00000000000b", 9, line=2)])
    assert [why for _, why in report.refused] == [reason]
    assert quarantine(surveys) == [(1, reason)]
    assert stored(surveys) == [("nps-token-00000000000b", 9, None, "file")]   # the bad row cost nobody


def test_a_second_answer_is_refused_and_the_first_stands(surveys):
    record_answers(surveys, [ans("csat-token-0000000000a", 5, source="web", ext="w1")])
    report = record_answers(surveys, [ans("csat-token-0000000000a", 1, source="sms", ext="SM1", line=7)])
    assert report.landed == 0
    assert quarantine(surveys) == [(7, "second answer to this survey (the first, by web at 2026-11-05T12:00:00Z, stands)")]
    assert stored(surveys) == [("csat-token-0000000000a", 5, None, "web")]


def test_two_answers_in_one_batch_the_first_wins(surveys):
    report = record_answers(surveys, [ans("csat-token-0000000000a", 2, line=1), ans("csat-token-0000000000a", 2, line=2),
                                      ans("csat-token-0000000000a", 3, line=3)])
    assert (report.landed, report.known) == (1, 1)
    assert quarantine(surveys) == [(3, "second answer to this survey in the same batch (the first stands)")]


def test_a_refused_first_answer_does_not_block_a_good_second(surveys):
    report = record_answers(surveys, [ans("csat-token-0000000000a", 9, line=1), ans("csat-token-0000000000a", 4, line=2)])
    assert report.landed == 1 and stored(surveys)[0][1] == 4


def test_relanding_is_a_no_op(surveys):
    batch = [ans("csat-token-0000000000a", 4, comment="ok", ext="x1"), ans("nps-token-00000000000b", 42, line=2)]
    first = record_answers(surveys, batch)
    again = record_answers(surveys, batch)
    assert (first.landed, again.landed, again.known) == (1, 0, 1)
    assert len(quarantine(surveys)) == 1          # the refused row is not quarantined twice
    assert len(stored(surveys)) == 1


def test_the_report_never_carries_a_comment(surveys):
    report = record_answers(surveys, [ans("csat-token-0000000000a", 9, comment="call me on +8613812345678")])
    assert "+86138" not in str(report) and "outside the csat scale" in str(report)


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_parse_score_reads_every_integer_in_any_width(n):
    assert parse_score(n) == n
    assert parse_score(str(n)) == n
    assert parse_score(f" {n} ".translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == n
