"""The short human summary `make demo` ends with: what went out, per day, channel and step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) if rows else len(c) for c in cols}
    head = "  ".join(c.rjust(widths[c]) for c in cols)
    body = ["  ".join(str(r[c]).rjust(widths[c]) for c in cols) for r in rows]
    return "\n".join([head, "  ".join("-" * widths[c] for c in cols), *body])


def print_demo_summary(con: duckdb.DuckDBPyConnection, db_path: Path, seconds: float) -> None:
    by_day = db.rows(con, "ops/report/sent_by_day_channel")
    print("\nContacts sent per day and channel (borrowers' local days):")
    print(_table(by_day, ["day", "sms", "email", "call", "letter", "visit", "suppressed", "failed"]))
    print("\nContacts sent by step and language:")
    print(_table(db.rows(con, "ops/report/sent_by_step_language"), ["purpose", "step", "zh_cn", "en", "no_text", "total"]))
    print("\nSuppressed by reason:")
    print(_table(db.rows(con, "ops/report/suppressed_by_reason"), ["reason", "contacts", "borrowers"]))
    outbox = db.value(con, "ops/report/outbox_count")
    print(f"\n{outbox} messages are in the local outbox (table outbox_messages); nothing left this machine.")
    print(f"Database: {Path(db_path).resolve()}  (open it with duckdb; tables contact_attempts, "
          f"borrower_events, outbox_messages)")
    print(f"Finished in {seconds:.0f} s.")
