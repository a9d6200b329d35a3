"""HTTP providers against the fake gateway: every fault recovers, each message accepted exactly once."""

from __future__ import annotations

import pytest

from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.delivery.providers.errors import DeliveryHalted
from loan_comms.delivery.providers.http import _retry_after_seconds
from tests.builders import NOW, plan, statuses, with_providers

FAST = dict(timeout_seconds=1.0, backoff_base_seconds=0.01, backoff_max_seconds=0.05, max_in_flight=4, per_client=2)


def http_cfg(cfg, gw, **over):
    return with_providers(
        cfg,
        sms=dict(kind="twilio", base_url=gw.url, from_number="+12025550000", **{**FAST, **over}),
        email=dict(kind="sendgrid", base_url=gw.url, from_email="collections@lender.example", **{**FAST, **over}),
    )


def assert_exactly_once(con, gw, n):
    """Every contact sent once, counted by the gateway (which does not deduplicate, as real providers
    do not), and the ids we recorded are exactly the messages the gateway accepted."""
    assert set(statuses(con).values()) <= {"sent", "delivered"}
    stats = gw.stats()
    assert stats["accepted"] == n and stats["duplicates"] == 0, stats
    recorded = sorted(r[0] for r in con.execute("SELECT provider_message_id FROM contact_attempts").fetchall())
    assert recorded == sorted(i for ids in stats["by_attempt"].values() for i in ids)


@pytest.mark.parametrize("channel", ["sms", "email"])
@pytest.mark.parametrize("fault", ["429"])   # the unambiguous fault the gateway can inject; see below for the rest
def test_each_fault_recovers_exactly_once(con, cfg, gateway, secrets_env, fault, channel):
    plan(con, 6, channel=channel)
    gateway.inject(fault, fault, fault, retry_after="0", slow_seconds=1.3)
    report = dispatch_due(con, http_cfg(cfg, gateway), NOW)
    assert report.sent[channel] == 6, str(report)
    assert_exactly_once(con, gateway, 6)
    assert gateway.stats()["faults_injected"] == {fault: 3}
    tries = con.execute("SELECT sum(send_tries) FROM contact_attempts").fetchone()[0]
    assert tries >= 6 + 3          # each injected fault cost a retry (a loaded machine may add timeouts)


def assert_unknown_not_retried_in_the_pass(con, gw, report, channel, n_unknown, n):
    """Ambiguous tries end sent + outcome_unknown (no provider id), and each reached the gateway once."""
    rows = con.execute("SELECT status, outcome_unknown, provider_message_id, error, send_tries "
                       "FROM contact_attempts WHERE outcome_unknown").fetchall()
    assert len(rows) == n_unknown and report.unknown[channel] == n_unknown, str(report)
    assert all(r[0] == "sent" and r[2] is None and r[3].startswith("outcome unknown") and r[4] == 1 for r in rows)
    assert set(statuses(con).values()) == {"sent"} and report.sent[channel] == n
    assert gw.stats()["requests"] == n, "an ambiguous try is never retried within the pass"


# What the provider holds after each ambiguous fault: accepted (the answer went missing) or not.
AMBIGUOUS = {"500": False, "503": False, "reset": False, "slow": True, "lost": True, "accepted_502": True}


@pytest.mark.parametrize("fault", sorted(AMBIGUOUS))
def test_ambiguous_sms_is_reconciled_with_twilio_then_sent_exactly_once(con, cfg, gateway, secrets_env, fault):
    """Issue 13: the gateway does not deduplicate. An ambiguous send is not retried in its pass; the
    next pass asks Twilio's Message list: found -> the send stands with Twilio's sid; absent after the
    wait -> sent again. Counted by the gateway: every contact exactly once."""
    plan(con, 6)
    gateway.inject(fault, fault, fault, slow_seconds=1.3)
    first = dispatch_due(con, http_cfg(cfg, gateway), NOW)
    assert gateway.stats()["faults_injected"] == {fault: 3}
    assert_unknown_not_retried_in_the_pass(con, gateway, first, "sms", 3, 6)
    assert gateway.stats()["accepted"] == (6 if AMBIGUOUS[fault] else 3)
    second = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert second.reconciled.found["sms"] == (3 if AMBIGUOUS[fault] else 0), str(second)
    assert second.reconciled.resent["sms"] == (0 if AMBIGUOUS[fault] else 3), str(second)
    assert second.sent["sms"] == (0 if AMBIGUOUS[fault] else 3)
    assert not con.execute("SELECT count(*) FROM contact_attempts WHERE outcome_unknown").fetchone()[0]
    assert gateway.stats()["lookups"] >= 1
    assert_exactly_once(con, gateway, 6)
    third = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert not third.reconciled and sum(third.due.values()) == 0 and gateway.stats()["accepted"] == 6


