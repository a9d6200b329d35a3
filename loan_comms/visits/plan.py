"""The visit plan of a day: each visit the policy let through goes to a pair of field agents, in a slot.

Why a pair: China's collection guidance expects two collectors with identification at a door, and
[visits] min_collectors says so (2). Rules, for every visit planned on the day (decisions on channel
'visit' after sql/policy/decide.sql), highest severity then amount first:
  * two field agents (skill 'field') who both cover the borrower's city (agents.cities lists it, or
    "*"), both working the same local work date (agent_shifts), at least one speaking the borrower's
    language, each with capacity left on that work date (capacity of agent_days when a plan already
    used the shift, else of the roster; visits and calls already assigned count, one unit each);
  * a slot of [calls] visit_minutes inside both shifts and the borrower's window (send_after ..
    send_before, already every zone's and any narrowing), starting on a quarter hour, overlapping
    no slot either agent already holds; an agent keeps one partner for the day (a pair goes out
    together), and a visit prefers the pair already working its district, then its city, then a
    new pair with the most room left (the busier of its two agents bounds its visits);
  * then each pair's visits of the day are put in order of city and district (route_order), their
    slots re-dealt in that order wherever every window still holds, so a round is one area.
What does not fit is carried, never dropped: 'field_capacity' (a pair covers the place but none has
a free slot today; transient: the ladder proposes the visit again the next allowed day, every cap
and gate rule applying again, and carried_days counts the days) or 'no_field_pair' (no city on file,
or no two field agents of the roster cover the city with one speaking the language; standing, see
step_taken in sql/schema/005_macros.sql: the visit is a step that cannot be made, the ladder moves
on, and the reason is on the contact and on its visit_assignments row). no_field_pair is decided
once, by the gate rule sql/policy/rules/no_field_pair.sql, for the visit and for its notice alike
(a notice announcing a visit nobody can make is never sent): the plan only records the gate's
verdict (plan_inputs' no_field_pair), it has no second definition of "a pair could make it".

The choice of pairs and slots is a greedy loop in Python over rows fetched in one query each
(plan_inputs, field_shifts, busy_slots): interval packing with a per-day pairing state is not
something SQL expresses readably; selection and recording are SQL (sql/visits/). `propose` runs in
decide() and writes nothing (it changes only the temp table decisions); `record` runs in the plan's
record transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.calls.roster import Roster, register_roster_tables, roster_for
from loan_comms.config import LifecycleConfig

FIELD_SKILL = "field"
SLOT_GRID = timedelta(minutes=15)   # slots start on a quarter hour: a sheet people can read

PLAN_SCHEMA = pa.schema([
    ("idempotency_key", pa.string()), ("attempt_id", pa.string()), ("borrower_id", pa.string()),
    ("loan_id", pa.string()), ("city", pa.string()), ("district", pa.string()), ("route_order", pa.int32()),
    ("agent_ids", pa.list_(pa.string())), ("work_date", pa.date32()),
    ("slot_start", pa.timestamp("us", tz="UTC")), ("slot_end", pa.timestamp("us", tz="UTC")),
    ("carried_days", pa.int32()), ("outcome", pa.string()), ("reason", pa.string()),
])


@dataclass
class _Shift:
    agent_id: str
    work_date: date
    start: datetime
    end: datetime
    capacity: int
    cities: tuple[str, ...]
    languages: tuple[str, ...]
    used: int
    partner: str | None

    def covers(self, city: str) -> bool:
        return _covers(self.cities, city)

    @property
    def left(self) -> int:
        return self.capacity - self.used


@dataclass
class _Pair:
    a: _Shift
    b: _Shift
    visits: list[dict[str, Any]] = field(default_factory=list)


def _covers(cities: tuple[str, ...] | list[str], city: str) -> bool:
    """The agent covers the city: "*" or the city listed, case-insensitively (lower(), as the gate
    rule no_field_pair compares them, so the gate and the plan agree on who covers a place)."""
    want = city.lower()
    return any(c == "*" or c.lower() == want for c in cities)


def _ceil(t: datetime, grid: timedelta = SLOT_GRID) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=t.tzinfo)
    steps = -((epoch - t) // grid)   # ceiling division
    return epoch + steps * grid


def _free_slot(lo: datetime, hi: datetime, length: timedelta, busy: list[tuple[datetime, datetime]]) -> datetime | None:
    """The earliest start s on the grid with [s, s+length) inside [lo, hi) and overlapping no busy interval."""
    s = _ceil(lo)
    for b_start, b_end in sorted(busy):
        if s + length <= b_start:
            break
        if b_end > s:
            s = _ceil(max(s, b_end))
    return s if s + length <= hi else None


def assign(visits: list[dict[str, Any]], shifts: list[_Shift], busy: dict[str, list[tuple[datetime, datetime]]],
           roster: Roster) -> list[dict[str, Any]]:
    """The day's plan rows (PLAN_SCHEMA) for `visits` (in priority order), see the module docstring."""
    length = timedelta(minutes=roster.calls.visit_minutes)
    by_key = {(s.agent_id, s.work_date): s for s in shifts}
    pairs: dict[tuple[str, str, date], _Pair] = {}
    for s in shifts:   # pairs already formed on a work date by an earlier plan day
        if s.partner and (s.partner, s.work_date) in by_key and s.agent_id < s.partner:
            pairs[(s.agent_id, s.partner, s.work_date)] = _Pair(s, by_key[(s.partner, s.work_date)])
    out: list[dict[str, Any]] = []
    for v in visits:
        row = dict(idempotency_key=v["idempotency_key"], attempt_id=v["attempt_id"], borrower_id=v["borrower_id"],
                   loan_id=v["loan_id"], city=v["city"], district=v["district"], route_order=None, agent_ids=None,
                   work_date=None, slot_start=None, slot_end=None, carried_days=v["carried_days"],
                   outcome="carried", reason="no_field_pair" if v["no_field_pair"] else None)
        out.append(row)
        if row["reason"]:
            continue
        best: tuple[tuple[Any, ...], _Shift, _Shift, datetime] | None = None
        city, district = v["city"], v["district"]
        local = [s for s in shifts if s.covers(city) and s.left > 0]
        for i, a in enumerate(local):
            for b in local[i + 1:]:
                if a.agent_id == b.agent_id or a.work_date != b.work_date:
                    continue
                x, y = (a, b) if a.agent_id < b.agent_id else (b, a)
                if (x.partner or y.agent_id) != y.agent_id or (y.partner or x.agent_id) != x.agent_id:
                    continue   # each already goes out with someone else that day
                if v["language"] not in x.languages and v["language"] not in y.languages:
                    continue
                lo = max(x.start, y.start, v["send_after"])
                hi = min(x.end, y.end, v["send_before"])
                if hi - lo < length:
                    continue
                start = _free_slot(lo, hi, length, busy.get(x.agent_id, []) + busy.get(y.agent_id, []))
                if start is None:
                    continue
                pair = pairs.get((x.agent_id, y.agent_id, x.work_date))
                area = 3
                if pair is not None:
                    area = 0 if any((p["city"], p["district"]) == (city, district) for p in pair.visits) else \
                        1 if any(p["city"] == city for p in pair.visits) else 2
                # a pair already out in the area first; a new pair: the one with the most room (a pair
                # does as many visits as the busier of its two can), then the earliest slot
                room = 0 if pair is not None else -min(x.left, y.left)
                rank = (area, room, start, x.work_date, x.agent_id, y.agent_id)
                if best is None or rank < best[0]:
                    best = (rank, x, y, start)
        if best is None:
            row["reason"] = "field_capacity"
            continue
        _, x, y, start = best
        x.used, y.used, x.partner, y.partner = x.used + 1, y.used + 1, y.agent_id, x.agent_id
        for agent in (x.agent_id, y.agent_id):
            busy.setdefault(agent, []).append((start, start + length))
        pair = pairs.setdefault((x.agent_id, y.agent_id, x.work_date), _Pair(x, y))
        row.update(outcome="assigned", reason=None, agent_ids=[x.agent_id, y.agent_id], work_date=x.work_date,
                   slot_start=start, slot_end=start + length, _after=v["send_after"], _before=v["send_before"],
                   _rank=len(out))
        pair.visits.append(row)
    for pair in pairs.values():
        _route(pair.visits)
    for r in out:
        for k in ("_after", "_before", "_rank"):
            r.pop(k, None)
    return out


