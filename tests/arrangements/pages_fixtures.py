"""Part C fixtures: an offer whose contact went out by SMS to the borrower's number (what the page
export and the SMS menu read), on top of tests/arrangements/conftest.py's book and offer rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb

from tests.arrangements.conftest import OFFERED, in_arrears, offer
from tests.builders import Book, insert, point

PHONE = "+8613900000001"
TOKEN = "TOKzh0000000000000000A"            # the page's TOKEN pattern wants 8-64 url-safe characters


def offer_sent(con: duckdb.DuckDBPyConnection, token: str = TOKEN, *, borrower: str = "B1", loan: str = "L1",
               at: datetime = OFFERED, phone: str = PHONE, status: str = "sent", **kw: Any) -> str:
    """An offer (conftest.offer) whose hardship_offer SMS went to `phone` at `at`."""
    insert(con, "contact_attempts", attempt_id=f"A-{token}", idempotency_key=f"k-{token}", borrower_id=borrower,
           loan_id=loan, channel="sms", purpose="follow_up", step="hardship_offer", status=status,
           planned_for_date=at.date(), created_at=at, updated_at=at, sent_at=at if status != "failed" else None,
           contact_point=point("phone", phone))
    return offer(con, token, borrower=borrower, loan=loan, **kw)


def sms_sent(con: duckdb.DuckDBPyConnection, attempt_id: str, at: datetime, *, borrower: str = "B1",
             phone: str = PHONE, purpose: str = "reminder", step: str = "pre_due_3") -> None:
    """Another SMS to the number (a later reminder, a survey)."""
    insert(con, "contact_attempts", attempt_id=attempt_id, idempotency_key=f"k-{attempt_id}", borrower_id=borrower,
           loan_id="L1", channel="sms", purpose=purpose, step=step, status="delivered", planned_for_date=at.date(),
           created_at=at, updated_at=at, sent_at=at, contact_point=point("phone", phone))


def ready_book(con: duckdb.DuckDBPyConnection, *, language: str = "zh-CN") -> Book:
    """B1 (phone PHONE) in arrears on L1 after a hardship request, offered TOKEN by SMS at OFFERED."""
    book = Book(con)
    in_arrears(book, phone=PHONE, language=language)
    offer_sent(con)
    return book


AFTER = OFFERED + timedelta(hours=2)
