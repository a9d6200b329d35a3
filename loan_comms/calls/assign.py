"""Assigning the day's calls to agents with slots, and carrying what does not fit (issue 16).

Runs inside the planner's `decide` right after the caps (sql/policy/decide.sql), when the lifecycle
config names a roster: the calls the policy let through are routed to a team (sql/calls/assign/
route.sql: the roster's [[routing]] rules), scored (priority.sql: a sum of transparent parts,
stored with the call), and then, highest priority first, each goes to an agent of its team (then
of the team's overflow_to teams, in order) who speaks the borrower's language, has every skill the
call needs, has capacity left on the shift and whose shift overlaps the call's window; the call
gets the earliest free slot inside that overlap (an agent's slots never overlap each other, those
of earlier plan days on the same shift included).

A call that fits nowhere is CARRIED: its decisions row becomes suppressed with the reason
  agent_capacity   agents who could take it work a shift overlapping its window, but are full;
  no_agent_today   no agent who could take it works a shift overlapping its window today;
  no_agent         no agent of its team (or the teams taking its overflow) speaks the language
                   with the skills the call needs, or none of their shifts could EVER overlap the
                   call's window by a slot on any working day (the same local hours on each of the
                   next 7 days against every shift of those agents: a borrower who may be called
                   only 19:00-21:00 by a team that goes home at 17:00): standing until the roster
                   or the window changes.
The first two are transient: the ladder step / callback is not taken (step_taken) and is proposed
again the next day, passing every cap again, with carried_days + 1 and more points.

Why a Python loop: each call's slot depends on every call placed before it (the capacity left and
the free slots of each shift), a sequential greedy SQL cannot express set-wise. It runs over rows
fetched with one query each (calls, shifts, slots already booked), in memory, in
O(calls x eligible shifts x slots per shift): 20k calls take a second or two. Everything else
(routing, scores, headroom) is SQL. Deterministic: calls by score then key; among shifts that can
take a call, the earliest slot, then the least loaded, then the agent id, so a replay gives the
same answer.

`decide` writes nothing: the result is the temp tables day_call_assignments and day_agent_days
(and the carried calls suppressed in temp table decisions); `record_assignments` writes them in
the plan's record transaction (anti-joins: a replayed day writes nothing new).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.calls.roster import Roster, register_roster_tables

CARRY_REASONS: tuple[str, ...] = ("agent_capacity", "no_agent_today", "no_agent")

ASSIGNMENT_SCHEMA = pa.schema([
    ("idempotency_key", pa.string()), ("attempt_id", pa.string()), ("plan_date", pa.date32()),
    ("borrower_id", pa.string()), ("loan_id", pa.string()), ("step", pa.string()), ("team", pa.string()),
    ("agent_id", pa.string()), ("work_date", pa.date32()),
    ("slot_start", pa.timestamp("us", tz="UTC")), ("slot_end", pa.timestamp("us", tz="UTC")),
    ("queue_rank", pa.int32()), ("priority_score", pa.float64()), ("priority_reasons", pa.string()),
    ("required_skills", pa.list_(pa.string())), ("carried_days", pa.int32()), ("outcome", pa.string()),
    ("reason", pa.string()), ("max_dials", pa.int32()), ("dial_until", pa.timestamp("us", tz="UTC")),
])

_SHIFT_KEYS = pa.schema([("agent_id", pa.string()), ("work_date", pa.date32())])


@dataclass
class Shift:
    """One agent's shift (their own local work date), with what is already booked on it."""

    agent_id: str
    work_date: date
    team: str
    languages: frozenset[str]
    skills: frozenset[str]
    capacity: int
    start: datetime
    end: datetime
    used: int
    slots: list[tuple[datetime, datetime]] = field(default_factory=list)   # sorted by start

    def free_slot(self, lo: datetime, hi: datetime, length: timedelta) -> datetime | None:
        """The earliest start s with [s, s + length) inside [lo, hi) and clear of every booked slot."""
        cand = lo
        for a, b in self.slots:
            if b <= cand:
                continue
            if a >= cand + length:
                break
            cand = max(cand, b)
        return cand if cand + length <= hi else None


