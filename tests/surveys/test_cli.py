"""`loan-comms feedback-report`: aggregates, writes the report, prints numbers (no text); a bad themes
file is one line and exit 2; re-running gives the same tables."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from loan_comms import db
from loan_comms.book.synthetic import generate_book
from loan_comms.cli.root import app

from .builders import reply, survey


def _book(path):
    con = db.connect(path)
    generate_book(con, loans=5, seed=3, start=date(2026, 11, 1))      # a loan book, no surveys
    for s in (10, 9, 3, None):
        survey(con, scale="nps", score=s)
    survey(con, scale="csat", score=4, comment="too many calls from 13800138000")
    reply(con, "態度很差")
    con.close()


def test_feedback_report_command(tmp_path):
    path = tmp_path / "book.duckdb"
    _book(path)
    out = tmp_path / "r" / "feedback.html"
    runner = CliRunner()
    first = runner.invoke(app, ["feedback-report", "--db", str(path), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "| nps | 4 | 3 | 75.0% | +33.3 | - |" in first.output
    assert "| csat | 1 | 1 | 100.0% | - | 4.00 |" in first.output
    assert "- frequency: 1" in first.output and "- conduct: 1" in first.output
    assert f"report: {out}" in first.output and out.stat().st_size > 1_000_000
    assert "13800138000" not in first.output and "態度" not in first.output
    con = db.connect(path, read_only=True)
    before = sorted(con.execute("SELECT * FROM feedback_slices").fetchall(), key=repr)
    con.close()
    again = runner.invoke(app, ["feedback-report", "--db", str(path), "--out", str(out)])
    assert again.exit_code == 0 and again.output == first.output
    con = db.connect(path, read_only=True)
    assert sorted(con.execute("SELECT * FROM feedback_slices").fetchall(), key=repr) == before
    con.close()


def test_bad_themes_file_is_one_line_exit_2(tmp_path):
    path = tmp_path / "book.duckdb"
    _book(path)
    bad = tmp_path / "themes.toml"
    bad.write_text("[themes.x]\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["feedback-report", "--db", str(path), "--themes", str(bad),
                                   "--out", str(tmp_path / "x.html")])
    assert res.exit_code == 2 and "themes.toml" in res.output
    assert not (tmp_path / "x.html").exists()
