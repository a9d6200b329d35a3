"""A killed CLI run leaves no Prefect server behind (it would hold a port and memory forever)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from loan_comms import db
from loan_comms.book.synthetic import generate_book


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process, None once it is gone (a zombie counts as gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]
    return None if state in ("Z", "X") else (state, int(ppid))


def descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))):
            parents[int(entry)] = st[1]
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and the Linux parent-death signal")
def test_kill_9_of_run_days_leaves_no_prefect_server(tmp_path):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=60, seed=3, start=date(2026, 11, 1))
    con.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    cli = subprocess.Popen([sys.executable, "-m", "loan_comms", "run-days", "--start", "2026-11-01", "--days", "90",
                            "--db", str(path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and cli.poll() is None:
            children = descendants(cli.pid)
            if any("uvicorn" in _cmdline(c) for c in children):
                break
            time.sleep(0.2)
        assert any("uvicorn" in _cmdline(c) for c in children), "the CLI never started Prefect's server"
        time.sleep(1)  # let it get going
        children = descendants(cli.pid)
        os.kill(cli.pid, signal.SIGKILL)
        cli.wait(30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_stat(c) for c in children):
            time.sleep(0.2)
        survivors = {c: _cmdline(c) for c in children if _stat(c)}
        assert not survivors, f"still running after the CLI was killed: {survivors}"
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait(30)
        for c in children:
            if _stat(c):
                os.kill(c, signal.SIGKILL)


def test_sigterm_exits_through_the_exit_hooks(tmp_path):
    """SIGTERM ends the CLI like Ctrl-C does, so Prefect's exit hook stops its server (no Prefect
    started here: the hook is a stand-in)."""
    marker = tmp_path / "hooks-ran"
    code = ("import atexit, os, signal, sys, time\n"
            "from loan_comms.ops.prefect_env import stop_on_signals\n"
            "stop_on_signals()\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
            "os.kill(os.getpid(), signal.SIGTERM)\n"
            "time.sleep(30)\n")
    out = subprocess.run([sys.executable, "-c", code], timeout=60)
    assert out.returncode == 128 + signal.SIGTERM
    assert marker.exists()
