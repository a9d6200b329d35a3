"""The collector audit rules (issue 16), each made to fire on a log the planner left clean:
call_slot_window (slot inside the borrower's window and the agent's shift, dial_until too),
agent_capacity (no shift over capacity, no two slots of an agent at once) and call_agent_fit (the
agent speaks the language and has the skills). The rules read only agent_days, call_assignments,
contact_attempts, borrowers and borrower_events: corrupting those rows is what a planner bug would do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from loan_comms.audit import run_audit
from loan_comms.lifecycle.planner import plan_day
from tests.calls.test_assignment import agent, late, roster

FRI = date(2026, 11, 6)
RULES = ("call_slot_window", "agent_capacity", "call_agent_fit")


@pytest.fixture
def planned(book, cfg, renderer, tmp_path):
    """Three Shanghai borrowers' calls given to two agents, and the config that did it."""
    c = roster(cfg, tmp_path, agent("ZH-1", "zh", ["zh-CN"], capacity=2, shift=("08:00", "12:00")),
               agent("ZH-2", "zh", ["zh-CN"], capacity=2, shift=("08:00", "12:00")))
    for n in range(3):
        late(book, f"B{n}", str(1000 * (n + 1)))
    plan_day(book.con, c, renderer, FRI)
    assert book.con.execute("SELECT count(*) FROM call_assignments WHERE outcome = 'assigned'").fetchone() == (3,)
    return book, c


def fired(book, cfg, rule):
    report = run_audit(book.con, cfg, rules=RULES)
    return {r.name: r.violations for r in report.rules}[rule], report.rule(rule)


def test_the_planners_assignments_are_clean(planned):
    book, cfg = planned
    report = run_audit(book.con, cfg, rules=RULES)
    assert report.ok, str(report)
    assert all(r.checked > 0 for r in report.rules)


def test_a_slot_before_the_window_opens_fires_call_slot_window(planned):
    book, cfg = planned
    book.con.execute("UPDATE call_assignments SET slot_start = slot_start - INTERVAL 1 HOUR, "
                     "slot_end = slot_end - INTERVAL 1 HOUR WHERE borrower_id = 'B2'")
    n, result = fired(book, cfg, "call_slot_window")
    assert n == 1 and "before the borrower's window opens" in result.rows[0]["violation"]


def test_a_slot_after_the_shift_fires_call_slot_window(planned):
    book, cfg = planned
    book.con.execute("UPDATE agent_days SET shift_end = shift_start + INTERVAL 5 MINUTE")
    n, result = fired(book, cfg, "call_slot_window")
    assert n == 3 and {r["violation"] for r in result.rows} == {"slot outside the agent's shift"}


def test_dialling_past_the_window_fires_call_slot_window(planned):
    book, cfg = planned
    book.con.execute("UPDATE call_assignments SET dial_until = dial_until + INTERVAL 14 HOUR WHERE borrower_id = 'B0'")
    n, result = fired(book, cfg, "call_slot_window")
    assert n == 1 and "dial_until after" in result.rows[0]["violation"]


def test_more_calls_than_capacity_fires_agent_capacity(planned):
    book, cfg = planned
    book.con.execute("UPDATE agent_days SET capacity = 1 WHERE agent_id = 'ZH-1'")
    n, result = fired(book, cfg, "agent_capacity")
    assert n == 1 and result.rows[0]["violation"] == "2 calls and visits on a shift of capacity 1"


def test_two_slots_of_one_agent_at_once_fire_agent_capacity(planned):
    book, cfg = planned
    (first, second) = book.con.execute("SELECT attempt_id, slot_start FROM call_assignments "
                                       "WHERE agent_id = 'ZH-1' ORDER BY slot_start").fetchall()
    book.con.execute("UPDATE call_assignments SET slot_start = ?, slot_end = ? WHERE attempt_id = ?",
                     [first[1] + timedelta(minutes=5), first[1] + timedelta(minutes=15), second[0]])
    n, result = fired(book, cfg, "agent_capacity")
    assert n == 1 and "overlap" in result.rows[0]["violation"]


def test_an_agent_without_the_language_fires_call_agent_fit(planned):
    book, cfg = planned
    book.con.execute("UPDATE agent_days SET languages = ['en'] WHERE agent_id = 'ZH-2'")
    n, result = fired(book, cfg, "call_agent_fit")
    assert n >= 1 and {r["violation"] for r in result.rows} == {"agent does not speak zh-CN"}


def test_a_vulnerable_borrower_given_an_untrained_agent_fires_call_agent_fit(book, cfg, renderer, tmp_path):
    c = roster(cfg, tmp_path, agent("ZH-V", "zh", ["zh-CN"], skills=["vulnerable"]), vulnerable_calls=True)
    late(book, "B1")
    book.event("B1", "vulnerable", "2026-11-02T10:00:00+08:00")
    plan_day(book.con, c, renderer, FRI)
    assert run_audit(book.con, c, rules=RULES).ok
    book.con.execute("UPDATE agent_days SET skills = []")
    n, result = fired(book, c, "call_agent_fit")
    assert n == 1 and "vulnerable borrower" in result.rows[0]["violation"]


def test_a_vulnerability_known_only_after_the_call_does_not_fire_call_agent_fit(book, cfg, renderer, tmp_path):
    # a simulated book: its contacts are created on today's wall clock, long after the days they plan;
    # an event of a later simulated day was not known when the call was planned
    c = roster(cfg, tmp_path, agent("ZH-V", "zh", ["zh-CN"], skills=["vulnerable"]), vulnerable_calls=True)
    late(book, "B1")
    plan_day(book.con, c, renderer, FRI)
    book.event("B1", "vulnerable", "2026-11-20T10:00:00+08:00")
    book.con.execute("UPDATE agent_days SET skills = []")
    assert run_audit(book.con, c, rules=("call_agent_fit",)).ok


def test_a_visit_on_a_full_shift_counts_for_both_agents_of_the_pair(planned):
    """A visit is one unit of each agent of its pair: one more piece of work on ZH-1's full shift fires
    agent_capacity (and an overlapping slot would too)."""
    book, cfg = planned
    work_date, shift_end = book.con.execute(
        "SELECT work_date, shift_end FROM agent_days WHERE agent_id = 'ZH-1'").fetchone()
    book.con.execute("UPDATE agent_days SET capacity = 2 WHERE agent_id = 'ZH-1'")
    assert run_audit(book.con, cfg, rules=("agent_capacity",)).ok
    book.con.execute(
        "INSERT INTO visit_assignments (attempt_id, plan_date, borrower_id, agent_ids, work_date, slot_start, "
        "slot_end, outcome, recorded_at) VALUES ('V1', ?, 'B0', ['ZH-1', 'ZH-2'], ?, ?, ?, 'assigned', now())",
        [FRI, work_date, shift_end - timedelta(minutes=5), shift_end])
    n, result = fired(book, cfg, "agent_capacity")
    assert n == 1 and result.rows[0]["violation"] == "3 calls and visits on a shift of capacity 2"
