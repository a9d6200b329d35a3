"""A dispatch process killed mid-batch, secrets kept out of logs and artifacts, the rate limit."""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loan_comms import db
from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.paths import CONFIG_PATH, REPO_ROOT
from loan_comms.delivery.providers import build_provider
from loan_comms.delivery.providers.errors import DeliveryHalted
from loan_comms.delivery.providers.secrets import MissingSecret
from tests.builders import NOW, SG_KEY, SID, TOKEN, plan, statuses
from tests.delivery.test_http_faults import http_cfg

# reconcile_after_seconds = 0: the killed process is gone, so no request of its is still in flight.
SMS_TWILIO = '[providers.sms]\nkind = "twilio"\nfrom_number = "+12025550000"\nmax_in_flight = 4\nper_client = 2\n' \
             'timeout_seconds = 2.0\nbackoff_base_seconds = 0.01\nreconcile_after_seconds = 0\n'


def _config_file(tmp_path: Path, gateway_url: str) -> Path:
    text = CONFIG_PATH.read_text(encoding="utf-8")
    assert '[providers.sms]\nkind = "outbox"\n' in text
    path = tmp_path / "lifecycle.toml"
    path.write_text(text.replace('[providers.sms]\nkind = "outbox"\n',
                                 SMS_TWILIO + f'base_url = "{gateway_url}"\n'), encoding="utf-8")
    return path


def _dispatch_cmd(db_path: Path, config: Path) -> list[str]:
    return [sys.executable, "-m", "loan_comms.cli.delivery", "dispatch", "--db", str(db_path), "--config", str(config),
            "--now", NOW.isoformat(), "--batch-size", "50"]


@pytest.mark.slow
def test_kill_9_mid_batch_then_rerun_sends_each_contact_exactly_once(tmp_path, gateway, secrets_env):
    db_path = tmp_path / "crash.duckdb"
    con = db.connect(db_path)
    plan(con, 300)
    con.close()
    config = _config_file(tmp_path, gateway.url)
    gateway.inject(delay=0.01)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(_dispatch_cmd(db_path, config), env=env, cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while gateway.stats(full=False)["accepted"] < 120:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "dispatch never got going"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    accepted_at_kill = gateway.stats(full=False)["accepted"]

    con = db.connect(db_path)
    known_at_kill = con.execute("SELECT count(*) FROM contact_attempts WHERE status = 'sent' "
                                "AND NOT outcome_unknown").fetchone()[0]
    in_flight = con.execute("SELECT count(*) FROM contact_attempts WHERE outcome_unknown").fetchone()[0]
    con.close()
    assert known_at_kill < accepted_at_kill < 300      # killed with accepted-but-unrecorded messages in flight
    assert in_flight >= accepted_at_kill - known_at_kill, "claimed before sending: none of those is planned"

    rerun = subprocess.run(_dispatch_cmd(db_path, config), env=env, cwd=REPO_ROOT, capture_output=True, timeout=180)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]

    con = db.connect(db_path)
    stats = gateway.stats()
    assert set(statuses(con).values()) <= {"sent", "delivered"}   # delivered: Twilio's list said so
    assert stats["accepted"] == 300 and stats["duplicates"] == 0   # not one message twice, not one lost
    recorded = sorted(r[0] for r in con.execute("SELECT provider_message_id FROM contact_attempts").fetchall())
    assert recorded == sorted(i for ids in stats["by_attempt"].values() for i in ids)
    assert stats["lookups"] >= 1, "the in-flight ones were reconciled with Twilio's Message list"
    con.close()


def test_secrets_never_in_logs_errors_or_artifacts(con, cfg, gateway, secrets_env, caplog, capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    plan(con, 4)
    plan(con, 3, channel="email", start=50)
    plan(con, 1, start=90, phone="+1202")
    gateway.inject("500", "429", "lost", "reset", retry_after="0")
    cfg2 = http_cfg(cfg, gateway)
    try:
        report = dispatch_due(con, cfg2, NOW)
        first_halt = ""
    except DeliveryHalted as exc:   # the ambiguous faults may all land on one channel: an outage
        report, first_halt = exc.report, str(exc)
    assert sum(report.sent.values()) == 7
    # and a run with bad credentials, whose errors also go to the log
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "x" + TOKEN)
    plan(con, 2, start=70)
    with pytest.raises(DeliveryHalted) as halted:
        dispatch_due(con, cfg2, NOW)

    basic = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    artifacts = [caplog.text, str(report), json.dumps(report.as_dict()), *capsys.readouterr(), str(halted.value), first_halt,
                 repr(build_provider("sms", cfg2)), repr(build_provider("email", cfg2)),
                 json.dumps(con.execute("SELECT * FROM contact_attempts").fetchall(), default=str)]
    assert "HTTP Request" in caplog.text                  # the requests were logged (providers/http.py)...
    for text in artifacts:
        for secret in (SID, TOKEN, SG_KEY, basic, "x" + TOKEN):
            assert secret not in text
        assert "+1202555" not in text                     # no phone numbers either


def test_missing_secret_names_the_variable_not_a_value(cfg, gateway, secrets_env, monkeypatch):
    monkeypatch.delenv("SENDGRID_API_KEY")
    with pytest.raises(MissingSecret, match="SENDGRID_API_KEY"):
        build_provider("email", http_cfg(cfg, gateway))


def test_base_url_alone_points_a_channel_at_a_gateway(cfg, gateway, secrets_env, monkeypatch):
    monkeypatch.setenv("LOAN_COMMS_SMS_BASE_URL", gateway.url)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+12025550000")
    assert build_provider("sms", cfg).name == "twilio"
    assert build_provider("email", cfg).name == "outbox"        # the default stays the outbox
    assert build_provider("call", cfg).name == "outbox"


def test_rate_limit_is_respected_at_the_gateway(con, cfg, gateway, secrets_env):
    rate, n = 20.0, 30
    plan(con, n)
    cfg2 = http_cfg(cfg, gateway, rate_per_second=rate, max_in_flight=8)
    dispatch_due(con, cfg2, NOW)
    times = sorted(gateway.stats()["accept_times"])
    assert len(times) == n
    # no one-second window holds more than rate (+1 for the window edges)...
    busiest = max(sum(1 for t in times if s <= t < s + 1.0) for s in times)
    assert busiest <= rate + 1
    # ...and n sends needed at least (n - 1) / rate seconds (10% tolerance for clock granularity)
    assert times[-1] - times[0] >= 0.9 * (n - 1) / rate
