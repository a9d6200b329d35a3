"""The day's call queue for people: the summary a team lead reads and the per-team files they open.

What `loan-comms call-queue` prints and the call-queue deployment publishes, from the day's
call_assignments (part A's planner writes them): per team, calls assigned and carried (by reason),
agents working and the capacity their shifts hold and use, first and last slot; per agent shift,
calls and capacity; and the calls themselves in calling order. Every number is masked (+86****78):
these go to team leads' spreadsheets and Prefect's UI; the unmasked number only ever goes to the
dialer (calls/dialer.py).

Files: `<out>/<team-slug>.csv` and `.parquet` (default out: <db dir>/exports/call_queue/<as_of>/),
each written atomically, so a re-run replaces them whole; a team file from an earlier run of the
same day whose calls are all gone is rewritten empty (never left stale).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from loan_comms import db
from loan_comms.atomic_files import write_atomically
from loan_comms.calls.roster import file_names, team_slug
from loan_comms.errors import LoanCommsError

# The columns of the per-team files, in order (sql/calls/queue/export_rows.sql; no name, number masked).
COLUMNS = ("team", "outcome", "agent_id", "rank", "slot_start", "slot_end", "dial_until", "max_dials", "local_slot",
           "step", "priority_score", "priority_reasons", "required_skills", "carried_days", "carried_reason",
           "attempt_id", "loan_id", "language", "phone_masked", "status")


class DayNotPlanned(LoanCommsError, ValueError):
    """The day has no finished plan, so it has no call queue yet; one line, exit 2."""

    exit_code = 2


def check_planned(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """Refuse a day whose plan never finished: its queue would be empty or half made."""
    from loan_comms.lifecycle import days

    st = days.status(con, as_of)
    if not st.planned:
        what = "was started but its plan never finished" if st.started else "was never planned"
        raise DayNotPlanned(f"{as_of} {what}: run `loan-comms run-day --as-of {as_of}` first "
                            f"(the call queue is made from the day's plan)")


def default_out(db_path: str | Path, as_of: date) -> Path:
    """<db dir>/exports/call_queue/<as_of>/: where the per-team files go unless --out says otherwise."""
    return Path(db_path).resolve().parent / "exports" / "call_queue" / as_of.isoformat()


@dataclass
class QueueSummary:
    """A plan day's queue: team and agent-shift figures, and every call (masked) in calling order."""

    as_of: date
    teams: list[dict[str, Any]] = field(default_factory=list)
    agents: list[dict[str, Any]] = field(default_factory=list)
    calls: pa.Table | None = None
    carry_alert_days: int | None = None    # agents.toml [calls] carry_alert_days (None: no roster, no alert)

    @property
    def assigned(self) -> int:
        return sum(int(t["assigned"]) for t in self.teams)

    @property
    def carried(self) -> int:
        return sum(int(t["carried"]) for t in self.teams)

    def carried_by_reason(self) -> dict[str, int]:
        """The day's carry-over by reason, over every team."""
        out: dict[str, int] = {}
        for row in self.rows():
            if row["outcome"] == "carried":
                reason = row["carried_reason"] or "unknown"
                out[reason] = out.get(reason, 0) + 1
        return dict(sorted(out.items()))

    def stuck(self) -> list[dict[str, Any]]:
        """The calls carried today that have now been carried carry_alert_days plan days in a row
        (carried_days earlier ones + today): a ladder stalled on the roster, to be fixed by people."""
        if self.carry_alert_days is None:
            return []
        return [r for r in self.rows()
                if r["outcome"] == "carried" and int(r["carried_days"] or 0) + 1 >= self.carry_alert_days]

    def alert_lines(self) -> list[str]:
        """The loud part: one line saying how many calls are stuck, then up to 20 of them (ids only)."""
        stuck = self.stuck()
        if not stuck:
            return []
        out = [f"ALERT: {len(stuck)} call(s) carried {self.carry_alert_days}+ plan days in a row: the ladder "
               f"of each is stalled (no agent could take it); fix the roster (shifts, languages, skills, "
               f"capacity) or the routing"]
        for r in stuck[:20]:
            out.append(f"  {r['team']:<14} {r['loan_id']:<10} {r['step']:<10} {r['carried_reason'] or '-':<15} "
                       f"carried {int(r['carried_days'] or 0) + 1} days  {r['attempt_id']}")
        if len(stuck) > 20:
            out.append(f"  ... and {len(stuck) - 20} more")
        return out

    def rows(self, team: str | None = None) -> list[dict[str, Any]]:
        """The calls (of `team`), masked, in calling order, as plain dicts."""
        if self.calls is None:
            return []
        t = self.calls if team is None else self.calls.filter(pc.equal(self.calls["team"], team))
        rows: list[dict[str, Any]] = t.to_pylist()
        return rows

    def team_tables(self) -> dict[str, list[dict[str, Any]]]:
        """Per team, rows for a Prefect table artifact: plain JSON types (times as ISO UTC), masked."""
        return {t["team"]: [{k: _plain(v) for k, v in r.items()} for r in self.rows(t["team"])] for t in self.teams}

    def lines(self, limit: int) -> list[str]:
        """The printed summary: per team, per agent shift, then the first `limit` calls in order."""
        out = [f"Call queue {self.as_of}: {self.assigned} calls assigned, {self.carried} carried"
               + (f" ({_reasons(self.carried_by_reason())})" if self.carried else "")]
        out += self.alert_lines()
        if not self.teams:
            return out + ["  no calls on this day"]
        out.append(f"  {'team':<14} {'assigned':>8} {'carried':>7} {'agents':>6} {'capacity used':>16}  "
                   f"{'first slot':<11} {'last slot':<11} carried by reason")
        for t in self.teams:
            out.append(f"  {t['team']:<14} {t['assigned']:>8} {t['carried']:>7} {t['agents']:>6} "
                       f"{_capacity(t):>16}  {_hhmm(t['first_slot']):<11} {_hhmm(t['last_slot']):<11} "
                       f"{t['carried_by_reason'] or '-'}")
        if self.agents:
            out.append("  Agents (shift = the agent's local work date; capacity is per shift, all plan days):")
            for a in self.agents:
                out.append(f"    {a['agent_id']:<12} {a['team'] or '?':<14} {a['work_date']}  {a['calls']:>4} calls "
                           f"today, {a['capacity_used']}/{a['capacity'] if a['capacity'] is not None else '?'} "
                           f"of the shift, {_hhmm(a['first_slot'])}-{_hhmm(a['last_slot'])} UTC")
        shown = [r for r in self.rows() if r["outcome"] == "assigned"][:limit]
        if shown:
            out.append(f"  First {len(shown)} calls in order (UTC slot, borrower's local time, masked number):")
            for r in shown:
                out.append(f"    {r['team']:<14} {r['agent_id'] or '-':<12} #{r['rank'] or '-':<3} "
                           f"{_hhmm(r['slot_start'])}  {r['local_slot'] or '-':<28} {r['step']:<10} "
                           f"score {r['priority_score']:>7}  {r['loan_id']:<10} {r['phone_masked']:<10} "
                           f"dials<= {r['max_dials']} until {_hhmm(r['dial_until'])}  {r['status']}")
        return out

    def markdown(self) -> str:
        """The artifact: totals, carry-over by reason, capacity use per team and per agent shift."""
        lines = [f"# Call queue for {self.as_of}", "",
                 f"**{self.assigned}** calls assigned, **{self.carried}** carried to a later day.", ""]
        alert = self.alert_lines()
        if alert:
            lines += [f"> **{alert[0]}**", "", "```", *alert[1:], "```", ""]
        if self.carried:
            lines += ["Carried by reason: " + _reasons(self.carried_by_reason()), ""]
        if self.teams:
            lines += ["| team | assigned | carried | carried by reason | agents | capacity used | first slot (UTC) "
                      "| last slot (UTC) |", "|---|---:|---:|---|---:|---:|---|---|"]
            lines += [f"| {t['team']} | {t['assigned']} | {t['carried']} | {t['carried_by_reason'] or '-'} | "
                      f"{t['agents']} | {_capacity(t)} | {_hhmm(t['first_slot'])} | {_hhmm(t['last_slot'])} |"
                      for t in self.teams]
        if self.agents:
            lines += ["", "| agent | team | work date | calls today | shift used / capacity |", "|---|---|---|---:|---:|"]
            lines += [f"| {a['agent_id']} | {a['team'] or '?'} | {a['work_date']} | {a['calls']} | "
                      f"{a['capacity_used']} / {a['capacity'] if a['capacity'] is not None else '?'} |"
                      for a in self.agents]
        return "\n".join(lines) + "\n"


