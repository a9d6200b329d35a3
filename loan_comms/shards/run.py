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

Which day is interrupted is decided for the whole book, not per shard (book_day): the K record
transactions of a day are independent, so a failure in phase 3 can leave the day planned in some
shards and never started in others. A shard that never started it has nothing in its own ledger
to say so, and would go on to the next day and skip its borrowers' contacts for good. So the
earliest day started in any shard and not planned in all of them is finished first in every shard
(a shard that never started it plans it), and no later day is planned before that.

The Parquet files (<sharded book>/work/<day>/: calls-i, visits-i, call-assignments-i, agent-days-i,
visit-plan-i) carry ids, scores and windows, no names, numbers or wording; they stay as the record
of what the assignment saw and may be deleted once the day is planned.
"""

from __future__ import annotations

import os
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


@dataclass(frozen=True)
class Assigned:
    """What phase 2 did with the day's human work over every shard (counts only)."""

    as_of: date
    calls: int = 0
    assigned: int = 0
    carried: dict[str, int] = field(default_factory=dict)
    visits: int = 0
    visits_assigned: int = 0


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


@dataclass(frozen=True)
class BookDay:
    """Where a day stands in the ledgers of every shard of the book (read by book_day)."""

    as_of: date
    planned: bool                # planned in every shard
    interrupted: date | None     # the earliest earlier day started in some shard and not planned in all


def book_day(manifest: Manifest, as_of: date) -> BookDay:
    """`as_of` in every shard's ledger of day runs, read-only (call it while no shard is open for
    writing, i.e. before a phase). Raises DayOutOfOrder, as one book does, for a day no shard ever
    started that lies behind the newest day started anywhere (see the module docstring for why
    "interrupted" is a question about the book)."""
    ledgers: list[dict[date, bool]] = []
    for path in manifest.paths():
        con = db.connect(path, read_only=True, current=False)
        try:
            ledgers.append({d: bool(p) for d, p in
                            con.execute("SELECT as_of, planned_at IS NOT NULL FROM day_runs").fetchall()})
        finally:
            con.close()
    started = set().union(*ledgers)
    unfinished = sorted(d for d in started if not all(ledger.get(d, False) for ledger in ledgers))
    interrupted = next((d for d in unfinished if d < as_of), None)
    latest = max(started, default=None)
    if interrupted is None and as_of not in started and latest is not None and as_of < latest:
        raise days.DayOutOfOrder(
            f"{as_of} was never planned in any shard and later days already were (up to {latest}): planning it "
            "now would contact borrowers out of order. Days are planned forward only; a day that was already "
            "planned can be re-run safely.")
    return BookDay(as_of, planned=as_of in started and as_of not in unfinished, interrupted=interrupted)


def decide_shard(manifest: Manifest, shard: int, cfg: LifecycleConfig, as_of: date) -> ShardDecided:
    """Phase 1 in shard `shard`: the calls and visits of `as_of` to give to people, to Parquet."""
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
    return ShardDecided(shard, as_of, calls=calls.num_rows, visits=visits.num_rows)


def assign_shards(manifest: Manifest, cfg: LifecycleConfig, as_of: date, decided: list[ShardDecided]) -> Assigned:
    """Phase 2: give every shard's calls agents and slots and its visits pairs, in one book's order,
    against what the union of the shards already booked; each shard's part to Parquet."""
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
                    visits=visits.num_rows, visits_assigned=assigned_visits)


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
    """Phase 3 in shard `shard`: plan_day with phase 2's assignment; renders and records there.

    Refuses (ShardError) a shard with an earlier interrupted day: plan_day would finish that day
    with the shard's own human work (assign_human_work over this shard alone), booking agents
    other shards booked too. The sharded day finishes such a day first, in every shard."""
    con = db.connect(manifest.path(shard))
    try:
        status = days.status(con, as_of)
        if status.interrupted is not None:
            raise ShardError(f"shard {shard}, {as_of}: the plan of {status.interrupted} is unfinished in this shard; "
                             "run the sharded day (`loan-comms shards plan-day`), which finishes it in every "
                             "shard first, not one shard's plan")
        return planner.plan_day(con, cfg, renderer, as_of, batch_size=batch_size,
                                human_work=ShardHumanWork(manifest, shard, as_of))
    finally:
        con.close()
