"""What comes back: dialer call outcomes, operator events, delivery receipts, and what borrowers
write (SMS replies, e-mail replies, agent notes: replies.py, with the review queue in reviews.py).

Every file goes through one reader (reader.py: JSON lines, JSON lists, CSV, .gz; a bad row is
quarantined with file, line and reason, never fatal) and lands in `borrower_events` or
`contact_attempts` in one transaction per file. The HTTP callback receiver (callbacks.py) writes
the same files, after checking each post's signature (signatures.py; which checks are on and
where their secrets come from: callback_auth.py). SQL: sql/inbound/.
"""

from loan_comms.inbound.callback_auth import (CallbackAuth, UnsignedCallbacksRefused, production_reasons,
                                              require_checks, resolve_callback_auth)
from loan_comms.inbound.signatures import WebhookKeyError
from loan_comms.inbound.reader import InboundFileError, MissingFileError, read_records
from loan_comms.inbound.events import IngestReport, ingest_call_outcomes, ingest_operator_events
from loan_comms.inbound.receipts import ReceiptReport, ingest_receipts
from loan_comms.inbound.replies import (InboundText, ReplyReport, TextReport, ingest_replies, land_texts,
                                        record_texts)
from loan_comms.inbound.reviews import (ReviewError, ReviewItem, open_reviews, resolve_review, review_artifact_rows)

__all__ = ["CallbackAuth", "InboundFileError", "InboundText", "IngestReport", "MissingFileError", "ReceiptReport", "ReplyReport",
           "ReviewError", "ReviewItem", "TextReport", "ingest_call_outcomes", "ingest_operator_events",
           "ingest_receipts", "ingest_replies", "land_texts", "open_reviews", "read_records", "record_texts",
           "production_reasons", "require_checks", "resolve_callback_auth", "resolve_review", "review_artifact_rows",
           "UnsignedCallbacksRefused", "WebhookKeyError"]
