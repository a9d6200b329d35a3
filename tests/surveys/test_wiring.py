"""Surveys wired in: the inbox's survey_answers folder, the token file beside the database, the
ingest-survey-answers / pull-survey-answers commands, and the demo's survey lines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from loan_comms import db
from loan_comms.book.synthetic import generate_book
from loan_comms.cli.root import app
from loan_comms.clock import utc_now
from loan_comms.ops.demo_summary import print_survey_summary, survey_rows
from loan_comms.surveys import FeedbackSummary, Headline
from loan_comms.surveys.web import export_tokens, tokens_file_for
from tasks.ingest import KINDS, ingest_inbox
from tests.builders import insert
from tests.surveys.conftest import invitation

CSAT, NPS = "csat-token-0000000000a", "nps-token-00000000000b"
PAGE = "20261105T120000-0a1b2c3d-survey-page.jsonl"     # a file the survey page wrote (only those say 'web')


def _answers(folder: Path, source: str = "web") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / PAGE
    f.write_text("\n".join([json.dumps({"token": CSAT, "score": 4, "comment": "rude agent 13800138000",
                                        "source": source, "answered_at": "2026-11-05T12:00:00Z"}),
                            json.dumps({"token": NPS, "score": 11})]) + "\n", encoding="utf-8")
    return f


def test_the_inbox_lands_survey_answers_once_and_moves_the_file(con, cfg, tmp_path):
    assert "survey_answers" in KINDS and list(KINDS).index("survey_answers") > list(KINDS).index("replies")
    open_until = utc_now() + timedelta(days=7)      # the inbox flow lands on the wall clock
    invitation(con, CSAT, scale="csat", expires_at=open_until)
    invitation(con, NPS, scale="nps", expires_at=open_until)
    inbox = tmp_path / "inbox"
    _answers(inbox / "survey_answers")
    lines: list[str] = []
    report = ingest_inbox(con, cfg, inbox, log=lines.append)
    assert report.files == {"survey_answers": 1} and report.quarantined == {f"survey_answers/{PAGE}": 1}
    assert con.execute("SELECT token, score, source FROM survey_answers").fetchall() == [(CSAT, 4, "web")]
    assert not any("13800138000" in ln or "rude" in ln for ln in lines)
    assert not list((inbox / "survey_answers").iterdir())
    moved = list((inbox / "processed" / "survey_answers").iterdir())
    assert len(moved) == 1
    moved[0].rename(inbox / "survey_answers" / PAGE)                    # dropped again: nothing new
    again = ingest_inbox(con, cfg, inbox, log=lines.append)
    assert again.files == {"survey_answers": 1}
    assert con.execute("SELECT count(*) FROM survey_answers").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM import_quarantine WHERE entity = 'survey_answer'").fetchone() == (1,)


def test_the_token_file_lives_beside_the_database(con, tmp_path):
    assert tokens_file_for(tmp_path / "x" / "book.duckdb") == (tmp_path / "x" / "survey_tokens.json").resolve()
    invitation(con, CSAT, scale="csat")
    sent = datetime(2026, 11, 5, 10, tzinfo=UTC)
    insert(con, "contact_attempts", attempt_id=f"A-{CSAT}", idempotency_key="k1", borrower_id="B1", loan_id="L1",
           channel="sms", purpose="survey", step="survey", status="sent", planned_for_date=sent.date(),
           created_at=sent, updated_at=sent, sent_at=sent)
    out = tokens_file_for(tmp_path / "book.duckdb")
    assert export_tokens(con, out, now=datetime(2026, 11, 6, tzinfo=UTC)) == 1
    assert json.loads(out.read_text(encoding="utf-8"))[CSAT]["answered"] is False


def _book(tmp_path: Path) -> Path:
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=3, seed=3, start=date(2026, 11, 1))      # a loan book for the commands
    open_until = utc_now() + timedelta(days=7)                         # the commands land on the wall clock
    invitation(con, CSAT, scale="csat", expires_at=open_until)
    invitation(con, NPS, scale="nps", expires_at=open_until)
    con.close()
    return path


def test_ingest_survey_answers_command(tmp_path):
    path = _book(tmp_path)
    f = _answers(tmp_path / "drop", source="file")
    runner = CliRunner()
    first = runner.invoke(app, ["ingest-survey-answers", str(f), "--db", str(path)])
    assert first.exit_code == 0, first.output
    assert "13800138000" not in first.output and "rude" not in first.output
    again = runner.invoke(app, ["ingest-survey-answers", str(f), "--db", str(path)])
    assert again.exit_code == 0, again.output
    con = db.connect(path, read_only=True)
    assert con.execute("SELECT count(*) FROM survey_answers").fetchone() == (1,)
    con.close()
    missing = runner.invoke(app, ["ingest-survey-answers", str(tmp_path / "nope.jsonl"), "--db", str(path)])
    assert missing.exit_code == 2 and len(missing.output.strip().splitlines()) == 1


def test_pull_survey_answers_command_fails_in_one_line(tmp_path, monkeypatch):
    path = _book(tmp_path)
    runner = CliRunner()
    down = runner.invoke(app, ["pull-survey-answers", "http://127.0.0.1:9/answers?key=SECRET", "--db", str(path),
                               "--timeout", "2"])
    assert down.exit_code == 1 and len(down.output.strip().splitlines()) == 1, down.output
    assert "nothing was landed" in down.output and "SECRET" not in down.output
    unset = runner.invoke(app, ["pull-survey-answers", "http://127.0.0.1:9/a", "--db", str(path),
                                "--bearer-env", "SURVEY_API_TOKEN_UNSET"])
    assert unset.exit_code == 1 and "SURVEY_API_TOKEN_UNSET" in unset.output


def test_demo_survey_lines_have_numbers_and_the_report_path(tmp_path, capsys):
    summary = FeedbackSummary(headlines=(Headline("csat", 10, 4, 0.4, None, 4.25),
                                         Headline("nps", 8, 2, 0.25, 50.0, None)),
                              texts_read=3, theme_counts={"frequency": 2})
    assert survey_rows(summary)[1] == {"scale": "nps", "sent": 8, "answered": 2, "response_rate": "25.0%",
                                       "nps": "+50.0", "csat": "-"}
    print_survey_summary(summary, tmp_path / "demo-feedback.html")
    out = capsys.readouterr().out
    assert "40.0%" in out and "4.25" in out and "frequency 2" in out
    assert f"Feedback report: {(tmp_path / 'demo-feedback.html').resolve()}" in out
    print_survey_summary(FeedbackSummary(headlines=(), texts_read=0), tmp_path / "r.html")
    assert "none went out" in capsys.readouterr().out


def test_demo_summary_says_what_became_of_the_plans(tmp_path, capsys):
    from loan_comms.arrangements.analytics import ArrangementSummary, Funnel, PlanOutcomes

    plans = ArrangementSummary(horizon=date(2026, 11, 20), funnel=Funnel(offers=103, taken=18, pending_review=2),
                               plans=PlanOutcomes(accepted=18, active=16, kept=1, broken=1), cure=(), experience=())
    print_survey_summary(FeedbackSummary(headlines=(), texts_read=0, arrangements=plans), tmp_path / "r.html")
    out = capsys.readouterr().out
    assert "Repayment plans: 103 offers went out, 18 taken, 2 waiting for review" in out
    assert "active 16, kept 1, broken 1" in out
