"""Delivery fixtures: planned contacts inserted directly with SQL, a fake gateway on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from loan_comms.config import LifecycleConfig, ProviderConfig
from loan_comms.delivery.fake_gateway import FakeGateway
from tests.builders import insert

DAY = date(2026, 11, 10)                       # a Tuesday; borrowers are in the "us" profile
OPENS = datetime(2026, 11, 10, 13, 0, tzinfo=UTC)
CLOSES = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)

SID, TOKEN, SG_KEY = "ACtestsid0123456789abcdef0123456789", "tok-sekrit-auth-7f3a9c", "SG.sekrit-api-key-55e1"


def plan(con, n: int, *, channel: str = "sms", start: int = 0, priority: int = 1,
         send_after: datetime = OPENS, send_before: datetime = CLOSES, with_message: bool = True,
         phone: str | None = None, email: str | None = None) -> list[str]:
    """Insert n borrowers, each with an overdue loan and one planned contact; returns attempt ids."""
    ids = []
    for i in range(start, start + n):
        b, loan, aid = f"B{i:05d}", f"L{i:05d}", f"A{channel[0]}{i:05d}"
        insert(con, "borrowers", or_ignore=True, borrower_id=b, full_name=f"Pat Doe{i}", first_name="Pat",
               phone_e164=phone or f"+1202555{i:04d}", email=email or f"pat{i}@example.com", language="en",
               timezone="America/New_York", jurisdiction="us")
        insert(con, "loans", or_ignore=True, loan_id=loan, borrower_id=b, product="personal_loan", principal=1000,
               currency="USD", opened_on=date(2026, 1, 1))
        insert(con, "installments", or_ignore=True, loan_id=loan, installment_no=1, due_date=date(2026, 11, 1),
               amount_due=500)
        insert(con, "contact_attempts", attempt_id=aid, idempotency_key=f"{b}|{loan}|dpd_1|{channel}|{DAY}",
               borrower_id=b, loan_id=loan, installment_no=1, channel=channel, purpose="escalation", step="dpd_1",
               priority=priority, status="planned", planned_for_date=DAY, send_after=send_after,
               send_before=send_before, created_at=OPENS - timedelta(hours=10), updated_at=OPENS - timedelta(hours=10))
        if with_message and channel in ("sms", "email", "letter"):
            insert(con, "contact_messages", attempt_id=aid, subject="Payment overdue" if channel == "email" else None,
                   body_text=f"Hi Pat, your payment of $500 is overdue ({i}).",
                   body_html=f"<p>Hi Pat, payment overdue ({i}).</p>" if channel == "email" else None)
        ids.append(aid)
    return ids


def statuses(con) -> dict[str, str]:
    return dict(con.execute("SELECT attempt_id, status FROM contact_attempts").fetchall())


def with_providers(cfg: LifecycleConfig, **providers: dict) -> LifecycleConfig:
    """The shipped config with [providers.<channel>] replaced (extra keys allowed)."""
    return cfg.model_copy(update={"providers": {ch: ProviderConfig(**p) for ch, p in providers.items()}})


@pytest.fixture
def secrets_env(monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("SENDGRID_API_KEY", SG_KEY)


@pytest.fixture
def gateway():
    gw = FakeGateway(twilio_auth=(SID, TOKEN), sendgrid_key=SG_KEY)
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    return tmp_path / "delivery.duckdb"
