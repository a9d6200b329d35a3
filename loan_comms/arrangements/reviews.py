"""The arrangement review queue: plans a borrower (or an agent) chose that a person must decide.

A request is an `arrangements` row with status pending_review (accept.py puts it there when the
option needs approval or no longer passes the automatic rules). A reviewer either

- approves it: the plan is RECOMPUTED as of the approval on the loans the request covered (the same
  SQL as the offer, sql/arrangements/options.sql) and becomes active from the approval day: its
  amounts are what is owed then (a payment made while the request waited lowers them), its
  installments fall due on that local day + k months, and the installments it absorbs are rewritten
  from the same computation; event arrangement_accepted with decided_by the reviewer, and an export
  row for the core banking system. When nothing is in arrears on its loans any more, or the option may
  no longer be offered at all, the approval is refused in one line ("decline it with a reason"): a
  plan approved over nothing owed would only "break". A person decides, so the reviewer declines it
  (the borrower is told why) rather than the tool deciding by itself; or
- declines it with a reason: event arrangement_declined carrying the reason, which the borrower is
  told by the arrangement_declined contact (with the other options).

No self-approval: the agent who recorded a request cannot approve it. A wrong id, a request decided
already, a missing reason or a reviewer name that is not a plain name/id is one line (exit 2) and
nothing is written. Listings show masked loan numbers, never names or phones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from loan_comms import db
from loan_comms.arrangements.accept import absorbed_rows, ends_on, event_row, insert_covered, insert_rows
from loan_comms.arrangements.options import Subject, compute
from loan_comms.config import LifecycleConfig
from loan_comms.errors import LoanCommsError
from loan_comms.masking import mask_loan_id

_NAME = re.compile(r"[\w.\-]{1,60}")
MAX_REASON = 500


class ArrangementReviewError(LoanCommsError):
    """A review command that cannot be done as asked (unknown request, decided already, self-approval...)."""

    exit_code = 2


@dataclass(frozen=True)
class Request:
    """One pending request, as the reviewer's screen shows it (no names, the loan masked)."""

    arrangement_id: str
    loan_masked: str
    option_id: str
    kind: str
    months: int
    payment: Decimal
    total: Decimal
    currency: str
    source: str
    agent_id: str | None
    reason: str | None
    requested_at: datetime
    age_hours: float
    deadline: datetime
    overdue: bool


def pending(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, now: datetime) -> list[Request]:
    """Requests waiting for a person as of `now`, oldest first; overdue past review_within_days."""
    found = db.rows(con, "arrangements/reviews_pending",
                    {"now": now, "review_within_days": cfg.arrangements.review_within_days})
    return [Request(arrangement_id=r["arrangement_id"], loan_masked=mask_loan_id(r["loan_id"]),
                    option_id=r["option_id"], kind=r["kind"], months=r["months"], payment=r["payment"],
                    total=r["total"], currency=r["currency"], source=r["source"], agent_id=r["agent_id"],
                    reason=r["decision_reason"], requested_at=r["requested_at"], age_hours=float(r["age_hours"]),
                    deadline=r["deadline"], overdue=bool(r["overdue"])) for r in found]


@dataclass(frozen=True)
class QueueCounts:
    """How many requests wait for a person, and how many of them are past review_within_days: counts
    only, for the daily run's summary and its alert (a request holds the ladder until decided)."""

    waiting: int
    overdue: int

    def as_dict(self) -> dict[str, int]:
        return {"waiting": self.waiting, "overdue": self.overdue}


def queue_counts(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, now: datetime) -> QueueCounts:
    """The review queue as counts as of `now` (the same reading as `pending`)."""
    items = pending(con, cfg, now)
    return QueueCounts(waiting=len(items), overdue=sum(1 for r in items if r.overdue))


@dataclass(frozen=True)
class Decision:
    arrangement_id: str
    status: str          # active | declined
    starts_on: date | None


def _reviewer(by: str) -> str:
    by = (by or "").strip()
    if not _NAME.fullmatch(by):
        raise ArrangementReviewError(f"--by {by!r}: give the reviewer's staff id (letters, digits, . _ -; at most 60)")
    return by


def _request(con: duckdb.DuckDBPyConnection, arrangement_id: str) -> dict[str, Any]:
    found = db.rows(con, "arrangements/review_request", {"arrangement_id": arrangement_id})
    if not found:
        raise ArrangementReviewError(f"no arrangement {arrangement_id!r}; `loan-comms arrangements review` lists "
                                     "the pending ones")
    row = found[0]
    if row["status"] != "pending_review":
        raise ArrangementReviewError(f"arrangement {arrangement_id} was already decided ({row['status']} by "
                                     f"{row['decided_by']}); nothing changed")
    return row


