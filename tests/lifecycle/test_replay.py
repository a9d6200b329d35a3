"""Re-running any day, in any order, after any crash, records nothing new and changes no derived state.

The reference is one clean sequential run of a generated book. Everything else (repeats of past
days, resumes from the start, plans killed between batches, dispatches killed between passes,
dispatch passes replayed at earlier instants) must end with exactly the same contact log, outbox,
delinquency episodes and installment state (installments and the stored state the next day starts from).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.config import load_config
from loan_comms.delivery.day_dispatch import dispatch_day, finish_earlier_days
from loan_comms.lifecycle.days import DayOutOfOrder
from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.lifecycle.planner import plan_day
from loan_comms.book.synthetic import generate_book
from tests.builders import EchoRenderer

START = date(2026, 11, 1)
DAYS = 7
BATCH = 40           # small batches, so a kill can fall between two of them
CFG = load_config()
RENDERER = EchoRenderer()


class Killed(Exception):
    """Stands for a process killed at that point (the connection is dropped and reopened)."""


def _killer(after: int | None):
    calls = [0]

    def hook(*_args) -> None:
        calls[0] += 1
        if after is not None and calls[0] >= after:
            raise Killed()
    return hook


def run_day(con, day: date, *, kill_plan_after: int | None = None, kill_dispatch_after: int | None = None) -> None:
    """One day as the simulated-clock flows run it (flows/daily_lifecycle.py), on plain functions."""
    finish_earlier_days(con, CFG, RENDERER, day, batch_size=BATCH)
    plan_day(con, CFG, RENDERER, day, batch_size=BATCH, progress=_killer(kill_plan_after))
    hook = _killer(kill_dispatch_after)
    dispatch_day(con, CFG, day, batch_size=BATCH, on_pass=lambda *_: hook())


def snapshot(con) -> dict[str, list[tuple]]:
    """Everything a re-run must leave as it was (not the wall-clock bookkeeping columns)."""
    queries = {
        "contacts": "SELECT idempotency_key, attempt_id, status, suppressed_reason, decided_by_rule, policy_version, "
                    "episode_id, planned_for_date, send_after, send_before, sent_at, template_id, template_version, "
                    "language, amount_due, priority, error, provider_message_id FROM contact_attempts",
        "messages": "SELECT attempt_id, subject, body_text FROM contact_messages",
        "outbox": "SELECT idempotency_key, provider_message_id, body_text FROM outbox_messages",
        "episodes": "SELECT episode_id, loan_id, opened_on, closed_on FROM delinquency_episodes",
        "installments": "SELECT loan_id, installment_no, amount_paid, paid_at FROM installments",
        "events": "SELECT external_id, kind, occurred_at, amount FROM borrower_events",
        "days": "SELECT as_of, planned_at IS NOT NULL, dispatched_at IS NOT NULL FROM day_runs",
        "handoffs": "SELECT loan_id, attempt_id, handed_off_at, partner FROM handoffs",
        # the stored installment state (sql/schema/110_state_incremental.sql), not the event ids it saw
        "state": "SELECT loan_id, installment_no, paid_amount, outstanding, settled_at, by_plan FROM state_installments",
        "state_loans": "SELECT * FROM state_loans",
        "state_at": "SELECT derived_at FROM state_watermark",
    }
    return {k: sorted(con.execute(q).fetchall(), key=repr) for k, q in queries.items()}


def _diff(a: dict, b: dict) -> dict[str, int]:
    return {k: len(set(a[k]) ^ set(b[k])) for k in a if a[k] != b[k]}


@pytest.fixture(scope="module")
def book_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("replay") / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=250, seed=11, start=START)
    con.close()
    return path


@pytest.fixture(scope="module")
def reference(book_file, tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("replay-ref") / "ref.duckdb"
    shutil.copy(book_file, path)
    con = db.connect(path)
    for d in range(DAYS):
        run_day(con, START + timedelta(days=d))
    snap = snapshot(con)
    assert run_audit(con, CFG, now=datetime.combine(START + timedelta(days=DAYS + 1), datetime.min.time(),
                                                    tzinfo=UTC)).ok
    con.close()
    assert len(snap["contacts"]) > 300 and len(snap["episodes"]) > 20   # a book with something to lose
    return snap


def _copy(book_file: Path, dest: Path) -> Path:
    shutil.copy(book_file, dest)
    return dest


def test_rerunning_past_days_after_later_ones_changes_nothing(book_file, reference, tmp_path):
    """The tester's case: six days run, then day 2 again (and others, in any order)."""
    path = _copy(book_file, tmp_path / "b.duckdb")
    con = db.connect(path)
    for d in range(DAYS):
        run_day(con, START + timedelta(days=d))
    for d in (1, 5, 0, 1, 3):
        run_day(con, START + timedelta(days=d))
    after = snapshot(con)
    assert _diff(after, reference) == {}
    assert con.execute("SELECT count(*) FROM delinquency_episodes WHERE closed_on < opened_on").fetchall() == [(0,)]
    report = plan_day(con, CFG, RENDERER, START + timedelta(days=1))
    assert report.already_planned and report.planned_total == 0 and "already planned" in str(report)


