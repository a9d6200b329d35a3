"""An agent's record of plans agreed on calls and visits: each row through land_choices (active within
the automatic rules, else waiting for review), bad rows quarantined with line and reason (agents by id
only), one line of counts from the CLI, recording the file again changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loan_comms.arrangements.agents import record_agent_arrangements
from tests.arrangements.conftest import OFFERED, in_arrears

AGREED = (OFFERED + timedelta(days=1)).isoformat()
HEADER = "id,loan_id,option_id,agent_id,agreed_at,channel\n"


def csv(tmp_path: Path, *rows: str) -> Path:
    f = tmp_path / "agreed.csv"
    f.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return f


@pytest.fixture
def ready(con, book):
    in_arrears(book)
    return con


def plans(con) -> list[tuple]:
    return con.execute("SELECT external_id, source, agent_id, option_id, status, offer_token FROM arrangements "
                       "ORDER BY external_id").fetchall()


def test_rows_become_plans_active_or_waiting_for_review(ready, cfg, tmp_path):
    f = csv(tmp_path, f"r1,L1,respread_3,AG-007,{AGREED},call")
    report = record_agent_arrangements(ready, cfg, f, now=OFFERED + timedelta(days=2))
    assert (len(report.landed.accepted), report.quarantined) == (1, 0)
    assert plans(ready) == [("agent:AG-007:r1:2026-11-11", "agent", "AG-007", "respread_3", "active", None)]
    assert ready.execute("SELECT agreed_via FROM arrangements").fetchall() == [("call",)], "the channel is stored"
    detail = ready.execute("SELECT detail FROM borrower_events WHERE kind = 'arrangement_accepted'").fetchone()[0]
    assert "AG-007" in detail


def test_an_option_that_needs_review_waits_for_a_person(ready, cfg, tmp_path):
    f = csv(tmp_path, f"r2,L1,reduced_50_6,AG-007,{AGREED},visit")
    report = record_agent_arrangements(ready, cfg, f, now=OFFERED + timedelta(days=2))
    assert len(report.landed.requested) == 1 and plans(ready)[0][4] == "pending_review"
    assert ready.execute("SELECT agreed_via FROM arrangements").fetchall() == [("visit",)]


@pytest.mark.parametrize("row, reason", [
    (f",L1,respread_3,AG-1,{AGREED},call", "no id"),
    (f"r,,respread_3,AG-1,{AGREED},call", "no loan_id"),
    (f"r,L1,,AG-1,{AGREED},call", "no option_id"),
    (f"r,L1,respread_3,Wang Wei,{AGREED},call", "agent_id must be the agent's id"),
    (f"r,L1,respread_3,,{AGREED},call", "agent_id must be the agent's id"),
    (f"r,L1,respread_3,AG-1,{AGREED},email", "channel must be one of call, visit"),
    ("r,L1,respread_3,AG-1,yesterday,call", "not an ISO 8601 time"),
    ("r,L1,respread_3,AG-1,2026-11-11T10:00:00,call", "no time zone"),
    ("r,L1,respread_3,AG-1,2031-01-01T10:00:00+08:00,call", "in the future"),
    ("r,L1,respread_3,AG-1,2026-11-01T10:00:00+08:00,call", "more than 5 days ago"),
    (f"r,L9,respread_3,AG-1,{AGREED},call", "unknown loan"),
    (f"r,L1,mystery,AG-1,{AGREED},call", "unknown option"),
])
def test_bad_rows_are_quarantined_with_their_reason(ready, cfg, tmp_path, row, reason):
    f = csv(tmp_path, row, f"good,L1,respread_3,AG-1,{AGREED},call")
    report = record_agent_arrangements(ready, cfg, f, now=OFFERED + timedelta(days=2))
    assert len(report.landed.accepted) == 1 and report.quarantined == 1
    [(line, entity, why)] = ready.execute("SELECT source_line, entity, reason FROM import_quarantine").fetchall()
    assert (line, entity) == (2, "arrangement_choice") and reason in why
    assert "Wang" not in str(report)


def test_recording_the_file_again_changes_nothing(ready, cfg, tmp_path):
    f = csv(tmp_path, f"r1,L1,respread_3,AG-1,{AGREED},call", f"bad,L1,respread_3,AG-1,{AGREED},fax")
    record_agent_arrangements(ready, cfg, f, now=OFFERED + timedelta(days=2))
    count = "SELECT (SELECT count(*) FROM arrangements), (SELECT count(*) FROM borrower_events), " \
            "(SELECT count(*) FROM import_quarantine)"
    before = ready.execute(count).fetchone()
    again = record_agent_arrangements(ready, cfg, f, now=OFFERED + timedelta(days=3))
    assert again.landed.already == 1 and ready.execute(count).fetchone() == before


def test_a_json_lines_file(ready, cfg, tmp_path):
    f = tmp_path / "agreed.jsonl"
    f.write_text('{"id": 7, "loan_id": "L1", "option_id": "respread_6", "agent_id": "AG-2", '
                 f'"agreed_at": "{AGREED}", "channel": "visit"}}\n', encoding="utf-8")
    record_agent_arrangements(ready, cfg, f, now=OFFERED + timedelta(days=2))
    assert plans(ready)[0][:4] == ("agent:AG-2:7:2026-11-11", "agent", "AG-2", "respread_6")


def test_the_cli_prints_one_line_of_counts(tmp_path):
    from typer.testing import CliRunner

    from loan_comms import db
    from loan_comms.cli.root import app
    from tests.builders import Book

    path = tmp_path / "book.duckdb"
    con = db.connect(str(path))
    in_arrears(Book(con))
    con.close()
    # the wall clock decides "in the future" and "too old": agreed yesterday
    recent = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    f = csv(tmp_path, f"r1,L1,respread_3,AG-1,{recent},call", f"r2,L1,respread_3,Li Na,{recent},call")
    result = CliRunner().invoke(app, ["record-arrangements", str(f), "--db", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "2 rows read" in lines[0] and "1 quarantined" in lines[0] and "Li Na" not in lines[0]
    missing = CliRunner().invoke(app, ["record-arrangements", str(tmp_path / "nope.csv"), "--db", str(path)])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_the_same_row_id_from_two_agents_is_two_records_not_a_replay(ready, cfg, tmp_path):
    """Row ids are per file: `1` in agent A's file and `1` in agent B's are different plans asked for
    (the second is then refused for the open plan on the loan, visibly, never counted as 'already')."""
    a = csv(tmp_path, f"1,L1,respread_3,AG-A,{AGREED},call")
    record_agent_arrangements(ready, cfg, a, now=OFFERED + timedelta(days=2))
    b = tmp_path / "b.csv"
    b.write_text(HEADER + f"1,L1,respread_6,AG-B,{AGREED},visit\n", encoding="utf-8")
    report = record_agent_arrangements(ready, cfg, b, now=OFFERED + timedelta(days=2))
    assert report.landed.already == 0 and len(report.landed.refused) == 1
    assert "another plan" in report.landed.refused[0][1]
