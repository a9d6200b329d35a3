"""Where arms plug into the day: the config of every arm as SQL tables, and each borrower's arm.

The planner's ladder and reminder candidates (sql/lifecycle/plan/ladder_next.sql, ladder_candidates.sql,
reminder_candidates.sql) read their steps from cfg_arm_steps by the borrower's arm_key (day_arms),
'champion' being today's config; everything after the candidates (the gate, the caps, the audit) is
the same for every arm. So an arm changes what is *proposed*, and the policy still decides.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.experiments.config import CHAMPION, Arm, Experiment, ExperimentsFile, experiments_for

_STEP_SCHEMA = pa.schema([
    ("arm_key", pa.string()), ("step", pa.string()), ("purpose", pa.string()), ("rank", pa.int32()),
    ("min_dpd", pa.int32()), ("days_before_due", pa.int32()), ("severity", pa.int32()), ("channel", pa.string()),
])


def arm_key(experiment: str, arm: str) -> str:
    """The key of an arm's rows in cfg_arm_steps: 'champion' for every champion (today's config)."""
    return CHAMPION if arm == CHAMPION else f"{experiment}/{arm}"


def arm_step_rows(cfg: LifecycleConfig, key: str, arm: Arm | None) -> list[dict[str, Any]]:
    """The reminder and ladder steps an arm proposes, (step, channel) by row, as cfg_steps has them
    for today's config (policy/engine.py step_rows): ranks stay the champion's, so a skipped step
    leaves a gap and the order of the ladder is the same in every arm."""
    rows: list[dict[str, Any]] = []
    for r in cfg.reminders:
        if arm is not None and r.step in arm.skip_reminders:
            continue
        channels = arm.channels.get(r.step, r.channels) if arm is not None else r.channels
        days = arm.reminder_days.get(r.step, r.days_before_due) if arm is not None else r.days_before_due
        rows += [dict(arm_key=key, step=r.step, purpose="reminder", rank=0, min_dpd=None, days_before_due=days,
                      severity=0, channel=ch) for ch in channels]
    for rank, s in enumerate(cfg.ladder, start=1):
        if arm is not None and s.step in arm.skip_steps:
            continue
        channels = arm.channels.get(s.step, s.channels) if arm is not None else s.channels
        min_dpd = arm.min_dpd.get(s.step, s.min_dpd) if arm is not None else s.min_dpd
        rows += [dict(arm_key=key, step=s.step, purpose="escalation", rank=rank, min_dpd=min_dpd,
                      days_before_due=None, severity=s.severity, channel=ch) for ch in channels]
    return rows


def definition(e: Experiment) -> tuple[str, str]:
    """An experiment as the book records it (experiment_versions): its JSON and its version (the
    JSON's sha256, 16 hex digits)."""
    text = e.model_dump_json()
    return hashlib.sha256(text.encode()).hexdigest()[:16], text


def register_tables(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig,
                    experiments: ExperimentsFile | None = None) -> None:
    """Expose the experiments to SQL as temp tables:
    cfg_experiments (experiment, pos, salt, start_day, end_day, products, jurisdictions, languages,
    dpd_min, dpd_max), cfg_experiment_arms (experiment, arm, lo, hi: the arm's share as [lo, hi) of
    [0, 1)), cfg_arm_stops (experiment, arm, stopped_on: the arms a guardrail stopped, from the book's
    experiment_arms), cfg_arm_steps (arm_key, step, purpose, rank, min_dpd, days_before_due, severity,
    channel: the champion's rows under 'champion', each challenger's under 'experiment/arm'),
    cfg_arm_templates (arm_key, step, kind: a challenger's wording variants), cfg_arm_offers
    (arm_key, option_id: the repayment options a challenger offers, when it offers only some) and
    day_experiment_versions (experiment, version, definition, start_day, end_day: what `record` writes
    for the experiments running on the day, sql/experiments/record_versions.sql)."""
    file = experiments if experiments is not None else experiments_for(cfg)
    exps: list[dict[str, Any]] = []
    arms: list[dict[str, Any]] = []
    steps = arm_step_rows(cfg, CHAMPION, None)
    templates: list[dict[str, Any]] = []
    offers: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    for pos, e in enumerate(file.experiments):
        version, text = definition(e)
        versions.append(dict(experiment=e.name, version=version, definition=text, start_day=e.start, end_day=e.end))
        exps.append(dict(experiment=e.name, pos=pos, salt=e.draw_salt, start_day=e.start, end_day=e.end,
                         products=list(e.population.products), jurisdictions=list(e.population.jurisdictions),
                         languages=list(e.population.languages), dpd_min=e.population.dpd[0],
                         dpd_max=e.population.dpd[1]))
        arms += _bounds(e)
        for a in e.arms[1:]:
            key = arm_key(e.name, a.name)
            steps += arm_step_rows(cfg, key, a)
            templates += [dict(arm_key=key, step=step, kind=kind) for step, kind in a.templates.items()]
            offers += [dict(arm_key=key, option_id=o) for o in a.offer_options]
    s, strs = pa.string(), pa.list_(pa.string())
    db.temp_table(con, "cfg_experiments", pa.Table.from_pylist(exps, schema=pa.schema([
        ("experiment", s), ("pos", pa.int32()), ("salt", s), ("start_day", pa.date32()), ("end_day", pa.date32()),
        ("products", strs), ("jurisdictions", strs), ("languages", strs), ("dpd_min", pa.int32()),
        ("dpd_max", pa.int32())])))
    db.temp_table(con, "cfg_experiment_arms", pa.Table.from_pylist(arms, schema=pa.schema([
        ("experiment", s), ("arm", s), ("lo", pa.float64()), ("hi", pa.float64())])))
    db.temp_table(con, "cfg_arm_steps", pa.Table.from_pylist(steps, schema=_STEP_SCHEMA))
    db.temp_table(con, "cfg_arm_templates", pa.Table.from_pylist(templates, schema=pa.schema([
        ("arm_key", s), ("step", s), ("kind", s)])))
    db.temp_table(con, "cfg_experiment_versions", pa.Table.from_pylist(versions, schema=pa.schema([
        ("experiment", s), ("version", s), ("definition", s), ("start_day", pa.date32()), ("end_day", pa.date32())])))
    db.temp_table(con, "cfg_arm_offers", pa.Table.from_pylist(offers, schema=pa.schema([
        ("arm_key", s), ("option_id", s)])))
    con.execute("CREATE OR REPLACE TEMP TABLE cfg_arm_stops AS SELECT experiment, arm, stopped_on FROM experiment_arms")


def _bounds(e: Experiment) -> list[dict[str, Any]]:
    """Each arm's [lo, hi) of the draw: cumulative shares in the file's order, the last closed at 1."""
    out, lo = [], 0.0
    for i, a in enumerate(e.arms):
        hi = 1.0 + 1e-12 if i == len(e.arms) - 1 else lo + a.share
        out.append(dict(experiment=e.name, arm=a.name, lo=lo, hi=hi))
        lo = hi
    return out


def draw(salt: str, borrower_id: str) -> float:
    """The draw sql/experiments/day_arms.sql computes, in Python (tests and the readout's checks):
    md5(salt:borrower)'s first 8 bytes, little-endian, / 2^64."""
    digest = hashlib.md5(f"{salt}:{borrower_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little") / 2**64


def arm_for(experiment: Experiment, borrower_id: str) -> str:
    """The arm a borrower is drawn into (before any stop), as day_arms.sql reads it."""
    x = draw(experiment.draw_salt, borrower_id)
    for b in _bounds(experiment):
        if b["lo"] <= x < b["hi"]:
            return str(b["arm"])
    raise AssertionError("the arms' bounds cover [0, 1)")


def assign_day(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """decide's step: temp table day_arms (sql/experiments/day_arms.sql; one row per borrower) and
    day_experiment_versions (the running experiments' definitions). Needs loan_state."""
    db.run(con, "experiments/day_arms", {"as_of": as_of})
    con.execute("CREATE OR REPLACE TEMP TABLE day_experiment_versions AS SELECT experiment, version, "
                "definition::JSON AS definition FROM cfg_experiment_versions WHERE ? BETWEEN start_day AND end_day",
                [as_of])
