"""A pass that runs long never sends a contact after its window closed."""

from __future__ import annotations

from datetime import timedelta

from loan_comms.delivery.dispatch import dispatch_due
from tests.builders import NOW, plan, statuses
from tests.delivery.test_http_faults import http_cfg


def test_window_closing_during_a_pass_stops_those_contacts(con, cfg, gateway, secrets_env):
    plan(con, 4, priority=9)                                             # go first, windows open all day
    late = plan(con, 3, start=10, priority=1, send_before=NOW + timedelta(seconds=1))
    cfg2 = http_cfg(cfg, gateway, rate_per_second=2.0)                   # 4 sends take >= 1.5 s
    report = dispatch_due(con, cfg2, NOW, batch_size=4)
    st = statuses(con)
    assert all(st[a] == "planned" for a in late)
    assert report.sent["sms"] == 4 and gateway.stats()["accepted"] == 4
    nxt = dispatch_due(con, cfg2, NOW + timedelta(seconds=2))
    assert nxt.window_missed == 3
