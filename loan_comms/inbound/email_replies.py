"""Reading e-mail replies: SendGrid Inbound Parse records and `.eml` files -> texts to understand.

Two inputs, one result:
- the callback server's records (`<inbox>/email_replies/*.jsonl`, one JSON object per e-mail, made by
  `inbound_record` from a SendGrid Inbound Parse post): message_id, from, to, subject, text, html,
  date, in_reply_to, references, auto_submitted;
- `.eml` files dropped in the same folder (an export from a mailbox): parsed with the standard
  library (`email`, policy.default), multipart/alternative read as text/plain, else the HTML as
  text; GBK/GB2312 read as GB18030 (the superset Chinese clients actually send), base64 and
  quoted-printable decoded.

Each e-mail becomes one `InboundText` (loan_comms.inbound.replies, the one shape every inbound text
is recorded in) whose text is only what the borrower wrote (email_text.reply_text). A record that
cannot be used (no sender address, not JSON, an automatic reply or a bounce) is a quarantine row
(file, line, reason), the rest are read: a bad e-mail never costs a good one.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

from loan_comms.inbound import reader
from loan_comms.inbound.email_text import html_to_text, reply_text
from loan_comms.inbound.replies import InboundText

SUFFIXES = (".jsonl", ".json", ".ndjson", ".eml")
RECORD_FIELDS = ("message_id", "from", "to", "subject", "text", "html", "date", "in_reply_to", "references",
                 "auto_submitted", "received_at")
_ADDRESS = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")
# Chinese clients label GBK text "gb2312"; GB18030 decodes both (and big5-hkscs every big5).
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
             "big5": "big5hkscs"}


@dataclass(frozen=True)
class ReadEmails:
    """What a file or directory held: the usable e-mails and the quarantine rows for the rest."""

    texts: list[InboundText]
    bad: list[dict[str, Any]]
    records: int

    @property
    def reasons(self) -> list[str]:
        return [f"{Path(b['source_file']).name}:{b['source_line']}: {b['reason']}" for b in self.bad]


# ---------------------------------------------------------------------------------------------
# Fields


def address(value: Any) -> str | None:
    """The e-mail address alone, lower-case ("Jane <Jane@X.com>" -> "jane@x.com"), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    _, addr = parseaddr(value)
    addr = addr.strip().lower()
    return addr if _ADDRESS.fullmatch(addr) else None


ID_PREFIX = "email:"
_OWN_KEY = re.compile(r"email:sha256:[0-9a-f]{32}")


def message_key(message_id: Any, sender: str | None, date: Any, text: str, received: Any = None,
                where: str = "") -> str:
    """The reply's idempotency key, "email:" + its Message-ID without angle brackets, else
    "email:sha256:" + a digest of sender + date + receive time + text.

    Why the prefix: a Message-ID is written by the sender; bare, it shares the namespace of
    Twilio's SIDs and of the ids derived from a text ("<id>:review", "<id>:resolved"), so a
    Message-ID "SMx:resolved" could pose as another text's resolution. Why the receive time: two
    identical e-mails without Message-ID or Date (a STOP, a START, a STOP again) are different
    replies; the time the callback server received each one (fixed in its record, so a re-read
    file keeps its keys) tells them apart. `where` (file name and line) stands in for it when a
    record has neither a date nor a receive time."""
    mid = str(message_id or "").strip().strip("<>").strip()
    if _OWN_KEY.fullmatch(mid):       # a key made earlier (the callback server fixes it on receipt)
        return mid
    if mid:
        return ID_PREFIX + mid[:300]
    stamp = [str(date or ""), str(received or "")]
    parts = [sender or "", *stamp, text] + ([where] if not any(stamp) else [])
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace"))
    return ID_PREFIX + "sha256:" + digest.hexdigest()[:32]


def when(value: Any, default: datetime) -> datetime:
    """The Date header as UTC, never after `default` (now): a sender's clock cannot date a reply
    into the future, where the policy would not see it yet."""
    if isinstance(value, str) and value.strip():
        for parse in (parsedate_to_datetime, lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))):
            try:
                dt = parse(value.strip())
                # 0001-01-01T00:00:00+14:00 parses, then overflows in UTC: the value is unusable
                dt = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
            except (TypeError, ValueError, IndexError, OverflowError):
                continue
            return min(dt, default)
    return default


