"""A provider that is not configured ends `dispatch`, `run-day` and `simulate` with one line naming
the setting and how to set it, exit 1, no traceback (issue 13), as a user running the installed
command sees it: each runs in its own process, Prefect's console handlers included."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from loan_comms import db
from loan_comms.book.synthetic import generate_book
from loan_comms.paths import REPO_ROOT
from tests.builders import NOW, SID, TOKEN, plan

pytestmark = pytest.mark.slow

FROM_NUMBER_LINE = ("loan-comms: dispatch stopped: sms provider twilio is not configured: providers.sms.from_number: "
                    "Twilio needs a sender; set from_number (or messaging_service_sid) under [providers.sms] in the "
                    "lifecycle config, or TWILIO_FROM_NUMBER in the environment")


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LOAN_COMMS_", "TWILIO_", "SENDGRID_", "PREFECT_API_URL"))}
    env.update(PYTHONPATH=str(REPO_ROOT), PREFECT_HOME=str(tmp_path / "prefect-home"),
               LOAN_COMMS_SMS_BASE_URL="http://127.0.0.1:9", TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN,
               **extra)
    return env


def _run(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loan_comms", *args], env=_env(tmp_path, **env), cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)


def _one_line(out: subprocess.CompletedProcess[str], line: str) -> None:
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    *before, last = out.stderr.strip().splitlines()
    assert last == line, out.stderr
    # the only other line: the failure alert, printed when no alert webhook is configured
    assert all(b.startswith("alert (no webhook configured") for b in before), out.stderr


def test_dispatch_without_a_sender_is_one_line(tmp_path):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    plan(con, 3)
    con.close()
    out = _run(tmp_path, "dispatch", "--db", str(path), "--now", NOW.isoformat())
    _one_line(out, FROM_NUMBER_LINE)
    assert "HALTED sms" in out.stdout


def test_dispatch_without_the_account_secret_is_one_line(tmp_path):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    plan(con, 3)
    con.close()
    env = _env(tmp_path, TWILIO_FROM_NUMBER="+12025550000")
    del env["TWILIO_ACCOUNT_SID"]
    out = subprocess.run([sys.executable, "-m", "loan_comms", "dispatch", "--db", str(path), "--now", NOW.isoformat()],
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    _one_line(out, "loan-comms: dispatch stopped: sms provider twilio is not configured: providers.sms (twilio): "
                   "set environment variable TWILIO_ACCOUNT_SID")


def test_run_day_without_a_sender_is_one_line(tmp_path):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=20, seed=7, start=date(2026, 11, 1))
    con.close()
    _one_line(_run(tmp_path, "run-day", "--as-of", "2026-11-01", "--db", str(path)), FROM_NUMBER_LINE)


def test_simulate_without_a_sender_is_one_line(tmp_path):
    out = _run(tmp_path, "simulate", "--loans", "20", "--days", "1", "--db", str(tmp_path / "sim.duckdb"),
               "--no-audit")
    _one_line(out, FROM_NUMBER_LINE)
