"""What comes back: dialer call outcomes, operator events, delivery receipts and SMS replies.

Every file goes through one reader (reader.py: JSON lines, JSON lists, CSV, .gz; a bad row is
quarantined with file, line and reason, never fatal) and lands in `borrower_events` or
`contact_attempts` in one transaction per file. The HTTP callback receiver (callbacks.py) writes
the same files. SQL: sql/inbound/.
"""

from loan_comms.inbound.reader import InboundFileError, MissingFileError, read_records
from loan_comms.inbound.events import IngestReport, ingest_call_outcomes, ingest_operator_events
from loan_comms.inbound.receipts import ReceiptReport, ReplyReport, classify_reply, ingest_receipts, ingest_replies

__all__ = ["InboundFileError", "IngestReport", "MissingFileError", "ReceiptReport", "ReplyReport", "classify_reply",
           "ingest_call_outcomes", "ingest_operator_events", "ingest_receipts", "ingest_replies", "read_records"]
