"""A hand-built contact log for audit tests: rows written straight into the tables, local times
given in the borrower's own timezone, so each test reads like the story it tells."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import duckdb


@dataclass
class ContactLog:
    con: duckdb.DuckDBPyConnection
    tz: dict[str, str] = field(default_factory=dict)
    phone: dict[str, str | None] = field(default_factory=dict)
    email: dict[str, str | None] = field(default_factory=dict)
    _n: int = 0

    # -- people and loans ---------------------------------------------------------------------
    def borrower(self, borrower_id: str, *, tz: str = "Asia/Shanghai", jurisdiction: str = "cn",
                 phone: str | None = None, email: str | None = None) -> str:
        phone = phone or f"+86138000{len(self.tz):05d}"
        email = email or f"{borrower_id.lower()}@example.com"
        self.con.execute(
            "INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone, "
            "jurisdiction) VALUES (?, 'Test Person', 'Test', ?, ?, 'en', ?, ?)",
            [borrower_id, phone, email, tz, jurisdiction])
        self.tz[borrower_id], self.phone[borrower_id], self.email[borrower_id] = tz, phone, email
        return borrower_id

    def loan(self, loan_id: str, borrower_id: str, dues: list[str], amount: str = "100.00") -> str:
        self.con.execute("INSERT INTO loans (loan_id, borrower_id, product, principal, currency) "
                         "VALUES (?, ?, 'personal_loan', ?, 'CNY')",
                         [loan_id, borrower_id, Decimal(amount) * len(dues)])
        for no, due in enumerate(dues, start=1):
            self.con.execute("INSERT INTO installments (loan_id, installment_no, due_date, amount_due) VALUES (?, ?, ?, ?)",
                             [loan_id, no, date.fromisoformat(due), Decimal(amount)])
        return loan_id

    def at(self, borrower_id: str, local: str) -> datetime:
        """'2026-03-02 10:00' on the borrower's clock, as a UTC instant."""
        naive = datetime.fromisoformat(local)
        return naive.replace(tzinfo=ZoneInfo(self.tz[borrower_id])).astimezone(UTC)

    def paid(self, loan_id: str, installment_no: int, borrower_id: str, local: str) -> None:
        """The installment was paid in full at that local time (and the payment event recorded)."""
        at = self.at(borrower_id, local)
        self.con.execute("UPDATE installments SET amount_paid = amount_due, paid_at = ? "
                         "WHERE loan_id = ? AND installment_no = ?", [at, loan_id, installment_no])
        amount = self.con.execute("SELECT amount_due FROM installments WHERE loan_id = ? AND installment_no = ?",
                                  [loan_id, installment_no]).fetchone()[0]
        self.event(borrower_id, "payment", local, loan_id=loan_id, amount=amount)

    # -- what the borrower did ------------------------------------------------------------------
    def event(self, borrower_id: str, kind: str, local: str, *, loan_id: str | None = None,
              channel: str | None = None, detail: dict[str, Any] | None = None,
              amount: Decimal | str | None = None) -> None:
        self.con.execute(
            "INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, amount, channel, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'test')",
            [borrower_id, loan_id, kind, self.at(borrower_id, local),
             json.dumps(detail) if detail is not None else None,
             Decimal(amount) if amount is not None else None, channel])

    def call_outcome(self, borrower_id: str, attempt_id: str, outcome: str, local: str,
                     loan_id: str | None = None, **extra: Any) -> None:
        self.event(borrower_id, "call_outcome", local, loan_id=loan_id,
                   detail={"outcome": outcome, "attempt_id": attempt_id, **extra})

    # -- what we did ----------------------------------------------------------------------------
    def contact(self, borrower_id: str, loan_id: str, channel: str, purpose: str, step: str, local: str, *,
                installment_no: int | None = None, episode_id: str | None = None,
                status: str = "delivered", suppressed_reason: str | None = None,
                window: tuple[str, str] = ("08:00", "21:00"), sent: bool | None = None,
                recipient: str | None = "own", outbox: bool | None = None,
                decided_by_rule: str | None = "allowed", error: str | None = None) -> str:
        """One contact_attempts row, planned for the local day of `local` and (unless not sent)
        attempted at that local time, with an outbox message for sms/email."""
        self._n += 1
        attempt_id = f"A{self._n:04d}"
        when = self.at(borrower_id, local)
        day = datetime.fromisoformat(local).date()
        zone = ZoneInfo(self.tz[borrower_id])
        send_after = datetime.combine(day, time.fromisoformat(window[0]), zone).astimezone(UTC)
        send_before = datetime.combine(day, time.fromisoformat(window[1]), zone).astimezone(UTC)
        if sent is None:
            sent = status in ("sent", "delivered")
        self.con.execute(
            "INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, installment_no, channel, "
            "purpose, step, episode_id, status, suppressed_reason, decided_by_rule, policy_version, planned_for_date, "
            "send_after, send_before, created_at, updated_at, sent_at, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test', ?, ?, ?, ?, ?, ?, ?)",
            [attempt_id, f"{borrower_id}|{loan_id}|{step}|{channel}|{day}|{self._n}", borrower_id, loan_id,
             installment_no, channel, purpose, step, episode_id, status,
             suppressed_reason if status == "suppressed" else None,
             suppressed_reason if status == "suppressed" else decided_by_rule,
             day, send_after, send_before, send_after - timedelta(hours=1), when if sent else send_after,
             when if sent else None, error])
        if outbox is None:
            outbox = sent and channel in ("sms", "email")
        if outbox:
            own = self.phone[borrower_id] if channel == "sms" else self.email[borrower_id]
            self.con.execute(
                "INSERT INTO outbox_messages (idempotency_key, attempt_id, channel, recipient, body_text, "
                "provider_message_id, accepted_at) VALUES (?, ?, ?, ?, 'text', ?, ?)",
                [f"key-{attempt_id}", attempt_id, channel, own if recipient == "own" else recipient,
                 f"msg-{attempt_id}", when])
        return attempt_id


