"""A plan request past review_within_days is loud: `arrangements review` exits 1 (after listing it),
the daily run counts it in its summary and posts an alert with counts only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from prefect.logging import disable_run_logger
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.arrangements.reviews import queue_counts
from loan_comms.cli.root import app
from loan_comms.ops import alerting
from loan_comms.ops.report import day_summary
from tasks import alerts as alert_tasks
from tests.arrangements.conftest import in_arrears, offer
from tests.arrangements.test_reviews import AT, request
from tests.builders import Book
from tests.ops.test_alerting import Hook

LATE = AT + timedelta(days=3)     # review_within_days = 2


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.close()


@pytest.fixture
def book_path(tmp_path, cfg):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    in_arrears(Book(con), loan="LN12345678")
    offer(con, loan="LN12345678")
    request(con, cfg)
    con.close()
    return path


def test_queue_counts_turn_overdue_after_review_within_days(book_path, cfg):
    con = db.connect(book_path)
    try:
        assert queue_counts(con, cfg, AT + timedelta(hours=1)).as_dict() == {"waiting": 1, "overdue": 0}
        assert queue_counts(con, cfg, LATE).as_dict() == {"waiting": 1, "overdue": 1}
    finally:
        con.close()


def test_review_lists_then_exits_1_when_any_request_is_overdue(book_path):
    runner = CliRunner()
    on_time = runner.invoke(app, ["arrangements", "review", "--db", str(book_path), "--now", "2026-11-12T00:00:00Z"])
    assert on_time.exit_code == 0, on_time.output
    late = runner.invoke(app, ["arrangements", "review", "--db", str(book_path), "--now", LATE.isoformat()])
    assert late.exit_code == 1 and "OVERDUE" in late.output and "1 plan requests waiting, 1 overdue" in late.output
    as_json = runner.invoke(app, ["arrangements", "review", "--json", "--db", str(book_path), "--now", LATE.isoformat()])
    assert as_json.exit_code == 1 and json.loads(as_json.output.splitlines()[0])["overdue"] is True


def test_the_daily_run_counts_overdue_requests_and_alerts_with_counts_only(book_path, hook, monkeypatch):
    monkeypatch.setenv(alerting.URL_ENV, hook.url)
    monkeypatch.setattr(alert_tasks, "utc_now", lambda: LATE)
    with disable_run_logger():
        counts = alert_tasks.check_plan_reviews.fn(str(book_path), LATE.date(), "daily-plan", None)
    assert counts == {"waiting": 1, "overdue": 1}
    [body] = hook.bodies
    assert body["kind"] == "plan_review_overdue" and body["flow"] == "daily-plan"
    assert body["counts"] == {"overdue": 1, "waiting": 1, "review_within_days": 2}
    assert "LN" not in json.dumps(body) and "arrangements review" in body["text"]

    con = db.connect(book_path)
    try:
        summary = day_summary(con, LATE.date())
    finally:
        con.close()
    summary.plan_requests = counts
    assert "1 repayment-plan request(s) OVERDUE" in summary.markdown()
    assert "plan reviews OVERDUE 1" in summary.one_line()


def test_no_alert_while_every_request_is_within_its_deadline(book_path, hook, monkeypatch):
    monkeypatch.setenv(alerting.URL_ENV, hook.url)
    monkeypatch.setattr(alert_tasks, "utc_now", lambda: AT + timedelta(hours=1))
    with disable_run_logger():
        assert alert_tasks.check_plan_reviews.fn(str(book_path), AT.date(), "daily-plan", None) == {
            "waiting": 1, "overdue": 0}
    assert hook.bodies == []
    assert alerting.plan_reviews_alert("daily-plan", None, None, 3, 0, 2) is None
