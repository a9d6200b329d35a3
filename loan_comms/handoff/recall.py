"""An operator gives a handed-off case back: the partner returned it, or it went by mistake.

`recall` records a `handoff_recalled` event of the loan (the log: the gate's handoff_state and the
audit both read it) and marks the `handoffs` row (recalled_at, recall_reason), in one transaction.
From that instant the loan's contacts resume from where the ladder stood: the hand-off step stays
taken (it is never repeated in the episode), later installments get their reminders again, and a
new episode climbs the ladder again and may hand the loan off anew.

A loan that is not handed off, an unknown loan or an empty reason is one clear line (RecallError).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.errors import LoanCommsError
from loan_comms.handoff import state
from loan_comms.masking import mask_loan_id


class RecallError(LoanCommsError, ValueError):
    """A recall that cannot be made (unknown loan, not handed off, no reason)."""

    exit_code = 2


@dataclass(frozen=True)
class Recall:
    loan_id: str
    handed_off_at: datetime
    recalled_at: datetime
    recorded: bool          # False: this hand-off was already recalled (a repeated command)

    def __str__(self) -> str:
        what = "recalled" if self.recorded else "already recalled"
        return (f"loan {mask_loan_id(self.loan_id)}: hand-off of {self.handed_off_at:%Y-%m-%d %H:%M} UTC {what}; "
                "its contacts resume from where the ladder stood")


def recall(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, loan_id: str, reason: str, *, now: datetime,
           by: str = "operator") -> Recall:
    """Recall the hand-off of `loan_id` in force at `now` (see the module doc)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise RecallError("--reason: say why the case comes back (the partner returned it, handed off by mistake, ...)")
    state.register_tables(con, cfg)
    params = {"now": now, "loan_id": loan_id, "reason": reason, "by": by}
    state.derive(con, now)
    [status] = db.rows(con, "handoff/case_status", params)
    if not status["known"]:
        raise RecallError(f"loan {mask_loan_id(loan_id)}: no such loan in this book")
    if status["handed_off_at"] is None:
        if status["recalled_at"] is not None:
            raise RecallError(f"loan {mask_loan_id(loan_id)}: its hand-off was already recalled at "
                              f"{status['recalled_at']:%Y-%m-%d %H:%M} UTC; nothing to recall")
        raise RecallError(f"loan {mask_loan_id(loan_id)}: not handed off as of {now:%Y-%m-%d %H:%M} UTC; "
                          "nothing to recall")
    with db.transaction(con):
        recorded = db.changed(con, "handoff/recall_event", params)
        db.run(con, "handoff/recall_mark", params)
    return Recall(loan_id, status["handed_off_at"], now, bool(recorded))
