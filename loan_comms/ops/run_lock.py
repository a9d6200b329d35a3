"""One writer per database: a scheduled run and a manual run of the same day never overlap.

DuckDB lets only one process open a file for writing, so a second run would crash on open; and two
runs in one process (threads) could both pick the same planned rows and send them twice. Both are
prevented by an exclusive lock on `<db>.lock` taken for the whole run: the second run waits (with
a timeout and an operator-readable message) instead of crashing or double-sending.

Where a Prefect server is around, flows also hold a slot of the global concurrency limit
`loan-comms-db` (created by `make ui`), so the UI shows who is waiting for whom.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from loan_comms.errors import LoanCommsError

log = logging.getLogger(__name__)

PREFECT_LIMIT = "loan-comms-db"
DEFAULT_TIMEOUT_S = float(os.environ.get("LOAN_COMMS_LOCK_TIMEOUT_SECONDS", "1800"))


class RunLockTimeout(LoanCommsError, RuntimeError):
    """Another run kept the database for longer than we were willing to wait."""


def lock_path(db_path: str | Path) -> Path | None:
    """The lock file beside the database (None for an in-memory database: nothing to share)."""
    if str(db_path) == ":memory:":
        return None
    p = Path(db_path).resolve()
    return p.with_name(p.name + ".lock")


def holder(db_path: str | Path) -> dict[str, Any] | None:
    """Who holds (or last held) the lock: {"what", "pid", "host", "since"}; None if unknown."""
    p = lock_path(db_path)
    try:
        return json.loads(p.read_text(encoding="utf-8")) if p else None
    except (OSError, ValueError):
        return None


@contextmanager
def run_lock(db_path: str | Path, what: str, *, timeout_s: float | None = None, poll_s: float = 0.5,
             on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the database's exclusive run lock for the block; wait up to `timeout_s` for it.

    `what` names the run for whoever has to wait ("daily-plan 2026-11-05"). `on_wait` gets one
    readable message when we start waiting (flows pass their logger). Raises RunLockTimeout.
    """
    path = lock_path(db_path)
    if path is None:
        yield
        return
    timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                other = holder(db_path) or {}
                if not told:
                    msg = (f"{what}: waiting for {Path(db_path).name}, in use by "
                           f"{other.get('what', 'another run')} (pid {other.get('pid', '?')}, since "
                           f"{other.get('since', '?')}); will wait up to {timeout_s:.0f}s")
                    (on_wait or log.warning)(msg)
                    told = True
                if time.monotonic() >= deadline:
                    raise RunLockTimeout(
                        f"{what}: gave up after {timeout_s:.0f}s waiting for {Path(db_path).name}, still in use by "
                        f"{other.get('what', 'another run')} (pid {other.get('pid', '?')}). Nothing was sent by "
                        "this run; run it again when the other one has finished.") from None
                time.sleep(poll_s)
        info = {"what": what, "pid": os.getpid(), "host": socket.gethostname(),
                "since": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def prefect_slot(what: str, *, timeout_s: float | None = None, limit: str = PREFECT_LIMIT) -> Iterator[bool]:
    """Hold one slot of Prefect's global concurrency limit `limit` when a server is reachable.

    Yields True when a slot is held. A missing limit or an unreachable API is not fatal (the file
    lock still protects the data); only a timeout while another run holds the slot is.
    """
    timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    try:
        from prefect.concurrency.sync import concurrency
        cm = concurrency(limit, occupy=1, timeout_seconds=timeout_s, strict=False)
        cm.__enter__()
    except TimeoutError:
        raise RunLockTimeout(f"{what}: gave up after {timeout_s:.0f}s waiting for a slot of the Prefect "
                             f"concurrency limit {limit!r}; another loan-comms run is still going.") from None
    except Exception as exc:  # no server, no limit: the file lock alone guards the database
        log.info("%s: Prefect concurrency limit %r not used (%s)", what, limit, type(exc).__name__)
        yield False
        return
    try:
        yield True
    except BaseException as exc:
        if not cm.__exit__(type(exc), exc, exc.__traceback__):
            raise
    else:
        cm.__exit__(None, None, None)


@contextmanager
def exclusive_run(db_path: str | Path, what: str, *, timeout_s: float | None = None,
                  on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Both guards: the Prefect slot (if a server is reachable), then the database's file lock."""
    with prefect_slot(what, timeout_s=timeout_s), run_lock(db_path, what, timeout_s=timeout_s, on_wait=on_wait):
        yield
