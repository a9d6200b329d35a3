"""Survey fixtures: invitations written straight into survey_invitations (the table S1's planner fills)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from tests.builders import insert

SENT = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)


def invitation(con: duckdb.DuckDBPyConnection, token: str, *, scale: str = "csat", language: str = "en",
               channel: str = "sms", borrower_id: str = "B1", attempt_id: str | None = None,
               expires_at: datetime | None = None, **extra: Any) -> str:
    """One survey invitation (programme by scale), expiring 7 days after SENT unless told."""
    insert(con, "survey_invitations", token=token, attempt_id=attempt_id or f"A-{token}",
           programme="post_call_csat" if scale == "csat" else "payoff_nps", scale=scale, borrower_id=borrower_id,
           loan_id="L1", channel=channel, language=language, contacts_30d=0, planned_for_date=date(2026, 11, 5),
           expires_at=expires_at or SENT + timedelta(days=7), **extra)
    return token


def mark_sent(con: duckdb.DuckDBPyConnection, token: str, status: str = "sent") -> None:
    """The survey contact of `token`'s invitation, with its status (sent_at set unless never sent):
    only a survey whose contact went opens a page (sql/surveys/token_export.sql)."""
    insert(con, "contact_attempts", attempt_id=f"A-{token}", idempotency_key=f"k-{token}", borrower_id="B1",
           loan_id="L1", channel="sms", purpose="survey", step="survey", status=status,
           planned_for_date=SENT.date(), created_at=SENT, updated_at=SENT,
           sent_at=SENT if status in ("sent", "delivered") else None)
