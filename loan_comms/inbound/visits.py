"""Recording what happened at a home visit: the field team's outcome file.

Why: a visit is a collection contact the law asks us to record in full (China's collection
guidance: what happened and the collectors present; FCA CONC 7.9: visits prepared and accountable),
and what the borrower said at the door must act like the same words on the phone. One row per
visit outcome: attempt_id, outcome, collectors, occurred_at [, visit_seq, promised_date, amount,
reason, notes, evidence_ref].
Each becomes a `visit_outcome` event with external_id 'visit:<attempt_id>:<n>' (n: visit_seq, else
the UTC instant), so a second outcome of the same visit is kept and a re-ingested file is not
doubled. Effects (read from the event where state is derived, sql/lifecycle/state/loan_flags.sql):
promise_to_pay pauses the ladder like a promise on a call, hardship acts as a hardship request
(pause and plan offer); refused and not_home are kept on record (the ladder visits at most once
per episode, so a refused visit is never repeated in it). Rows are checked one by one and refused
rows are quarantined with file, line and reason, like call outcomes (loan_comms/inbound/events.py).
A visit needs [visits] min_collectors collectors (China's guidance: two); an outcome naming fewer is
still recorded, said in the report, and flagged by the audit (sql/audit/visit_collectors.sql).

Issue 16 (part D): a visit can be `cancelled` (nobody went in) with a `reason` (CANCEL_REASONS: the
borrower asked to rearrange, safety, weather, ...); it is kept on record and changes nothing else
(the ladder visits at most once per episode). Any row may carry `notes` (free text from the field:
untrusted, at most NOTES_MAX characters, stored only in the event's detail, never logged, printed
or put in an artifact; a refusal names its length, never its words) and `evidence_ref` (the opaque
id or URI of the photos or recording in the lender's evidence store: no spaces, at most
EVIDENCE_MAX characters). The collectors should be the pair the visit plan assigned
(visit_assignments); a row that does not name both is recorded all the same (what happened at a
door must not be lost), counted in the report, and flagged by the audit (sql/audit/visit_pair.sql).
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

VISIT_OUTCOMES = ("met", "not_home", "refused", "promise_to_pay", "hardship", "cancelled")
CANCEL_REASONS = ("borrower_rearranged", "safety", "weather", "access", "collector_unavailable", "other")
VISIT_FIELDS = ("attempt_id", "outcome", "occurred_at", "promised_date", "visit_seq", "reason", "notes",
                "evidence_ref")
MAX_COLLECTORS = 10
NOTES_MAX = 2000
EVIDENCE_MAX = 200


def notes(value: Any) -> str | None:
    """Free text from the field team, or None. Never echoed: a refusal says only what is wrong."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if not isinstance(value, str):
        raise ValueError("notes is not text")
    text = value.strip()
    if len(text) > NOTES_MAX:
        raise ValueError(f"notes is {len(text)} characters long (at most {NOTES_MAX})")
    if any(ord(c) < 32 and c not in "\r\n\t" for c in text):
        raise ValueError("notes holds control characters")
    return text


def evidence_ref(value: Any) -> str | None:
    """The opaque id or URI of the visit's evidence (photos, a recording), or None: no spaces, at most
    EVIDENCE_MAX characters, printable."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if not isinstance(value, str):
        raise ValueError("evidence_ref is not text")
    ref = value.strip()
    if len(ref) > EVIDENCE_MAX:
        raise ValueError(f"evidence_ref is {len(ref)} characters long (at most {EVIDENCE_MAX})")
    if any(c.isspace() or not c.isprintable() for c in ref):
        raise ValueError("evidence_ref holds spaces or unprintable characters (an opaque id or URI)")
    return ref


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
    """Field-team results: attempt_id, outcome, collectors, occurred_at [, visit_seq, promised_date, amount,
    reason (cancelled), notes, evidence_ref].

    The borrower and loan come from the visit's own contact attempt, so an outcome can never be
    attached to someone we did not visit. `now` is the reference for "not in the future"
    (default: the wall clock; the simulator passes its simulated instant) and the rows' recorded_at.
    `min_collectors` ([visits] min_collectors): a row naming fewer is recorded all the same (what
    happened at a door must not be lost) and counted in the report's first line; the audit's
    visit_collectors rule flags it. So is a row not naming both agents of the visit's assigned pair
    (visit_pair). A cancelled visit is not judged on who was there.
    """
    now = now or utc_now()
    report = IngestReport("visit outcomes", entity="visit_outcome")
    visits = {r[0]: (r[1], r[2]) for r in db.run(con, "inbound/events/visits_made").fetchall()}
    short: list[int] = []   # rows naming fewer than min_collectors (one entry per such row)
    pairs = {r[0]: list(r[1]) for r in db.run(con, "visits/assigned_pairs").fetchall()}
    off_pair: list[str] = []   # rows of a visit made that do not name both agents of its assigned pair

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
        if outcome == "cancelled":
            detail["reason"] = event_checks.one_of("reason", row.get("reason"), CANCEL_REASONS)
        note, ref = notes(row.get("notes")), evidence_ref(row.get("evidence_ref"))
        if note is not None:
            detail["notes"] = note
        if ref is not None:
            detail["evidence_ref"] = ref
        borrower_id, loan_id = visits[attempt_id]
        amount = event_checks.amount(row.get("amount"))
        if len(present) < min_collectors and outcome != "cancelled":   # every check passed: recorded
            short.append(len(present))
        if outcome != "cancelled" and attempt_id in pairs and not set(pairs[attempt_id]) <= set(present):
            off_pair.append(attempt_id)
        return dict(external_id=f"visit:{attempt_id}:{_sequence(row.get('visit_seq'), when)}",
                    borrower_id=borrower_id, loan_id=loan_id, kind="visit_outcome", occurred_at=when,
                    detail=json.dumps(detail), channel="visit", amount=amount,
                    source="field", scope=kinds.scope_of("visit_outcome", names_loan=True), contact_point=None)

    _land(con, path, report, VISIT_FIELDS, "attempt_id", build, encoding, now)
    if short:
        report.notes.append(f"{len(short)} row(s) with fewer than {min_collectors} collectors present, recorded "
                            "all the same (the audit's visit_collectors rule flags them)")
    if off_pair:
        report.notes.append(f"{len(off_pair)} row(s) not naming both collectors of the visit's assigned pair, "
                            "recorded all the same (the audit's visit_pair rule flags them)")
    return report
