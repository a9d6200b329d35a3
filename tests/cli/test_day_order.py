"""A never-planned day behind the newest planned one is refused in one line, before Prefect starts."""

from __future__ import annotations

from datetime import date

from loan_comms import db
from loan_comms.config import load_config
from loan_comms.lifecycle.planner import plan_day
from tests.builders import EchoRenderer

from .conftest import cli, digest


def test_run_day_and_run_days_refuse_a_day_behind_the_newest_without_starting_prefect(book, monkeypatch):
    con = db.connect(book)
    plan_day(con, load_config(), EchoRenderer(), date(2026, 11, 3))
    con.close()
    before = digest(book)
    monkeypatch.setattr("loan_comms.ops.prefect_env.configure",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("Prefect must not start")))
    for args in (("run-day", "--as-of", "2026-11-02"), ("run-days", "--start", "2026-11-01", "--days", "5")):
        result = cli(*args, "--db", book)
        assert result.exit_code == 1, result.output
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
        assert "was never planned and later days already were (up to 2026-11-03)" in result.output
    assert digest(book) == before


def test_run_days_refuses_a_range_with_a_never_planned_day_behind_the_newest(book, monkeypatch):
    """11-03 planned, then 11-05 (a gap): run-days over 11-03..11-05 would plan 11-04 out of order."""
    con = db.connect(book)
    for d in (3, 5):
        plan_day(con, load_config(), EchoRenderer(), date(2026, 11, d))
    con.close()
    monkeypatch.setattr("loan_comms.ops.prefect_env.configure",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("Prefect must not start")))
    result = cli("run-days", "--start", "2026-11-03", "--days", "3", "--db", book)
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "2026-11-04 was never planned and later days already were (up to 2026-11-05)" in result.output