@dataclass
class Outcome:
    """What the assignment did with one day's calls (for the plan report and tests)."""

    assigned: int = 0
    carried: dict[str, int] = field(default_factory=dict)


def _shifts(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> dict[str, list[Shift]]:
    """Every call agent's shift around the day, by team, with the slots earlier plan days booked."""
    by_key: dict[tuple[str, date], Shift] = {}
    for r in db.arrow(con, "calls/assign/shifts", params).to_pylist():
        by_key[(r["agent_id"], r["work_date"])] = Shift(
            agent_id=r["agent_id"], work_date=r["work_date"], team=r["team"], languages=frozenset(r["languages"]),
            skills=frozenset(r["skills"]), capacity=int(r["capacity"]), start=r["shift_start"], end=r["shift_end"],
            used=int(r["used"]))
    for r in db.arrow(con, "calls/assign/booked", params).to_pylist():
        shift = by_key.get((r["agent_id"], r["work_date"]))
        if shift is not None:
            shift.slots.append((r["slot_start"], r["slot_end"]))
    teams: dict[str, list[Shift]] = {}
    for shift in by_key.values():
        shift.slots.sort()
        teams.setdefault(shift.team, []).append(shift)
    return teams


def _chain(team: str, overflow_to: list[str]) -> list[str]:
    return list(dict.fromkeys([team, *overflow_to]))


def _standing(roster: Roster) -> dict[tuple[str, str], list[tuple[frozenset[str], str]]]:
    """(team, language) -> (skills, agent id) of the roster's call agents of that team speaking it
    (whatever their working days): what decides a standing no_agent."""
    out: dict[tuple[str, str], list[tuple[frozenset[str], str]]] = {}
    for a in roster.agents:
        if "field" in a.skills or a.team == "field":
            continue
        for lang in a.languages:
            out.setdefault((a.team, lang), []).append((frozenset(a.skills), a.id))
    return out


def _week_shifts(roster: Roster, as_of: date) -> dict[str, list[tuple[datetime, datetime]]]:
    """agent id -> their shifts (UTC) on every local date from as_of - 1 to as_of + 8: each weekday
    of every zone, whatever the borrower's window is shifted by (0 .. 7 days)."""
    out: dict[str, list[tuple[datetime, datetime]]] = {}
    days = [as_of + timedelta(days=k) for k in range(-1, 9)]
    for s in roster.shifts(days):
        out.setdefault(str(s["agent_id"]), []).append((s["shift_start"], s["shift_end"]))   # type: ignore[arg-type]
    return out


def _ever_overlaps(after: datetime, before: datetime, agents: list[str],
                   week: dict[str, list[tuple[datetime, datetime]]], length: timedelta) -> bool:
    """Whether the window's local hours, today or on any of the next 7 days, meet a shift of one of
    `agents` for at least one slot. A DST change moves the window by an hour: an hour of slack each
    side, so doubt counts as "could" (then the call stays transient, and the carry alert watches)."""
    slack = timedelta(hours=1)
    for k in range(8):
        lo, hi = after + timedelta(days=k) - slack, before + timedelta(days=k) + slack
        for agent_id in agents:
            for start, end in week.get(agent_id, ()):
                if min(hi, end) - max(lo, start) >= length:
                    return True
    return False


class _Headroom:
    """The dials the borrowers' and the numbers' calls_per_7_days leave today, handed out call by
    call in the assignment's order (sql/calls/assign/calls.sql): a call gets least(max_dials_per_call,
    what its borrower and its number have left after the calls assigned before it took their
    max_dials, less 1 for each call of the borrower / number still to come), at least 1. A carried
    call takes nothing. So the dials all of a day's calls may place on one number or for one
    borrower never add up to more than the cap leaves (the policy let each through counting 1)."""

    def __init__(self, calls: list[dict[str, Any]]) -> None:
        self.borrower_left: dict[str, int] = {}
        self.point_left: dict[str, int] = {}
        self.borrower_to_come: dict[str, int] = {}
        self.point_to_come: dict[str, int] = {}
        for c in calls:
            b, p = c["borrower_id"], c["contact_point"]
            self.borrower_left[b] = min(self.borrower_left.get(b, c["borrower_left"]), c["borrower_left"])
            self.borrower_to_come[b] = self.borrower_to_come.get(b, 0) + 1
            if p is not None and c["point_left"] is not None:
                self.point_left[p] = min(self.point_left.get(p, c["point_left"]), c["point_left"])
                self.point_to_come[p] = self.point_to_come.get(p, 0) + 1

    def take(self, call: dict[str, Any]) -> int:
        """This call's max_dials (and it is no longer to come)."""
        b, p = call["borrower_id"], call["contact_point"]
        self.borrower_to_come[b] -= 1
        limit = min(int(call["max_per_call"]), self.borrower_left[b] - self.borrower_to_come[b])
        if p in self.point_left:
            self.point_to_come[p] -= 1
            limit = min(limit, self.point_left[p] - self.point_to_come[p])
        return max(1, limit)

    def spend(self, call: dict[str, Any], dials: int) -> None:
        """The call was assigned with `dials`: they are no longer left."""
        self.borrower_left[call["borrower_id"]] -= dials
        if call["contact_point"] in self.point_left:
            self.point_left[call["contact_point"]] -= dials


def assign_calls(con: duckdb.DuckDBPyConnection, roster: Roster, params: Mapping[str, Any]) -> Outcome:
    """Assign the planned calls of temp table decisions; carried ones become suppressed in it.

    Leaves temp tables day_call_assignments (every planned call: assigned or carried) and
    day_agent_days (the shifts an assignment points to, as they stood) for record_assignments.
    Writes nothing to the database's own tables. The three steps apart (calls_to_assign,
    place_calls, carry) let a sharded day place the calls of every shard in one greedy."""
    outcome = place_calls(con, roster, params, calls_to_assign(con, roster, params))
    carry(con, params)
    return outcome


def calls_to_assign(con: duckdb.DuckDBPyConnection, roster: Roster, params: Mapping[str, Any]) -> pa.Table:
    """The planned calls of temp table decisions, routed and scored, highest priority first, with
    everything place_calls needs (sql/calls/assign/calls.sql). Registers the roster's temp tables."""
    register_roster_tables(con, roster, params["as_of"])
    db.run(con, "calls/assign/route", params)
    db.run(con, "calls/assign/priority", params)
    return db.arrow(con, "calls/assign/calls", params)


def place_calls(con: duckdb.DuckDBPyConnection, roster: Roster, params: Mapping[str, Any],
                calls_table: pa.Table) -> Outcome:
    """Give `calls_table` (calls_to_assign's rows, in its order) agents and slots, greedily, against
    the shifts and the slots already booked as `con` reads them (calls/assign/shifts.sql, booked.sql:
    the roster's temp tables, agent_days, call_assignments: one book, or the union of a sharded
    book's shards). Leaves temp tables day_call_assignments and day_agent_days; suppresses nothing."""
    as_of: date = params["as_of"]
    calls = calls_table.to_pylist()
    teams = _shifts(con, params)
    # The shifts with capacity left, by team: the only ones a call can go to. A shift that fills up
    # leaves it, so a day whose agents are full (most calls carried) no longer walks every shift
    # for every call. Why a call is carried depends on every shift (full ones too: agent_capacity
    # when one overlaps its window) but not on what is booked, so it is worked out once per (team
    # chain, language, skills, window): many calls share a window.
    open_shifts = {team: [s for s in shifts if s.used < s.capacity] for team, shifts in teams.items()}
    carry_reasons: dict[tuple[Any, ...], str] = {}
    standing = _standing(roster)
    week = _week_shifts(roster, as_of)
    length = timedelta(minutes=roster.calls.slot_minutes)
    headroom = _Headroom(calls)
    out: list[dict[str, Any]] = []
    outcome = Outcome()
    placed: list[tuple[dict[str, Any], Shift]] = []
    for call in calls:
        need = frozenset(call["required_skills"])
        lang = call["language"]
        after, before = call["send_after"], call["send_before"]
        chain = _chain(call["team"], call["overflow_to"])
        best: tuple[tuple[datetime, int, str, date], Shift, datetime] | None = None
        for team in chain:
            for shift in open_shifts.get(team, ()):
                if lang not in shift.languages or not need <= shift.skills:
                    continue
                lo, hi = max(after, shift.start), min(before, shift.end)
                if hi - lo < length:
                    continue
                start = shift.free_slot(lo, hi, length)
                if start is None:
                    continue
                key = (start, shift.used, shift.agent_id, shift.work_date)
                if best is None or key < best[0]:
                    best = (key, shift, start)
            if best is not None:
                break
        row = dict(idempotency_key=call["idempotency_key"], attempt_id=call["attempt_id"], plan_date=as_of,
                   borrower_id=call["borrower_id"], loan_id=call["loan_id"], step=call["step"], team=call["team"],
                   agent_id=None, work_date=None, slot_start=None, slot_end=None, queue_rank=None,
                   priority_score=call["priority_score"], priority_reasons=call["priority_reasons"],
                   required_skills=list(call["required_skills"]), carried_days=call["carried_days"],
                   outcome="carried", reason=None, max_dials=None, dial_until=None)
        max_dials = headroom.take(call)
        if best is not None:
            _, shift, start = best
            headroom.spend(call, max_dials)
            slot = (start, start + length)
            bisect.insort(shift.slots, slot)
            shift.used += 1
            if shift.used >= shift.capacity:
                open_shifts[shift.team].remove(shift)
            row.update(team=shift.team, agent_id=shift.agent_id, work_date=shift.work_date, slot_start=slot[0],
                       slot_end=slot[1], outcome="assigned", max_dials=max_dials,
                       dial_until=min(before, shift.end))
            placed.append((row, shift))
            outcome.assigned += 1
        else:
            seen = (tuple(chain), lang, need, after, before)
            if seen not in carry_reasons:
                overlaps = any(lang in shift.languages and need <= shift.skills
                               and min(before, shift.end) - max(after, shift.start) >= length
                               for team in chain for shift in teams.get(team, ()))
                able = [a for team in chain for skills, a in standing.get((team, lang), ()) if need <= skills]
                carry_reasons[seen] = (
                    "agent_capacity" if overlaps else
                    "no_agent_today" if able and _ever_overlaps(after, before, able, week, length) else "no_agent")
            reason = carry_reasons[seen]
            row["reason"] = reason
            outcome.carried[reason] = outcome.carried.get(reason, 0) + 1
        out.append(row)
    for row, shift in placed:   # the agent's calling order on the shift, earlier plan days' slots included
        row["queue_rank"] = bisect.bisect_left(shift.slots, (row["slot_start"], row["slot_end"])) + 1
    db.temp_table(con, "day_call_assignments", pa.Table.from_pylist(out, schema=ASSIGNMENT_SCHEMA))
    used = sorted({(row["agent_id"], row["work_date"]) for row, _ in placed})
    db.temp_table(con, "day_shift_keys", pa.Table.from_pylist(
        [dict(agent_id=a, work_date=d) for a, d in used], schema=_SHIFT_KEYS))
    db.run(con, "calls/assign/day_agent_days", params)
    return outcome


def carry(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> None:
    """Suppress in temp table decisions the calls temp table day_call_assignments carried."""
    db.run(con, "calls/assign/carry", params)


def record_assignments(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> None:
    """Write what assign_calls decided (its temp tables on `con`) into agent_days and
    call_assignments; call inside the plan's record transaction. Anti-joins: nothing twice."""
    db.run(con, "calls/assign/record_agent_days", params)
    db.run(con, "calls/assign/record_assignments", params)


def assigned(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` holds an assignment decided by assign_calls (day_call_assignments)."""
    return bool(db.value(con, "calls/assign/decided"))


__all__ = ["ASSIGNMENT_SCHEMA", "CARRY_REASONS", "Outcome", "Shift", "assign_calls", "assigned", "calls_to_assign",
           "carry", "place_calls", "record_assignments"]
