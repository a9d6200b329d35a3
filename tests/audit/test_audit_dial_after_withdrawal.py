"""dial_after_withdrawal: no dial on a call we decided must not go (review 16 items 1 and 3).

Why: a call never released, withdrawn by the policy after its release (the borrower paid, asked us
to stop...), or cancelled at the dialer must not be dialled; when the dialer dialled it anyway (in
the gap before the DELETE, or ignoring it) the dial is in the log and the audit must show it.
"""

from __future__ import annotations

from datetime import timedelta

from loan_comms.config import LifecycleConfig
from tests.audit.log import ContactLog, agent_shift, assign_call, audit, fired
from tests.builders import insert


def _call(log: ContactLog, **contact: object) -> str:
    """BC (Shanghai) owes since 1 March; the dpd_5 call of Monday 9 March, given to AG02 at 10:00."""
    log.borrower("BC")
    log.loan("LC", "BC", ["2026-03-01"])
    call = log.contact("BC", "LC", "call", "escalation", "dpd_5", "2026-03-09 08:00", installment_no=1,
                       episode_id="LC:2026-03-02", **contact)  # type: ignore[arg-type]
    agent_shift(log, "AG02", "BC", "2026-03-09", ("09:00", "18:00"))
    assign_call(log, call, "BC", "AG02", "2026-03-09 10:00", dial_until="2026-03-09 18:00", max_dials=2)
    return call


def _pushed(log: ContactLog, call: str, state: str = "sent", cancelled: str | None = None) -> None:
    at = log.at("BC", "2026-03-08 20:00")
    insert(log.con, "dialer_pushes", attempt_id=call, plan_date=log.at("BC", "2026-03-09 00:00").date(),
           team="cn-zh", agent_id="AG02", state=state, dialer_ref="dl-1", payload_sha256="x",
           cancel_reason="withdrawn: sent: paid" if cancelled else None,
           cancelled_at=log.at("BC", cancelled) if cancelled else None, recorded_at=at, updated_at=at)


def test_the_clean_log_dials_no_withdrawn_call(log: ContactLog, cfg: LifecycleConfig) -> None:
    report = audit(log, cfg)
    assert report.rule("dial_after_withdrawal").ok, str(report)
    assert report.rule("dial_after_withdrawal").checked >= 2


def test_a_dial_on_a_call_never_released_fires(log: ContactLog, cfg: LifecycleConfig) -> None:
    call = _call(log, status="suppressed", suppressed_reason="paid", sent=False)
    _pushed(log, call, state="cancelled", cancelled="2026-03-09 08:00")
    log.call_outcome("BC", call, "no_answer", "2026-03-09 10:05", loan_id="LC", dial_seq=1, agent_id="AG02")
    report = audit(log, cfg)
    assert "dial_after_withdrawal" in fired(report)
    [row] = report.rule("dial_after_withdrawal").rows
    assert row["attempt_id"] == call
    assert row["violation"] == "dialled at 2026-03-09 02:05 UTC, a call never released (its contact is suppressed: paid)"


def test_a_dial_after_the_policy_withdrew_a_released_call_fires_one_before_it_does_not(
        log: ContactLog, cfg: LifecycleConfig) -> None:
    call = _call(log)
    _pushed(log, call)
    insert(log.con, "call_withdrawals", attempt_id=call, borrower_id="BC", status="sent", reason="cease_contact",
           policy_version="t", withdrawn_at=log.at("BC", "2026-03-09 11:00"))
    log.call_outcome("BC", call, "no_answer", "2026-03-09 10:05", loan_id="LC", dial_seq=1, agent_id="AG02")
    log.call_outcome("BC", call, "no_answer", "2026-03-09 11:30", loan_id="LC", dial_seq=2, agent_id="AG02")
    report = audit(log, cfg)
    assert "dial_after_withdrawal" in fired(report)
    [row] = report.rule("dial_after_withdrawal").rows
    assert row["violation"] == ("dialled at 2026-03-09 03:30 UTC, after the policy withdrew it at "
                                "2026-03-09 03:00 UTC (cease_contact)")


def test_a_dial_after_the_dialer_confirmed_its_cancel_fires(log: ContactLog, cfg: LifecycleConfig) -> None:
    call = _call(log)
    _pushed(log, call, state="cancelled", cancelled="2026-03-09 09:00")
    log.call_outcome("BC", call, "reached", "2026-03-09 10:05", loan_id="LC", dial_seq=1, agent_id="AG02")
    report = audit(log, cfg)
    [row] = report.rule("dial_after_withdrawal").rows
    assert row["violation"] == ("dialled at 2026-03-09 02:05 UTC, after the dialer confirmed its cancel at "
                                "2026-03-09 01:00 UTC (withdrawn: sent: paid)")
    assert timedelta(0) < row["dialled_at"] - row["cancelled_at"]
