"""What comes back from providers: delivery receipts and inbound SMS replies, from file drops.

- `ingest_receipts`: Twilio status callbacks (MessageSid, MessageStatus, ErrorCode) and SendGrid
  event webhooks (sg_message_id, event, our attempt_id custom arg) move `sent` contacts to
  `delivered` or `failed`. Status only moves forward, so re-ingesting a file changes nothing.
- `ingest_replies`: Twilio inbound SMS (From, Body, MessageSid) become `borrower_events`: the raw
  `sms_reply` plus what it means (opt_out, hardship_request, promise_to_pay, dispute), keyed by
  MessageSid so a file ingested twice records each reply once. Grammar: docs/replies.md.

Files are JSON (an object or a list of objects) or JSON Lines (.gz too), read by the one inbound
reader (`loan_comms.inbound`); a path may be a directory of them. A record that cannot be used goes
to import_quarantine with its file, line and reason, in the same transaction as the rest of the file
is applied; a file that cannot be read at all (not UTF-8, truncated gzip) raises InboundFileError
before anything is written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.inbound import reader
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.masking import mask_pii

# ---------------------------------------------------------------------------------------------
# Reading file drops (each file through the one inbound reader, loan_comms.inbound)

SUFFIXES = (".json", ".jsonl", ".ndjson")
RECEIPT_FIELDS = ("MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "ErrorCode", "Timestamp", "DateUpdated",
                  "event", "sg_message_id", "sg_event_id", "attempt_id", "timestamp", "reason", "type")
REPLY_FIELDS = ("MessageSid", "SmsSid", "From", "Body", "DateSent", "timestamp", "received_at")


def _files(path: Path) -> list[Path]:
    """The file itself, or the inbound files (.json, .jsonl, .ndjson, also .gz) of a directory."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_file()
                   and p.name.lower().removesuffix(".gz").endswith(SUFFIXES))
    if not found:
        raise reader.InboundFileError(f"{path}: a directory with no {', '.join(SUFFIXES)} files; give a file or "
                                       "a directory of them")
    return found


def _records(path: Path, encoding: str | None, fields: tuple[str, ...]
             ) -> Iterator[tuple[Path, reader.Record]]:
    """(file, record) for every record of a file or directory. Every file is read before anything is
    written, so an unreadable one stops the whole ingestion cleanly (InboundFileError)."""
    everything = [(f, reader.read_records(f, encoding=encoding, text_fields=fields)) for f in _files(path)]
    for f, records in everything:
        for rec in records:
            yield f, rec


