"""Reconciliation at its edges: a late receipt for a contact already planned again, the wait
counted from the request, a sender or account changed between passes, a crashed day replayed."""

from __future__ import annotations

import json
from datetime import timedelta

from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.inbound.receipts import ingest_receipts
from tests.builders import DAY, NOW, OPENS, plan
from tests.delivery.test_http_faults import assert_exactly_once, http_cfg


def test_a_late_receipt_makes_a_contact_planned_again_sent_not_sent_twice(con, cfg, gateway, secrets_env, tmp_path):
    """Concluded absent, planned again, not re-sent yet (429s); then the first request's callback
    arrives after all: the contact is sent (with that message), and the next pass sends nothing."""
    [aid] = plan(con, 1)
    gateway.inject("slow", slow_seconds=1.3)
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    sid = gateway.state.messages[0]["id"]
    gateway.state.messages.clear()                 # the provider's list lags: it shows nothing yet
    gateway.inject(*["429"] * 3, retry_after="0")
    dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0, max_tries=3), NOW)
    assert con.execute("SELECT status, resends FROM contact_attempts").fetchone() == ("planned", 1)
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"MessageSid": sid, "MessageStatus": "delivered", "attempt_id": aid}) + "\n")
    ingest_receipts(con, path, now=NOW)
    row = con.execute("SELECT status, provider_message_id, sent_at, outcome_unknown FROM contact_attempts").fetchone()
    assert row[:2] == ("delivered", sid) and row[2] == NOW and not row[3]
    requests = gateway.stats()["requests"]
    again = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert sum(again.due.values()) == 0 and gateway.stats()["requests"] == requests


def test_the_wait_counts_from_the_end_of_the_batch_for_a_send_left_unknown(con, cfg, gateway, secrets_env):
    plan(con, 6)
    gateway.inject("ok", "ok", "ok", "ok", "ok", "503")   # the last request of a rate-limited batch
    dispatch_due(con, http_cfg(cfg, gateway, rate_per_second=4, max_in_flight=1), NOW)
    last_request = max(m["created"] for m in gateway.state.messages)
    requested = con.execute("SELECT epoch(send_requested_at) FROM contact_attempts WHERE outcome_unknown").fetchone()[0]
    assert requested >= last_request


def test_a_sender_changed_between_passes_still_finds_the_message(con, cfg, gateway, secrets_env):
    plan(con, 2)
    gateway.inject("lost")
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    other_sender = http_cfg(cfg, gateway, reconcile_after_seconds=0)
    other_sender = other_sender.model_copy(update={"providers": {
        "sms": other_sender.providers["sms"].model_copy(update={"from_number": "+12025559999"}),
        "email": other_sender.providers["email"]}})
    again = dispatch_due(con, other_sender, NOW)
    assert again.reconciled.found["sms"] == 1 and again.reconciled.resent["sms"] == 0, str(again)
    assert_exactly_once(con, gateway, 2)


def test_a_send_through_another_account_is_never_concluded_absent(con, cfg, gateway, secrets_env, monkeypatch):
    plan(con, 1)
    gateway.inject("503")
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "ACanotheraccount000000000000000000")
    gateway.state.twilio_auth = None               # the gateway accepts the other account too
    again = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert again.reconciled.unknown["sms"] == 1 and again.reconciled.resent["sms"] == 0
    assert "another Twilio account" in con.execute("SELECT error FROM contact_attempts").fetchone()[0]


def test_a_day_replayed_after_a_crash_in_flight_sends_what_never_arrived_inside_the_window(con, cfg, gateway,
                                                                                          secrets_env):
    """The process died after claiming: nothing is planned, three sends are unknown. The replay's
    first pass is at their window opening, not at the day's close: they go, each once."""
    plan(con, 3)
    con.execute("UPDATE contact_attempts SET status = 'sent', outcome_unknown = true, provider = 'twilio', "
                "sent_at = send_after, claimed_at = send_after, send_requested_at = now() - INTERVAL 1 MINUTE, "
                "error = 'in flight'")
    reports = dispatch_day(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), DAY)
    assert reports[0].now == OPENS and reports[0].reconciled.resent["sms"] == 3, str(reports[0])
    assert reports[0].sent["sms"] == 3
    assert_exactly_once(con, gateway, 3)
    assert reports[-1].now == OPENS + timedelta(hours=13)   # and the day's final pass, as before
