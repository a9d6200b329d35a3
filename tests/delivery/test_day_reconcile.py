"""A simulated day settles its unknown sends inside the day: it passes again `retry_minutes` later,
waits for the provider's `reconcile_after_seconds` (the provider keeps the wall clock), reconciles,
and sends again what the provider never got. Counted by the gateway."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from loan_comms.delivery.day_dispatch import dispatch_day, next_instant
from loan_comms.delivery.providers.base import effective_provider_config
from loan_comms.delivery.providers.http import ProviderConfigError
from tests.builders import CLOSES, DAY, OPENS, plan
from tests.delivery.test_http_faults import assert_exactly_once, http_cfg


def test_a_day_sends_again_what_the_provider_never_got_exactly_once(con, cfg, gateway, secrets_env):
    plan(con, 6)
    gateway.inject("503", "lost", "reset", "slow", slow_seconds=1.3)
    t0 = time.monotonic()
    reports = dispatch_day(con, http_cfg(cfg, gateway, reconcile_after_seconds=0.5), DAY)
    assert len(reports) >= 2, [str(r) for r in reports]
    first, second = reports[0], reports[1]
    assert first.now == OPENS and second.now == OPENS + timedelta(minutes=cfg.dispatch.retry_minutes)
    assert sum(first.unknown.values()) == 4
    assert second.reconciled.found["sms"] == 2 and second.reconciled.resent["sms"] == 2, str(second)
    assert time.monotonic() - t0 >= 0.5, "waited for the provider before concluding absence"
    assert_exactly_once(con, gateway, 6)
    resends = con.execute("SELECT sum(resends) FROM contact_attempts").fetchone()[0]
    assert resends == 2


def test_nothing_to_settle_adds_no_pass(con, cfg):
    plan(con, 3)
    con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after")
    assert next_instant(con, DAY, OPENS) == CLOSES                      # only the day's final pass
    con.execute("UPDATE contact_attempts SET outcome_unknown = true, provider = 'webhook'")
    assert next_instant(con, DAY, OPENS) == CLOSES, "a provider that cannot be asked: nothing to wait for"
    con.execute("UPDATE contact_attempts SET provider = 'twilio'")
    assert next_instant(con, DAY, OPENS) == OPENS + timedelta(minutes=15)


def test_a_contact_left_planned_gets_a_retry_pass_inside_its_window(con, cfg):
    plan(con, 1)
    assert next_instant(con, DAY, OPENS, 15) == OPENS + timedelta(minutes=15)   # still due, window open
    assert next_instant(con, DAY, OPENS, 20) == OPENS + timedelta(minutes=20)


def test_provider_settings_from_the_environment(cfg, monkeypatch):
    monkeypatch.setenv("LOAN_COMMS_SMS_SETTINGS", json.dumps({"timeout_seconds": 2, "reconcile_after_seconds": 30}))
    pcfg = effective_provider_config("sms", cfg)
    assert pcfg.model_extra["timeout_seconds"] == 2 and pcfg.model_extra["reconcile_after_seconds"] == 30
    monkeypatch.setenv("LOAN_COMMS_SMS_SETTINGS", "[1, 2]")
    with pytest.raises(ProviderConfigError, match=r"^LOAN_COMMS_SMS_SETTINGS: must be a JSON object"):
        effective_provider_config("sms", cfg)
    monkeypatch.setenv("LOAN_COMMS_SMS_SETTINGS", json.dumps({"kind": "carrier-pigeon"}))
    with pytest.raises(ProviderConfigError, match=r"^LOAN_COMMS_SMS_SETTINGS: kind: "):
        effective_provider_config("sms", cfg)


def test_a_remote_provider_blowing_up_mid_batch_leaves_unknown_not_planned(con, cfg, gateway, secrets_env,
                                                                           monkeypatch):
    """It may have sent some before it failed: planned again would send those twice."""
    from loan_comms.delivery.dispatch import dispatch_due
    from loan_comms.delivery.providers.twilio import TwilioProvider
    from tests.builders import NOW

    plan(con, 3)

    async def boom(self, messages):
        raise RuntimeError("a bug after some requests")

    monkeypatch.setattr(TwilioProvider, "send", boom)
    report = dispatch_due(con, http_cfg(cfg, gateway), NOW)
    rows = con.execute("SELECT status, outcome_unknown, error FROM contact_attempts").fetchall()
    assert all(r[:2] == ("sent", True) and r[2].startswith("provider error") for r in rows), rows
    assert sum(report.unknown.values()) == 3


def test_a_day_pass_leaves_other_days_unknown_sends_alone(con, cfg, gateway, secrets_env):
    """A simulated day re-checks and sends only its own contacts: putting another day's unknown send
    back to planned would leave it planned forever (that day is finished)."""
    from datetime import date

    from loan_comms.delivery.dispatch import dispatch_due
    from tests.builders import NOW

    [aid] = plan(con, 1)
    gateway.inject("503")
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    other = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW, day=date(2026, 11, 11))
    assert not other.reconciled
    assert con.execute("SELECT status, outcome_unknown FROM contact_attempts").fetchone() == ("sent", True)
    own = dispatch_due(con, http_cfg(cfg, gateway, reconcile_after_seconds=0), NOW, day=DAY)
    assert own.reconciled.resent["sms"] == 1 and own.sent["sms"] == 1
