"""Alerts reach a webhook on 127.0.0.1, carry no personal data, and never break the run."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loan_comms.ops import alerting


class Hook:
    """A tiny webhook receiver: records JSON bodies, answers with the statuses queued."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.statuses: list[int] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("Content-Length") or 0)
                hook.bodies.append(json.loads(self.rfile.read(n)))
                self.send_response(hook.statuses.pop(0) if hook.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.close()


def test_a_failed_run_posts_one_alert_without_personal_data(hook):
    alert = alerting.run_failed_alert("daily-plan", "slim-owl",
                                      "cannot send to +8613812345678 / wang.wei@example.com\nTraceback...", "2026-11-05")
    assert alerting.post_alert(alert, hook.url)
    [body] = hook.bodies
    assert body["kind"] == "run_failed" and body["flow"] == "daily-plan" and body["as_of"] == "2026-11-05"
    assert "daily-plan run slim-owl for 2026-11-05 failed" in body["text"]
    assert "+8613812345678" not in body["text"] and "wang.wei@" not in body["text"]
    assert "Traceback" not in body["text"], "only the first line of the reason"


def test_failures_alert_only_above_the_threshold():
    assert alerting.failures_alert("dispatch", None, "2026-11-05", 10, 10) is None
    a = alerting.failures_alert("dispatch", None, "2026-11-05", 11, 10, {"HTTP 400": 9, "no recipient": 2})
    assert a and a.counts["failed"] == 11 and "11 contacts failed on 2026-11-05 (threshold 10): HTTP 400 9" in a.text


def test_a_webhook_error_is_retried_and_never_raises(hook):
    hook.statuses = [503, 200]
    assert alerting.post_alert(alerting.run_failed_alert("f", "r", "x"), hook.url, backoff_s=0.01)
    assert len(hook.bodies) == 2
    hook.statuses = [400]
    assert not alerting.post_alert(alerting.run_failed_alert("f", "r", "x"), hook.url, backoff_s=0.01)
    assert len(hook.bodies) == 3, "a 4xx is not retried"
    assert not alerting.post_alert(alerting.run_failed_alert("f", "r", "x"), "http://127.0.0.1:9/none",
                                   tries=2, backoff_s=0.01, timeout_s=0.5)


def test_url_and_threshold_come_from_the_environment(monkeypatch):
    monkeypatch.delenv(alerting.URL_ENV, raising=False)
    monkeypatch.delenv(alerting.THRESHOLD_ENV, raising=False)
    assert alerting.webhook_url() is None and alerting.failure_threshold() == alerting.DEFAULT_FAILURE_THRESHOLD
    assert not alerting.post_alert(alerting.run_failed_alert("f", "r", "x"), None), "no URL: logged only"
    monkeypatch.setenv(alerting.URL_ENV, " http://127.0.0.1:1/x ")
    monkeypatch.setenv(alerting.THRESHOLD_ENV, "5")
    assert alerting.webhook_url() == "http://127.0.0.1:1/x" and alerting.failure_threshold() == 5
    monkeypatch.setenv(alerting.THRESHOLD_ENV, "lots")
    with pytest.raises(ValueError, match="LOAN_COMMS_ALERT_FAILURE_THRESHOLD='lots'"):
        alerting.failure_threshold()
