"""Hand-built books for tests: rows written straight into the tables, so each test reads like the
story it tells.

- `insert(con, table, **columns)`: one row, columns by name; every builder below writes through it.
- `Book`: a loan book for planning and policy cases (times as ISO instants, Shanghai by default).
- `ContactLog`: a contact history for audit cases (times on the borrower's own clock).
- `plan(con, n)`: n borrowers in New York, each with one planned contact due on DAY (delivery cases).
- `EchoRenderer`: stands in for the template library where wording does not matter.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from loan_comms.config import LifecycleConfig, ProviderConfig


def insert(con: duckdb.DuckDBPyConnection, table: str, *, or_ignore: bool = False, **columns: Any) -> None:
    """One row into `table`, columns by name (`or_ignore`: skip it when its key is already there)."""
    verb = "INSERT OR IGNORE INTO" if or_ignore else "INSERT INTO"
    con.execute(f"{verb} {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                list(columns.values()))


# Where a hand-built borrower lives by default (the field agents of config/agents.toml cover these).
CITY_OF_ZONE = {"Asia/Shanghai": ("Shanghai", "Huangpu"), "Asia/Hong_Kong": ("Hong Kong", "Kowloon City"),
                "Europe/London": ("London", "Camden"), "Asia/Singapore": ("Singapore", "Tampines"),
                "America/New_York": ("New York", "Brooklyn"), "America/Los_Angeles": ("Los Angeles", "Echo Park")}


def borrower_row(con: duckdb.DuckDBPyConnection, borrower_id: str, *, name: str, phone: str | None,
                 email: str | None, language: str, tz: str, jurisdiction: str,
                 city: str | None = None, district: str | None = None) -> str:
    """A borrower; the first name is the first word of the full name."""
    insert(con, "borrowers", borrower_id=borrower_id, full_name=name, first_name=name.split()[0], phone_e164=phone,
           email=email, language=language, timezone=tz, jurisdiction=jurisdiction, city=city, district=district)
    return borrower_id


def loan_rows(con: duckdb.DuckDBPyConnection, loan_id: str, borrower_id: str, dues: list[tuple[date, Decimal]], *,
              currency: str = "CNY", product: str = "personal_loan", opened_on: date | None = None) -> str:
    """A loan and its installments (numbered from 1); the principal is what they add up to."""
    insert(con, "loans", loan_id=loan_id, borrower_id=borrower_id, product=product,
           principal=sum(a for _, a in dues), currency=currency, opened_on=opened_on)
    for no, (due, amount) in enumerate(dues, start=1):
        insert(con, "installments", loan_id=loan_id, installment_no=no, due_date=due, amount_due=amount)
    return loan_id


def event_row(con: duckdb.DuckDBPyConnection, borrower_id: str, kind: str, at: datetime, *, loan_id: str | None,
              channel: str | None, amount: Decimal | None, detail: dict[str, Any] | None,
              scope: str | None = None, contact_point: str | None = None,
              recorded_at: datetime | None = None) -> None:
    """A borrower event (payment, opt-out, call outcome, ...) from source 'test'; scope as recorded
    ('loan' or 'borrower'; None: a row from before scopes, read as borrower-wide); contact_point: the
    point id (see point()) the event is about, e.g. the number a STOP came from; recorded_at: when it
    reached us (default: the database's clock)."""
    insert(con, "borrower_events", borrower_id=borrower_id, loan_id=loan_id, kind=kind, occurred_at=at,
           detail=json.dumps(detail) if detail is not None else None, channel=channel, amount=amount, source="test",
           scope=scope, contact_point=contact_point,
           **({"recorded_at": recorded_at} if recorded_at is not None else {}))


def point(kind: str, address: str) -> str:
    """The contact point id of an address, as the point_id() macro computes it."""
    return f"{kind}:{hashlib.sha256(f'{kind}:{address}'.encode()).hexdigest()[:16]}"


def point_row(con: duckdb.DuckDBPyConnection, borrower_id: str, kind: str, address: str, *, place: str | None = None,
              added_at: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> str:
    """An extra contact point of a borrower (borrower_contact_points); returns its point id."""
    insert(con, "borrower_contact_points", borrower_id=borrower_id, kind=kind, address=address, place=place,
           source="test", added_at=added_at)
    return point(kind, address)


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
                 jurisdiction: str = "cn", phone: str | None = "own", email: str | None = "own",
                 name: str = "Wang Wei", city: str | None = "auto", district: str | None = "auto") -> str:
        """A borrower; by default with a phone and an e-mail of their own (derived from the id), as
        shared ones would share caps and opt-outs (contact points); pass the same phone to share one.
        city / district "auto": a city and district of the timezone (CITY_OF_ZONE), where a home visit goes."""
        place = CITY_OF_ZONE.get(tz, (None, None))
        city = place[0] if city == "auto" else city
        district = place[1] if district == "auto" else district
        if phone == "own":
            phone = f"+86138{zlib.crc32(borrower_id.encode()) % 10**8:08d}"
        if email == "own":
            email = f"{borrower_id.lower()}@example.com"
        return borrower_row(self.con, borrower_id, name=name, phone=phone, email=email, language=language, tz=tz,
                            jurisdiction=jurisdiction, city=city, district=district)

    def loan(self, loan_id: str, borrower_id: str, dues: list[tuple[str, str]], *,
             currency: str = "CNY", product: str = "personal_loan") -> str:
        return loan_rows(self.con, loan_id, borrower_id, [(date.fromisoformat(d), Decimal(a)) for d, a in dues],
                         currency=currency, product=product, opened_on=date(2026, 1, 1))

    def pay(self, loan_id: str, amount: str, at: str) -> None:
        self._n += 1
        insert(self.con, "payment_feed", payment_id=f"p{self._n}", loan_id=loan_id, amount=Decimal(amount),
               paid_at=datetime.fromisoformat(at).astimezone(UTC), source="test")

    def event(self, borrower_id: str, kind: str, at: str, *, loan_id: str | None = None,
              channel: str | None = None, amount: str | None = None, scope: str | None = None,
              contact_point: str | None = None, **detail: Any) -> None:
        event_row(self.con, borrower_id, kind, datetime.fromisoformat(at).astimezone(UTC), loan_id=loan_id,
                  channel=channel, amount=Decimal(amount) if amount else None, detail=detail or None, scope=scope,
                  contact_point=contact_point)

    def contact(self, **columns: Any) -> None:
        """A contact_attempts row as given (history the planner will read)."""
        insert(self.con, "contact_attempts", **columns)

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


@dataclass
class ContactLog:
    """A contact log for audit cases: local times are on the borrower's own clock."""

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
        borrower_row(self.con, borrower_id, name="Test Person", phone=phone, email=email, language="en", tz=tz,
                     jurisdiction=jurisdiction)
        self.tz[borrower_id], self.phone[borrower_id], self.email[borrower_id] = tz, phone, email
        return borrower_id

    def loan(self, loan_id: str, borrower_id: str, dues: list[str], amount: str = "100.00") -> str:
        return loan_rows(self.con, loan_id, borrower_id, [(date.fromisoformat(d), Decimal(amount)) for d in dues])

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
              amount: Decimal | str | None = None, scope: str | None = None,
              contact_point: str | None = None, recorded: str | None = None) -> None:
        """`recorded`: the local time it reached us (default: the database's clock)."""
        event_row(self.con, borrower_id, kind, self.at(borrower_id, local), loan_id=loan_id, channel=channel,
                  amount=Decimal(amount) if amount is not None else None, detail=detail, scope=scope,
                  contact_point=contact_point, recorded_at=self.at(borrower_id, recorded) if recorded else None)

    def visit_outcome(self, borrower_id: str, attempt_id: str, outcome: str, local: str, loan_id: str,
                      collectors: tuple[str, ...] = ("FC01", "FC02"), recorded: str | None = None) -> None:
        """What the field team reported on a visit (ingest-visit-outcomes), with the collectors present;
        `recorded`: when the report reached us (default: when it happened, on the log's own clock)."""
        self.event(borrower_id, "visit_outcome", local, loan_id=loan_id, channel="visit", scope="loan",
                   detail={"outcome": outcome, "attempt_id": attempt_id, "collectors": list(collectors)},
                   recorded=recorded or local)

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
        insert(self.con, "contact_attempts", attempt_id=attempt_id,
               idempotency_key=f"{borrower_id}|{loan_id}|{step}|{channel}|{day}|{self._n}", borrower_id=borrower_id,
               loan_id=loan_id, installment_no=installment_no, channel=channel, purpose=purpose, step=step,
               episode_id=episode_id, status=status,
               suppressed_reason=suppressed_reason if status == "suppressed" else None,
               decided_by_rule=suppressed_reason if status == "suppressed" else decided_by_rule,
               policy_version="test", planned_for_date=day, send_after=send_after, send_before=send_before,
               created_at=send_after - timedelta(hours=1), updated_at=when if sent else send_after,
               sent_at=when if sent else None, error=error)
        if outbox is None:
            outbox = sent and channel in ("sms", "email")
        if outbox:
            own = self.phone[borrower_id] if channel == "sms" else self.email[borrower_id]
            insert(self.con, "outbox_messages", idempotency_key=f"key-{attempt_id}", attempt_id=attempt_id,
                   channel=channel, recipient=own if recipient == "own" else recipient, body_text="text",
                   provider_message_id=f"msg-{attempt_id}", accepted_at=when)
        return attempt_id


    def assigned(self, attempt_id: str, agent_id: str, local_slot: str, *, shift: tuple[str, str] = ("08:00", "15:00"),
                 languages: tuple[str, ...] | None = None, skills: tuple[str, ...] = (), capacity: int = 35,
                 slot_minutes: int = 10) -> None:
        """The call `attempt_id` given to agent `agent_id` (issue 16) with a slot starting at `local_slot`
        (the borrower's clock): its call_assignments row and the agent's shift (agent_days) that day, in
        the borrower's zone (first recorded wins, as the planner records it); the agent speaks the
        borrower's language unless `languages` says otherwise."""
        (borrower_id, loan_id, step, day, send_before, language) = self.con.execute(
            "SELECT a.borrower_id, a.loan_id, a.step, a.planned_for_date, a.send_before, b.language "
            "FROM contact_attempts AS a JOIN borrowers AS b USING (borrower_id) WHERE a.attempt_id = ?",
            [attempt_id]).fetchone()
        languages = languages or (language,)
        zone = ZoneInfo(self.tz[borrower_id])
        start = self.at(borrower_id, local_slot)
        shift_start = datetime.combine(day, time.fromisoformat(shift[0]), zone).astimezone(UTC)
        shift_end = datetime.combine(day, time.fromisoformat(shift[1]), zone).astimezone(UTC)
        insert(self.con, "agent_days", or_ignore=True, agent_id=agent_id, work_date=day, team="zh-CN/apac",
               languages=list(languages), skills=list(skills), cities=["*"], capacity=capacity, timezone=str(zone),
               shift_start=shift_start, shift_end=shift_end, recorded_at=shift_start - timedelta(days=1))
        insert(self.con, "call_assignments", attempt_id=attempt_id, plan_date=day, borrower_id=borrower_id,
               loan_id=loan_id, step=step, team="zh-CN/apac", agent_id=agent_id, work_date=day, slot_start=start,
               slot_end=start + timedelta(minutes=slot_minutes), queue_rank=1, priority_score=10.0,
               priority_reasons="[]", required_skills=[], carried_days=0, outcome="assigned", reason=None,
               max_dials=2, dial_until=min(send_before, shift_end), recorded_at=shift_start - timedelta(days=1))


# -- planned contacts, for delivery and inbound cases ----------------------------------------------
DAY = date(2026, 11, 10)                       # a Tuesday; borrowers are in the "us" profile
OPENS = datetime(2026, 11, 10, 13, 0, tzinfo=UTC)
CLOSES = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)

SID, TOKEN, SG_KEY = "ACtestsid0123456789abcdef0123456789", "tok-sekrit-auth-7f3a9c", "SG.sekrit-api-key-55e1"


def plan(con: duckdb.DuckDBPyConnection, n: int, *, channel: str = "sms", start: int = 0, priority: int = 1,
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


def statuses(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each contact's status, by attempt id."""
    return dict(con.execute("SELECT attempt_id, status FROM contact_attempts").fetchall())


def with_providers(cfg: LifecycleConfig, **providers: dict) -> LifecycleConfig:
    """The shipped config with [providers.<channel>] replaced (extra keys allowed)."""
    return cfg.model_copy(update={"providers": {ch: ProviderConfig(**p) for ch, p in providers.items()}})
