"""Failures are loud (issue 9): a provider refusing our credentials fails the flow run, posts one
alert, and makes run-day exit 1 with one line; the task is not retried into the same 401."""

from __future__ import annotations

import pytest

from tests.builders import SID, TOKEN
from loan_comms.delivery.fake_gateway import FakeGateway
from tests.flows.test_ops_flows import DAY, SHANGHAI_MORNING, contacts, make_book, read_artifacts
from tests.ops.test_alerting import Hook

pytestmark = pytest.mark.slow


@pytest.fixture
def wrong_token_gateway(monkeypatch):
    gw = FakeGateway(twilio_auth=(SID, TOKEN)).start()
    monkeypatch.setenv("LOAN_COMMS_SMS_BASE_URL", gw.url)
    monkeypatch.delenv("LOAN_COMMS_SMS_PROVIDER", raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "not-the-token-42")
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+12025550000")
    yield gw
    gw.stop()


@pytest.fixture
def hook(monkeypatch):
    h = Hook()
    monkeypatch.setenv("LOAN_COMMS_ALERT_WEBHOOK_URL", h.url)
    yield h
    h.close()


def test_dispatch_flow_against_a_401_fails_and_posts_one_alert(tmp_path, wrong_token_gateway, hook):
    from flows.daily_plan import daily_plan
    from flows.dispatch import dispatch_open_windows

    book = make_book(tmp_path / "book.duckdb")
    daily_plan(as_of=DAY, db_path=str(book))
    hook.bodies.clear()
    state = dispatch_open_windows(now=SHANGHAI_MORNING, db_path=str(book), return_state=True)
    assert state.is_failed()
    [body] = hook.bodies
    assert body["kind"] == "run_failed" and body["flow"] == "dispatch-open-windows"
    assert "sms provider twilio refused our credentials (401)" in body["text"]
    assert "王小明" not in str(body) and "+86138" not in str(body) and "not-the-token" not in str(body)
    assert wrong_token_gateway.stats()["requests"] == 1, "one request, no retries of the task or the message"
    assert {s for _k, ch, s in contacts(book) if ch == "sms"} == {"planned"}
    md = read_artifacts("dispatch-summary")[0]["data"]
    assert "## Halted" in md and "refused our credentials (401)" in md


def test_run_day_exits_1_with_one_line_and_the_lifecycle_flow_alerts(tmp_path, wrong_token_gateway, hook,
                                                                      monkeypatch):
    from typer.testing import CliRunner

    from loan_comms import cli
    from loan_comms.ops import prefect_env

    monkeypatch.setattr(prefect_env, "configure", lambda *a, **k: None)   # the test server is running
    book = make_book(tmp_path / "book.duckdb")
    result = CliRunner().invoke(cli.app, ["run-day", "--as-of", str(DAY), "--db", str(book)])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == ("loan-comms: dispatch stopped: sms provider twilio refused our credentials (401): "
                                     "check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN")
    assert "failed 0" not in result.output and "Traceback" not in result.output
    [body] = hook.bodies
    assert body["flow"] == "daily-lifecycle" and "refused our credentials (401)" in body["text"]


def test_every_flow_posts_the_alert_when_it_fails_or_crashes():
    import importlib
    import pkgutil

    import flows
    from prefect import Flow
    from tasks.alerts import alert_on_failure

    found = []
    for mod in pkgutil.iter_modules(flows.__path__):
        module = importlib.import_module(f"flows.{mod.name}")
        for obj in vars(module).values():
            if isinstance(obj, Flow) and obj.__module__ == module.__name__:
                found.append(obj.name)
                assert alert_on_failure in obj.on_failure_hooks, obj.name
                assert alert_on_failure in obj.on_crashed_hooks, obj.name
    assert {"daily-lifecycle", "lifecycle-days", "simulate-lifecycle", "dispatch-open-windows"} <= set(found)
