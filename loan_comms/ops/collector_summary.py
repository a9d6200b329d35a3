"""The demo's closing lines about collector work: calls assigned and carried (by reason) over the
run, how much of the agents' call capacity they used, and the dialer hand-off by state. Counts only.
(Field visits are summarised by the visit plan's own lines.)"""

from __future__ import annotations

from typing import Any

import duckdb

from loan_comms import db


def collector_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The lines to print (empty when the run planned no call through the roster)."""
    rows = db.rows(con, "ops/report/collector_calls")
    calls = [r for r in rows if r["kind"] == "calls"]
    if not calls:
        return []
    assigned = sum(r["n"] for r in calls if r["what"] == "assigned")
    carried = [r for r in calls if r["what"].startswith("carried")]
    days = max(r["days"] for r in calls)
    out = [f"Collector calls over {days} plan days: {assigned:,} assigned to agents, "
           f"{sum(r['n'] for r in carried):,} carried to a later day"
           + (" (" + ", ".join(f"{r['what'].removeprefix('carried: ')} {r['n']:,}" for r in carried) + ")"
              if carried else "")]
    cap = {r["what"]: r for r in rows if r["kind"] == "capacity"}
    shifts, used = cap.get("agent shifts"), cap.get("calls in them")
    if shifts and shifts["total"]:
        out.append(f"Agent capacity: {used['n'] if used else 0:,} calls in {shifts['n']:,} agent shifts holding "
                   f"{shifts['total']:,} ({100.0 * (used['n'] if used else 0) / shifts['total']:.0f}% used)")
    dialer: list[dict[str, Any]] = [r for r in rows if r["kind"] == "dialer"]
    if dialer:
        out.append("Dialer hand-off: " + ", ".join(f"{r['what']} {r['n']:,}" for r in dialer))
    return out


def print_collector_summary(con: duckdb.DuckDBPyConnection) -> None:
    lines = collector_lines(con)
    if lines:
        print()
        for line in lines:
            print(line)
