"""What comes back from providers about our messages: delivery receipts, from file drops.

- `ingest_receipts`: Twilio status callbacks (MessageSid, MessageStatus, ErrorCode, and our
  attempt_id from the StatusCallback URL) and SendGrid event webhooks (sg_message_id, event, our
  attempt_id custom arg) move `sent` contacts to `delivered` or `failed`. Status only moves
  forward, so re-ingesting a file changes nothing. Any receipt proves the provider holds the
  message: it resolves a send whose outcome was unknown. What the provider reports about the
  person or the address is recorded too (provider_reports.py): SendGrid unsubscribes, spam
  reports and drops for unsubscribed addresses, and Twilio error 21610, are opt-outs; SendGrid
  invalid-address bounces mark the e-mail address unusable.

What borrowers write back (SMS replies, e-mail replies, agent notes) is read by replies.py.

Files are JSON (an object or a list of objects) or JSON Lines (.gz too), read by the one inbound
reader (`loan_comms.inbound`); a path may be a directory of them. A record that cannot be used goes
to import_quarantine with its file, line and reason, in the same transaction as the rest of the file
is applied; a file that cannot be read at all (not UTF-8, truncated gzip) raises InboundFileError
before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.inbound import drops, provider_reports, reader
from loan_comms.clock import utc_now
from loan_comms.masking import mask_pii
from loan_comms.delivery.providers.sendgrid_events import CANARY_PREFIX

RECEIPT_FIELDS = ("MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "ErrorCode", "Timestamp", "DateUpdated",
                  "event", "sg_message_id", "sg_event_id", "attempt_id", "timestamp", "reason", "type",
                  "bounce_classification")
_when = drops.when


# ---------------------------------------------------------------------------------------------
# Delivery receipts

# Every Twilio MessageStatus: `read` (WhatsApp/RCS read receipts) and `partially_delivered` (some
# segments or recipients reached) mean the message arrived; `canceled` (a scheduled message called
# off) never went. The rest are on the way. An unknown value is quarantined with its reason.
_TWILIO_FINAL = {"delivered": "delivered", "read": "delivered", "partially_delivered": "delivered",
                 "undelivered": "failed", "failed": "failed", "canceled": "failed"}
_TWILIO_PROGRESS = {"accepted", "queued", "sending", "sent", "scheduled", "receiving", "received"}
_SENDGRID_FINAL = {"delivered": "delivered", "bounce": "failed", "dropped": "failed", "blocked": "failed"}
# The borrower asked for no more email: honoured as an email opt-out from the next contact on.
_SENDGRID_OPT_OUT = {"unsubscribe", "group_unsubscribe", "spamreport"}
# SendGrid drops a message to an address on one of its suppression lists (`reason`): unsubscribed
# or spam-reporting addresses are the person's choice (an opt-out we must record too, or every
# later e-mail is dropped again); bounced or invalid addresses reach no one.
_DROP_OPT_OUT = ("unsubscribed address", "spam reporting address")
_DROP_INVALID = ("bounced address", "invalid")
PROGRESS = "progress"   # a receipt that moves nothing but proves the provider holds the message
# receipt_key: what identifies the provider's event, so provider_receipts keeps each once however
# often a file is ingested (receipts_log.sql); never the ingest time, which a Twilio status
# callback without Timestamp would otherwise stand in for.
_RECEIPT_SCHEMA = pa.schema([("seq", pa.int64()), ("provider_message_id", pa.string()), ("attempt_id", pa.string()),
                             ("status", pa.string()), ("error", pa.string()), ("event_at", pa.timestamp("us", tz="UTC")),
                             ("receipt_key", pa.string())])


@dataclass
class ReceiptReport:
    """Counts from one receipts ingestion; unknown ids are reported, never fatal."""

    records: int = 0
    file: str = "receipts"      # the file or directory name, for the report line
    delivered: int = 0
    failed: int = 0
    unchanged: int = 0          # already delivered/failed (a re-ingested file), or not sent yet
    progress: int = 0           # intermediate statuses (queued, sent, processed...): nothing to do
    unknown: int = 0            # no contact with that message id / attempt id
    unknown_ids: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # "file:line: reason"
    opt_outs: int = 0           # unsubscribes, spam reports, Twilio 21610 recorded as opt-outs
    invalid_points: int = 0     # e-mail addresses the provider says reach no one (wrong_number marks)
    resolved: int = 0           # sends whose outcome was unknown, now known to be at the provider

    @property
    def quarantined(self) -> int:
        return len(self.rejected)

    def __str__(self) -> str:
        s = (f"{self.delivered} delivered, {self.failed} failed, {self.opt_outs} opt-outs, "
             f"{self.invalid_points} invalid addresses, {self.resolved} unknown sends resolved, "
             f"{self.progress} in progress, {self.unknown} unknown ids")
        if self.unknown_ids:
            s += f" (unknown e.g. {', '.join(self.unknown_ids[:3])})"
        recorded = self.delivered + self.failed + self.opt_outs + self.invalid_points
        head, _, rest = reader.summary(self.file, "receipts", self.records, recorded,
                                        self.unchanged, self.rejected, "receipt").partition("\n")
        return f"{head}; {s}" + (f"\n{rest}" if rest else "")


def _text(rec: dict[str, Any], name: str) -> str | None:
    value = rec.get(name)
    return str(value).strip() if value not in (None, "") else None


def _twilio(rec: dict[str, Any], now: datetime) -> tuple[dict[str, Any] | None, list[dict[str, Any]], str | None]:
    """A Twilio status callback: the receipt row and, for error 21610, the number's SMS opt-out.
    attempt_id: the StatusCallback URL's query parameter, copied in by the callback receiver."""
    sid = _text(rec, "MessageSid") or _text(rec, "SmsSid")
    aid = _text(rec, "attempt_id")
    status = str(rec.get("MessageStatus") or rec.get("SmsStatus") or "").lower()
    if status not in _TWILIO_FINAL and status not in _TWILIO_PROGRESS:
        return None, [], f"unknown Twilio MessageStatus {status!r}"
    at = _when(rec.get("Timestamp") or rec.get("DateUpdated"), now)
    moves_to = _TWILIO_FINAL.get(status, PROGRESS)
    error, reports = None, []
    if moves_to == "failed":
        code = _text(rec, "ErrorCode")
        error = f"{status}: twilio error {code}" if code else status
        if code == str(provider_reports.TWILIO_UNSUBSCRIBED):
            reports.append(provider_reports.twilio_unsubscribed(aid, sid, at, "status callback"))
    # Twilio posts each status of a message once (a retried post is the same one): the message and
    # its raw status identify the event. Not the mapped status (queued and sent are both progress),
    # not the time (real status callbacks carry no Timestamp: the time would be the ingest's).
    key = f"twilio:{sid or '?'}:{status}"
    return (dict(provider_message_id=sid, attempt_id=aid, status=moves_to, error=error, event_at=at, receipt_key=key),
            reports, None)