def _reasons(by_reason: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in by_reason.items())


def _capacity(t: dict[str, Any]) -> str:
    if not t["capacity"]:
        return "-"
    return f"{t['capacity_used']}/{t['capacity']} ({t['capacity_pct']:.0f}%)"


def _hhmm(ts: datetime | None) -> str:
    return ts.astimezone(UTC).strftime("%m-%d %H:%M") if ts else "-"


def _plain(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    return v


def summarize(con: duckdb.DuckDBPyConnection, as_of: date, *, carry_alert_days: int | None = None) -> QueueSummary:
    """The day's summary and its calls (masked), from call_assignments (three queries).
    carry_alert_days: name the calls carried that many plan days in a row (QueueSummary.stuck)."""
    params = {"as_of": as_of}
    return QueueSummary(as_of=as_of, teams=db.rows(con, "calls/queue/summary_teams", params),
                        agents=db.rows(con, "calls/queue/summary_agents", params),
                        calls=db.arrow(con, "calls/queue/export_rows", params), carry_alert_days=carry_alert_days)


def export_day(summary: QueueSummary, out_dir: Path) -> list[Path]:
    """Write each team's CSV and Parquet to `out_dir` (atomically); returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    calls = summary.calls
    teams = file_names("teams", [t["team"] for t in summary.teams], team_slug)
    stale = {p.stem for p in out_dir.glob("*.csv")} | {p.stem for p in out_dir.glob("*.parquet")}
    written: list[Path] = []
    for slug in sorted(set(teams) | stale):
        team = teams.get(slug)
        if calls is None:
            break
        table = calls.filter(pc.equal(calls["team"], team)) if team else calls.slice(0, 0)
        csv_path, pq_path = out_dir / f"{slug}.csv", out_dir / f"{slug}.parquet"
        write_atomically(csv_path, _csv_bytes(table))
        write_atomically(pq_path, _parquet_bytes(table))
        written += [csv_path, pq_path]
    return written


def _csv_bytes(table: pa.Table) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in table.to_pylist():
        writer.writerow(["" if row[c] is None else _csv_cell(row[c]) for c in COLUMNS])
    return text.getvalue().encode("utf-8")


def _csv_cell(v: Any) -> Any:
    if isinstance(v, list):
        return json.dumps(v)
    return _plain(v)


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table.select(list(COLUMNS)), sink)
    return bytes(sink.getvalue().to_pybytes())
