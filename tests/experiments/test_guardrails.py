"""A guardrail stops an arm that makes borrowers complain more than the champion: recorded once, its
borrowers back to the champion from the next day, operations alerted; nothing below the floor or
when the difference may be noise."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from loan_comms.experiments.guardrails import check_guardrails, guard
from loan_comms.experiments.readout import readout
from tests.experiments.history import History, experiment
from tests.ops.test_alerting import Hook

ON = date(2026, 11, 2)
AS_OF = date(2026, 11, 20)
NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def arms(con, n: int, champion_complaints: int, fewer_complaints: int, kind: str = "complaint") -> History:
    h = History(con)
    for arm, k in (("champion", champion_complaints), ("fewer", fewer_complaints)):
        for i in range(n):
            b = h.member(f"{arm[0].upper()}{i:03d}", arm, ON)
            if i < k:
                h.event(b, kind, ON + timedelta(days=3))
    return h


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.close()


def _stops(con):
    return con.execute("SELECT experiment, arm, stopped_on, reason, detail::VARCHAR FROM experiment_arms").fetchall()


def _left(con):
    return con.execute("SELECT arm, left_on, reason, count(*) FROM experiment_assignments "
                       "GROUP BY ALL ORDER BY arm").fetchall()


def test_many_complaints_stop_the_arm_once_and_alert(con, hook):
    arms(con, 120, champion_complaints=1, fewer_complaints=30)
    file = experiment(min_borrowers=100)
    [stop] = guard(con, file, AS_OF, flow="test", url=hook.url, now=NOW)
    assert (stop.experiment, stop.arm, stop.stopped_on, stop.reason) == \
        ("fewer_contacts", "fewer", AS_OF + timedelta(days=1), "complaint_rate")
    [(exp, arm, stopped_on, reason, detail)] = _stops(con)
    assert (exp, arm, stopped_on, reason) == ("fewer_contacts", "fewer", date(2026, 11, 21), "complaint_rate")
    d = json.loads(detail)
    assert (d["arm_borrowers"], d["arm_events"], d["champion_borrowers"], d["champion_events"]) == (120, 30, 120, 1)
    assert d["low"] > 0 and d["low"] <= d["difference"] <= d["high"] and d["threshold"] == 0.01
    assert _left(con) == [("champion", None, None, 120), ("fewer", date(2026, 11, 21), "guardrail", 120)]
    [body] = hook.bodies
    assert body["kind"] == "experiment_arm_stopped" and "arm fewer stopped from 2026-11-21" in body["text"]
    assert "F0" not in body["text"] and "C0" not in body["text"], "counts and rates only"
    # a re-run records nothing new and alerts nobody
    assert guard(con, file, AS_OF, flow="test", url=hook.url, now=NOW) == []
    assert guard(con, file, AS_OF + timedelta(days=1), flow="test", url=hook.url) == []
    assert len(_stops(con)) == 1 and len(hook.bodies) == 1
    assert _left(con)[1] == ("fewer", date(2026, 11, 21), "guardrail", 120)
    # the readout says the arm was stopped, with its day and reason (its borrowers stay counted in it)
    [r] = readout(con, file, AS_OF + timedelta(days=5))
    assert r.arms[1].outcomes.borrowers == 120
    assert r.verdicts[0].startswith("fewer: stopped on 2026-11-21 by its complaint guardrail (25.0 % of its "
                                    "borrowers vs the champion's 0.8 %)")


def test_opt_outs_stop_too(con):
    arms(con, 150, 2, 30, kind="opt_out")
    [stop] = check_guardrails(con, experiment(min_borrowers=100), AS_OF, now=NOW)
    assert stop.reason == "opt_out_rate"


def test_no_stop_below_min_borrowers(con):
    arms(con, 60, 0, 30)
    assert check_guardrails(con, experiment(min_borrowers=100), AS_OF, now=NOW) == []
    assert _stops(con) == [] and _left(con)[1][1] is None


def test_no_stop_when_the_interval_crosses_zero(con):
    """3 complaints in 100 vs 1 in 100: 2 points over the champion, above the 1-point threshold, but
    the interval holds 0: it may be noise."""
    arms(con, 100, 1, 3)
    assert check_guardrails(con, experiment(min_borrowers=100), AS_OF, now=NOW) == []
    assert _stops(con) == []


def test_no_stop_under_the_threshold(con):
    """A real but small difference (the interval above 0) under a 30-point threshold does not stop it."""
    arms(con, 200, 0, 40)
    assert check_guardrails(con, experiment(min_borrowers=100, complaint=0.3), AS_OF, now=NOW) == []


def test_events_after_the_check_day_or_before_assignment_do_not_count(con):
    h = arms(con, 120, 1, 0)
    for i in range(30):
        h.event(f"F{i:03d}", "complaint", AS_OF + timedelta(days=1))   # tomorrow's
        h.event(f"F{i:03d}", "complaint", ON - timedelta(days=1))      # before they entered
    assert check_guardrails(con, experiment(min_borrowers=100), AS_OF, now=NOW) == []


def test_an_experiment_not_running_is_not_checked(con):
    arms(con, 120, 1, 30)
    file = experiment(min_borrowers=100, end=date(2026, 11, 15))
    assert check_guardrails(con, file, AS_OF, now=NOW) == []


def test_a_check_of_an_older_day_never_stops_the_arm_in_days_already_planned(con):
    arms(con, 120, champion_complaints=1, fewer_complaints=30)
    con.execute("INSERT INTO day_runs (as_of, plan_started_at, planned_at) VALUES "
                "(DATE '2026-11-25', TIMESTAMPTZ '2026-11-25 00:00:00+00', TIMESTAMPTZ '2026-11-25 00:10:00+00')")
    [stop] = check_guardrails(con, experiment(min_borrowers=100), AS_OF, now=NOW)   # 11-20, late complaints
    assert stop.stopped_on == date(2026, 11, 26)   # the day after the newest planned day, not 11-21
    assert _left(con)[1][:2] == ("fewer", date(2026, 11, 26))