def _sendgrid(rec: dict[str, Any], now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A SendGrid event: the receipt row (every event proves SendGrid holds the message) and what it
    reports about the person or the address: an opt-out (unsubscribe, group unsubscribe, spam
    report, a drop for an unsubscribed or spam-reporting address) or an invalid address (a bounce
    classified Invalid Address, or a hard bounce (`type` bounce, not blocked) when SendGrid gives
    no classification; a drop for an address that bounced before or is invalid)."""
    event = str(rec["event"]).lower()
    mid_raw = _text(rec, "sg_message_id")
    mid = mid_raw.split(".", 1)[0] if mid_raw else None
    aid = _text(rec, "attempt_id")
    at = _when(rec.get("timestamp"), now)
    moves_to = _SENDGRID_FINAL.get(event, PROGRESS)
    error = None
    if moves_to == "failed":
        why = rec.get("reason") or rec.get("type") or ""
        error = mask_pii(f"{event}: sendgrid {why}".strip())[:300]
    reason = str(rec.get("reason") or "").strip().lower()
    kind: provider_reports.ReportKind | None = None
    if event in _SENDGRID_OPT_OUT or (event == "dropped" and reason in _DROP_OPT_OUT):
        kind = "opt_out"
    elif event == "dropped" and reason in _DROP_INVALID:
        kind = "wrong_number"
    elif event == "bounce":
        classification = str(rec.get("bounce_classification") or "").strip().lower()
        bounce_type = str(rec.get("type") or "").strip().lower()
        if classification == "invalid address" or (not classification and bounce_type == "bounce"):
            kind = "wrong_number"
    reports = []
    if kind is not None:
        # The key predates this module for opt-outs (sg_event_id, else event + id): kept, so a file
        # ingested before records nothing new now.
        key = f"sendgrid:{rec['sg_event_id']}" if rec.get("sg_event_id") else f"sendgrid:{rec['event']}:{aid or mid}"
        detail: dict[str, Any] = {"via": "email provider", "event": event, "decided_by": "provider:sendgrid"}
        if kind == "wrong_number":
            detail.update(reason="invalid address", bounce_classification=rec.get("bounce_classification"),
                          type=rec.get("type"), drop_reason=rec.get("reason") if event == "dropped" else None)
            detail = {k: v for k, v in detail.items() if v is not None}
        reports.append(provider_reports.report_row(kind=kind, channel="email", occurred_at=at, attempt_id=aid,
                                                   provider_message_id=mid, external_id=key, detail=detail))
    # SendGrid gives each event an id (sg_event_id); without one, the message, the event and
    # SendGrid's own timestamp (as posted, never our clock) identify it.
    receipt_key = (f"sendgrid:{rec['sg_event_id']}" if _text(rec, "sg_event_id")
                   else f"sendgrid:{mid_raw or '?'}:{event}:{_text(rec, 'timestamp') or '?'}")
    return (dict(provider_message_id=mid, attempt_id=aid, status=moves_to, error=error, event_at=at,
                 receipt_key=receipt_key), reports)


def _receipt(rec: dict[str, Any], now: datetime) -> tuple[dict[str, Any] | None, list[dict[str, Any]], str | None]:
    """(receipt row or None, provider reports, problem) for one callback record."""
    if "MessageSid" in rec or "SmsSid" in rec:
        return _twilio(rec, now)
    if "event" in rec and ("sg_message_id" in rec or "attempt_id" in rec):
        row, reports = _sendgrid(rec, now)
        return row, reports, None
    return None, [], "neither a Twilio status callback (MessageSid) nor a SendGrid event (event, sg_message_id)"


def ingest_receipts(con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime | None = None,
                    encoding: str | None = None) -> ReceiptReport:
    """Apply delivery receipts from a file or directory to `sent` contacts; idempotent. Refused
    records are quarantined in the same transaction; an unreadable file raises InboundFileError.

    Any receipt of a contact, progress ones included, proves the provider holds the message: the
    first one sets provider_seen_at, and one for a send whose outcome was unknown resolves it
    (its provider id filled in, outcome_unknown and the error cleared: sql/inbound/receipts_resolve.sql).
    What a receipt reports about the person or the address (an opt-out, an invalid address) is
    recorded by provider_reports.py."""
    now = now or utc_now()
    report = ReceiptReport(file=Path(path).name)
    rows: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for file, r in drops.records(Path(path), encoding, RECEIPT_FIELDS):
        rec, problem = r.row, r.problem
        report.records += 1
        if rec is not None:
            row, found, problem = _receipt(rec, now)
            reports += found
            if row is not None:
                rows.append({"seq": len(rows), **row})
                continue
        assert problem is not None  # a record with no row always says why
        report.rejected.append(f"{file.name}:{r.line}: {problem}")
        bad.append(reader.quarantine_row(file, r, "receipt", problem,
                                          (rec or {}).get("MessageSid") or (rec or {}).get("sg_message_id")))
    # Delivery checks (sendgrid_events.py) are not contacts: their events only say the webhook is caught up.
    canaries = [r["attempt_id"] for r in rows if str(r.get("attempt_id") or "").startswith(CANARY_PREFIX)]
    rows = [r for r in rows if not str(r.get("attempt_id") or "").startswith(CANARY_PREFIX)]
    with db.transaction(con):
        reader.quarantine(con, bad)
        if canaries:
            table = pa.Table.from_pylist([{"attempt_id": c} for c in canaries], schema=pa.schema([("attempt_id", pa.string())]))
            with db.registered(con, table, "_canary_events"):
                db.run(con, "inbound/canaries_seen", {"now": now})
        if rows:
            with db.registered(con, pa.Table.from_pylist(rows, schema=_RECEIPT_SCHEMA), "_receipts"):
                db.run(con, "inbound/receipts_match", {})
                counts = dict(db.run(con, "inbound/receipts_counts", {}).fetchall())
                report.delivered, report.failed = int(counts.get("delivered", 0)), int(counts.get("failed", 0))
                report.unchanged, report.unknown = int(counts.get("unchanged", 0)), int(counts.get("unknown", 0))
                report.progress = int(counts.get(PROGRESS, 0))
                report.unknown_ids = [r[0] for r in db.run(con, "inbound/receipts_unknown_ids").fetchall()]
                db.run(con, "inbound/receipts_log", {"now": now})   # the evidence sent_once audits
                report.resolved = db.changed(con, "inbound/receipts_resolve", {"now": now})
                db.run(con, "inbound/receipts_seen", {"now": now})
                db.run(con, "inbound/receipts_apply", {"now": now})
        added = provider_reports.record_reports(con, reports, now)
        report.opt_outs, report.invalid_points = added["opt_out"], added["wrong_number"]
    return report


def __getattr__(name: str) -> Any:
    """`ingest_replies` and `ReplyReport` lived here before replies.py: old imports keep working."""
    if name in ("ingest_replies", "ReplyReport"):
        from loan_comms.inbound import replies

        return getattr(replies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