def _route(rows: list[dict[str, Any]]) -> None:
    """Put a pair's visits of the day in order of city, district (then priority): their slots are
    dealt again in that order where every visit's window still holds; route_order follows the slots."""
    if not rows:
        return
    slots = sorted((r["slot_start"], r["slot_end"]) for r in rows)
    ordered = sorted(rows, key=lambda r: (r["city"].casefold(), (r["district"] or "").casefold(), r["_rank"]))
    if all(r["_after"] <= s and e <= r["_before"] for r, (s, e) in zip(ordered, slots)):
        for r, (s, e) in zip(ordered, slots):
            r["slot_start"], r["slot_end"] = s, e
    for n, r in enumerate(sorted(rows, key=lambda r: r["slot_start"]), start=1):
        r["route_order"] = n


def _shifts(con: duckdb.DuckDBPyConnection, as_of: date) -> list[_Shift]:
    return [_Shift(agent_id=r["agent_id"], work_date=r["work_date"], start=r["shift_start"], end=r["shift_end"],
                   capacity=int(r["capacity"]), cities=tuple(r["cities"]), languages=tuple(r["languages"]),
                   used=int(r["used"]), partner=r["partner"])
            for r in db.rows(con, "visits/field_shifts", {"as_of": as_of})]


def propose(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date) -> pa.Table:
    """Plan the day's visits (temp table day_visit_plan) and apply the plan to temp table decisions:
    an assigned visit's window narrows to its slot, a carried one is suppressed with its reason.
    Writes nothing to the database. Without a roster ([calls] roster = ""), visits are not assigned
    (day_visit_plan is empty and decisions stay as the policy left them). The steps apart
    (visits_to_plan, plan_visits, apply) let a sharded day plan the visits of every shard at once."""
    roster = roster_for(cfg)
    table = PLAN_SCHEMA.empty_table()
    if roster is not None:
        visits = visits_to_plan(con, roster, as_of)
        if visits.num_rows:
            table = plan_visits(con, roster, as_of, visits)
    apply(con, table)
    return table


