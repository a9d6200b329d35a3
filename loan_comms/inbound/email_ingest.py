"""E-mail replies -> borrower_events, through the one path every inbound text takes.

Why a module of its own: reading e-mail (email_replies.py) needs nothing of the database, and
recording is not e-mail's business: `loan_comms.inbound.replies.record_texts` matches each sender
to the borrowers holding that e-mail point, understands the text (`understand()`), and records the
reply, its intents and any review item in one transaction, idempotently by external_id (the
Message-ID). An "UNSUBSCRIBE" e-mail thus stops e-mail exactly as a STOP text stops SMS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import duckdb

from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.inbound import reader
from loan_comms.inbound.email_replies import read_email_replies
from loan_comms.inbound.replies import record_texts

# record_texts(con, cfg, texts, *, now, quarantine, [understand_fn]) -> TextReport-like
Recorder = Callable[..., Any]


@dataclass
class EmailReplyReport:
    """Counts from one e-mail replies ingestion (never a text or an address); the shape of
    replies.ReplyReport, so the inbox pass and the CLI print it the same way."""

    records: int = 0
    new_replies: int = 0
    duplicates: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    unknown_sender: int = 0
    rejected: list[str] = field(default_factory=list)       # "file:line: reason" (read, not recorded)
    unknown_lines: list[str] = field(default_factory=list)  # "file:line: reason" the recorder refused
    file: str = "email_replies"
    reviews_opened: int = 0

    @property
    def quarantined(self) -> int:
        return len(self.rejected) + len(self.unknown_lines)

    def __str__(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())) or "none"
        head, _, rest = reader.summary(self.file, "e-mail replies", self.records, self.new_replies, self.duplicates,
                                        self.rejected + self.unknown_lines, "email_reply").partition("\n")
        return (f"{head}; new by kind: {kinds}; {self.reviews_opened} review items opened; "
                f"{self.unknown_sender} from unknown addresses" + (f"\n{rest}" if rest else ""))


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
