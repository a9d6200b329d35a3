"""Survey answers from a file drop (JSONL, CSV) and from a pull over httpx, through the one landing
function; bad records quarantined with file, line (or pull position) and reason."""

from __future__ import annotations

import json

import httpx
import pytest

from loan_comms.surveys import SurveyPullError, ingest_survey_answers, pull_survey_answers
from tests.surveys.conftest import invitation

NOW = "2026-11-06T00:00:00+00:00"


@pytest.fixture
def surveys(con):
    invitation(con, "csat-token-0000000000a", scale="csat")
    invitation(con, "nps-token-00000000000b", scale="nps")
    return con


def reasons(con):
    return con.execute("SELECT source_file, source_line, reason FROM import_quarantine "
                       "WHERE entity = 'survey_answer' ORDER BY source_line").fetchall()


def test_a_jsonl_drop_lands_good_rows_and_quarantines_bad_ones(surveys, tmp_path):
    drop = tmp_path / "survey_answers"
    drop.mkdir()
    (drop / "a.jsonl").write_text("\n".join([
        json.dumps({"token": "csat-token-0000000000a", "score": 5, "comment": "thanks", "source": "web",
                    "answered_at": "2026-11-05T12:00:00Z", "external_id": "w-1"}),
        "{not json",
        json.dumps({"token": "nps-token-00000000000b", "score": "ten"}),
    ]) + "\n", encoding="utf-8")
    report = ingest_survey_answers(surveys, drop)
    assert (report.answers.landed, report.quarantined) == (1, 2)
    assert [(line, why.split(" (")[0]) for _, line, why in reasons(surveys)] == [(2, "not JSON"), (3, "score is not a number")]
    assert surveys.execute("SELECT source, external_id FROM survey_answers").fetchall() == [("web", "w-1")]
    again = ingest_survey_answers(surveys, drop)
    assert (again.answers.landed, again.answers.known, len(reasons(surveys))) == (0, 1, 2)


def test_a_csv_drop(surveys, tmp_path):
    f = tmp_path / "answers.csv"
    f.write_text("token,score,comment,answered_at\ncsat-token-0000000000a,3,,2026-11-05T12:00:00Z\n"
                 "nps-token-00000000000b,12,too many calls,2026-11-05T12:00:00Z\n", encoding="utf-8")
    report = ingest_survey_answers(surveys, f)
    assert report.answers.landed == 1
    assert [(line, why) for _, line, why in reasons(surveys)] == [(3, "score 12 is outside the nps scale (0-10)")]
    assert "too many calls" not in str(report)


def service(payload, status=200):
    return httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(status, json=payload)))


def test_a_pull_lands_answers_and_quarantines_by_position(surveys):
    payload = [{"token": "csat-token-0000000000a", "score": 4, "comment": "ok", "answered_at": "2026-11-05T11:00:00Z",
                "id": "ext-1"},
               "not an object",
               {"token": "unknown-token-00000000", "score": 4, "comment": None, "answered_at": "2026-11-05T11:00:00Z"}]
    report = pull_survey_answers(surveys, "https://surveys.example.com/api/answers?key=SECRET", client=service(payload))
    assert report.answers.landed == 1
    assert reasons(surveys) == [("pull:https://surveys.example.com/api/answers", 2, "element is not a JSON object"),
                                ("pull:https://surveys.example.com/api/answers", 3, "unknown token (no survey has it)")]
    assert surveys.execute("SELECT source, external_id FROM survey_answers").fetchall() == [("pull", "ext-1")]
    again = pull_survey_answers(surveys, "https://surveys.example.com/api/answers?key=SECRET", client=service(payload))
    assert (again.answers.landed, again.answers.known, len(reasons(surveys))) == (0, 1, 2)


@pytest.mark.parametrize("payload, status, said", [({"answers": []}, 200, "expected a JSON list"),
                                                    ([], 503, "HTTP 503")])
def test_a_pull_that_cannot_be_read_lands_nothing(surveys, payload, status, said):
    with pytest.raises(SurveyPullError, match=said) as err:
        pull_survey_answers(surveys, "https://surveys.example.com/a?key=SECRET", client=service(payload, status))
    assert "SECRET" not in str(err.value)
