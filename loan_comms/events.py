"""Recording what borrowers did: call outcomes from the dialer, and operator-entered events.

Both arrive as files (JSON lines or CSV) so they can be re-ingested safely: each row carries an
id that becomes `borrower_events.external_id`, and a row seen before is skipped, not doubled.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb
import pyarrow as pa

from loan_comms import db

CALL_OUTCOMES = ("no_answer", "reached", "promise_to_pay", "wrong_number")
OPERATOR_KINDS = ("cease_contact", "cease_contact_revoked", "dispute", "dispute_resolved", "hardship_request",
                  "promise_to_pay", "opt_out", "opt_in")
CHANNELS = ("sms", "email", "call", "letter", "visit")

EVENT_SCHEMA = pa.schema([
    ("external_id", pa.string()), ("borrower_id", pa.string()), ("loan_id", pa.string()), ("kind", pa.string()),
    ("occurred_at", pa.timestamp("us", tz="UTC")), ("detail", pa.string()), ("channel", pa.string()),
    ("amount", pa.decimal128(18, 2)), ("source", pa.string()),
])


@dataclass
class IngestReport:
    what: str
    read: int = 0
    recorded: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)   # "line N: reason"

    def __str__(self) -> str:
        text = (f"{self.what}: {self.read} rows read, {self.recorded} recorded, "
                f"{self.duplicates} already known, {len(self.rejected)} rejected")
        return text + "".join(f"\n  {r}" for r in self.rejected[:20])


def read_rows(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    """(line number, row) from a .jsonl/.json or .csv file; a bad JSON line is reported, not fatal."""
    path = Path(path)
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=2):
                yield i, row
        return
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json" and text.lstrip().startswith("["):
        for i, row in enumerate(json.loads(text), start=1):
            yield i, row
        return
    for i, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield i, json.loads(line)
            except json.JSONDecodeError as exc:
                yield i, {"__error__": f"not JSON ({exc.msg})"}


def _when(value: Any) -> datetime:
    ts = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if ts.tzinfo is None:
        raise ValueError(f"occurred_at {value!r} has no timezone offset")
    return ts


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"amount {value!r} is not a number") from None
    if amount < 0:
        raise ValueError(f"amount {value!r} is negative")
    return amount


def _collect(path: Path, report: IngestReport, build: Callable[[dict[str, Any]], dict[str, Any]]) -> list[dict[str, Any]]:
    """Build an event from every row; a row that cannot be used is named with its line, not fatal."""
    out: list[dict[str, Any]] = []
    for line, row in read_rows(path):
        report.read += 1
        try:
            if "__error__" in row:
                raise ValueError(row["__error__"])
            out.append(build(row))
        except (ValueError, TypeError) as exc:
            report.rejected.append(f"{Path(path).name} line {line}: {exc}")
    return out


def _store(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], report: IngestReport) -> IngestReport:
    if rows:
        con.register("_events_arrow", pa.Table.from_pylist(rows, schema=EVENT_SCHEMA))
        try:
            with db.transaction(con):
                con.execute("CREATE OR REPLACE TEMP TABLE events_batch AS SELECT * FROM _events_arrow")
                before = db.scalar(con, "SELECT count(*) FROM borrower_events")
                db.run(con, "events/record_batch")
                report.recorded = db.scalar(con, "SELECT count(*) FROM borrower_events") - before
        finally:
            con.unregister("_events_arrow")
    report.duplicates = len(rows) - report.recorded
    return report


def ingest_call_outcomes(con: duckdb.DuckDBPyConnection, path: Path) -> IngestReport:
    """Dialer results: attempt_id, outcome, occurred_at [, promised_date, amount].

    The borrower and loan come from the call's own contact attempt, so a dialer can never attach
    an outcome to someone we did not call.
    """
    report = IngestReport("call outcomes")
    calls = {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT attempt_id, borrower_id, loan_id FROM contact_attempts WHERE channel = 'call' AND sent_at IS NOT NULL"
    ).fetchall()}

    def build(row: dict[str, Any]) -> dict[str, Any]:
        attempt_id = str(row.get("attempt_id") or "")
        if attempt_id not in calls:
            raise ValueError(f"attempt_id {attempt_id!r} is not a call we made")
        outcome = row.get("outcome")
        if outcome not in CALL_OUTCOMES:
            raise ValueError(f"outcome {outcome!r} is not one of {', '.join(CALL_OUTCOMES)}")
        detail: dict[str, Any] = {"outcome": outcome, "attempt_id": attempt_id}
        if outcome == "promise_to_pay":
            detail["promised_date"] = date.fromisoformat(str(row.get("promised_date"))).isoformat()
        borrower_id, loan_id = calls[attempt_id]
        return dict(external_id=f"call:{attempt_id}", borrower_id=borrower_id, loan_id=loan_id,
                    kind="call_outcome", occurred_at=_when(row.get("occurred_at")),
                    detail=json.dumps(detail), channel="call", amount=_amount(row.get("amount")),
                    source="dialer")

    out = _collect(path, report, build)
    return _store(con, out, report)


def ingest_operator_events(con: duckdb.DuckDBPyConnection, path: Path) -> IngestReport:
    """Events an agent records: event_id, borrower_id, kind, occurred_at [, loan_id, channel,
    promised_date, amount, note]. Cease-contact, disputes, hardship, opt-outs by phone or letter."""
    report = IngestReport("operator events")
    known = {r[0] for r in con.execute("SELECT borrower_id FROM borrowers").fetchall()}

    def build(row: dict[str, Any]) -> dict[str, Any]:
        kind = row.get("kind")
        if kind not in OPERATOR_KINDS:
            raise ValueError(f"kind {kind!r} is not one of {', '.join(OPERATOR_KINDS)}")
        if not row.get("event_id"):
            raise ValueError("event_id is missing (needed so a re-import is not doubled)")
        if row.get("borrower_id") not in known:
            raise ValueError(f"borrower_id {row.get('borrower_id')!r} is unknown")
        channel = row.get("channel") or None
        if kind in ("opt_out", "opt_in") and channel not in CHANNELS:
            raise ValueError(f"{kind} needs a channel, one of {', '.join(CHANNELS)}")
        if kind in ("dispute", "dispute_resolved", "hardship_request", "promise_to_pay") and not row.get("loan_id"):
            raise ValueError(f"{kind} needs the loan_id it is about")
        detail: dict[str, Any] = {}
        if kind == "promise_to_pay":
            detail["promised_date"] = date.fromisoformat(str(row.get("promised_date"))).isoformat()
        if row.get("note"):
            detail["note"] = str(row["note"])[:500]
        return dict(external_id=f"operator:{row['event_id']}", borrower_id=row["borrower_id"],
                    loan_id=row.get("loan_id") or None, kind=kind, occurred_at=_when(row.get("occurred_at")),
                    detail=json.dumps(detail) if detail else None, channel=channel,
                    amount=_amount(row.get("amount")), source="operator")

    out = _collect(path, report, build)
    return _store(con, out, report)
