"""The hand-off state as SQL sees it: the config table the rules read, and the plan's recording.

`register_tables` exposes the [handoff] config as temp table cfg_handoff (one row: step, partner,
barred reasons; no row when no ladder step has `handoff = true`, so nothing is ever handed off).
sql/handoff/state.sql derives which loans are handed off as of an instant (with the policy's state,
loan_comms/policy/engine.py derive_state), and `record` writes the new ones to `handoffs` inside the
plan's record transaction (loan_comms/lifecycle/planner.py record).
"""

from __future__ import annotations

from typing import Any, Mapping

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.handoff.config import BARRED_REASONS

CFG_SCHEMA = pa.schema([("step", pa.string()), ("partner", pa.string()), ("barred", pa.list_(pa.string()))])


def register_tables(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig) -> None:
    """Temp table cfg_handoff: the hand-off step, its partner and the reasons that bar a hand-off."""
    step = cfg.handoff_step
    rows = [dict(step=step, partner=cfg.handoff.partner, barred=list(BARRED_REASONS))] if step else []
    db.temp_table(con, "cfg_handoff", pa.Table.from_pylist(rows, schema=CFG_SCHEMA))


def derive(con: duckdb.DuckDBPyConnection, now: Any) -> None:
    """Temp table handoff_state as of `now` (needs cfg_handoff)."""
    db.run(con, "handoff/state", {"now": now})


def record(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> int:
    """Write the hand-offs of handoff_state not recorded yet (the plan's record transaction)."""
    return db.changed(con, "handoff/record", params)
