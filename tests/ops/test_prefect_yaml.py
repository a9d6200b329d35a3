"""prefect.yaml is what `make ui` registers: every deployment must load, schedule and run as written."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import pytest
import yaml

from loan_comms.paths import REPO_ROOT

SPEC = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
DEPLOYMENTS = SPEC["deployments"]
POOL = "loan-comms-local"


def load_flow(entrypoint: str):
    """The flow object an entrypoint names, loaded from its file as the worker does."""
    path, name = entrypoint.split(":")
    spec = importlib.util.spec_from_file_location(f"_deploy_{Path(path).stem}", REPO_ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def test_the_file_has_the_operations_deployments():
    names = [d["name"] for d in DEPLOYMENTS]
    assert len(names) == len(set(names)), "deployment names are unique"
    assert {"daily-plan", "dispatch-hourly", "call-queue", "ingest-inbox", "feedback-aggregate"} <= set(names)
    feedback = next(d for d in DEPLOYMENTS if d["name"] == "feedback-aggregate")
    assert feedback["entrypoint"] == "flows/feedback.py:feedback_aggregate", "surveys are aggregated by their flow"
    assert SPEC.get("pull") is None, "no pull section: prefect deploy records the repository directory"


@pytest.mark.parametrize("dep", DEPLOYMENTS, ids=lambda d: d["name"])
def test_entrypoint_imports_and_parameters_match_the_flow(dep):
    from prefect import Flow

    fl = load_flow(dep["entrypoint"])
    assert isinstance(fl, Flow), f"{dep['entrypoint']} is not a Prefect flow"
    sig = inspect.signature(fl.fn)
    unknown = set(dep.get("parameters") or {}) - set(sig.parameters)
    assert not unknown, f"{dep['name']}: parameters {unknown} are not arguments of {fl.name}"
    required = [p for p, v in sig.parameters.items() if v.default is inspect.Parameter.empty]
    assert not set(required) - set(dep.get("parameters") or {}), \
        f"{dep['name']}: a scheduled run needs a default for {required}"
    # Every parameter is described in the UI (Prefect reads the docstring's Args section).
    schema = fl.parameters.model_dump()["properties"]
    undescribed = [p for p, s in schema.items() if not s.get("description")]
    assert not undescribed, f"{fl.name}: document {undescribed} in the docstring's Args"


@pytest.mark.parametrize("dep", DEPLOYMENTS, ids=lambda d: d["name"])
def test_each_deployment_has_a_valid_schedule_with_a_timezone_on_the_local_pool(dep):
    from prefect.client.schemas.schedules import CronSchedule

    assert dep["work_pool"]["name"] == POOL
    assert dep["schedules"], f"{dep['name']} has no schedule"
    for s in dep["schedules"]:
        assert s.get("timezone"), f"{dep['name']}: every schedule names its timezone"
        CronSchedule(cron=s["cron"], timezone=s["timezone"])  # raises on a bad cron or timezone
    assert dep.get("concurrency_limit") == 1, "one run of a deployment at a time"


def test_the_plan_runs_at_seven_shanghai_and_the_call_queue_after_it():
    by = {d["name"]: d["schedules"][0] for d in DEPLOYMENTS}
    assert by["daily-plan"] == {"cron": "0 7 * * *", "timezone": "Asia/Shanghai", "active": True}
    assert by["call-queue"]["timezone"] == "Asia/Shanghai" and by["call-queue"]["cron"].startswith("30 7 ")
    assert by["dispatch-hourly"]["cron"].split()[1] == "*", "dispatch runs every hour"
    assert by["ingest-inbox"]["cron"].startswith("*/15 ")


def test_ui_script_creates_the_pool_the_deployments_use():
    script = (REPO_ROOT / "scripts" / "ui-start.sh").read_text()
    assert f'POOL="{POOL}"' in script and "deploy --all" in script and "127.0.0.1" in script
    make = (REPO_ROOT / "Makefile").read_text()
    assert "ui: $(STAMP)" in make and "ui-stop: $(STAMP)" in make
