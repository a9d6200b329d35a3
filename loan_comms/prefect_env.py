"""Prefect settings for running flows from the command line in local (ephemeral) mode.

Must run before `import prefect`. Keeps Prefect's state under the repo's ignored data/ folder,
turns off telemetry, and hides the harmless event-flush errors the temporary server prints on
shutdown, so a person running the demo sees the demo, not Prefect's plumbing.
"""

from __future__ import annotations

import logging
import os

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