def test_an_absent_sms_is_not_sent_again_before_the_wait(con, cfg, gateway, secrets_env):
    """A request may still be in Twilio's hands when it timed out: silence only counts as absence
    `reconcile_after_seconds` after the request."""
    plan(con, 2)
    gateway.inject("503")
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    again = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=3600), NOW)
    assert again.reconciled.unknown["sms"] == 1 and again.reconciled.resent["sms"] == 0, str(again)
    error = con.execute("SELECT error FROM contact_attempts WHERE outcome_unknown").fetchone()[0]
    assert "not listed by Twilio yet" in error
    assert gateway.stats()["accepted"] == 1


@pytest.mark.parametrize("fault", ["503", "lost"])
def test_ambiguous_email_without_events_is_never_sent_twice(con, cfg, gateway, secrets_env, fault):
    """SendGrid cannot be asked whether it has a message; only its event webhook can prove it. With
    no events at all, nothing can be concluded: the send stays unknown (at most once), and says why."""
    plan(con, 3, channel="email")
    gateway.inject(fault)
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    again = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert again.reconciled.unknown["email"] == 1 and again.reconciled.resent["email"] == 0, str(again)
    assert gateway.stats()["requests"] == 3
    error = con.execute("SELECT error FROM contact_attempts WHERE outcome_unknown").fetchone()[0]
    assert "no sendgrid event for this send" in error


def test_faults_past_the_bound_stay_planned_then_go_next_pass(con, cfg, gateway, secrets_env):
    plan(con, 2)
    gateway.inject(*["429"] * 6, retry_after="0")     # 503 was used here before issue 9: now not retried
    first = dispatch_due(con, http_cfg(cfg, gateway, max_tries=3), NOW)
    assert sum(first.retry_later.values()) == 2 and sum(first.sent.values()) == 0
    rows = con.execute("SELECT status, send_tries, error FROM contact_attempts").fetchall()
    assert all(r[0] == "planned" and r[1] == 3 and "429" in r[2] for r in rows)
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
    with pytest.raises(DeliveryHalted) as halted:
        dispatch_due(con, http_cfg(cfg, gateway), NOW)
    report = halted.value.report
    assert sum(report.retry_later.values()) == 10
    assert set(statuses(con).values()) == {"planned"}
    assert "credentials" in con.execute("SELECT max(error) FROM contact_attempts").fetchone()[0]
    assert gateway.stats()["requests"] <= 4          # stops at the first 401 of each worker
    assert str(halted.value) == ("sms provider twilio refused our credentials (401): "
                                 "check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN")
    assert halted.value.why == "auth" and "wrong-token" not in str(halted.value)


def test_bad_credentials_stop_the_channel_at_once_not_the_others(con, cfg, gateway, secrets_env, monkeypatch):
    """Issue 9.2: no retries, no further sms batches, one exception; email still goes."""
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "wrong-token-123")
    plan(con, 12)
    plan(con, 4, channel="email", start=50, priority=0)   # after the sms in priority order
    with pytest.raises(DeliveryHalted, match=r"^sms provider twilio refused our credentials \(401\)") as halted:
        dispatch_due(con, http_cfg(cfg, gateway, max_in_flight=1), NOW, batch_size=3)
    assert gateway.stats()["requests"] == 1 + 4, "one 401, then only the e-mails"
    assert halted.value.report.sent == {"email": 4} and halted.value.report.halted.keys() == {"sms"}
    rows = con.execute("SELECT status, send_tries, error FROM contact_attempts WHERE channel = 'sms'").fetchall()
    assert all(r[0] == "planned" and r[2].startswith("halted: sms provider twilio refused") for r in rows)
    assert sum(r[1] for r in rows) == 1


def test_connection_refused_is_transient(con, cfg, secrets_env):
    """Retried (it never left), but a pass where nothing got through is an outage: loud."""
    plan(con, 2)
    cfg2 = with_providers(cfg, sms=dict(kind="twilio", base_url="http://127.0.0.1:9", from_number="+12025550000",
                                        max_tries=2, **{k: v for k, v in FAST.items()}))
    with pytest.raises(DeliveryHalted, match="sms provider twilio is down") as halted:
        dispatch_due(con, cfg2, NOW)
    report = halted.value.report
    assert sum(report.retry_later.values()) == 2
    assert "network error" in con.execute("SELECT max(error) FROM contact_attempts").fetchone()[0]
    assert con.execute("SELECT sum(send_tries) FROM contact_attempts").fetchone()[0] == 4, "each retried"


def test_connection_refused_all_pass_stops_early_as_an_outage(con, cfg, secrets_env):
    plan(con, 40)
    cfg2 = with_providers(cfg, sms=dict(kind="twilio", base_url="http://127.0.0.1:9", from_number="+12025550000",
                                        **FAST))
    with pytest.raises(DeliveryHalted) as halted:
        dispatch_due(con, cfg2, NOW, batch_size=10)
    assert halted.value.why == "outage" and "\n" not in str(halted.value)
    assert set(statuses(con).values()) == {"planned"}
    tries, noted = con.execute("SELECT sum(send_tries), count(*) FILTER (WHERE error IS NOT NULL) "
                               "FROM contact_attempts").fetchone()
    assert tries < 40 and noted == 40, "stopped after a few tries; every contact due says why it waits"


