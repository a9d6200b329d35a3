"""Contacts lost to a provider outage are counted as lost: kept error, day summary, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loan_comms.audit import run_audit
from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.delivery.providers.errors import DeliveryHalted
from loan_comms.ops.report import day_summary
from tests.builders import CLOSES, DAY, NOW, plan, with_providers
from tests.delivery.test_http_faults import FAST, http_cfg

AFTER_CLOSE = CLOSES + timedelta(minutes=1)


def _decided(con) -> None:
    """The fixture's rows as the planner records them: rule and policy version named."""
    con.execute("UPDATE contact_attempts SET decided_by_rule = 'allowed', policy_version = 'test@1'")


def _nothing_lost(con, cfg):
    return run_audit(con, cfg, now=AFTER_CLOSE, show=50).rule("nothing_lost")


def test_a_normal_day_loses_nothing(con, cfg, gateway, secrets_env):
    plan(con, 4)
    _decided(con)
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    dispatch_due(con, http_cfg(cfg, gateway), AFTER_CLOSE)
    rule = _nothing_lost(con, cfg)
    assert rule.ok and rule.checked == 4, rule.rows
    t = day_summary(con, DAY).totals()
    assert t["lost"] == 0 and t["sent"] == 4
    assert "LOST" not in day_summary(con, DAY).one_line()


def test_an_outage_all_day_is_lost_in_the_summary_and_fails_the_audit(con, cfg, secrets_env):
    """Issue 9.2: an SMS provider where nothing listens, all day."""
    plan(con, 12)
    plan(con, 2, start=50, send_before=NOW - timedelta(minutes=5))    # an ordinary window_missed
    _decided(con)
    down = with_providers(cfg, sms=dict(kind="twilio", base_url="http://127.0.0.1:9", from_number="+12025550000",
                                        **FAST))
    with pytest.raises(DeliveryHalted, match="sms provider twilio is down"):
        dispatch_due(con, down, NOW, batch_size=5)
    closing = dispatch_due(con, down, AFTER_CLOSE)          # the re-check marks them window_missed
    assert closing.window_missed == 12

    rows = con.execute("SELECT suppressed_reason, error FROM contact_attempts WHERE borrower_id < 'B00050'").fetchall()
    assert all(r[0] == "window_missed" and r[1] for r in rows), "the re-check keeps the last send error"

    summary = day_summary(con, DAY)
    t = summary.totals()
    assert t["lost"] == 12 and t["suppressed"] == 14
    reasons = {r["reason"]: r["contacts"] for r in summary.suppressed}
    assert reasons == {"lost to delivery failures": 12, "window_missed": 2}
    assert "LOST to delivery failures 12" in summary.one_line()
    assert "**12** lost to delivery failures" in summary.markdown()

    rule = _nothing_lost(con, cfg)
    assert not rule.ok and rule.violations == 12
    assert all(r["violation"].startswith("lost to a delivery failure") for r in rule.rows)
    assert "+1202555" not in repr(rule.rows)
