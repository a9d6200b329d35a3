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


def test_a_dial_before_the_slot_or_by_another_agent_than_the_assigned_one_fires(log: ContactLog,
                                                                                 cfg: LifecycleConfig) -> None:
    """The call was given to AG02 at 10:00. A dial at 09:30 jumps the slot; one at 11:00 by AG03, on
    shift too, is a call the plan never gave AG03 (review 16, item b)."""
    call = _call(log)
    agent_shift(log, "AG03", "BC", "2026-03-09", ("09:00", "18:00"))
    log.call_outcome("BC", call, "no_answer", "2026-03-09 09:30", loan_id="LC", dial_seq=1, agent_id="AG02")
    log.call_outcome("BC", call, "no_answer", "2026-03-09 11:00", loan_id="LC", dial_seq=2, agent_id="AG03")
    report = audit(log, cfg)
    rows = {r["dial_no"]: r["violation"] for r in report.rule("dial_attempts").rows}
    assert rows == {1: "dialled at 2026-03-09 01:30 UTC, before the call's slot 2026-03-09 02:00 UTC",
                    2: "dialled by agent AG03, not AG02 the call was assigned to"}


def _change(log: ContactLog, call: str, at: str, change: str, **terms: object) -> None:
    """Dispatch changed the call at local `at` (BC's zone): the terms in force until then are kept in
    call_assignment_changes, and call_assignments is overwritten with `terms`."""
    con = log.con
    con.execute("INSERT INTO call_assignment_changes SELECT attempt_id, ?, ?, outcome, agent_id, work_date, "
                "slot_start, slot_end, queue_rank, max_dials, dial_until FROM call_assignments WHERE attempt_id = ?",
                [log.at("BC", at), change, call])
    sets = ", ".join(f"{k} = ?" for k in terms)
    con.execute(f"UPDATE call_assignments SET {sets} WHERE attempt_id = ?", [*terms.values(), call])


def test_dials_are_judged_against_the_terms_in_force_when_they_happened(log: ContactLog,
                                                                       cfg: LifecycleConfig) -> None:
    """At 12:00 dispatch moved the call's slot to 14:00: the 10:30 dial was placed under the 10:00
    slot the dialer had been told, and is fine; a dial at 12:30 is before the new slot (review 16,
    item 4)."""
    call = _call(log)
    log.call_outcome("BC", call, "no_answer", "2026-03-09 10:30", loan_id="LC", dial_seq=1, agent_id="AG02")
    _change(log, call, "2026-03-09 12:00", "slot_moved", slot_start=log.at("BC", "2026-03-09 14:00"),
            slot_end=log.at("BC", "2026-03-09 14:15"))
    report = audit(log, cfg)
    assert report.rule("dial_attempts").ok, str(report)
    log.call_outcome("BC", call, "no_answer", "2026-03-09 12:30", loan_id="LC", dial_seq=2, agent_id="AG02")
    [row] = audit(log, cfg).rule("dial_attempts").rows
    assert row["dial_no"] == 2 and "before the call's slot 2026-03-09 06:00 UTC" in row["violation"]


def test_dials_made_before_the_call_was_carried_are_still_judged(log: ContactLog, cfg: LifecycleConfig) -> None:
    """Allowed 1 dial, the dialer placed 2 before dispatch carried the call at 12:00 (its assignment
    row then says carried, agent, slot and max_dials cleared): the second dial still broke the terms
    it was placed under."""
    call = _call(log, max_dials=1)
    for n, at in enumerate(("10:00", "11:00"), start=1):
        log.call_outcome("BC", call, "no_answer", f"2026-03-09 {at}", loan_id="LC", dial_seq=n, agent_id="AG02")
    _change(log, call, "2026-03-09 12:00", "carried", outcome="carried", reason="no_agent_today", agent_id=None,
            work_date=None, slot_start=None, slot_end=None, queue_rank=None, max_dials=None, dial_until=None)
    [row] = audit(log, cfg).rule("dial_attempts").rows
    assert row["dial_no"] == 2 and row["violation"] == "dial #2 of a call allowed 1 dial(s)"


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
    # booked on the phone, then asked again by text on the 12th: the 13 March callback answers the
    # text, not the phone booking: no consent on the phone for it (review 16, item e)
    con.execute("UPDATE borrower_events SET source = 'dialer' WHERE kind = 'callback_request'")
    log.event("B1", "callback_request", "2026-03-12 09:00", loan_id="L1", channel="call",
              detail={"on": "2026-03-13", "from": "15:00", "to": "16:00"})
    con.execute("UPDATE borrower_events SET source = 'sms_reply' WHERE kind = 'callback_request' "
                "AND occurred_at = (SELECT max(occurred_at) FROM borrower_events WHERE kind = 'callback_request')")
    report = audit(log, cfg)
    assert {"call_cooldown_after_conversation", "dial_times"} <= fired(report)
