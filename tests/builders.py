"""A tiny loan-book builder for hand-built planning and policy cases."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import duckdb


class EchoRenderer:
    """Stands in for the template library where wording does not matter to the test."""

    def __init__(self, fail_for: set[str] | None = None) -> None:
        self.fail_for = fail_for or set()
        self.calls = 0

    def render_many(self, kind: str, channel: str, language: str, ctxs: list[dict[str, Any]]) -> list[Any]:
        self.calls += 1
        out: list[Any] = []
        for c in ctxs:
            if c["first_name"] in self.fail_for:
                out.append(ValueError("boom: unrenderable row"))
                continue
            out.append(SimpleNamespace(
                template_id=f"{channel}/{language}/{kind}", template_version="test", language=language,
                subject=f"{kind} subject" if channel == "email" else None,
                text=f"{kind} {c['first_name']} {c['amount_due']} {c['due_date']}", html=None))
        return out


@dataclass
class Book:
    con: duckdb.DuckDBPyConnection
    _n: int = field(default=0)

    def borrower(self, borrower_id: str, *, tz: str = "Asia/Shanghai", language: str = "zh-CN",
                 jurisdiction: str = "cn", phone: str | None = "+8613812345678",
                 email: str | None = "b@example.com", name: str = "Wang Wei") -> str:
        self.con.execute(
            "INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone, jurisdiction) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [borrower_id, name, name.split()[0], phone, email, language, tz, jurisdiction])
        return borrower_id

    def loan(self, loan_id: str, borrower_id: str, dues: list[tuple[str, str]], *,
             currency: str = "CNY", product: str = "personal_loan") -> str:
        total = sum(Decimal(a) for _, a in dues)
        self.con.execute("INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on) "
                         "VALUES (?, ?, ?, ?, ?, ?)", [loan_id, borrower_id, product, total, currency, date(2026, 1, 1)])
        for no, (due, amount) in enumerate(dues, start=1):
            self.con.execute("INSERT INTO installments (loan_id, installment_no, due_date, amount_due) VALUES (?, ?, ?, ?)",
                             [loan_id, no, date.fromisoformat(due), Decimal(amount)])
        return loan_id

    def pay(self, loan_id: str, amount: str, at: str) -> None:
        self._n += 1
        self.con.execute("INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source) VALUES (?, ?, ?, ?, 'test')",
                         [f"p{self._n}", loan_id, Decimal(amount), datetime.fromisoformat(at).astimezone(UTC)])

    def event(self, borrower_id: str, kind: str, at: str, *, loan_id: str | None = None,
              channel: str | None = None, amount: str | None = None, **detail: Any) -> None:
        self.con.execute(
            "INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, channel, amount, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'test')",
            [borrower_id, loan_id, kind, datetime.fromisoformat(at).astimezone(UTC),
             json.dumps(detail) if detail else None, channel, Decimal(amount) if amount else None])

    def attempts(self, **where: Any) -> list[dict[str, Any]]:
        sql = "SELECT * FROM contact_attempts"
        if where:
            sql += " WHERE " + " AND ".join(f"{k} = ?" for k in where)
        cur = self.con.execute(sql + " ORDER BY planned_for_date, step, channel", list(where.values()))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def send_all_planned(self) -> None:
        """A stand-in dispatcher: everything planned goes at its window opening."""
        self.con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after WHERE status = 'planned'")