def _codec(charset: str | None, fallback: str | None = None) -> str:
    name = (charset or fallback or "utf-8").strip().strip('"').lower()
    name = _SUPERSET.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def decode_bytes(data: bytes, charset: str | None, fallback: str | None = None) -> str:
    """Bytes of a part in its declared charset (a superset for GB2312/GBK/Big5); undeclared: the
    fallback, else UTF-8, else GB18030 (a Chinese client that forgot to say), never an exception."""
    if charset or fallback:
        return data.decode(_codec(charset, fallback), errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _part_text(part: Message, fallback: str | None) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return decode_bytes(payload, part.get_content_charset(), fallback)
    return str(part.get_payload() or "")


def _is_automatic(auto_submitted: Any, sender: str | None, content_type: str = "") -> bool:
    """An out-of-office answer or a bounce: a machine wrote it, not the borrower (RFC 3834)."""
    if isinstance(auto_submitted, str) and auto_submitted.strip() and auto_submitted.strip().lower() != "no":
        return True
    local = (sender or "").split("@")[0]
    return local in ("mailer-daemon", "postmaster") or content_type == "multipart/report"


# ---------------------------------------------------------------------------------------------
# One e-mail message (a .eml file, or the raw MIME SendGrid posts when "raw" is on)


def message_record(msg: EmailMessage, fallback: str | None = None) -> dict[str, Any]:
    """The fields we keep of a parsed message, as the callback server writes them. The HTML part
    is kept whenever the plain one says nothing: some clients send an empty text/plain beside
    the HTML that holds the words."""
    body = msg.get_body(preferencelist=("plain", "html"))
    text = html = None
    if body is not None:
        content = _part_text(body, fallback)
        if body.get_content_type() == "text/html":
            html = content
        else:
            text = content
    elif not msg.is_multipart():
        text = _part_text(msg, fallback)
    if html is None and not (text or "").strip():
        html_part = msg.get_body(preferencelist=("html",))
        if html_part is not None:
            html = _part_text(html_part, fallback)

    def header(name: str) -> str | None:
        try:
            value = msg.get(name)
        except (ValueError, IndexError, TypeError):   # a malformed header the policy cannot fold
            return None
        return str(value) if value is not None else None

    return {"message_id": header("Message-ID"), "from": address(header("From")), "to": header("To"),
            "subject": header("Subject"), "text": text, "html": html if not (text or "").strip() else None,
            "date": header("Date"), "in_reply_to": header("In-Reply-To"), "references": header("References"),
            "auto_submitted": header("Auto-Submitted") or ("auto-replied" if header("X-Autoreply") else None),
            "content_type": msg.get_content_type()}


def parse_eml(data: bytes, fallback: str | None = None) -> dict[str, Any]:
    """A .eml file's record (see message_record)."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)   # policy.default always builds EmailMessage
    return message_record(msg, fallback)


# ---------------------------------------------------------------------------------------------
# Records -> texts


def text_of(rec: dict[str, Any], *, file: Path, line: int, raw: str, now: datetime
            ) -> tuple[InboundText | None, str | None]:
    """(InboundText, None) for a usable record, else (None, the reason it is refused)."""
    sender = address(rec.get("from"))
    if sender is None:
        return None, "no sender e-mail address in from"
    if _is_automatic(rec.get("auto_submitted"), sender, str(rec.get("content_type") or "")):
        return None, "automatic reply or bounce (Auto-Submitted / mailer-daemon), not written by the borrower"
    body = rec.get("text")
    if not (isinstance(body, str) and body.strip()) and isinstance(rec.get("html"), str):
        body = html_to_text(rec["html"])
    words = reply_text(body if isinstance(body, str) else None,
                       rec.get("subject") if isinstance(rec.get("subject"), str) else None)
    if not words.strip():
        return None, "no text: the e-mail has neither new text nor a subject"
    key = message_key(rec.get("message_id"), sender, rec.get("date"), str(body or ""), rec.get("received_at"),
                      f"{Path(file).name}:{line}")
    occurred = when(rec.get("date"), when(rec.get("received_at"), now))
    return InboundText(external_id=key, channel="email", sender=sender, text=words, occurred_at=occurred,
                     source="email_reply", source_file=str(Path(file).resolve()), source_line=line, raw=raw), None


def files(path: Path) -> list[Path]:
    """The file itself, or the e-mail files (.jsonl, .json, .ndjson, .eml, also .gz) of a directory."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.name.lower().removesuffix(".gz").endswith(SUFFIXES))
    if not found:
        raise reader.InboundFileError(f"{path}: a directory with no {', '.join(SUFFIXES)} files; give a file or "
                                       "a directory of them")
    return found


def _eml_records(path: Path, encoding: str | None) -> list[reader.Record]:
    """A .eml file as one record (line 1), or one problem record when it is not an e-mail."""
    data = reader.read_bytes(path)
    head = data[:reader.RAW_LIMIT].decode("utf-8", errors="replace")
    try:
        rec = parse_eml(data, reader.check_encoding(encoding))
    except Exception as exc:   # the stdlib parser is lenient; whatever it still refuses costs this file only
        return [reader.Record(1, None, f"not an e-mail message ({type(exc).__name__})", head)]
    if not rec.get("from") and not rec.get("message_id") and not rec.get("subject"):
        return [reader.Record(1, None, "not an e-mail message (no From, Message-ID or Subject header)", head)]
    return [reader.Record(1, rec, None, head)]


def read_email_replies(path: str | Path, *, now: datetime, encoding: str | None = None) -> ReadEmails:
    """Every e-mail of a file or directory: usable texts and quarantine rows. Every file is read
    before anything is returned, so an unreadable one (not UTF-8 JSON, truncated gzip) raises
    InboundFileError and nothing of the batch is recorded."""
    everything: list[tuple[Path, list[reader.Record]]] = []
    for f in files(Path(path)):
        if f.name.lower().removesuffix(".gz").endswith(".eml"):
            everything.append((f, _eml_records(f, encoding)))
        else:
            everything.append((f, reader.read_records(f, encoding=encoding, text_fields=RECORD_FIELDS)))
    texts: list[InboundText] = []
    bad: list[dict[str, Any]] = []
    records = 0
    for f, recs in everything:
        for r in recs:
            records += 1
            problem = r.problem
            if r.row is not None:
                try:
                    text, problem = text_of(r.row, file=f, line=r.line, raw=r.raw, now=now)
                except Exception as exc:   # a record nobody foresaw costs itself, never the file
                    text, problem = None, f"could not be read ({type(exc).__name__})"
                if text is not None:
                    texts.append(text)
                    continue
            assert problem is not None   # a record that is not used always says why
            bad.append(reader.quarantine_row(f, r, "email_reply", problem, (r.row or {}).get("message_id")))
    return ReadEmails(texts, bad, records)


# ---------------------------------------------------------------------------------------------
# SendGrid Inbound Parse posts (multipart/form-data) -> the record the callback server writes


class InboundParseError(ValueError):
    """The post is not an Inbound Parse form (one line, no content of the e-mail)."""


def form_fields(content_type: str, body: bytes) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, as bytes (attachments, i.e. parts with a
    filename, left out). Parsed with the standard library's MIME parser."""
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type.lower():
        raise InboundParseError("expected multipart/form-data with a boundary")
    head = f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace")
    msg = email.message_from_bytes(head + body, policy=email.policy.HTTP)
    if not msg.is_multipart():
        raise InboundParseError("the multipart body has no parts")
    out: dict[str, bytes] = {}
    for part in msg.iter_parts() if isinstance(msg, EmailMessage) else []:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename():
            continue
        payload = part.get_payload(decode=True)
        out[name] = payload if isinstance(payload, bytes) else str(part.get_payload()).encode()
    return out


def _headers_of(raw: str) -> Message:
    return email.message_from_string(raw + "\n\n", policy=email.policy.default)


def inbound_record(content_type: str, body: bytes, *, received_at: datetime) -> dict[str, Any]:
    """One Inbound Parse post -> the e-mail record the ingest reads. Each field is decoded in the
    charset SendGrid names for it in `charsets` (JSON); with "POST the raw, full MIME message" on,
    the `email` field is parsed as a message instead."""
    fields = form_fields(content_type, body)
    try:
        charsets = json.loads(fields.get("charsets", b"{}").decode("utf-8", errors="replace") or "{}")
    except ValueError:
        charsets = {}
    if not isinstance(charsets, dict):
        charsets = {}

    def field(name: str) -> str | None:
        if name not in fields:
            return None
        cs = charsets.get(name)
        return decode_bytes(fields[name], cs if isinstance(cs, str) else None)

    if "email" in fields:   # raw mode
        rec = parse_eml(fields["email"])
    else:
        headers = _headers_of(field("headers") or "")
        envelope: dict[str, Any] = {}
        try:
            env = json.loads(field("envelope") or "{}")
            envelope = env if isinstance(env, dict) else {}
        except ValueError:
            pass
        text, html = field("text"), field("html")
        rec = {"message_id": headers.get("Message-ID"), "from": address(field("from")) or address(envelope.get("from")),
               "to": field("to"), "subject": field("subject"), "text": text,
               "html": html if not (text and text.strip()) else None, "date": headers.get("Date"),
               "in_reply_to": headers.get("In-Reply-To"), "references": headers.get("References"),
               "auto_submitted": headers.get("Auto-Submitted") or ("auto-replied" if headers.get("X-Autoreply") else None)}
        rec = {k: (str(v) if v is not None else None) for k, v in rec.items()}
        if rec["message_id"] is None:   # the idempotency key, fixed when received (a retried post keeps it)
            rec["message_id"] = message_key(None, rec["from"], rec["date"], (text or html or ""),
                                            received_at.astimezone(UTC).isoformat())
    rec["received_at"] = received_at.astimezone(UTC).isoformat()
    return rec

