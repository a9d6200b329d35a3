"""Issue 13, done when: against the honest gateway with 20 % faults (lost answers and timeouts after
it accepted included), a multi-day simulation sends every contact exactly once, counted by the
gateway, not by loan-comms. The full-size run (2,000 loans, 10 days) is `loan-comms simulate
--gateway --loans 2000 --days 10`, recorded in bench/RESULTS.md; this one is sized for CI."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.book.synthetic import generate_book
from loan_comms.config import load_config
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import plan_day
from loan_comms.simulation.borrowers import draw_behaviour
from loan_comms.simulation.gateway import local_gateway


@pytest.mark.slow
def test_a_simulation_through_a_faulty_gateway_sends_every_contact_exactly_once(tmp_path: Path) -> None:
    from tasks.common import template_store
    from tasks.ingest import ingest_inbox

    start, days = date(2026, 11, 1), 5
    con = db.connect(tmp_path / "sim.duckdb")
    generate_book(con, loans=250, seed=11, start=start)
    with local_gateway(tmp_path, fault_rate=0.2, seed=11) as gw:
        cfg = load_config()
        store = template_store(cfg)
        for i in range(days):
            as_of = start + timedelta(days=i)
            plan_day(con, cfg, store, as_of)
            dispatch_day(con, cfg, as_of, before_pass=lambda _now: ingest_inbox(
                con, cfg, gw.inbox, kinds=("receipts",), log=lambda _line: None))
            draw_behaviour(con, cfg, as_of, 11, tmp_path / "files")
        count = gw.count(con)
    assert count.messages > 150, str(count)
    assert sum(count.faults.values()) > 0.15 * count.requests, str(count)
    assert {"lost", "slow", "accepted_502"} <= set(count.faults), str(count)
    unknown = con.execute("SELECT channel, planned_for_date, error FROM contact_attempts WHERE outcome_unknown").fetchall()
    assert count.exactly_once and count.still_unknown == 0, (str(count), unknown)
    resent = con.execute("SELECT sum(resends) FROM contact_attempts").fetchone()[0]
    assert resent > 0, "some sends the gateway never got were sent again"
    report = run_audit(con, cfg, rules=("sent_once", "nothing_lost", "sms_per_day", "quiet_hours"))
    assert report.ok, str(report)
    assert report.rule("sent_once").checked > 100
