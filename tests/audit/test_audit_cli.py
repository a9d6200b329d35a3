"""`loan-comms audit --db PATH`: one line per rule, the first violating rows, exit code to gate on."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.audit import RULES
from loan_comms.cli.audit import audit as audit_command

from tests.audit.log import clean_log

NOW = "2026-04-02T01:00:00Z"
runner = CliRunner()
app = typer.Typer()                   # `audit` on its own, so the tests pass its options only
app.command("audit")(audit_command)


def _db(tmp_path: Path, *, stray_sms: bool) -> Path:
    path = tmp_path / "audit.duckdb"
    con = db.connect(path)
    log = clean_log(con)
    if stray_sms:  # B1 opted out of SMS on 29 March
        log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-03-30 10:00")
    con.close()
    return path


def test_clean_database_passes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(_db(tmp_path, stray_sms=False)), "--now", NOW, "--require-checked"])
    assert result.exit_code == 0, result.output
    assert "PASSED" in result.output
    for name in RULES:
        assert name in result.output


def test_violation_exits_non_zero_and_shows_the_row_without_personal_data(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(_db(tmp_path, stray_sms=True)), "--now", NOW])
    assert result.exit_code == 1, result.output
    assert "FAIL opt_out_honoured" in result.output
    assert "sent by sms after the borrower opted out of sms" in result.output
    assert "FAILED: 1 violations of 1 rule(s): opt_out_honoured" in result.output
    assert "+86138" not in result.output and "@example.com" not in result.output


def test_missing_database_and_bad_now_are_clear_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "nope.duckdb")])
    assert result.exit_code == 2
    assert "no such database file" in result.output
    result = runner.invoke(app, ["--db", str(_db(tmp_path, stray_sms=False)), "--now", "yesterday"])
    assert result.exit_code == 2
    assert "--now" in result.output
