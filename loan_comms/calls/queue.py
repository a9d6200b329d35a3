"""The collectors' call queue of a day: which calls each team makes, in which order, and when.

The planner decides the day's calls (policy, caps, cooldowns already applied); this module turns
them into work a team can pick up: routed by language and region, ranked by severity then amount,
with each borrower's own calling window. Rebuilding a day replaces its queue whole, so running the
flow twice gives the same queue. Everything that leaves here for people has the phone masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.clock import utc_now


@dataclass
class CallQueue:
    """A day's queue for artifacts: per-team counts and the first rows in calling order (masked)."""

    as_of: date
    total: int
    teams: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        by_team = ", ".join(f"{t['team']} {t['calls']}" for t in self.teams) or "no calls"
        return f"call queue {self.as_of}: {self.total} calls ({by_team})"

    def markdown(self) -> str:
        lines = [f"# Call queue for {self.as_of}", "", f"**{self.total}** calls queued.", ""]
        if self.teams:
            lines += ["| team | calls | borrowers | currencies | top severity | first window opens (UTC) "
                      "| last window closes (UTC) |", "|---|---:|---:|---|---:|---|---|"]
            for t in self.teams:
                lines.append(f"| {t['team']} | {t['calls']} | {t['borrowers']} | {t['currencies'] or '-'} | "
                             f"{t['top_severity']} | {_hhmm(t['first_window_opens'])} | "
                             f"{_hhmm(t['last_window_closes'])} |")
        if self.total > len(self.rows):
            lines += ["", f"The table artifact shows the first {len(self.rows)} calls in calling order; "
                          "the whole queue is the `call_queue` table."]
        return "\n".join(lines) + "\n"

    def table(self) -> list[dict[str, Any]]:
        """Rows for a Prefect table artifact: plain JSON types, phone masked."""
        return [{k: (str(v) if v is not None and not isinstance(v, (int, str, float)) else v)
                 for k, v in r.items()} for r in self.rows]


def _hhmm(ts: datetime | None) -> str:
    return ts.strftime("%Y-%m-%d %H:%M") if ts else "-"


def build_call_queue(con: duckdb.DuckDBPyConnection, as_of: date, *, built_at: datetime | None = None) -> int:
    """Replace the call queue of `as_of` with the day's planned and released calls; returns the count."""
    with db.transaction(con):
        db.run(con, "calls/queue/clear_day", {"as_of": as_of})
        row = db.run(con, "calls/queue/build_day", {"as_of": as_of, "built_at": built_at or utc_now()}).fetchone()
    return int(row[0]) if row else 0


def read_call_queue(con: duckdb.DuckDBPyConnection, as_of: date, *, limit: int = 500) -> CallQueue:
    """The day's queue for people: team totals and the first `limit` calls in order, phone masked."""
    teams = db.rows(con, "calls/queue/day_teams", {"as_of": as_of})
    rows = db.rows(con, "calls/queue/day_rows", {"as_of": as_of, "limit": limit})
    return CallQueue(as_of=as_of, total=sum(int(t["calls"]) for t in teams), teams=teams, rows=rows)
