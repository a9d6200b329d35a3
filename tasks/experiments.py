"""Tasks: the experiments' guardrails (stop an arm that makes borrowers complain or opt out more, alert)
and their readouts as markdown artifacts. Thin wrappers over loan_comms.experiments."""

from __future__ import annotations

import re
from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from loan_comms.experiments.guardrails import guard, stops_markdown
from loan_comms.experiments.readout import readout
from loan_comms.ops.alerting import webhook_url
from tasks.common import config, open_db


def artifact_key(name: str) -> str:
    """`experiment-<name>` as an artifact key (lowercase letters, digits and dashes)."""
    return "experiment-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _run_name() -> str | None:
    try:
        from prefect.runtime import flow_run

        return str(flow_run.name) if flow_run.name else None
    except Exception:
        return None


@task(name="check-experiment-guardrails", cache_policy=NO_CACHE, timeout_seconds=600, retries=0)
def check_experiment_guardrails(db_path: str, as_of: date, flow_name: str, config_path: str | None = None) -> int:
    """Check the running experiments' guardrails with the events up to `as_of`; an arm that fires is
    stopped from the next day's plan, operations get an alert and the run an artifact. Returns how
    many arms were stopped (0 on a re-run)."""
    cfg = config(config_path)
    with open_db(db_path) as con:
        stops = guard(con, cfg, as_of, flow=flow_name, run=_run_name(), url=webhook_url(cfg))
    logger = get_run_logger()
    for s in stops:
        logger.warning("%s", s.line())
    if stops:
        create_markdown_artifact(key=f"experiment-guardrails-{as_of.isoformat()}", markdown=stops_markdown(stops, as_of),
                                 description=f"experiment arms stopped by a guardrail on {as_of}")
    else:
        logger.info("experiment guardrails %s: no arm stopped", as_of)
    return len(stops)


@task(name="publish-experiment-readouts", cache_policy=NO_CACHE, timeout_seconds=900)
def publish_experiment_readouts(db_path: str, as_of: date, config_path: str | None = None) -> list[str]:
    """One markdown artifact per started experiment (key `experiment-<name>`): the arms side by side
    with their intervals and the verdicts. Returns the verdict sentences."""
    cfg = config(config_path)
    with open_db(db_path) as con:
        found = readout(con, cfg, as_of)
    verdicts: list[str] = []
    for r in found:
        create_markdown_artifact(key=artifact_key(r.name), markdown=r.markdown(),
                                 description=f"experiment {r.name}: outcomes per arm as of {as_of}")
        verdicts += r.verdicts
    for v in verdicts:
        get_run_logger().info("experiment %s", v)
    return verdicts
