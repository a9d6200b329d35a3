"""E-mail replies -> borrower_events, through the one path every inbound text takes.

Why a module of its own: reading e-mail (email_replies.py) needs nothing of the database, and
recording is not e-mail's business: `loan_comms.inbound.replies.record_texts` matches each sender
to the borrowers holding that e-mail point, understands the text (`understand()`), and records the
reply, its intents and any review item in one transaction, idempotently by external_id (the
Message-ID). An "UNSUBSCRIBE" e-mail thus stops e-mail exactly as a STOP text stops SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, ClassVar

import duckdb

from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.inbound.email_replies import read_email_replies
from loan_comms.inbound.replies import ReplyReport, record_texts

# record_texts(con, cfg, texts, *, now, quarantine, [understand_fn]) -> TextReport-like
Recorder = Callable[..., Any]


@dataclass
class EmailReplyReport(ReplyReport):
    """Counts from one e-mail replies ingestion (never a text or an address): replies.ReplyReport's
    counts and line, so the inbox pass and the CLI print both the same way. `rejected` holds what
    could not be read, `unknown_lines` what the recorder refused."""

    file: str = "email_replies"
    noun: ClassVar[str] = "e-mail replies"
    entity: ClassVar[str] = "email_reply"
    senders: ClassVar[str] = "addresses"


def ingest_email_replies(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, path: str | Path, *,
                         now: datetime | None = None, encoding: str | None = None,
                         understand_fn: Callable[..., Any] | None = None,
                         record: Recorder | None = None) -> EmailReplyReport:
    """Read the e-mails of a file or directory (Inbound Parse records, .eml) and record them.

    E-mails that cannot be used (no sender, not JSON, an automatic reply) are handed to the
    recorder as quarantine rows, so they land in import_quarantine in the same transaction as the
    good ones are recorded. `record` defaults to replies.record_texts, and
    `understand_fn` is passed on to it (tests give their own). An unreadable file raises
    InboundFileError before anything is written.
    """
    now = now or utc_now()
    read = read_email_replies(path, now=now, encoding=encoding)
    recorder: Recorder = record or record_texts
    texts = list(read.texts)
    extra = {"understand_fn": understand_fn} if understand_fn is not None else {}
    done = recorder(con, cfg, texts, now=now, quarantine=read.bad, **extra)
    report = EmailReplyReport(records=read.records, file=Path(path).name, rejected=read.reasons)
    report.new_replies, report.duplicates = int(done.new), int(done.duplicates)
    report.by_kind, report.reviews_opened = dict(done.by_kind), int(done.reviews_opened)
    report.unknown_sender = int(done.unknown_sender)
    report.unknown_lines = [f"{Path(getattr(t, 'source_file', None) or '').name}:{getattr(t, 'source_line', '')}: {why}"
                            for t, why in done.refused]
    return report
