"""The day of a sharded book: map (decide per shard) -> reduce (human work over every shard) -> map
(plan per shard with that human work).

Deciding a contact needs one borrower and the points they share, which the shard key keeps in one
shard; giving calls to agents and visits to pairs of field agents does not: an agent's capacity
and slots serve every borrower. So:

1. `decide_shard`, per shard in parallel: the day up to the policy's verdicts (planner.police),
   then the calls and visits the policy let through, with everything the greedy needs
   (assign.calls_to_assign, visit_plan.visits_to_plan), written to Parquet. Writes nothing to the shard.
2. `assign_shards`, once: the same greedy code as one book (assign.place_calls, visit_plan.plan_visits)
   over every shard's calls in one book's order, reading the shifts and slots already booked
   through union.py; the assignments of each shard's calls written to Parquet.
3. `plan_shard`, per shard in parallel: plan_day with that assignment injected as its human work
   (ShardHumanWork). `decide` is deterministic, so the shard re-derives exactly the calls and visits
   it exported: checked, and a difference stops the shard loudly (ShardMismatch) before anything is
   recorded. Then render and record as always, each shard in its own file, with its own ledger.

Re-running is safe as for one book: a shard whose ledger says the day is planned exports nothing
and records nothing; an interrupted day is finished by running it again (its recorded calls are
no longer fresh, so only the rest is assigned, around the slots already booked).

The Parquet files (<sharded book>/work/<day>/: calls-i, visits-i, call-assignments-i, agent-days-i,
visit-plan-i) carry ids, scores and windows, no names, numbers or wording; they stay as the record
of what the assignment saw and may be deleted once the day is planned.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from loan_comms import db
from loan_comms.calls import assign
from loan_comms.calls.roster import register_roster_tables, roster_for
from loan_comms.config import LifecycleConfig
from loan_comms.lifecycle import days, planner
from loan_comms.shards.manifest import Manifest, ShardError
from loan_comms.shards.union import open_union
from loan_comms.visits import plan as visit_plan

class ShardMismatch(ShardError):
    """A shard re-derived other calls or visits than it exported for the assignment: nothing recorded."""


@dataclass(frozen=True)
class ShardDecided:
    """What phase 1 found in one shard (counts only)."""

    shard: int
    as_of: date
    planned: bool = False              # the shard's ledger says the day is planned: nothing to do
    interrupted: date | None = None    # an earlier day to finish first (the sharded run does it)
    calls: int = 0
    visits: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Assigned:
    """What phase 2 did with the day's human work over every shard (counts only)."""

    as_of: date
    calls: int = 0
    assigned: int = 0
    carried: dict[str, int] = field(default_factory=dict)
    visits: int = 0
    visits_assigned: int = 0
    seconds: float = 0.0


def _work(manifest: Manifest, as_of: date) -> Path:
    path = manifest.work_dir(as_of.isoformat())
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file(manifest: Manifest, as_of: date, what: str, shard: int) -> Path:
    return _work(manifest, as_of) / f"{what}-{shard}.parquet"


def _write(table: pa.Table, path: Path) -> None:
    """Whole or not at all: a reader never sees half a file."""
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _with_shard(table: pa.Table, shard: int) -> pa.Table:
    return table.append_column("shard", pa.array([shard] * table.num_rows, pa.int32()))


def decide_shard(manifest: Manifest, shard: int, cfg: LifecycleConfig, as_of: date) -> ShardDecided:
    """Phase 1 in shard `shard`: the calls and visits of `as_of` to give to people, to Parquet."""
    started = time.perf_counter()
    con = db.connect(manifest.path(shard))
    try:
        status = days.status(con, as_of)
        days.check_can_plan(status)
        if status.interrupted is not None:
            return ShardDecided(shard, as_of, interrupted=status.interrupted)
        if status.planned:
            return ShardDecided(shard, as_of, planned=True)
        roster = roster_for(cfg)
        if roster is None:   # no human work to share: phase 3 decides it alone (assign_human_work)
            return ShardDecided(shard, as_of)
        params = planner.police(con, cfg, as_of, advance_state=status.is_newest)
        calls = assign.calls_to_assign(con, roster, params)
        visits = visit_plan.visits_to_plan(con, roster, as_of)
    finally:
        con.close()
    _write(_with_shard(calls, shard), _file(manifest, as_of, "calls", shard))
    _write(_with_shard(visits, shard), _file(manifest, as_of, "visits", shard))
    return ShardDecided(shard, as_of, calls=calls.num_rows, visits=visits.num_rows,
                        seconds=time.perf_counter() - started)


