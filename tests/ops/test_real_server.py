"""CI check with a real Prefect server: what `make ui` does, end to end, on a loopback port.

Starts `prefect server start` in a temporary PREFECT_HOME, creates the process work pool,
registers every deployment of prefect.yaml with `prefect deploy --all`, triggers one "daily-plan"
run on a small generated book, lets a worker run it, and checks it COMPLETED with its summary
artifact. Everything it started is stopped, whatever happens.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from loan_comms import db
from loan_comms.paths import REPO_ROOT
from loan_comms.book.synthetic import generate_book

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
POOL = "loan-comms-local"
DAY = date(2026, 11, 9)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Background processes in their own process groups, all stopped on close()."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.procs = env, logs, []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "w")
        p = subprocess.Popen(args, cwd=REPO_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        return p

    def run(self, *args: str, timeout: float = 120) -> str:
        res = subprocess.run(args, cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)
        assert res.returncode == 0, f"{' '.join(args[1:3])} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
        return res.stdout

    def close(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for p in reversed(self.procs):
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)

    def tail(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def wait_for(what: str, check, timeout: float, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def test_make_ui_path_deploys_and_a_worker_completes_a_daily_plan_run(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": api,
           "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_CLI_PROMPT": "false"}
    env.pop("PREFECT_API_KEY", None)
    (tmp_path / "prefect").mkdir()
    book = tmp_path / "book.duckdb"
    con = db.connect(book)
    generate_book(con, loans=200, seed=7, start=date(2026, 11, 1))
    con.close()

    procs = Processes(env, tmp_path)
    try:
        server = procs.start("server", str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port))

        def healthy() -> bool:
            assert server.poll() is None, f"the server exited:\n{procs.tail('server')}"
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for("the Prefect server", healthy, 150)
        procs.run(str(BIN / "prefect"), "work-pool", "create", POOL, "--type", "process")
        procs.run(str(BIN / "prefect"), "gcl", "create", "loan-comms-db", "--limit", "1")
        out = procs.run(sys.executable, "scripts/prefect_cli.py", "--no-prompt", "deploy", "--all", timeout=180)
        assert out.count("successfully created") >= 5, out[-2000:]

        with httpx.Client(base_url=api, timeout=30) as client:
            deps = client.post("/deployments/filter", json={}).json()
            assert {d["name"] for d in deps} >= {"daily-plan", "dispatch-hourly", "call-queue", "ingest-inbox"}
            assert all(d["schedules"] for d in deps), "every deployment is registered with its schedule"
            dep = client.get("/deployments/name/daily-plan/daily-plan").json()
            run = client.post(f"/deployments/{dep['id']}/create_flow_run", json={
                "parameters": {"as_of": DAY.isoformat(), "db_path": str(book)}}).json()

            worker = procs.start("worker", str(BIN / "prefect"), "worker", "start", "--pool", POOL)

            def finished():
                assert worker.poll() is None, f"the worker exited:\n{procs.tail('worker')}"
                state = client.get(f"/flow_runs/{run['id']}").json()["state"]
                return state if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

            state = wait_for("the daily-plan run", finished, 240, every=2)
            assert state["type"] == "COMPLETED", f"{state}\n{procs.tail('worker')}"
            arts = client.post("/artifacts/filter", json={
                "artifacts": {"key": {"any_": [f"day-summary-{DAY}"]}}, "limit": 5}).json()
            assert arts and "Plan for 2026-11-09" in arts[0]["data"]

        con = db.connect(book, read_only=True)
        planned = con.execute("SELECT count(*) FROM contact_attempts WHERE planned_for_date = $d", {"d": DAY}).fetchone()[0]
        con.close()
        assert planned > 0, "the run planned the day in the book it was given"
    finally:
        procs.close()
    assert all(p.poll() is not None for p in procs.procs), "everything started was stopped"
