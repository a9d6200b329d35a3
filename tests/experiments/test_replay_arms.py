"""A replay of days run under an experiment draws the same arms again and reproduces the log, arms
included (loan_comms/replay drops the assignments of the replayed days: sql/replay/drop_experiment_assignments.sql)."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from loan_comms import db
from loan_comms.book.synthetic import generate_book
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import plan_day
from loan_comms.replay import replay
from tests.builders import EchoRenderer
from tests.experiments.test_arms import EXPERIMENT, experiments_cfg

START = date(2026, 11, 1)


def test_a_replay_draws_the_same_arms_and_reproduces_the_log(tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch, text=EXPERIMENT.format(salt="r", extra="").replace(
        "dpd = [1, 30]", "dpd = [0, 30]"))
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=60, seed=5, start=START)
    renderer = EchoRenderer()
    for d in range(4):
        plan_day(con, cfg, renderer, START + timedelta(days=d))
        dispatch_day(con, cfg, START + timedelta(days=d))
    arms = dict(con.execute("SELECT arm, count(*) FROM contact_attempts WHERE planned_for_date >= ? "
                            "GROUP BY ALL", [START + timedelta(days=1)]).fetchall())
    assigned = con.execute("SELECT * FROM experiment_assignments ORDER BY borrower_id").fetchall()
    con.close()
    assert arms.get("champion", 0) > 5 and arms.get("fewer", 0) > 5

    report = replay(path, cfg, renderer, START + timedelta(days=1), START + timedelta(days=3),
                    scratch=tmp_path / "scratch.duckdb")
    scratch = duckdb.connect(str(tmp_path / "scratch.duckdb"), read_only=True)
    try:
        assert scratch.execute("SELECT count(*) FROM replay_diff").fetchone()[0] == 0, report
        assert scratch.execute("SELECT * FROM experiment_assignments ORDER BY borrower_id").fetchall() == assigned
    finally:
        scratch.close()