def assign_shards(manifest: Manifest, cfg: LifecycleConfig, as_of: date, decided: list[ShardDecided]) -> Assigned:
    """Phase 2: give every shard's calls agents and slots and its visits pairs, in one book's order,
    against what the union of the shards already booked; each shard's part to Parquet."""
    started = time.perf_counter()
    roster = roster_for(cfg)
    fresh = [d.shard for d in decided if not d.planned and d.interrupted is None]
    if roster is None or not fresh:
        return Assigned(as_of)
    con = open_union(manifest.directory, manifest)
    try:
        register_roster_tables(con, roster, as_of)
        params: dict[str, Any] = {"as_of": as_of}
        calls = db.arrow(con, "shards/calls_in_order",
                         {"files": [str(_file(manifest, as_of, "calls", s)) for s in fresh]})
        db.temp_table(con, "shard_day_calls", calls.select(["idempotency_key", "shard"]))
        outcome = assign.place_calls(con, roster, params, calls.drop_columns(["shard"]))
        visits = db.arrow(con, "shards/visits_in_order",
                          {"files": [str(_file(manifest, as_of, "visits", s)) for s in fresh]})
        db.temp_table(con, "shard_day_visits", visits.select(["idempotency_key", "shard"]))
        plan = visit_plan.plan_visits(con, roster, as_of, visits.drop_columns(["shard"])) if visits.num_rows \
            else visit_plan.PLAN_SCHEMA.empty_table()
        db.temp_table(con, "shard_visit_plan", plan)
        for s in fresh:
            _write(db.arrow(con, "shards/shard_call_assignments", {"shard": s}),
                   _file(manifest, as_of, "call-assignments", s))
            _write(db.arrow(con, "shards/shard_agent_days", {"shard": s}), _file(manifest, as_of, "agent-days", s))
            _write(db.arrow(con, "shards/shard_visit_plan", {"shard": s}), _file(manifest, as_of, "visit-plan", s))
    finally:
        con.close()
    assigned_visits = sum(1 for o in plan.column("outcome").to_pylist() if o == "assigned")
    return Assigned(as_of, calls=calls.num_rows, assigned=outcome.assigned, carried=dict(outcome.carried),
                    visits=visits.num_rows, visits_assigned=assigned_visits, seconds=time.perf_counter() - started)


class ShardHumanWork:
    """planner.HumanWork for shard `shard` of a sharded day: the assignment phase 2 made over every
    shard, applied as assign_human_work would apply its own, after checking that this shard
    re-derived exactly the calls and visits it exported for it."""

    def __init__(self, manifest: Manifest, shard: int, as_of: date) -> None:
        self.manifest, self.shard, self.as_of = manifest, shard, as_of

    def _read(self, what: str) -> pa.Table:
        path = _file(self.manifest, self.as_of, what, self.shard)
        if not path.exists():
            raise ShardError(f"shard {self.shard}, {self.as_of}: {path.name} missing: run the sharded day whole "
                             "(decide every shard, assign, then plan), not one shard's plan alone")
        return pq.read_table(path)

    def _check(self, what: str, derived: pa.Table) -> None:
        exported = self._read(what).drop_columns(["shard"])
        if derived.to_pylist() != exported.to_pylist():
            keys = set(derived.column("idempotency_key").to_pylist())
            had = set(exported.column("idempotency_key").to_pylist())
            raise ShardMismatch(
                f"shard {self.shard}, {self.as_of}: re-derived {derived.num_rows} {what} where {exported.num_rows} were "
                f"exported for the assignment ({len(keys - had)} new, {len(had - keys)} gone, the rest differ in their "
                "terms); the book changed between the phases or the plan is not deterministic: nothing recorded")

    def __call__(self, con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, params: dict[str, Any]) -> None:
        roster = roster_for(cfg)
        if roster is None:
            planner.assign_human_work(con, cfg, params)
            return
        self._check("calls", assign.calls_to_assign(con, roster, params))
        db.temp_table(con, "day_call_assignments", self._read("call-assignments"))
        db.temp_table(con, "day_agent_days", self._read("agent-days"))
        assign.carry(con, params)
        self._check("visits", visit_plan.visits_to_plan(con, roster, self.as_of))
        visit_plan.apply(con, self._read("visit-plan"))


def plan_shard(manifest: Manifest, shard: int, cfg: LifecycleConfig, renderer: planner.Renderer, as_of: date, *,
               batch_size: int | None = None) -> planner.PlanReport:
    """Phase 3 in shard `shard`: plan_day with phase 2's assignment; renders and records there."""
    con = db.connect(manifest.path(shard))
    try:
        return planner.plan_day(con, cfg, renderer, as_of, batch_size=batch_size,
                                human_work=ShardHumanWork(manifest, shard, as_of))
    finally:
        con.close()
