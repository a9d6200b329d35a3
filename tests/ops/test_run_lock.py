"""Two runs on one database never overlap: the second waits, or gives up with a clear message."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

from loan_comms.ops.run_lock import RunLockTimeout, holder, run_lock


def _hold(db_path: str, seconds: float, ready) -> None:
    with run_lock(db_path, "daily-plan 2026-11-05 (scheduled)"):
        ready.set()
        time.sleep(seconds)
        open(db_path + ".done", "w").close()  # still holding the lock


@contextmanager
def other_run(db: str, seconds: float, *, stop: bool = False) -> Iterator[None]:
    """Another process holding the run lock for `seconds` (stopped at the end when `stop`)."""
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    other = ctx.Process(target=_hold, args=(db, seconds, ready))
    other.start()
    try:
        assert ready.wait(60)
        yield
    finally:
        if stop:
            other.terminate()
        other.join(30)


def test_a_second_process_waits_for_the_first_then_runs(tmp_path):
    db = str(tmp_path / "book.duckdb")
    with other_run(db, 1.5):
        waits: list[str] = []
        with run_lock(db, "daily-plan 2026-11-05 (manual)", timeout_s=60, poll_s=0.1, on_wait=waits.append):
            assert os.path.exists(db + ".done"), "we only got the lock once the other run had finished"
        assert len(waits) == 1 and "in use by daily-plan 2026-11-05 (scheduled)" in waits[0]


def test_giving_up_names_the_run_that_holds_the_database(tmp_path):
    db = str(tmp_path / "book.duckdb")
    with other_run(db, 5, stop=True):
        with pytest.raises(RunLockTimeout) as err:
            with run_lock(db, "dispatch", timeout_s=0.3, poll_s=0.1, on_wait=lambda m: None):
                pytest.fail("must not get the lock")
        msg = str(err.value)
        assert "dispatch: gave up after" in msg and "daily-plan 2026-11-05 (scheduled)" in msg
        assert "Nothing was sent by this run" in msg


def test_threads_of_one_process_are_serialised_too(tmp_path):
    db = str(tmp_path / "book.duckdb")
    inside, overlaps = [0], []

    def work() -> None:
        with run_lock(db, "t", timeout_s=30, poll_s=0.01, on_wait=lambda m: None):
            inside[0] += 1
            overlaps.append(inside[0])
            time.sleep(0.05)
            inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [1, 1, 1, 1]
    assert holder(db)["what"] == "t"


def test_the_lock_is_released_when_the_run_fails(tmp_path):
    db = str(tmp_path / "book.duckdb")
    with pytest.raises(ValueError):
        with run_lock(db, "first"):
            raise ValueError("boom")
    with run_lock(db, "second", timeout_s=0):
        pass


def test_an_in_memory_database_needs_no_lock():
    with run_lock(":memory:", "x", timeout_s=0):
        pass


def _import(db_path: str):
    from typer.testing import CliRunner

    from loan_comms.cli import _mount, app
    from loan_comms.paths import REPO_ROOT

    _mount()
    return CliRunner().invoke(app, ["import", str(REPO_ROOT / "examples" / "loan_book.csv"), "--db", db_path])


def test_import_waits_for_a_run_in_progress(tmp_path):
    db = str(tmp_path / "book.duckdb")
    with other_run(db, 1.5):
        result = _import(db)
        assert result.exit_code == 0, result.output
        assert "import loan_book.csv: waiting for book.duckdb, in use by daily-plan 2026-11-05 (scheduled)" \
            in result.output
        assert os.path.exists(db + ".done"), "the import only ran once the other run had finished"


def test_giving_up_is_one_line_from_the_cli(tmp_path, monkeypatch):
    import loan_comms.ops.run_lock as rl

    db = str(tmp_path / "book.duckdb")
    with other_run(db, 5, stop=True):
        monkeypatch.setattr(rl, "DEFAULT_TIMEOUT_S", 0.3)
        result = _import(db)
        assert result.exit_code == 1
        last = result.output.strip().splitlines()[-1]
        assert last.startswith("loan-comms: import loan_book.csv: gave up after 0s waiting for book.duckdb")
        assert not os.path.exists(db), "nothing written"
