"""The dispatch command is loud when a provider is down: exit 1, one line, no traceback."""

from __future__ import annotations

import os
import subprocess

from loan_comms import db
from loan_comms.paths import REPO_ROOT
from tests.builders import plan
from tests.ops.test_alerting import Hook
from tests.delivery.test_crash_secrets_rate import _config_file, _dispatch_cmd


def test_dispatch_against_a_dead_port_exits_1_with_one_line(tmp_path, secrets_env):
    db_path = tmp_path / "down.duckdb"
    con = db.connect(db_path)
    plan(con, 20)
    con.close()
    config = _config_file(tmp_path, "http://127.0.0.1:9")
    hook = Hook()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "LOAN_COMMS_ALERT_WEBHOOK_URL": hook.url}
    try:
        out = subprocess.run(_dispatch_cmd(db_path, config), env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                             timeout=120)
        [alert] = hook.bodies                      # the command runs no flow: it posts the alert itself
        assert alert["flow"] == "dispatch (CLI)" and "sms provider twilio is down" in alert["text"]
    finally:
        hook.close()
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr and "failed 0" not in out.stdout + out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("loan-comms: dispatch stopped: sms provider twilio is down: ")
    assert "HALTED sms" in out.stdout


def test_run_day_line_never_says_failed_0_when_contacts_were_lost():
    from loan_comms.cli.days import _failed_part

    assert _failed_part({"failed": 0, "lost": 0}) == "failed 0"
    assert _failed_part({"failed": 0, "lost": 622}) == "failed 622 (622 lost to delivery failures)"
    assert _failed_part({"failed": 3, "lost": 2}) == "failed 5 (2 lost to delivery failures)"
