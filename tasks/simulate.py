"""Task: the simulated borrowers react to one day's contacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from loan_comms.simulation.borrowers import BehaviourReport, draw_behaviour
from tasks.common import config, open_db


@task(name="simulate-borrowers", cache_policy=NO_CACHE)
def simulate_borrowers(db_path: str, as_of: date, seed: int, workdir: str,
                       config_path: str | None = None) -> BehaviourReport:
    cfg = config(config_path)
    with open_db(db_path) as con:
        report = draw_behaviour(con, cfg, as_of, seed, Path(workdir))
    get_run_logger().info("%s", report)
    return report
