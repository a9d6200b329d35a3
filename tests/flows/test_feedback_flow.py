"""The nightly feedback-aggregate flow under the Prefect test server: tables, report, artifact with
the headline numbers and the report's path and no comment text; a re-run changes nothing."""

from __future__ import annotations

import pytest

from loan_comms import db
from tests.flows.test_ops_flows import make_book, read_artifacts
from tests.surveys.builders import reply, survey

pytestmark = pytest.mark.slow


def test_feedback_aggregate_flow(tmp_path):
    from flows.feedback import feedback_aggregate

    path = make_book(tmp_path / "book.duckdb", n=2)
    con = db.connect(path)
    for s in (10, 10, 9, 7, 0):
        survey(con, scale="nps", score=s, comment="agent 13800138000 was rude" if s == 0 else None)
    survey(con, scale="csat", score=3)
    reply(con, "天天打电话，太骚扰了")
    con.close()
    report = tmp_path / "feedback.html"
    out = feedback_aggregate(db_path=str(path), report_path=str(report))
    assert out["nps"] == pytest.approx(40.0) and out["nps_answers"] == 5 and out["csat_mean"] == pytest.approx(3.0)
    assert out["themes"] == {"conduct": 1, "frequency": 1} and out["report"] == str(report)
    assert report.stat().st_size > 1_000_000
    md = read_artifacts("feedback-summary")[0]["data"]
    assert "| nps | 5 | 5 | 100.0% | +40.0 | - |" in md and str(report) in md and "- frequency: 1" in md
    assert "13800138000" not in md and "rude" not in md and "骚扰" not in md
    con = db.connect(path, read_only=True)
    before = sorted(con.execute("SELECT * FROM feedback_slices").fetchall(), key=repr)
    con.close()
    assert feedback_aggregate(db_path=str(path), report_path=str(report)) == out
    con = db.connect(path, read_only=True)
    assert sorted(con.execute("SELECT * FROM feedback_slices").fetchall(), key=repr) == before
    con.close()
