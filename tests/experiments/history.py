"""Hand-built experiment histories: assignments, delinquency episodes, payments, events, contacts,
survey answers and plans written straight into the tables (tests/builders.py insert), so each test
states exactly what happened and the numbers it expects follow by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import duckdb

from loan_comms.experiments.config import Arm, Experiment, ExperimentsFile, Guardrails
from tests.builders import Book, insert

EXP = "fewer_contacts"


def experiment(*, min_borrowers: int = 10, complaint: float = 0.01, opt_out: float = 0.02, mde: float = 0.05,
               start: date = date(2026, 11, 1), end: date = date(2027, 3, 31), name: str = EXP,
               description: str = "") -> ExperimentsFile:
    """One experiment, champion and 'fewer' half and half, cure window 30 days."""
    exp = Experiment(name=name, description=description, start=start, end=end, cure_within_days=30,
                     min_detectable_effect=mde,
                     guardrails=Guardrails(complaint_rate_over_champion=complaint, opt_out_rate_over_champion=opt_out,
                                           min_borrowers=min_borrowers),
                     arms=(Arm(name="champion", share=0.5), Arm(name="fewer", share=0.5, skip_steps=("dpd_3",))))
    return ExperimentsFile(experiments=(exp,))


def noon(day: date) -> datetime:
    """Noon UTC: the same local day in Shanghai (20:00)."""
    return datetime.combine(day, time(12), tzinfo=UTC)


class History:
    """An experiment's story on a hand-built book."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.book = Book(con)
        self._n = 0

    def member(self, borrower_id: str, arm: str, assigned_on: date, *, left_on: date | None = None,
               reason: str | None = None, experiment: str = EXP) -> str:
        self.book.borrower(borrower_id)
        insert(self.con, "experiment_assignments", experiment=experiment, borrower_id=borrower_id, arm=arm,
               draw=0.25 if arm == "champion" else 0.75, assigned_on=assigned_on, left_on=left_on, reason=reason)
        return borrower_id

    def delinquent(self, borrower_id: str, opened_on: date, closed_on: date | None = None,
                   currency: str = "CNY") -> str:
        """A loan of the borrower whose installment fell due the day before `opened_on`, and its episode."""
        loan_id = f"L-{borrower_id}"
        self.book.loan(loan_id, borrower_id, [((opened_on - timedelta(days=1)).isoformat(), "500.00")],
                       currency=currency)
        insert(self.con, "delinquency_episodes", episode_id=f"{loan_id}:{opened_on}", loan_id=loan_id,
               opened_on=opened_on, closed_on=closed_on)
        return loan_id

    def pay(self, loan_id: str, amount: str, day: date) -> None:
        self.book.pay(loan_id, amount, noon(day).isoformat())

    def event(self, borrower_id: str, kind: str, day: date) -> None:
        self.book.event(borrower_id, kind, noon(day).isoformat())

    def contact(self, borrower_id: str, day: date, *, status: str = "delivered", experiment: str | None = EXP,
                arm: str | None = None) -> None:
        self._n += 1
        at = noon(day)
        insert(self.con, "contact_attempts", attempt_id=f"A{self._n:05d}", idempotency_key=f"k{self._n}",
               borrower_id=borrower_id, loan_id=f"L-{borrower_id}", channel="sms", purpose="escalation",
               step="dpd_1", status=status, suppressed_reason="cap" if status == "suppressed" else None,
               planned_for_date=day, created_at=at, updated_at=at, experiment=experiment, arm=arm)

    def answer(self, borrower_id: str, scale: str, score: int, day: date) -> None:
        self._n += 1
        token = f"T{self._n:05d}"
        insert(self.con, "survey_invitations", token=token, attempt_id=f"S{self._n:05d}", programme="p", scale=scale,
               borrower_id=borrower_id, channel="sms", language="zh-CN", contacts_30d=0, planned_for_date=day,
               expires_at=noon(day + timedelta(days=7)))
        insert(self.con, "survey_answers", token=token, score=score, answered_at=noon(day), source="web",
               received_at=noon(day))

    def plan(self, borrower_id: str, decided_on: date, *, status: str = "active", ending: str | None = None,
             ended_on: date | None = None) -> None:
        self._n += 1
        aid = f"P{self._n:05d}"
        insert(self.con, "arrangements", arrangement_id=aid, borrower_id=borrower_id, loan_id=f"L-{borrower_id}",
               currency="CNY", option_id="o1", kind="respread", months=3, freeze_interest=False, source="web",
               status=status, requested_at=noon(decided_on), decided_at=noon(decided_on), starts_on=decided_on,
               ends_on=decided_on + timedelta(days=90), external_id=aid, recorded_at=noon(decided_on))
        if ending:
            self.book.event(borrower_id, ending, noon(ended_on or decided_on).isoformat(), loan_id=f"L-{borrower_id}",
                            arrangement_id=aid)


def money(v: str) -> Decimal:
    return Decimal(v)
