"""Delivery fixtures: planned contacts inserted directly with SQL, a fake gateway on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from loan_comms.config import LifecycleConfig, ProviderConfig
from loan_comms.delivery.fake_gateway import FakeGateway

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
        con.execute("INSERT OR IGNORE INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, "
                    "timezone, jurisdiction) VALUES (?, ?, ?, ?, ?, 'en', 'America/New_York', 'us')",
                    [b, f"Pat Doe{i}", "Pat", phone or f"+1202555{i:04d}", email or f"pat{i}@example.com"])
        con.execute("INSERT OR IGNORE INTO loans (loan_id, borrower_id, product, principal, currency, opened_on) "
                    "VALUES (?, ?, 'personal_loan', 1000, 'USD', DATE '2026-01-01')", [loan, b])
        con.execute("INSERT OR IGNORE INTO installments (loan_id, installment_no, due_date, amount_due) "
                    "VALUES (?, 1, DATE '2026-11-01', 500)", [loan])
        con.execute(
            "INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, installment_no, channel, "
            "purpose, step, priority, status, planned_for_date, send_after, send_before, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 1, ?, 'escalation', 'dpd_1', ?, 'planned', ?, ?, ?, ?, ?)",
            [aid, f"{b}|{loan}|dpd_1|{channel}|{DAY}", b, loan, channel, priority, DAY, send_after, send_before,
             OPENS - timedelta(hours=10), OPENS - timedelta(hours=10)])
        if with_message and channel in ("sms", "email", "letter"):
            con.execute("INSERT INTO contact_messages (attempt_id, subject, body_text, body_html) VALUES (?, ?, ?, ?)",
                        [aid, "Payment overdue" if channel == "email" else None,
                         f"Hi Pat, your payment of $500 is overdue ({i}).",
                         f"<p>Hi Pat, payment overdue ({i}).</p>" if channel == "email" else None])
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
