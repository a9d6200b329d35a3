"""Shared by the export tests: records inserted as parts A and B insert them, and a config with the webhook."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from loan_comms.arrangements.config import Export
from loan_comms.config import LifecycleConfig

SECRET = "whsec-test-0123456789"
T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def payload(arrangement_id: str, event: str = "accepted", **extra: Any) -> dict[str, Any]:
    """A record of the one payload shape (export_files.PAYLOAD_KEYS), as record_exports.sql builds it."""
    return {"export_id": f"{arrangement_id}:{event}", "arrangement_id": arrangement_id, "event": event,
            "occurred_on": "2026-11-10", "loan_ids": ["L0001", "L0002"],
            "loans": [{"arrears": "200.00", "loan_id": "L0001"}, {"arrears": "60.00", "loan_id": "L0002"}],
            "currency": "CNY", "option_id": "respread_3", "kind": "respread", "months": 3,
            "freeze_interest": False, "starts_on": "2026-11-10", "ends_on": "2027-01-10",
            "schedule": [{"amount": "420.00", "due_date": f"2026-{10 + k:02d}-10" if k < 3 else "2027-01-10",
                          "no": k} for k in (1, 2, 3)],
            "total": "1260.00", "decided_at": "2026-11-10T02:00:00Z", "decided_by": "rules", **extra}


def add(con: duckdb.DuckDBPyConnection, arrangement_id: str, event: str = "accepted", *,
        at: datetime = T0, body: dict[str, Any] | str | None = None) -> str:
    """One arrangement_exports row, as a part A/B writer inserts it; returns its export_id."""
    export_id = f"{arrangement_id}:{event}"
    text = body if isinstance(body, str) else json.dumps(body or payload(arrangement_id, event),
                                                          separators=(",", ":"), ensure_ascii=False)
    con.execute("INSERT INTO arrangement_exports (export_id, arrangement_id, event, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?)", [export_id, arrangement_id, event, text, at])
    return export_id


def add_many(con: duckdb.DuckDBPyConnection, n: int, *, at: datetime = T0) -> list[str]:
    return [add(con, f"A{i:04d}", at=at + timedelta(seconds=i)) for i in range(n)]


def with_export(cfg: LifecycleConfig, **settings: Any) -> LifecycleConfig:
    """The shipped config with [arrangements.export] set as given."""
    arr = cfg.arrangements.model_copy(update={"export": Export(**settings)})
    return cfg.model_copy(update={"arrangements": arr})


def statuses(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT export_id, status FROM arrangement_exports").fetchall())


def row(con: duckdb.DuckDBPyConnection, export_id: str) -> dict[str, Any]:
    cur = con.execute("SELECT * FROM arrangement_exports WHERE export_id = ?", [export_id])
    cols = [d[0] for d in cur.description]
    return dict(zip(cols, cur.fetchone()))
