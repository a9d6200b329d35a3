"""Recording what happened at a home visit: the field team's outcome file.

Why: a visit is a collection contact the law asks us to record in full (China's collection
guidance: what happened and the collectors present; FCA CONC 7.9: visits prepared and accountable),
and what the borrower said at the door must act like the same words on the phone. One row per
visit outcome: attempt_id, outcome, collectors, occurred_at [, visit_seq, promised_date, amount].
Each becomes a `visit_outcome` event with external_id 'visit:<attempt_id>:<n>' (n: visit_seq, else
the UTC instant), so a second outcome of the same visit is kept and a re-ingested file is not
doubled. Effects (read from the event where state is derived, sql/lifecycle/state/loan_flags.sql):
promise_to_pay pauses the ladder like a promise on a call, hardship acts as a hardship request
(pause and plan offer); refused and not_home are kept on record (the ladder visits at most once
per episode, so a refused visit is never repeated in it). Rows are checked one by one and refused
rows are quarantined with file, line and reason, like call outcomes (loan_comms/inbound/events.py).
A visit needs [visits] min_collectors collectors (China's guidance: two); an outcome naming fewer is
still recorded, said in the report, and flagged by the audit (sql/audit/visit_collectors.sql).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.inbound import event_checks
from loan_comms.policy import kinds
from loan_comms.inbound.events import IngestReport, _land

VISIT_OUTCOMES = ("met", "not_home", "refused", "promise_to_pay", "hardship")
VISIT_FIELDS = ("attempt_id", "outcome", "occurred_at", "promised_date", "visit_seq")
MAX_COLLECTORS = 10


def collectors(value: Any) -> list[str]:
    """The collectors present: a JSON list of ids or one text of comma-separated ids; at least one,
    each an id (never a name with spaces or contact details), no repeats."""
    if isinstance(value, str):
        items: list[Any] = [v for v in value.split(",")]
    elif isinstance(value, list):
        items = value
    elif value is None:
        items = []
    else:
        raise ValueError(f"collectors {event_checks.show(value)} is not a list of collector ids")
    ids = [event_checks.identifier("collectors", v) for v in items if not (isinstance(v, str) and v.strip() == "")]
    if not ids:
        raise ValueError("collectors is missing (the ids of the collectors present at the visit)")
    for i in ids:
        if any(c.isspace() for c in i) or "@" in i or i.startswith("+"):
            raise ValueError(f"collectors {event_checks.show(i)} is not a collector id")
    if len(set(ids)) != len(ids):
        raise ValueError("collectors names the same collector twice")
    if len(ids) > MAX_COLLECTORS:
        raise ValueError(f"collectors lists {len(ids)} people (at most {MAX_COLLECTORS})")
    return ids


def _sequence(value: Any, when: datetime) -> str:
    """The n of 'visit:<attempt_id>:<n>': visit_seq when given (a whole number >= 1), else the instant."""
    if value in (None, ""):
        return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise ValueError(f"visit_seq {event_checks.show(value)} is not a whole number from 1")
    return str(int(text))


def ingest_visit_outcomes(con: duckdb.DuckDBPyConnection, path: Path, *, now: datetime | None = None,
                          encoding: str | None = None,
                          tolerance: timedelta = event_checks.FUTURE_TOLERANCE,
                          min_collectors: int = 2) -> IngestReport:
    """Field-team results: attempt_id, outcome, collectors, occurred_at [, visit_seq, promised_date, amount].

    The borrower and loan come from the visit's own contact attempt, so an outcome can never be
    attached to someone we did not visit. `now` is the reference for "not in the future"
    (default: the wall clock; the simulator passes its simulated instant) and the rows' recorded_at.
    `min_collectors` ([visits] min_collectors): a row naming fewer is recorded all the same (what
    happened at a door must not be lost) and counted in the report's first line; the audit's
    visit_collectors rule flags it.
    """
    now = now or utc_now()
    report = IngestReport("visit outcomes", entity="visit_outcome")
    visits = {r[0]: (r[1], r[2]) for r in db.run(con, "inbound/events/visits_made").fetchall()}
    short: list[int] = []   # rows naming fewer than min_collectors (one entry per such row)

    def build(row: dict[str, Any]) -> dict[str, Any]:
        attempt_id = event_checks.identifier("attempt_id", row.get("attempt_id"))
        if attempt_id not in visits:
            raise ValueError(f"attempt_id {event_checks.show(attempt_id)} is not a visit we made")
        outcome = event_checks.one_of("outcome", row.get("outcome"), VISIT_OUTCOMES)
        present = collectors(row.get("collectors"))
        when = event_checks.occurred_at(row.get("occurred_at"), now, tolerance)
        detail: dict[str, Any] = {"outcome": outcome, "attempt_id": attempt_id, "collectors": present}
        if outcome == "promise_to_pay":
            detail["promised_date"] = event_checks.promised_date(row.get("promised_date"), when).isoformat()
        borrower_id, loan_id = visits[attempt_id]
        amount = event_checks.amount(row.get("amount"))
        if len(present) < min_collectors:   # every check passed: the row will be recorded
            short.append(len(present))
        return dict(external_id=f"visit:{attempt_id}:{_sequence(row.get('visit_seq'), when)}",
                    borrower_id=borrower_id, loan_id=loan_id, kind="visit_outcome", occurred_at=when,
                    detail=json.dumps(detail), channel="visit", amount=amount,
                    source="field", scope=kinds.scope_of("visit_outcome", names_loan=True), contact_point=None)

    _land(con, path, report, VISIT_FIELDS, "attempt_id", build, encoding, now)
    if short:
        report.notes.append(f"{len(short)} row(s) with fewer than {min_collectors} collectors present, recorded "
                            "all the same (the audit's visit_collectors rule flags them)")
    return report