def approve(con: duckdb.DuckDBPyConnection, arrangement_id: str, by: str, now: datetime,
            reason: str | None = None, *, cfg: LifecycleConfig | None = None) -> Decision:
    """Approve a pending request: recomputed as of `now`, active from the approval day (see the
    module doc). `cfg`: the options' config (default: the shipped config/lifecycle.toml)."""
    by = _reviewer(by)
    if cfg is None:
        from loan_comms.config import load_config
        cfg = load_config()
    with db.transaction(con):
        row = _request(con, arrangement_id)
        if row["agent_id"] and row["agent_id"] == by:
            raise ArrangementReviewError(f"{by} recorded arrangement {arrangement_id} and cannot approve it: "
                                         "another reviewer must")
        starts_on = now.astimezone(ZoneInfo(row["timezone"])).date()
        option = _recompute(con, cfg, row, starts_on, now)
        installments = [dict(installment_no=int(i["no"]), due_date=i["due_date"], amount=i["amount"])
                        for i in option["schedule"]]
        covered = [dict(loan_id=x["loan_id"], arrears=x["arrears"]) for x in option["covered"]]
        plan = {**row, "status": "active", "decided_at": now, "decided_by": by,
                "decision_reason": (reason or "").strip()[:MAX_REASON] or None, "starts_on": starts_on,
                "ends_on": ends_on(row["kind"], starts_on, row["months"], installments)}
        for table in ("installments", "loans", "covered"):
            db.run(con, f"arrangements/review_replan_{table}", {"arrangement_id": arrangement_id})
        db.run(con, "arrangements/review_decide", _params(plan))
        event = event_row("arrangement_accepted", arrangement_id, row["borrower_id"], row["loan_id"], now,
                          "arrangement_review", option_id=row["option_id"], plan_kind=row["kind"],
                          months=row["months"], path=row["source"], decided_by=by)
        insert_rows(con, now=now, events=[event],   # and its export record (record_exports.sql)
                    loans=[dict(arrangement_id=arrangement_id, **c) for c in covered],
                    installments=[dict(arrangement_id=arrangement_id, **i) for i in installments])
        insert_covered(con, [dict(arrangement_id=arrangement_id, **x) for x in absorbed_rows(option)])
    return Decision(arrangement_id, "active", starts_on)


def _recompute(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, row: dict[str, Any], starts_on: date,
               now: datetime) -> dict[str, Any]:
    """The requested option recomputed as of the approval on the loans the request covered, or a
    one-line refusal when there is nothing to plan any more."""
    aid = row["arrangement_id"]
    loans = tuple(c["loan_id"] for c in row["covered"]) or (row["loan_id"],)
    found = compute(con, cfg, [Subject(aid, row["borrower_id"], row["loan_id"], starts_on, now, loan_ids=loans)])
    option = next((o for o in found[aid] if o["option_id"] == row["option_id"]), None)
    decline_hint = f"decline it with a reason (`loan-comms arrangements decline {aid} --by ID --reason TEXT`)"
    if option is None:
        raise ArrangementReviewError(f"arrangement {aid}: option {row['option_id']!r} is no longer in "
                                     f"[arrangements.options]: {decline_hint}; nothing changed")
    if not option["covered"] or option["why_not"] == "nothing in arrears on this loan":
        raise ArrangementReviewError(f"arrangement {aid}: nothing in arrears on its loans any more: "
                                     f"{decline_hint}; nothing changed")
    if option["eligibility"] == "no":
        raise ArrangementReviewError(f"arrangement {aid}: {row['option_id']} can no longer be offered "
                                     f"({option['why_not']}): {decline_hint}; nothing changed")
    return option


def decline(con: duckdb.DuckDBPyConnection, arrangement_id: str, by: str, reason: str, now: datetime) -> Decision:
    """Decline a pending request with the reason the borrower will be told."""
    by = _reviewer(by)
    reason = " ".join((reason or "").split())[:MAX_REASON]
    if not reason:
        raise ArrangementReviewError("--reason is required to decline: the borrower is told why")
    with db.transaction(con):
        row = _request(con, arrangement_id)
        plan = {**row, "status": "declined", "decided_at": now, "decided_by": by, "decision_reason": reason,
                "starts_on": row["starts_on"], "ends_on": row["ends_on"]}
        db.run(con, "arrangements/review_decide", _params(plan))
        insert_rows(con, now=now, events=[event_row("arrangement_declined", arrangement_id, row["borrower_id"],
                                                    row["loan_id"], now, "arrangement_review", reason=reason,
                                                    decided_by=by)])
    return Decision(arrangement_id, "declined", None)


def _params(plan: dict[str, Any]) -> dict[str, Any]:
    return {k: plan[k] for k in ("arrangement_id", "status", "decided_at", "decided_by", "decision_reason",
                                 "starts_on", "ends_on")}