def _when(value: Any, default: datetime) -> datetime:
    """A timestamp from a callback: unix seconds, ISO 8601 or RFC 2822 (Twilio's DateSent)."""
    if value in (None, ""):
        return default
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):
        pass
    s = str(value)
    for parse in (lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")), parsedate_to_datetime):
        try:
            dt = parse(s)
        except (TypeError, ValueError):
            continue
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
    return default


# ---------------------------------------------------------------------------------------------
# Delivery receipts

_TWILIO_FINAL = {"delivered": "delivered", "undelivered": "failed", "failed": "failed"}
_TWILIO_PROGRESS = {"accepted", "queued", "sending", "sent", "scheduled", "read", "receiving", "received"}
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
    for file, r in _records(Path(path), encoding, RECEIPT_FIELDS):
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


# ---------------------------------------------------------------------------------------------
# Inbound replies: the keyword grammar (docs/replies.md)

_EN_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DISPUTE_EN = re.compile(r"^(DISPUTE|NOT MINE)\b")
_DISPUTE_ZH = ("异议", "不是我的", "不是本人")
_HARDSHIP_EN = re.compile(r"^(HARDSHIP|HELP PLAN)\b")
_HARDSHIP_ZH = ("困难", "申请延期", "协商")
_PROMISE_EN = re.compile(r"^(PROMISE|PTP)\b")
_PROMISE_ZH = ("承诺",)
_DATE_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_DATE_MD_ZH = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_DATE_MON_D = re.compile(r"\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?\s+(\d{1,2})(?:ST|ND|RD|TH)?\b")
_DATE_D_MON = re.compile(r"\b(\d{1,2})(?:ST|ND|RD|TH)?\s+(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\b")
_RELATIVE = {"TODAY": 0, "今天": 0, "TOMORROW": 1, "明天": 1, "后天": 2}
_AMOUNT = re.compile(r"(?<![\d.])(\d{1,9}(?:\.\d{1,2})?)(?![\d.])")


@dataclass(frozen=True)
class Classified:
    """What a reply means: kind (None = just a reply), a promise's date and amount, or why not."""

    kind: str | None
    promised_date: date | None = None
    amount: Decimal | None = None
    note: str | None = None


def normalize_reply(text: str) -> str:
    """Full-width to ASCII (NFKC), upper case, single spaces, no trailing punctuation."""
    t = unicodedata.normalize("NFKC", text or "").upper()
    t = " ".join(t.split())
    return t.rstrip(".!?。!?~ ")


def _future(month: int, day: int, received_on: date) -> date | None:
    for year in (received_on.year, received_on.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d >= received_on:
            return d
    return None


def _promise_date(rest: str, received_on: date) -> tuple[date | None, str, str | None]:
    """(date, text with the date removed, problem) from what follows PROMISE / 承诺."""
    if m := _DATE_YMD.search(rest):
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None, rest, f"{m[0]} is not a date"
        return d, rest.replace(m[0], " ", 1), None
    if m := _DATE_MD_ZH.search(rest):
        return _future(int(m[1]), int(m[2]), received_on), rest.replace(m[0], " ", 1), None
    if m := _DATE_MON_D.search(rest):
        return _future(_EN_MONTHS[m[1][:3]], int(m[2]), received_on), rest.replace(m[0], " ", 1), None
    if m := _DATE_D_MON.search(rest):
        return _future(_EN_MONTHS[m[2][:3]], int(m[1]), received_on), rest.replace(m[0], " ", 1), None
    for word, days in _RELATIVE.items():
        if word in rest:
            return received_on + timedelta(days=days), rest.replace(word, " ", 1), None
    return None, rest, "no date we can read"


def classify_reply(text: str, opt_out_keywords: Sequence[str], received_on: date) -> Classified:
    """Classify one inbound SMS: opt-out (whole message), dispute, hardship, promise to pay."""
    t = normalize_reply(text)
    if not t:
        return Classified(None, note="empty message")
    if t in {normalize_reply(k) for k in opt_out_keywords}:
        return Classified("opt_out")
    if _DISPUTE_EN.match(t) or any(k in t for k in _DISPUTE_ZH):
        return Classified("dispute")
    if _HARDSHIP_EN.match(t) or any(k in t for k in _HARDSHIP_ZH):
        return Classified("hardship_request")
    m = _PROMISE_EN.match(t)
    zh = next((k for k in _PROMISE_ZH if k in t), None)
    if m or zh:
        rest = t[m.end():] if m else t.split(zh, 1)[1]
        when, rest, problem = _promise_date(rest, received_on)
        if when is None:
            return Classified(None, note=f"promise without a usable date ({problem or 'date already passed'})")
        if when < received_on:
            return Classified(None, note=f"promised date {when} is in the past")
        if when > received_on + timedelta(days=366):
            return Classified(None, note=f"promised date {when} is more than a year away")
        amount = None
        if a := _AMOUNT.search(rest):
            try:
                amount = Decimal(a[1])
            except InvalidOperation:
                amount = None
        return Classified("promise_to_pay", promised_date=when, amount=amount)
    return Classified(None)


_REPLY_SCHEMA = pa.schema([
    ("external_id", pa.string()), ("phone", pa.string()), ("kind", pa.string()), ("detail_reply", pa.string()),
    ("detail_kind", pa.string()), ("amount", pa.decimal128(18, 2)), ("occurred_at", pa.timestamp("us", tz="UTC")),
    ("source_file", pa.string()), ("source_line", pa.int64()), ("raw", pa.string()),
])


@dataclass
class ReplyReport:
    """Counts from one replies ingestion (never the text or the phone numbers)."""

    records: int = 0
    new_replies: int = 0
    duplicates: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    unknown_sender: int = 0
    rejected: list[str] = field(default_factory=list)       # "file:line: reason"
    unknown_lines: list[str] = field(default_factory=list)  # "file:line: no borrower has this phone number"
    file: str = "replies"       # the file or directory name, for the report line

    @property
    def quarantined(self) -> int:
        return len(self.rejected) + len(self.unknown_lines)

    def __str__(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())) or "none"
        head, _, rest = reader.summary(self.file, "replies", self.records, self.new_replies, self.duplicates,
                                        self.rejected + self.unknown_lines, "sms_reply").partition("\n")
        return f"{head}; new by kind: {kinds}; {self.unknown_sender} from unknown numbers" + (f"\n{rest}" if rest else "")


def _e164(raw: Any) -> str | None:
    s = re.sub(r"[\s\-().]", "", str(raw or ""))
    return s if re.fullmatch(r"\+\d{7,15}", s) else None


def ingest_replies(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, path: str | Path, *,
                   now: datetime | None = None, encoding: str | None = None) -> ReplyReport:
    """Inbound SMS -> borrower_events (sms_reply + its classified kind), once per MessageSid.

    A record that cannot be used (no MessageSid, a From that is not a phone number, a list where
    text belongs, an unknown sender) is quarantined in the same transaction as the good ones are
    recorded. `now` (default: the wall clock; the simulator passes its simulated instant) stamps
    the rows and dates replies that carry no DateSent.
    """
    now = now or utc_now()
    keywords = cfg.policy.opt_out_keywords.get("sms", ())
    report = ReplyReport(file=Path(path).name)
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    seen: set[str] = set()
    for file, r in _records(Path(path), encoding, REPLY_FIELDS):
        rec, problem, line, raw = r.row, r.problem, r.line, r.raw
        report.records += 1
        sid = phone = None
        occurred = now
        if rec is not None:
            sid = rec.get("MessageSid") or rec.get("SmsSid")
            phone = _e164(rec.get("From"))
            occurred = _when(rec.get("DateSent") or rec.get("timestamp") or rec.get("received_at"), now)
            if not sid:
                problem = "no MessageSid"
            elif phone is None:
                problem = "From is not an E.164 phone number"
            elif "Body" not in rec:
                problem = "no Body"
        if problem:
            report.rejected.append(f"{file.name}:{line}: {problem}")
            bad.append(reader.quarantine_row(file, r, "sms_reply", problem, sid))
            continue
        assert rec is not None  # a record without a row always carries its problem
        sid = str(sid)
        if sid in seen:
            report.duplicates += 1
            continue
        seen.add(sid)
        c = classify_reply(str(rec.get("Body") or ""), keywords, occurred.date())
        reply_detail = {"text": str(rec.get("Body") or ""), "classified_as": c.kind}
        if c.note:
            reply_detail["note"] = c.note
        kind_detail: dict[str, str] | None = ({"reply_sid": sid} if c.kind else None)
        if c.kind == "promise_to_pay":
            assert c.promised_date is not None  # classify_reply dates every promise
            kind_detail = {"promised_date": c.promised_date.isoformat(), **({"amount": str(c.amount)} if c.amount else {})}
        rows.append(dict(external_id=str(sid), phone=phone, kind=c.kind,
                         detail_reply=json.dumps(reply_detail, ensure_ascii=False),
                         detail_kind=json.dumps(kind_detail, ensure_ascii=False) if kind_detail else None,
                         amount=c.amount, occurred_at=occurred, source_file=str(file.resolve()), source_line=line,
                         raw=raw))
    with db.transaction(con):
        if rows:
            with db.registered(con, pa.Table.from_pylist(rows, schema=_REPLY_SCHEMA), "_replies"):
                db.run(con, "inbound/replies_match", {})
                counts = dict(db.run(con, "inbound/replies_counts", {}).fetchall())
                report.unknown_sender = int(counts.pop("unknown_sender", 0))
                report.duplicates += int(counts.pop("duplicate", 0))
                report.by_kind = {k: int(v) for k, v in counts.items() if k != "reply"}
                report.new_replies = int(counts.get("reply", 0))
                unknown = db.run(con, "inbound/replies_unknown_sender").fetchall()
                bad += [dict(source_file=u[0], source_line=u[1], entity="sms_reply", record_id=u[2],
                             reason="no borrower has this phone number", raw=u[3]) for u in unknown]
                report.unknown_lines = [f"{Path(u[0]).name}:{u[1]}: no borrower has this phone number" for u in unknown]
                db.run(con, "inbound/replies_insert", {"now": now})
        reader.quarantine(con, bad)
    return report
