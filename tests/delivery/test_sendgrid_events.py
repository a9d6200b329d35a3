"""SendGrid reconciliation through its Event Webhook: the gateway posts events to the callback
receiver, the receipts land, and an unknown e-mail is found (its processed event) or, once events
from after it have arrived, concluded absent and sent again. Counted by the gateway."""

from __future__ import annotations

import time

import pytest

from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.inbound.callbacks import CallbackServer
from loan_comms.inbound.receipts import ingest_receipts
from tests.builders import NOW, plan
from tests.delivery.test_http_faults import assert_exactly_once, http_cfg


@pytest.fixture
def receiver(tmp_path, gateway):
    srv = CallbackServer(tmp_path / "inbox", flush_seconds=0.1).start()
    gateway.inject(events_url=f"{srv.url}/sendgrid/events", deliver_after=0.01)
    yield srv
    srv.stop()


def land(con, srv, tmp_path, settle: float = 0.6) -> None:
    time.sleep(settle)           # events posted, then flushed to a file
    srv.writer.flush()
    folder = tmp_path / "inbox" / "receipts"
    if folder.is_dir() and any(folder.iterdir()):
        ingest_receipts(con, folder, now=NOW)
        for f in folder.iterdir():
            f.unlink()


@pytest.mark.parametrize("fault", ["lost", "slow", "accepted_502"])
def test_an_email_the_provider_took_is_found_by_its_processed_event(con, cfg, gateway, secrets_env, receiver,
                                                                     tmp_path, fault):
    plan(con, 3, channel="email")
    gateway.inject(fault, slow_seconds=1.3)
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    assert con.execute("SELECT count(*) FROM contact_attempts WHERE outcome_unknown").fetchone()[0] == 1
    land(con, receiver, tmp_path)
    assert con.execute("SELECT count(*) FROM contact_attempts WHERE outcome_unknown").fetchone()[0] == 0
    again = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert sum(again.due.values()) == 0
    assert_exactly_once(con, gateway, 3)


def test_events_of_batch_mates_or_older_mails_prove_nothing(con, cfg, gateway, secrets_env, receiver, tmp_path):
    """Requests of the same batch may have been made after ours, and opens or deliveries of older
    mails go on for days: neither says the webhook has caught up past our request."""
    plan(con, 3, channel="email")
    gateway.inject("503")                       # the first one never reached SendGrid; its batch-mates did
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    land(con, receiver, tmp_path)
    again = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert again.reconciled.unknown["email"] == 1 and again.reconciled.resent["email"] == 0, str(again)
    assert gateway.stats()["accepted"] == 2


def test_an_email_the_provider_never_took_is_sent_again_once_later_events_arrived(con, cfg, gateway, secrets_env,
                                                                                   receiver, tmp_path):
    plan(con, 3, channel="email")
    gateway.inject("503")                       # the first one never reached SendGrid; later requests did
    dispatch_due(con, http_cfg(cfg, gateway, max_in_flight=1), NOW, batch_size=1)
    land(con, receiver, tmp_path)
    again = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert again.reconciled.resent["email"] == 1 and again.sent["email"] == 1, str(again)
    land(con, receiver, tmp_path)
    assert_exactly_once(con, gateway, 3)


def test_with_nothing_after_it_a_delivery_check_proves_the_webhook_is_caught_up(con, cfg, gateway, secrets_env,
                                                                                receiver, tmp_path):
    """The only e-mail of the pass got a 503: no event of anything after it can come. A canary to the
    lender's own address does, and then the e-mail is sent again; the canary is not a contact."""
    plan(con, 1, channel="email")
    gateway.inject("503")
    mail = http_cfg(cfg, gateway, reconcile_after_seconds=0, canary_to="checks@lender.example")
    dispatch_due(con, mail, NOW)
    second = dispatch_due(con, mail, NOW)
    assert second.reconciled.unknown["email"] == 1, str(second)
    error = con.execute("SELECT error FROM contact_attempts").fetchone()[0]
    assert "a delivery check was sent" in error
    canary = con.execute("SELECT canary_id, outcome, seen_at FROM provider_canaries").fetchall()
    assert len(canary) == 1 and canary[0][1] == "sent" and canary[0][2] is None
    dispatch_due(con, mail, NOW)                 # the check is in flight: not doubled
    assert con.execute("SELECT count(*) FROM provider_canaries").fetchone()[0] == 1
    land(con, receiver, tmp_path)
    assert con.execute("SELECT seen_at IS NOT NULL FROM provider_canaries").fetchone()[0]
    third = dispatch_due(con, mail, NOW)
    assert third.reconciled.resent["email"] == 1 and third.sent["email"] == 1, str(third)
    stats = gateway.stats()
    assert stats["accepted"] == 2 and stats["duplicates"] == 0           # the e-mail once, the check once
    assert "checks@lender.example" in {m["to"] for m in gateway.state.messages}


def test_without_a_delivery_check_address_it_says_how_to_conclude(con, cfg, gateway, secrets_env, receiver):
    plan(con, 1, channel="email")
    gateway.inject("503")
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW)
    assert "set providers.email.canary_to" in con.execute("SELECT error FROM contact_attempts").fetchone()[0]
    assert gateway.stats()["accepted"] == 0
