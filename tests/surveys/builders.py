"""Hand-built survey histories: an invitation, its survey contact and (optionally) its answer."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import duckdb

from tests.builders import insert

_ids = count(1)


def survey(con: duckdb.DuckDBPyConnection, *, scale: str, score: int | None, programme: str | None = None,
           day: date = date(2026, 11, 3), status: str = "sent", comment: str | None = None,
           contacts_30d: int = 1, **slices: Any) -> str:
    """One survey that went out (contact `status`) and, unless score is None, its answer. Returns the token."""
    n = next(_ids)
    token, aid = f"tok{n:05d}", f"att{n:05d}"
    programme = programme or ("post_call_csat" if scale == "csat" else "payoff_nps")
    at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    channel = slices.pop("channel", "sms")
    insert(con, "contact_attempts", attempt_id=aid, idempotency_key=f"b{n}|l{n}|{programme}|{channel}|{day}",
           borrower_id=f"b{n}", loan_id=f"l{n}", channel=channel, purpose="survey", step=programme,
           status=status, planned_for_date=day, created_at=at, updated_at=at,
           sent_at=at if status in ("sent", "delivered") else None)
    insert(con, "survey_invitations", token=token, attempt_id=aid, programme=programme, scale=scale,
           borrower_id=f"b{n}", loan_id=f"l{n}", channel=channel, language=slices.pop("language", "en"),
           product=slices.pop("product", "consumer"), last_step=slices.pop("last_step", None),
           dpd_bucket=slices.pop("dpd_bucket", "current"), team=slices.pop("team", None),
           contacts_30d=contacts_30d, planned_for_date=day, expires_at=at + timedelta(days=7))
    assert not slices, slices
    if score is not None:
        insert(con, "survey_answers", token=token, score=score, comment=comment, answered_at=at + timedelta(hours=2),
               source="web", received_at=at + timedelta(hours=2))
    return token


def reply(con: duckdb.DuckDBPyConnection, text: str, *, kind: str = "sms_reply",
          at: datetime = datetime(2026, 11, 4, 9, tzinfo=UTC)) -> None:
    """A borrower's SMS or e-mail reply event carrying its text."""
    n = next(_ids)
    insert(con, "borrower_events", borrower_id=f"r{n}", kind=kind, occurred_at=at,
           detail=json.dumps({"text": text}, ensure_ascii=False), channel="sms" if kind == "sms_reply" else "email",
           source=kind, external_id=f"ext{n}")