def test_5xx_on_every_send_is_an_outage_not_a_quiet_pass(con, cfg, gateway, secrets_env):
    plan(con, 30)
    gateway.inject(rate=1.0, kinds=["503"])
    with pytest.raises(DeliveryHalted, match=r"sms provider twilio is down \(503\)") as halted:
        dispatch_due(con, http_cfg(cfg, gateway, max_in_flight=1), NOW)
    report = halted.value.report
    assert sum(report.unknown.values()) == 5 and sum(report.retry_later.values()) == 25, str(report)
    assert gateway.stats()["requests"] == 5


def test_a_missing_sender_halts_the_channel_before_any_request(con, cfg, gateway, secrets_env, monkeypatch):
    monkeypatch.delenv("TWILIO_FROM_NUMBER", raising=False)
    plan(con, 3)
    cfg2 = with_providers(cfg, sms=dict(kind="twilio", base_url=gateway.url, **FAST))
    with pytest.raises(DeliveryHalted, match=r"^sms provider twilio is not configured: .*from_number") as halted:
        dispatch_due(con, cfg2, NOW)
    assert halted.value.why == "config" and gateway.stats()["requests"] == 0
    assert set(statuses(con).values()) == {"planned"}


def test_404_means_the_base_url_is_wrong_not_that_the_messages_are(con, cfg, secrets_env):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotHere(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotHere)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        plan(con, 5)
        url = f"http://127.0.0.1:{server.server_address[1]}/not-twilio"
        cfg2 = with_providers(cfg, sms=dict(kind="twilio", base_url=url, from_number="+12025550000", **FAST))
        with pytest.raises(DeliveryHalted, match=r"no send endpoint .* \(404\): check providers.sms.base_url"):
            dispatch_due(con, cfg2, NOW)
        assert set(statuses(con).values()) == {"planned"}
    finally:
        server.shutdown()
        server.server_close()


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
    gateway.inject("429", "429", retry_after="0")   # was 503 and lost before issue 9: now not retried
    cfg2 = with_providers(cfg, sms=dict(kind="webhook", base_url=gateway.url, path="/hook", batch=batch,
                                        headers={"X-Tenant": "lender-1"}, **FAST))
    report = dispatch_due(con, cfg2, NOW)
    assert report.sent["sms"] == 9 and report.failed["sms"] == 1
    assert gateway.stats()["accepted"] == 9
    recorded = {r[0] for r in con.execute("SELECT provider_message_id FROM contact_attempts "
                                          "WHERE status = 'sent'").fetchall()}
    assert recorded == {i for ids in gateway.stats()["by_attempt"].values() for i in ids}


def test_a_repeated_transient_error_is_logged_once_per_pass_with_a_count(con, cfg, gateway, secrets_env, caplog):
    """Issue 9.2: the same line was printed once per message (32 times for a 401)."""
    import logging

    caplog.set_level(logging.INFO, logger="loan_comms")
    plan(con, 12)
    gateway.inject(*["429"] * 12, retry_after="0")
    report = dispatch_due(con, http_cfg(cfg, gateway, max_tries=1, max_in_flight=1), NOW)
    assert sum(report.retry_later.values()) == 12
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("loan_comms") and "429" in r.getMessage()]
    assert lines == ["sms: 12 contact(s) retry later: transient: 429 rate limited (Retry-After 0s)"]


def test_a_provider_refusing_every_message_halts_the_channel(con, cfg, gateway, secrets_env):
    """A wrong sender number makes Twilio answer 400 to every message: a pass of nothing but
    refusals is loud (halt, one line), not 30 quiet failures."""
    plan(con, 30)
    gateway.inject(rate=1.0, kinds=["400"])
    with pytest.raises(DeliveryHalted, match=r"sms provider twilio refused every message of this pass "
                                             r"\(5 in a row, none accepted") as halted:
        dispatch_due(con, http_cfg(cfg, gateway, max_in_flight=1), NOW)
    assert halted.value.why == "rejected"
    report = halted.value.report
    assert sum(report.failed.values()) == 5 and sum(report.retry_later.values()) == 25, str(report)
    assert gateway.stats()["requests"] == 5


def test_a_few_refusals_among_accepted_messages_do_not_halt(con, cfg, gateway, secrets_env):
    plan(con, 30)
    gateway.inject(queue=["ok"] + ["400"] * 8)   # "ok" is no fault: the first message is accepted
    report = dispatch_due(con, http_cfg(cfg, gateway, max_in_flight=1), NOW)
    assert sum(report.failed.values()) == 8 and sum(report.sent.values()) == 22, str(report)
