"""Prefect settings for running flows from the command line in local (ephemeral) mode.

Must run before `import prefect`. Keeps Prefect's state under the repo's ignored data/ folder,
turns off telemetry, and hides the harmless event-flush errors the temporary server prints on
shutdown, so a person running the demo sees the demo, not Prefect's plumbing.

No orphans: in local mode Prefect starts its temporary API server as a child process and stops
it at exit (atexit). A SIGTERM or SIGHUP would skip atexit, so `stop_on_signals` turns them into a
normal exit; a kill -9 skips everything, so the child is started with a parent-death signal
(Linux `prctl(PR_SET_PDEATHSIG)`) and stops as soon as the CLI process is gone.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from types import SimpleNamespace
from typing import Any, Callable

from loan_comms.paths import DATA_DIR


class _DropShutdownNoise(logging.Filter):
    NOISE = ("Error flushing", "EventsWorker", "Service 'EventsWorker'", "Failed to send events")

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not any(n in msg for n in self.NOISE)


def configure(quiet: bool = True) -> None:
    home = os.environ.setdefault("PREFECT_HOME", str(DATA_DIR / "prefect-home"))
    os.makedirs(home, exist_ok=True)  # Prefect does not create missing parents itself
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if quiet:
        # Flow and task logs still reach the Prefect API (and the UI); the console shows warnings.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    noise = _DropShutdownNoise()
    for name in ("prefect", "prefect.events", "prefect._internal", "prefect.server", "uvicorn.error", ""):
        logging.getLogger(name).addFilter(noise)
    if _ephemeral():
        _server_dies_with_us()


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP end the CLI like Ctrl-C does (exit code 128+signal), so Prefect's exit
    hook stops its temporary server instead of leaving it running."""
    def _exit(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _exit)


def _ephemeral() -> bool:
    """True when flows will talk to a temporary server this process starts (no PREFECT_API_URL)."""
    if os.environ.get("PREFECT_API_URL"):
        return False
    from prefect.settings import get_current_settings

    return not get_current_settings().api.url


PR_SET_PDEATHSIG = 1


def _server_dies_with_us() -> None:
    """Start Prefect's temporary server with a parent-death signal, so it stops even when this
    process is killed with -9. Patches only how `SubprocessASGIServer` calls `subprocess.Popen`
    (prefect 3.8.8, prefect/server/api/server.py); anything unexpected leaves Prefect as it is."""
    if not sys.platform.startswith("linux"):
        return
    try:
        from prefect.server.api import server
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):
        return
    if isinstance(getattr(server, "subprocess", None), SimpleNamespace):
        return  # already done in this process

    class Popen(subprocess.Popen[Any]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # The signal comes when the *thread* that forked ends: ask for it from the main thread only.
            if threading.current_thread() is threading.main_thread() and "preexec_fn" not in kwargs:
                kwargs["preexec_fn"] = _die_with(prctl, os.getpid())
            super().__init__(*args, **kwargs)

    # setattr: a deliberate patch of a module attribute prefect does not export.
    setattr(server, "subprocess", SimpleNamespace(**{**vars(subprocess), "Popen": Popen}))


def _die_with(prctl: Callable[..., int], parent: int) -> Callable[[], None]:
    def preexec() -> None:  # runs in the child between fork and exec
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)
    return preexec
