"""Arrangement fixtures: a borrower in arrears who asked for help, and an offer written straight into
arrangement_offers / arrangement_offer_options (what the day's plan records, tested in test_offers)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from tests.builders import Book, insert

OFFERED = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)      # 10:00 in Shanghai


def in_arrears(book: Book, borrower: str = "B1", loan: str = "L1", *, amount: str = "300.00",
               currency: str = "CNY", hardship: bool = True, **kw: Any) -> str:
    """A borrower with one loan: an installment of `amount` overdue since Oct 31 2026, three to come."""
    book.borrower(borrower, **kw)
    book.loan(loan, borrower, [("2026-10-31", amount), ("2026-11-30", amount), ("2026-12-31", amount),
                               ("2027-01-31", amount)], currency=currency)
    if hardship:
        book.event(borrower, "hardship_request", "2026-11-05T10:00:00+08:00", loan_id=loan)
    return loan


def offer(con: duckdb.DuckDBPyConnection, token: str = "TOK1", *, borrower: str = "B1", loan: str = "L1",
          options: list[dict[str, Any]] | None = None, expires_at: datetime | None = None) -> str:
    """An offer on `loan` with its options (default: respread_3 as 1 and reduced_50_6 as 2)."""
    insert(con, "arrangement_offers", token=token, attempt_id=f"A-{token}", borrower_id=borrower, loan_id=loan,
           currency="CNY", arrears=300, dpd=10, channel="sms", language="zh-CN", step="hardship_offer",
           offered_on=date(2026, 11, 10), expires_at=expires_at or OFFERED + timedelta(days=14))
    for o in options or [dict(option_no=1, option_id="respread_3", kind="respread", months=3,
                              amounts=["400.00", "400.00", "400.00"]),
                         dict(option_no=2, option_id="reduced_50_6", kind="reduced_payment", months=6,
                              amounts=["150.00"] * 6, needs_review=True)]:
        sched = [{"no": k, "due_date": "2026-12-10", "amount": a} for k, a in enumerate(o["amounts"], start=1)]
        insert(con, "arrangement_offer_options", token=token, option_no=o["option_no"], option_id=o["option_id"],
               kind=o["kind"], months=o["months"], payment=o["amounts"][0] if o["amounts"] else 0,
               total=sum(float(a) for a in o["amounts"]), freeze_interest=False,
               needs_review=o.get("needs_review", False), schedule=json.dumps(sched))
    return token
