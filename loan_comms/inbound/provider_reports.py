"""What providers report about the people we contact: an unsubscribed number, an address that
reaches no one. One place records them, whichever path brought them.

A provider learns things we must honour: Twilio refuses a number that texted STOP to our sender
(error 21610, on send or in a status callback), SendGrid reports unsubscribes, spam reports and
addresses that bounce as invalid. If we ignored them, the next plan would address the same number
or e-mail again: another refusal at best, a message to someone who said stop at worst. So they
become `borrower_events` rows like the ones a reply or an operator records (opt_out, wrong_number),
and the gate, the audit and the plan read them as they read every other event.

Both callers (dispatch's write-back through TwilioProvider.persist, and receipts ingestion) build
rows with `report_row` and record them with `record_reports` inside their own transaction;
sql/inbound/provider_reports_insert.sql finds the contact and records each external_id once.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any, Literal

import duckdb
import pyarrow as pa

from loan_comms import db

ReportKind = Literal["opt_out", "wrong_number"]
TWILIO_UNSUBSCRIBED = 21610   # "Attempt to send to unsubscribed recipient"

REPORTS_SCHEMA = pa.schema([
    ("external_id", pa.string()), ("key_prefix", pa.string()), ("attempt_id", pa.string()),
    ("provider_message_id", pa.string()), ("channel", pa.string()), ("kind", pa.string()),
    ("detail", pa.string()), ("occurred_at", pa.timestamp("us", tz="UTC")),
])


def report_row(*, kind: ReportKind, channel: str, occurred_at: datetime, detail: dict[str, Any],
               attempt_id: str | None = None, provider_message_id: str | None = None,
               external_id: str | None = None, key_prefix: str | None = None) -> dict[str, Any]:
    """One report about the contact `attempt_id` (or the one the provider knows as
    `provider_message_id`). external_id: the provider's own event id when it has one; otherwise
    key_prefix + the contact's attempt id is the key (resolved in SQL, so the same contact reported
    by the send and by a callback records once). detail must never carry an address or text."""
    if external_id is None and key_prefix is None:
        raise ValueError("report_row: an external_id or a key_prefix is required (replays must add nothing)")
    return dict(external_id=external_id, key_prefix=key_prefix, attempt_id=attempt_id,
                provider_message_id=provider_message_id, channel=channel, kind=kind,
                detail=json.dumps(detail, sort_keys=True), occurred_at=occurred_at)


def twilio_unsubscribed(attempt_id: str | None, provider_message_id: str | None, occurred_at: datetime,
                        via: str) -> dict[str, Any]:
    """Twilio error 21610: the number is unsubscribed from our sender. An SMS opt-out for the
    number the contact went to; decided_by 'provider:twilio' (no confirmation text: Twilio would
    refuse it, and the borrower got Twilio's own reply to their STOP)."""
    return report_row(kind="opt_out", channel="sms", occurred_at=occurred_at, attempt_id=attempt_id,
                      provider_message_id=provider_message_id, key_prefix=f"twilio:{TWILIO_UNSUBSCRIBED}:",
                      detail={"decided_by": "provider:twilio", "error_code": TWILIO_UNSUBSCRIBED, "via": via})


def record_reports(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], now: datetime) -> Counter[str]:
    """Record the reports (each once, ever) inside the caller's transaction; returns how many new
    rows by kind (opt_out, wrong_number)."""
    if not rows:
        return Counter()
    with db.registered(con, pa.Table.from_pylist(rows, schema=REPORTS_SCHEMA), "_provider_reports"):
        added = db.run(con, "inbound/provider_reports_insert", {"now": now}).fetchall()
    return Counter(kind for (kind,) in added)