EPISODE = "L1:2026-03-02"
UK_EPISODE = "LUK:2026-03-02"
NOW = datetime(2026, 4, 2, 1, 0, tzinfo=UTC)  # 09:00 on 2 April in Shanghai


def clean_log(con: duckdb.DuckDBPyConnection) -> ContactLog:
    """A borrower's quarter that breaks no rule, touching every rule at least once.

    B1 (Shanghai, profile cn) has loan L1 with installments due 1 March and 1 April: reminders,
    the ladder dpd_1 .. dpd_10 in March (one conversation on the dpd_10 call), payment in full on
    12 March, a thank-you, then an SMS opt-out before April's reminders. B2 (Los Angeles, us) gets a
    reminder at 09:00 her time. B3 names an unknown profile and is judged by 'default'.
    """
    log = ContactLog(con)
    log.borrower("B1")
    log.loan("L1", "B1", ["2026-03-01", "2026-04-01"])
    log.contact("B1", "L1", "sms", "reminder", "pre_due_3", "2026-02-26 10:00", installment_no=1)
    log.contact("B1", "L1", "email", "reminder", "pre_due_3", "2026-02-26 10:05", installment_no=1)
    log.contact("B1", "L1", "sms", "reminder", "pre_due_1", "2026-02-28 10:00", installment_no=1)
    log.contact("B1", "L1", "sms", "reminder", "due_today", "2026-03-01 10:00", installment_no=1)
    log.contact("B1", "L1", "sms", "escalation", "dpd_1", "2026-03-02 10:00", installment_no=1, episode_id=EPISODE)
    log.contact("B1", "L1", "email", "escalation", "dpd_3", "2026-03-04 10:00", installment_no=1, episode_id=EPISODE)
    call5 = log.contact("B1", "L1", "call", "escalation", "dpd_5", "2026-03-06 10:00", installment_no=1,
                        episode_id=EPISODE)
    log.call_outcome("B1", call5, "no_answer", "2026-03-06 10:03", loan_id="L1")
    # dpd_10 held back by the cap one day (suppressed), then both channels on 11 March.
    log.contact("B1", "L1", "sms", "escalation", "dpd_10", "2026-03-10 10:00", installment_no=1,
                episode_id=EPISODE, status="suppressed", suppressed_reason="cap_sms_per_7_days")
    log.contact("B1", "L1", "sms", "escalation", "dpd_10", "2026-03-11 10:00", installment_no=1, episode_id=EPISODE)
    call10 = log.contact("B1", "L1", "call", "escalation", "dpd_10", "2026-03-11 10:00", installment_no=1,
                         episode_id=EPISODE)
    log.call_outcome("B1", call10, "reached", "2026-03-11 10:06", loan_id="L1")
    log.paid("L1", 1, "B1", "2026-03-12 12:00")
    log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-03-12 14:00")
    log.contact("B1", "L1", "letter", "escalation", "dpd_20", "2026-03-21 10:00", installment_no=1,
                episode_id=EPISODE, status="suppressed", suppressed_reason="paid")
    log.contact("B1", "L1", "sms", "reminder", "pre_due_3", "2026-03-29 10:00", installment_no=2)
    log.contact("B1", "L1", "email", "reminder", "pre_due_3", "2026-03-29 10:05", installment_no=2)
    log.event("B1", "opt_out", "2026-03-29 18:00", channel="sms")
    log.contact("B1", "L1", "sms", "reminder", "pre_due_1", "2026-03-31 10:00", installment_no=2,
                status="suppressed", suppressed_reason="opted_out_sms")
    log.contact("B1", "L1", "sms", "reminder", "due_today", "2026-04-01 10:00", installment_no=2,
                status="suppressed", suppressed_reason="opted_out_sms")
    # Still planned: its window (08:00-21:00 on 2 April) is open at NOW.
    log.contact("B1", "L1", "email", "survey", "survey", "2026-04-02 10:00", status="planned")

    log.borrower("B2", tz="America/Los_Angeles", jurisdiction="us")
    log.loan("L2", "B2", ["2026-03-20"])
    log.contact("B2", "L2", "sms", "reminder", "pre_due_3", "2026-03-17 09:00", installment_no=1)
    log.contact("B2", "L2", "sms", "reminder", "pre_due_1", "2026-03-19 09:00", installment_no=1,
                status="failed", sent=False, error="invalid number")

    log.borrower("B3", jurisdiction="nowhere")
    log.loan("L3", "B3", ["2026-03-15"])
    log.contact("B3", "L3", "email", "reminder", "pre_due_3", "2026-03-12 08:30", installment_no=1)

    # BUK (London, profile uk) is offered forbearance before the ladder goes past its first step.
    log.borrower("BUK", tz="Europe/London", jurisdiction="uk")
    log.loan("LUK", "BUK", ["2026-03-01"])
    log.contact("BUK", "LUK", "sms", "follow_up", "forbearance_offer", "2026-03-02 09:00", installment_no=1,
                episode_id=UK_EPISODE)
    log.contact("BUK", "LUK", "sms", "escalation", "dpd_1", "2026-03-02 09:05", installment_no=1,
                episode_id=UK_EPISODE)
    log.contact("BUK", "LUK", "email", "escalation", "dpd_3", "2026-03-04 10:00", installment_no=1,
                episode_id=UK_EPISODE)
    return log
