"""Visit outcomes from the field team: validated row by row, bad rows quarantined with their line and
reason, never attached to a visit we did not make, recorded once (issue 11 case 8: "not a call we
made" was the only answer for a visit)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.cli import app
from loan_comms.inbound.visits import ingest_visit_outcomes
from tests.builders import Book

NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)
runner = CliRunner()


def visited(con) -> Book:
    """B1 visited on Monday 16 November (attempt V1); also a call C1 that is not a visit."""
    b = Book(con)
    b.borrower("B1")
    b.loan("L1", "B1", [("2026-10-06", "900.00")])
    at = datetime(2026, 11, 16, 1, tzinfo=UTC)
    for attempt_id, channel in (("V1", "visit"), ("C1", "call")):
        b.contact(attempt_id=attempt_id, idempotency_key=f"B1|L1|x|{channel}|2026-11-16", borrower_id="B1",
                  loan_id="L1", channel=channel, purpose="escalation", step="dpd_30", status="sent",
                  planned_for_date=at.date(), send_after=at, send_before=at + timedelta(hours=12), created_at=at,
                  updated_at=at, sent_at=at)
    return b


def jsonl(path: Path, rows: list) -> Path:
    path.write_text("\n".join(json.dumps(r) if isinstance(r, dict) else r for r in rows), encoding="utf-8")
    return path


def row(**over) -> dict:
    return {"attempt_id": "V1", "outcome": "met", "collectors": ["C7", "C9"],
            "occurred_at": "2026-11-16T10:00:00+08:00", **over}


def test_one_bad_row_never_costs_a_good_one(con, tmp_path):
    b = visited(con)
    f = jsonl(tmp_path / "field.jsonl", [
        row(),
        row(attempt_id="C1"),
        row(attempt_id="nope"),
        row(outcome="shouted"),
        row(collectors=[]),
        row(collectors="C7, C7"),
        row(collectors="Wang Wei"),
        row(collectors=["+8613812345678"]),
        row(outcome="promise_to_pay"),
        row(occurred_at="2030-01-01T00:00:00+08:00"),
        row(visit_seq="two"),
        "{not json",
        row(outcome="refused", visit_seq=2),
    ])
    report = ingest_visit_outcomes(b.con, f, now=NOW)
    assert (report.read, report.recorded, report.quarantined) == (13, 2, 11)
    assert report.rejected == [
        "line 2: attempt_id 'C1' is not a visit we made",
        "line 3: attempt_id 'nope' is not a visit we made",
        "line 4: outcome 'shouted' is not one of met, not_home, refused, promise_to_pay, hardship, "
        "cancelled",
        "line 5: collectors is missing (the ids of the collectors present at the visit)",
        "line 6: collectors names the same collector twice",
        "line 7: collectors 'Wang Wei' is not a collector id",
        "line 8: collectors '+86****78' is not a collector id",
        "line 9: promise_to_pay needs a promised_date (YYYY-MM-DD)",
        "line 10: occurred_at 2030-01-01T00:00:00+08:00 is in the future (now is 2026-11-16T12:00+00:00)",
        "line 11: visit_seq 'two' is not a whole number from 1",
        "line 12: not JSON (Expecting property name enclosed in double quotes)",
    ]
    assert "13812345678" not in str(report)
    assert con.execute("SELECT count(*) FROM import_quarantine WHERE entity = 'visit_outcome'").fetchone()[0] == 11
    events = con.execute("SELECT external_id, kind, borrower_id, loan_id, channel, source FROM borrower_events "
                         "ORDER BY external_id").fetchall()
    assert events == [("visit:V1:2", "visit_outcome", "B1", "L1", "visit", "field"),
                      ("visit:V1:20261116T020000Z", "visit_outcome", "B1", "L1", "visit", "field")]
    again = ingest_visit_outcomes(b.con, f, now=NOW)
    assert (again.recorded, again.duplicates) == (0, 2)


def test_csv_with_comma_separated_collectors(con, tmp_path):
    visited(con)
    f = tmp_path / "field.csv"
    f.write_text("attempt_id,outcome,collectors,occurred_at,promised_date,amount\n"
                 'V1,promise_to_pay,"C7,C9",2026-11-16T10:00:00+08:00,2026-11-30,450\n', encoding="utf-8")
    report = ingest_visit_outcomes(con, f, now=NOW)
    assert report.recorded == 1, report.rejected
    detail, amount = con.execute("SELECT detail, amount FROM borrower_events").fetchone()
    assert json.loads(detail) == {"outcome": "promise_to_pay", "attempt_id": "V1", "collectors": ["C7", "C9"],
                                  "promised_date": "2026-11-30"}
    assert str(amount) == "450.00"


@pytest.mark.parametrize("args, code", [([], 0), (["--encoding", "klingon"], 2)])
def test_cli_ingest_visit_outcomes(tmp_path, args, code):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    visited(con)
    con.close()
    f = jsonl(tmp_path / "field.jsonl", [row(occurred_at="2026-01-16T10:00:00+08:00"), row(attempt_id="C1")])
    result = runner.invoke(app, ["ingest-visit-outcomes", str(f), "--db", str(path), *args])
    assert result.exit_code == code, result.output
    if code == 0:
        assert result.output.startswith("field.jsonl: visit outcomes: 2 rows read, 1 recorded, 0 already known, "
                                        "1 quarantined\n  line 2: attempt_id 'C1' is not a visit we made")
    assert "Traceback" not in result.output


def test_fewer_collectors_are_recorded_and_said_in_the_report(con, tmp_path):
    """[visits] min_collectors (2): a visit reported with one collector is not lost (the record must
    be complete); the report's first line says so, and the audit's visit_collectors rule flags it."""
    visited(con)
    f = jsonl(tmp_path / "field.jsonl", [row(collectors=["C7"]), row(outcome="refused", visit_seq=2),
                                         row(collectors="C7", attempt_id="C1")])
    report = ingest_visit_outcomes(con, f, now=NOW, min_collectors=2)
    assert (report.recorded, report.quarantined) == (2, 1)
    head = str(report).splitlines()[0]
    assert head == ("field.jsonl: visit outcomes: 3 rows read, 2 recorded, 0 already known, 1 quarantined; "
                    "1 row(s) with fewer than 2 collectors present, recorded all the same "
                    "(the audit's visit_collectors rule flags them)")
    assert con.execute("SELECT recorded_at FROM borrower_events").fetchall() == [(NOW,), (NOW,)]
    assert "fewer than" not in str(ingest_visit_outcomes(con, f, now=NOW, min_collectors=1))


def test_min_collectors_is_validated():
    from pydantic import ValidationError

    from loan_comms.config import Visits

    assert (Visits().min_collectors, Visits().outcome_within_days) == (2, 2)
    for bad in ({"min_collectors": 0}, {"min_collectors": 11}, {"outcome_within_days": 0},
                {"min_collectors": "two"}):
        with pytest.raises(ValidationError):
            Visits(**bad)