def test_a_never_planned_day_behind_the_newest_is_refused(book_file, tmp_path):
    con = db.connect(_copy(book_file, tmp_path / "b.duckdb"))
    run_day(con, START)
    run_day(con, START + timedelta(days=2))        # a gap forward is allowed (a day the scheduler missed)
    before = snapshot(con)
    with pytest.raises(DayOutOfOrder, match="never planned and later days already were"):
        plan_day(con, CFG, RENDERER, START + timedelta(days=1))
    assert snapshot(con) == before


def test_a_plan_killed_between_batches_is_finished_by_the_next_run_of_a_later_day(book_file, reference, tmp_path):
    path = _copy(book_file, tmp_path / "b.duckdb")
    con = db.connect(path)
    run_day(con, START)
    with pytest.raises(Killed):
        run_day(con, START + timedelta(days=1), kill_plan_after=1)
    con.close()
    con = db.connect(path)
    assert con.execute("SELECT planned_at FROM day_runs WHERE as_of = ?", [START + timedelta(days=1)]).fetchall() \
        == [(None,)]
    for d in range(2, DAYS):                          # the operator runs the next day, not the killed one
        run_day(con, START + timedelta(days=d))
    assert _diff(snapshot(con), reference) == {}


def test_a_dispatch_pass_replayed_at_an_earlier_instant_changes_nothing(book_file, reference, tmp_path):
    con = db.connect(_copy(book_file, tmp_path / "b.duckdb"))
    for d in range(DAYS):
        run_day(con, START + timedelta(days=d))
    for d in (0, 3):
        for hour in (1, 9, 14):
            dispatch_due(con, CFG, datetime.combine(START + timedelta(days=d), datetime.min.time(), tzinfo=UTC)
                         + timedelta(hours=hour))
    assert _diff(snapshot(con), reference) == {}


op_st = st.one_of(
    st.tuples(st.just("next"), st.none()),
    st.tuples(st.just("rerun"), st.integers(0, DAYS - 1)),
    st.tuples(st.just("kill_plan"), st.integers(1, 4)),
    st.tuples(st.just("kill_dispatch"), st.integers(1, 4)),
    st.tuples(st.just("resume_from_start"), st.none()),
)


@settings(max_examples=int(os.environ.get("REPLAY_EXAMPLES", "6")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op_st, max_size=10))
def test_any_sequence_of_runs_repeats_and_kills_ends_as_one_clean_run(book_file, reference, tmp_path, ops):
    path = tmp_path / f"p{abs(hash(tuple(ops)))}.duckdb"
    _copy(book_file, path)
    con = db.connect(path)
    newest = -1
    for op, arg in ops:
        nxt = min(newest + 1, DAYS - 1)
        try:
            if op == "next":
                run_day(con, START + timedelta(days=nxt))
            elif op == "rerun" and arg <= newest:
                run_day(con, START + timedelta(days=arg))
            elif op == "kill_plan":
                run_day(con, START + timedelta(days=nxt), kill_plan_after=arg)
            elif op == "kill_dispatch":
                run_day(con, START + timedelta(days=nxt), kill_dispatch_after=arg)
            elif op == "resume_from_start":
                for d in range(newest + 1):
                    run_day(con, START + timedelta(days=d))
        except Killed:
            con.close()
            con = db.connect(path)
        if op in ("next", "kill_plan", "kill_dispatch"):
            newest = nxt
    for d in range(DAYS):                              # finally: run-days over the whole period
        run_day(con, START + timedelta(days=d))
    assert _diff(snapshot(con), reference) == {}
    con.close()
    path.unlink()


def test_an_earlier_days_last_pass_replayed_never_sends_a_later_days_contacts(book_file, reference, tmp_path):
    """Found by the property above: day 1's dispatch killed after its last pass (all final, not
    yet marked), day 2's plan killed after a batch; replaying day 1's closing pass (02:00 UTC on
    day 2) must not send day 2's contacts whose window is already open at that instant."""
    path = _copy(book_file, tmp_path / "b.duckdb")
    con = db.connect(path)
    for day, kill in ((START, dict(kill_dispatch_after=4)), (START + timedelta(days=1), dict(kill_plan_after=1))):
        with pytest.raises(Killed):
            run_day(con, day, **kill)
        con.close()
        con = db.connect(path)
    for d in range(DAYS):
        run_day(con, START + timedelta(days=d))
    assert _diff(snapshot(con), reference) == {}
