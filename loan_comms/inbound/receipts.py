"""What comes back from providers about our messages: delivery receipts, from file drops.

- `ingest_receipts`: Twilio status callbacks (MessageSid, MessageStatus, ErrorCode) and SendGrid
  event webhooks (sg_message_id, event, our attempt_id custom arg) move `sent` contacts to
  `delivered` or `failed`. Status only moves forward, so re-ingesting a file changes nothing.
  SendGrid unsubscribes and spam reports are e-mail opt-outs.

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
from loan_comms.inbound import drops, reader
from loan_comms.clock import utc_now
from loan_comms.masking import mask_pii

RECEIPT_FIELDS = ("MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "ErrorCode", "Timestamp", "DateUpdated",
                  "event", "sg_message_id", "sg_event_id", "attempt_id", "timestamp", "reason", "type")
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
_OPT_OUT_SCHEMA = pa.schema([("external_id", pa.string()), ("provider_message_id", pa.string()),
                             ("attempt_id", pa.string()), ("event", pa.string()),
                             ("occurred_at", pa.timestamp("us", tz="UTC"))])
_RECEIPT_SCHEMA = pa.schema([("seq", pa.int64()), ("provider_message_id", pa.string()), ("attempt_id", pa.string()),
                             ("status", pa.string()), ("error", pa.string()), ("event_at", pa.timestamp("us", tz="UTC"))])


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
    opt_outs: int = 0           # email unsubscribes / spam reports recorded as opt-outs

    @property
    def quarantined(self) -> int:
        return len(self.rejected)

    def __str__(self) -> str:
        s = (f"{self.delivered} delivered, {self.failed} failed, {self.opt_outs} email opt-outs, "
             f"{self.progress} in progress, {self.unknown} unknown ids")
        if self.unknown_ids:
            s += f" (unknown e.g. {', '.join(self.unknown_ids[:3])})"
        head, _, rest = reader.summary(self.file, "receipts", self.records, self.delivered + self.failed + self.opt_outs,
                                        self.unchanged, self.rejected, "receipt").partition("\n")
        return f"{head}; {s}" + (f"\n{rest}" if rest else "")


def _receipt_row(rec: dict[str, Any], now: datetime) -> tuple[dict[str, Any] | None, str | None, bool]:
    """(row for SQL or None, problem, is_progress) for one callback record."""
    if "MessageSid" in rec or "SmsSid" in rec:
        sid = rec.get("MessageSid") or rec.get("SmsSid")
        status = str(rec.get("MessageStatus") or rec.get("SmsStatus") or "").lower()
        if status in _TWILIO_PROGRESS:
            return None, None, True
        if status not in _TWILIO_FINAL:
            return None, f"unknown Twilio MessageStatus {status!r}", False
        error = None
        if _TWILIO_FINAL[status] == "failed":
            code = rec.get("ErrorCode")
            error = f"{status}: twilio error {code}" if code not in (None, "") else status
        return dict(provider_message_id=str(sid), attempt_id=None, status=_TWILIO_FINAL[status], error=error,
                    event_at=_when(rec.get("Timestamp") or rec.get("DateUpdated"), now)), None, False
    if "event" in rec and ("sg_message_id" in rec or "attempt_id" in rec):
        event = str(rec["event"]).lower()
        if event not in _SENDGRID_FINAL:
            return None, None, True
        mid = rec.get("sg_message_id")
        error = None
        if _SENDGRID_FINAL[event] == "failed":
            detail = rec.get("reason") or rec.get("type") or ""
            error = mask_pii(f"{event}: sendgrid {detail}".strip())[:300]
        return dict(provider_message_id=str(mid).split(".", 1)[0] if mid else None,
                    attempt_id=str(rec["attempt_id"]) if rec.get("attempt_id") else None,
                    status=_SENDGRID_FINAL[event], error=error, event_at=_when(rec.get("timestamp"), now)), None, False
    return None, "neither a Twilio status callback (MessageSid) nor a SendGrid event (event, sg_message_id)", False


def ingest_receipts(con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime | None = None,
                    encoding: str | None = None) -> ReceiptReport:
    """Apply delivery receipts from a file or directory to `sent` contacts; idempotent. Refused
    records are quarantined in the same transaction; an unreadable file raises InboundFileError."""
    now = now or utc_now()
    report = ReceiptReport(file=Path(path).name)
    rows: list[dict[str, Any]] = []
    opt_outs: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for file, r in drops.records(Path(path), encoding, RECEIPT_FIELDS):
        rec, problem = r.row, r.problem
        report.records += 1
        if rec is not None and str(rec.get("event", "")).lower() in _SENDGRID_OPT_OUT \
                and (rec.get("sg_message_id") or rec.get("attempt_id")):
            mid = str(rec["sg_message_id"]).split(".", 1)[0] if rec.get("sg_message_id") else None
            aid = str(rec["attempt_id"]) if rec.get("attempt_id") else None
            opt_outs.append(dict(external_id="sendgrid:" + str(rec.get("sg_event_id") or f"{rec['event']}:{aid or mid}"),
                                 provider_message_id=mid, attempt_id=aid, event=str(rec["event"]).lower(),
                                 occurred_at=_when(rec.get("timestamp"), now)))
            continue
        if rec is not None:
            row, problem, progress = _receipt_row(rec, now)
            if progress:
                report.progress += 1
                continue
            if row is not None:
                rows.append({"seq": len(rows), **row})
                continue
        assert problem is not None  # a record with no row always says why
        report.rejected.append(f"{file.name}:{r.line}: {problem}")
        bad.append(reader.quarantine_row(file, r, "receipt", problem,
                                          (rec or {}).get("MessageSid") or (rec or {}).get("sg_message_id")))
    with db.transaction(con):
        reader.quarantine(con, bad)
        if rows:
            with db.registered(con, pa.Table.from_pylist(rows, schema=_RECEIPT_SCHEMA), "_receipts"):
                db.run(con, "inbound/receipts_match", {})
                counts = dict(db.run(con, "inbound/receipts_counts", {}).fetchall())
                report.delivered, report.failed = int(counts.get("delivered", 0)), int(counts.get("failed", 0))
                report.unchanged, report.unknown = int(counts.get("unchanged", 0)), int(counts.get("unknown", 0))
                report.unknown_ids = [r[0] for r in db.run(con, "inbound/receipts_unknown_ids").fetchall()]
                db.run(con, "inbound/receipts_apply", {"now": now})
        if opt_outs:
            with db.registered(con, pa.Table.from_pylist(opt_outs, schema=_OPT_OUT_SCHEMA), "_email_opt_outs"):
                report.opt_outs = db.changed(con, "inbound/email_opt_outs_insert", {"now": now})
    return report


def __getattr__(name: str) -> Any:
    """`ingest_replies` and `ReplyReport` lived here before replies.py: old imports keep working."""
    if name in ("ingest_replies", "ReplyReport"):
        from loan_comms.inbound import replies

        return getattr(replies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