def visits_to_plan(con: duckdb.DuckDBPyConnection, roster: Roster, as_of: date) -> pa.Table:
    """The visits of temp table decisions to plan, in priority order (sql/visits/plan_inputs.sql).
    Registers the roster's temp tables."""
    register_roster_tables(con, roster, as_of)
    return db.arrow(con, "visits/plan_inputs")


def plan_visits(con: duckdb.DuckDBPyConnection, roster: Roster, as_of: date, visits: pa.Table) -> pa.Table:
    """The plan rows (PLAN_SCHEMA) of `visits` (visits_to_plan's rows, in its order), against the
    field shifts and slots already held as `con` reads them (visits/field_shifts.sql, busy_slots.sql:
    the roster's temp tables, agent_days, visit_assignments, call_assignments: one book, or the
    union of a sharded book's shards)."""
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    for r in db.rows(con, "visits/busy_slots", {"as_of": as_of}):
        busy.setdefault(r["agent_id"], []).append((r["slot_start"], r["slot_end"]))
    rows = assign(visits.to_pylist(), _shifts(con, as_of), busy, roster)
    return pa.Table.from_pylist(rows, schema=PLAN_SCHEMA)


def apply(con: duckdb.DuckDBPyConnection, plan: pa.Table) -> None:
    """Keep `plan` as temp table day_visit_plan (for `record`) and apply it to temp table decisions."""
    db.temp_table(con, "day_visit_plan", plan)
    db.run(con, "visits/apply_plan")


def record(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, params: dict[str, Any]) -> None:
    """Record the day's visit plan (visit_assignments) and the field shifts it used (agent_days);
    called inside the plan's record transaction, after the decisions. Replay-safe (anti-joins).
    Nothing to record without a roster."""
    if roster_for(cfg) is None:
        return
    db.run(con, "visits/record_assignments", params)
    db.run(con, "visits/record_agent_days", params)


__all__ = ["PLAN_SCHEMA", "apply", "assign", "plan_visits", "propose", "record", "visits_to_plan"]
