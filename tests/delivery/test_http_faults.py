"""HTTP providers against the fake gateway: every fault recovers, each message accepted exactly once."""

from __future__ import annotations

import pytest

from loan_comms.dispatch import dispatch_due
from loan_comms.providers.http import _retry_after_seconds
from tests.delivery.conftest import NOW, plan, statuses, with_providers

FAST = dict(timeout_seconds=1.0, backoff_base_seconds=0.01, backoff_max_seconds=0.05, max_in_flight=4, per_client=2)


def http_cfg(cfg, gw, **over):
    return with_providers(
        cfg,
        sms=dict(kind="twilio", base_url=gw.url, from_number="+12025550000", **{**FAST, **over}),
        email=dict(kind="sendgrid", base_url=gw.url, from_email="collections@lender.example", **{**FAST, **over}),
    )


def assert_exactly_once(con, gw, n):
    """Every contact sent, and the id we recorded is the one the gateway gave for that key."""
    assert set(statuses(con).values()) == {"sent"}
    stats = gw.stats()
    assert stats["accepted"] == n
    recorded = dict(con.execute("SELECT idempotency_key, provider_message_id FROM contact_attempts").fetchall())
    assert recorded == stats["by_key"]


@pytest.mark.parametrize("channel", ["sms", "email"])
@pytest.mark.parametrize("fault", ["500", "503", "429", "slow", "reset", "lost"])
def test_each_fault_recovers_exactly_once(con, cfg, gateway, secrets_env, fault, channel):
    plan(con, 6, channel=channel)
    gateway.inject(fault, fault, fault, retry_after="0", slow_seconds=1.3)
    report = dispatch_due(con, http_cfg(cfg, gateway), NOW)
    assert report.sent[channel] == 6, str(report)
    assert_exactly_once(con, gateway, 6)
    assert gateway.stats()["faults_injected"] == {fault: 3}
    if fault in ("slow", "lost"):   # accepted but the answer never arrived: the retry was deduplicated
        assert gateway.stats()["dedupe_hits"] >= 1
    tries = con.execute("SELECT sum(send_tries) FROM contact_attempts").fetchone()[0]
    assert tries >= 6 + 3          # each injected fault cost a retry (a loaded machine may add timeouts)


def test_faults_past_the_bound_stay_planned_then_go_next_pass(con, cfg, gateway, secrets_env):
    plan(con, 2)
    gateway.inject(*["503"] * 6)
    first = dispatch_due(con, http_cfg(cfg, gateway, max_tries=3), NOW)
    assert sum(first.retry_later.values()) == 2 and sum(first.sent.values()) == 0
    rows = con.execute("SELECT status, send_tries, error FROM contact_attempts").fetchall()
    assert all(r[0] == "planned" and r[1] == 3 and "503" in r[2] for r in rows)
    second = dispatch_due(con, http_cfg(cfg, gateway, max_tries=3), NOW)
    assert sum(second.sent.values()) == 2
    assert_exactly_once(con, gateway, 2)


def test_retry_after_beyond_the_limit_gives_up_for_this_pass(con, cfg, gateway, secrets_env):
    plan(con, 1)
    gateway.inject("429", retry_after="3600")
    report = dispatch_due(con, http_cfg(cfg, gateway, max_retry_after_seconds=5), NOW)
    assert sum(report.retry_later.values()) == 1
    assert gateway.stats()["requests"] == 1
    assert "429" in con.execute("SELECT error FROM contact_attempts").fetchone()[0]


def test_retry_after_forms():
    assert _retry_after_seconds("7") == 7
    assert _retry_after_seconds(None) == 1
    assert _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0   # a date in the past: go now
    assert _retry_after_seconds("soon") == 1


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_permanent_400_marks_failed_with_the_reason(con, cfg, gateway, secrets_env, channel):
    plan(con, 3, channel=channel)
    plan(con, 1, channel=channel, start=10, phone="+1202", email="not-an-address")
    report = dispatch_due(con, http_cfg(cfg, gateway), NOW)
    assert report.failed[channel] == 1 and report.sent[channel] == 3
    status, error, tries = con.execute(
        "SELECT status, error, send_tries FROM contact_attempts WHERE borrower_id = 'B00010'").fetchone()
    assert status == "failed" and tries == 1
    assert error.startswith("400 ") and ("not a valid phone number" in error or "valid address" in error)
    assert gateway.stats()["accepted"] == 3


def test_injected_400_is_not_retried(con, cfg, gateway, secrets_env):
    plan(con, 1)
    gateway.inject("400")
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    assert con.execute("SELECT status FROM contact_attempts").fetchone()[0] == "failed"
    assert gateway.stats()["requests"] == 1


def test_bad_credentials_leave_everything_planned(con, cfg, gateway, secrets_env, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "wrong-token-123")
    plan(con, 10)
    report = dispatch_due(con, http_cfg(cfg, gateway), NOW)
    assert sum(report.retry_later.values()) == 10
    assert set(statuses(con).values()) == {"planned"}
    assert "credentials" in con.execute("SELECT max(error) FROM contact_attempts").fetchone()[0]
    assert gateway.stats()["requests"] <= 4          # stops at the first 401 of each worker


def test_connection_refused_is_transient(con, cfg, secrets_env):
    plan(con, 2)
    cfg2 = with_providers(cfg, sms=dict(kind="twilio", base_url="http://127.0.0.1:9", from_number="+12025550000",
                                        max_tries=2, **{k: v for k, v in FAST.items()}))
    report = dispatch_due(con, cfg2, NOW)
    assert sum(report.retry_later.values()) == 2
    assert "network error" in con.execute("SELECT max(error) FROM contact_attempts").fetchone()[0]


def test_window_missed_never_reaches_the_gateway(con, cfg, gateway, secrets_env):
    from datetime import timedelta
    plan(con, 3, send_before=NOW - timedelta(minutes=1))
    plan(con, 2, start=10)
    report = dispatch_due(con, http_cfg(cfg, gateway), NOW)
    assert report.window_missed == 3 and report.sent["sms"] == 2
    assert gateway.stats()["accepted"] == 2


@pytest.mark.parametrize("batch", [1, 4])
def test_webhook_per_message_and_batched(con, cfg, gateway, secrets_env, batch):
    plan(con, 9)
    plan(con, 1, start=20, phone="")  # the gateway rejects a message without 'to'
    con.execute("UPDATE borrowers SET phone_e164 = ' ' WHERE borrower_id = 'B00020'")
    gateway.inject("503", "lost")
    cfg2 = with_providers(cfg, sms=dict(kind="webhook", base_url=gateway.url, path="/hook", batch=batch,
                                        headers={"X-Tenant": "lender-1"}, **FAST))
    report = dispatch_due(con, cfg2, NOW)
    assert report.sent["sms"] == 9 and report.failed["sms"] == 1
    assert gateway.stats()["accepted"] == 9
    recorded = dict(con.execute("SELECT idempotency_key, provider_message_id FROM contact_attempts "
                                "WHERE status = 'sent'").fetchall())
    assert recorded == gateway.stats()["by_key"]
