"""Task: the simulated borrowers react to one day's contacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from loan_comms.simulation.borrowers import BehaviourReport, draw_behaviour, take_plans
from tasks.common import config, open_db


@task(name="simulate-borrowers", cache_policy=NO_CACHE)
def simulate_borrowers(db_path: str, as_of: date, seed: int, workdir: str,
                       config_path: str | None = None) -> BehaviourReport:
    cfg = config(config_path)
    with open_db(db_path) as con:
        report = draw_behaviour(con, cfg, as_of, seed, Path(workdir))
    get_run_logger().info("%s", report)
    return report


@task(name="borrowers-take-plans", cache_policy=NO_CACHE)
def borrowers_take_plans(db_path: str, as_of: date, seed: int, workdir: str, config_path: str | None = None) -> str:
    """The demo's only borrower reaction: plans offered that day are taken, reviewed and paid (or broken)."""
    cfg = config(config_path)
    with open_db(db_path) as con:
        line, payments = take_plans(con, cfg, as_of, seed, Path(workdir))
    get_run_logger().info("%s: %s; %d plan payments scheduled", as_of, line, payments)
    return line
