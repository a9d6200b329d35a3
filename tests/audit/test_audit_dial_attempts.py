"""dial_attempts: the dialer placed only what each assigned call allowed, by an agent on shift.

Why: the export tells the dialer how many attempts and until when (call_assignments max_dials,
dial_until); a dialer that redials past that, or keeps dialling after the window it was given, or a
dial logged by someone not on shift, is exactly the "they call again and again" complaint. The audit
must see it from the log alone, whatever the planner believed.
"""

from __future__ import annotations

from loan_comms.config import LifecycleConfig
from tests.audit.log import ContactLog, agent_shift, assign_call, audit, fired


def _call(log: ContactLog, *, max_dials: int = 2, dial_until: str = "2026-03-09 18:00", assigned: bool = True) -> str:
    """BC (Shanghai, cn) owes since 1 March; her loan is first seen at 8 dpd, so its ladder starts
    at the dpd_5 call, released on Monday 9 March at 08:00 and (when `assigned`) given to AG02
    (shift 09:00-18:00) at 10:00, allowed `max_dials` dials until `dial_until` (local)."""
    log.borrower("BC")
    log.loan("LC", "BC", ["2026-03-01"])
    call = log.contact("BC", "LC", "call", "escalation", "dpd_5", "2026-03-09 08:00", installment_no=1,
                       episode_id="LC:2026-03-02")
    if assigned:
        agent_shift(log, "AG02", "BC", "2026-03-09", ("09:00", "18:00"))
        assign_call(log, call, "BC", "AG02", "2026-03-09 10:00", dial_until=dial_until, max_dials=max_dials)
    return call


def test_the_clean_log_dials_within_what_each_call_allowed(log: ContactLog, cfg: LifecycleConfig) -> None:
    report = audit(log, cfg)
    assert report.rule("dial_attempts").ok, str(report)
    assert report.rule("dial_attempts").checked == 2   # B1's dpd_5 and dpd_10 calls, both assigned


def test_a_dial_beyond_max_dials_fires(log: ContactLog, cfg: LifecycleConfig) -> None:
    call = _call(log, max_dials=2)
    for n, at in enumerate(("10:00", "11:00", "12:00"), start=1):
        log.call_outcome("BC", call, "no_answer", f"2026-03-09 {at}", loan_id="LC", dial_seq=n, agent_id="AG02")
    report = audit(log, cfg)
    assert "dial_attempts" in fired(report)
    [row] = report.rule("dial_attempts").rows
    assert row["attempt_id"] == call and row["dial_no"] == 3
    assert row["violation"] == "dial #3 of a call allowed 2 dial(s)"


def test_a_dial_after_dial_until_fires(log: ContactLog, cfg: LifecycleConfig) -> None:
    call = _call(log, dial_until="2026-03-09 12:00")
    log.call_outcome("BC", call, "no_answer", "2026-03-09 10:00", loan_id="LC", dial_seq=1, agent_id="AG02")
    log.call_outcome("BC", call, "no_answer", "2026-03-09 12:30", loan_id="LC", dial_seq=2, agent_id="AG02")
    report = audit(log, cfg)
    assert fired(report) == {"dial_attempts"}   # still inside the borrower's window: only this rule sees it
    [row] = report.rule("dial_attempts").rows
    assert row["violation"] == "dialled at 2026-03-09 04:30 UTC, after the call's dial_until 2026-03-09 04:00 UTC"


def test_a_dial_by_an_agent_off_shift_fires_and_one_without_an_agent_does_not(log: ContactLog,
                                                                               cfg: LifecycleConfig) -> None:
    """AG02 works 09:00-18:00; a dial logged under AG01 (who has no shift on the roster) at 11:00 is
    someone not at work, or a login shared; a dial naming no agent (an older dialer) is not judged on it."""
    call = _call(log)
    log.call_outcome("BC", call, "no_answer", "2026-03-09 10:00", loan_id="LC", dial_seq=1)
    log.call_outcome("BC", call, "reached", "2026-03-09 11:00", loan_id="LC", dial_seq=2, agent_id="AG01")
    report = audit(log, cfg)
    assert fired(report) == {"dial_attempts"}
    [row] = report.rule("dial_attempts").rows
    assert row["dial_no"] == 2 and row["dialled_by"] == "AG01"
    assert "dialled by agent AG01 at 2026-03-09 03:00 UTC, outside any shift of theirs" in row["violation"]


def test_calls_without_an_assignment_are_not_judged(log: ContactLog, cfg: LifecycleConfig) -> None:
    """A call planned without a roster (no call_assignments row) has no max_dials to judge by: the
    other call rules (calls_per_7_days counts its dials) still see it."""
    call = _call(log, assigned=False)
    for n in (1, 2, 3):
        log.call_outcome("BC", call, "no_answer", f"2026-03-09 1{n}:00", loan_id="LC", dial_seq=n)
    report = audit(log, cfg)
    assert report.rule("dial_attempts").ok and report.rule("dial_attempts").checked == 2   # the clean log's two


def test_a_callback_booked_on_the_phone_is_consent_one_asked_by_text_is_not(log: ContactLog,
                                                                           cfg: LifecycleConfig) -> None:
    """B1 was reached on 11 March (the cooldown runs to 18 March). A callback she booked with the agent
    on that call (the dialer's callback_request) and made on 13 March is her consent (Reg F
    1006.14(b)(3)(i)); the same callback asked for only by text is a call inside the cooldown."""
    booked = log.contact("B1", "L1", "call", "follow_up", "callback", "2026-03-13 15:00", window=("15:00", "16:00"))
    log.event("B1", "callback_request", "2026-03-11 10:06", loan_id="L1", channel="call",
              detail={"on": "2026-03-13", "from": "15:00", "to": "16:00"})
    con = log.con
    con.execute("UPDATE borrower_events SET source = 'dialer' WHERE kind = 'callback_request'")
    log.call_outcome("B1", booked, "reached", "2026-03-13 15:05", loan_id="L1", dial_seq=1)
    report = audit(log, cfg)
    assert not {"call_cooldown_after_conversation", "dial_times"} & fired(report), str(report)
    con.execute("UPDATE borrower_events SET source = 'sms_reply' WHERE kind = 'callback_request'")
    report = audit(log, cfg)
    assert {"call_cooldown_after_conversation", "dial_times"} <= fired(report)
