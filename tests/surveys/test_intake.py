"""Survey answers from a file drop (JSONL, CSV) and from a pull over httpx, through the one landing
function; bad records quarantined with file, line (or pull position) and reason."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest

from loan_comms.surveys import SurveyPullError, ingest_survey_answers, pull_survey_answers
from tests.surveys.conftest import SENT, invitation

NOW = "2026-11-06T00:00:00+00:00"
NOW_AT = datetime.fromisoformat(NOW)
PAGE_FILE = "20261105T120000-0a1b2c3d-survey-page.jsonl"      # the name the survey page's writer gives


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
    (drop / PAGE_FILE).write_text("\n".join([
        json.dumps({"token": "csat-token-0000000000a", "score": 5, "comment": "thanks", "source": "web",
                    "answered_at": "2026-11-05T12:00:00Z", "external_id": "w-1"}),
        "{not json",
        json.dumps({"token": "nps-token-00000000000b", "score": "ten"}),
    ]) + "\n", encoding="utf-8")
    report = ingest_survey_answers(surveys, drop, page_files=True, now=NOW_AT)
    assert (report.answers.landed, report.quarantined) == (1, 2)
    assert [(line, why.split(" (")[0]) for _, line, why in reasons(surveys)] == [(2, "not JSON"), (3, "score is not a number")]
    assert surveys.execute("SELECT source, external_id FROM survey_answers").fetchall() == [("web", "w-1")]
    again = ingest_survey_answers(surveys, drop, page_files=True, now=NOW_AT)
    assert (again.answers.landed, again.answers.known, len(reasons(surveys))) == (0, 1, 2)


def test_a_csv_drop(surveys, tmp_path):
    f = tmp_path / "answers.csv"
    f.write_text("token,score,comment,answered_at\ncsat-token-0000000000a,3,,2026-11-05T12:00:00Z\n"
                 "nps-token-00000000000b,12,too many calls,2026-11-05T12:00:00Z\n", encoding="utf-8")
    report = ingest_survey_answers(surveys, f, now=NOW_AT)
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
    report = pull_survey_answers(surveys, "https://surveys.example.com/api/answers?key=SECRET", client=service(payload), now=NOW_AT)
    assert report.answers.landed == 1
    assert reasons(surveys) == [("pull:https://surveys.example.com/api/answers", 2, "element is not a JSON object"),
                                ("pull:https://surveys.example.com/api/answers", 3, "unknown token (no survey has it)")]
    assert surveys.execute("SELECT source, external_id FROM survey_answers").fetchall() == [("pull", "ext-1")]
    again = pull_survey_answers(surveys, "https://surveys.example.com/api/answers?key=SECRET", client=service(payload), now=NOW_AT)
    assert (again.answers.landed, again.answers.known, len(reasons(surveys))) == (0, 1, 2)


@pytest.mark.parametrize("payload, status, said", [({"answers": []}, 200, "expected a JSON list"),
                                                    ([], 503, "HTTP 503")])
def test_a_pull_that_cannot_be_read_lands_nothing(surveys, payload, status, said):
    with pytest.raises(SurveyPullError, match=said) as err:
        pull_survey_answers(surveys, "https://surveys.example.com/a?key=SECRET", client=service(payload, status))
    assert "SECRET" not in str(err.value)


def _drop(folder, name, *rows):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return folder / name


def test_a_file_row_cannot_claim_to_come_from_the_survey_page(surveys, tmp_path):
    f = _drop(tmp_path / "survey_answers", "a.jsonl",
              {"token": "csat-token-0000000000a", "score": 5, "source": "web", "answered_at": "2026-11-05T12:00:00Z"})
    report = ingest_survey_answers(surveys, f, now=NOW_AT)
    assert report.answers.landed == 0
    assert [why for _, _, why in reasons(surveys)] == [
        "source 'web' is written only by the survey page (loan-comms survey-server); a file or pull cannot claim it"]


def test_the_pages_own_files_land_as_web_in_the_inbox_flow(surveys, tmp_path):
    folder = tmp_path / "survey_answers"
    _drop(folder, PAGE_FILE, {"token": "csat-token-0000000000a", "score": 5, "source": "web",
                              "answered_at": "2026-11-05T12:00:00Z"})
    report = ingest_survey_answers(surveys, folder, now=NOW_AT, page_files=True)
    assert report.answers.landed == 1
    assert surveys.execute("SELECT source FROM survey_answers").fetchall() == [("web",)]


def test_a_pull_cannot_claim_web_either(surveys):
    payload = [{"token": "csat-token-0000000000a", "score": 4, "source": "web", "answered_at": "2026-11-05T11:00:00Z"}]
    pull_survey_answers(surveys, "https://surveys.example.com/api/answers", client=service(payload), now=NOW_AT)
    assert surveys.execute("SELECT source FROM survey_answers").fetchall() == [("pull",)]


def test_an_answer_dated_before_the_survey_went_is_refused(surveys, tmp_path):
    from tests.builders import insert

    insert(surveys, "contact_attempts", attempt_id="A-csat-token-0000000000a", idempotency_key="k-a", borrower_id="B1",
           loan_id="L1", channel="email", purpose="survey", step="survey", status="sent",
           planned_for_date=SENT.date(), created_at=SENT, updated_at=SENT, sent_at=SENT)
    f = _drop(tmp_path / "d", "a.jsonl",
              {"token": "csat-token-0000000000a", "score": 4, "answered_at": "2026-11-05T09:00:00Z"},   # 1 h before
              {"token": "nps-token-00000000000b", "score": 9, "answered_at": "2026-11-03T09:00:00Z"})   # before its day
    report = ingest_survey_answers(surveys, f, now=NOW_AT)
    assert report.answers.landed == 0
    assert [why for _, _, why in reasons(surveys)] == [
        "answered before the survey was sent (2026-11-05T10:00:00Z)",
        "answered before the survey was sent (planned for 2026-11-05)"]


def test_an_answer_received_long_after_expiry_is_expired_whatever_it_claims(surveys, tmp_path):
    late = SENT + timedelta(days=7 + 14, hours=1)               # expiry (SENT + 7 d) + answer_days (14) + 1 h
    f = _drop(tmp_path / "d", "a.jsonl",
              {"token": "csat-token-0000000000a", "score": 4, "answered_at": "2026-11-06T09:00:00Z"})
    report = ingest_survey_answers(surveys, f, now=late, answer_days=14)
    assert report.answers.landed == 0
    assert [why for _, _, why in reasons(surveys)] == [
        "expired token (the survey closed at 2026-11-12T10:00:00Z; received 2026-11-26T11:00:00Z, more than 14 "
        "days after)"]
    on_time = ingest_survey_answers(surveys, f, now=late - timedelta(hours=2), answer_days=14)
    assert on_time.answers.landed == 1
