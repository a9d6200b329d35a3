"""The experiments' tasks under the Prefect test server: a guardrail stop is an artifact and an alert, a
re-run is neither; the readout is the artifact `experiment-<name>`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from prefect import flow

from loan_comms import db
from tasks.experiments import artifact_key, check_experiment_guardrails, publish_experiment_readouts
from tests.experiments.history import History
from tests.experiments.test_readout_cli import FILE
from tests.flows.test_daily_lifecycle import read_artifacts
from tests.ops.test_alerting import Hook

ON = date(2026, 11, 2)


@flow(name="experiments-test")
def _guard_and_read(db_path: str, as_of: date) -> tuple[int, int, list[str]]:
    first = check_experiment_guardrails(db_path, as_of, "experiments-test")
    again = check_experiment_guardrails(db_path, as_of, "experiments-test")
    verdicts = publish_experiment_readouts(db_path, as_of + timedelta(days=1))
    return first, again, verdicts


def test_a_stop_is_an_artifact_and_one_alert(tmp_path, monkeypatch):
    (tmp_path / "experiments.toml").write_text(FILE, encoding="utf-8")   # fewer_contacts, two arms of 50 %
    monkeypatch.setenv("LOAN_COMMS_EXPERIMENTS_FILE", str(tmp_path / "experiments.toml"))
    hook = Hook()
    monkeypatch.setenv("LOAN_COMMS_ALERT_WEBHOOK_URL", hook.url)
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    h = History(con)
    for arm, k in (("champion", 1), ("fewer", 30)):
        for i in range(120):
            b = h.member(f"{arm[0].upper()}{i:03d}", arm, ON)
            if i < k:
                h.event(b, "complaint", ON + timedelta(days=2))
    con.close()
    try:
        first, again, verdicts = _guard_and_read(str(path), date(2026, 11, 10))
    finally:
        hook.close()
    assert (first, again) == (1, 0)
    assert len(hook.bodies) == 1 and hook.bodies[0]["kind"] == "experiment_arm_stopped"
    [art] = read_artifacts("experiment-guardrails-2026-11-10")
    assert "arm fewer stopped from 2026-11-11" in art["data"] and "F000" not in art["data"]
    assert artifact_key("fewer_contacts") == "experiment-fewer-contacts"
    [readout] = read_artifacts("experiment-fewer-contacts")[:1]
    assert "# Experiment fewer_contacts" in readout["data"]
    assert verdicts and verdicts[0].startswith("fewer: stopped on 2026-11-11 by its complaint guardrail")


pytestmark = pytest.mark.slow
