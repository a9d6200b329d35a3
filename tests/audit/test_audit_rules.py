"""The audit catches each broken rule, and only that rule, in a hand-built contact log.

Every test starts from `clean_log` (a quarter of contacts that breaks nothing), adds the one thing
a complaint would be about, and expects exactly the matching rule to fire.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from loan_comms.audit import RULES, AuditError, run_audit
from loan_comms.config import LifecycleConfig

from tests.audit.log import EPISODE, NOW, ContactLog, audit, fired


def with_profile(cfg: LifecycleConfig, profile: str, **changes: object) -> LifecycleConfig:
    profiles = dict(cfg.policy.profiles)
    profiles[profile] = profiles[profile].model_copy(update=changes)
    return cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"profiles": profiles})})


def with_policy(cfg: LifecycleConfig, **changes: object) -> LifecycleConfig:
    return cfg.model_copy(update={"policy": cfg.policy.model_copy(update=changes)})


# -- the compliant log -------------------------------------------------------------------------

def test_clean_log_breaks_no_rule_and_every_rule_had_something_to_check(log: ContactLog, cfg: LifecycleConfig) -> None:
    report = audit(log, cfg)
    assert report.ok, str(report)
    assert [r.name for r in report.rules] == list(RULES)
    assert report.unexercised == ()
    assert len(str(report).splitlines()) == len(RULES)


def test_audit_changes_nothing_in_the_log(log: ContactLog, cfg: LifecycleConfig) -> None:
    before = log.con.execute("SELECT * FROM contact_attempts ORDER BY attempt_id").fetchall()
    audit(log, cfg)
    assert log.con.execute("SELECT * FROM contact_attempts ORDER BY attempt_id").fetchall() == before


# -- time of day -------------------------------------------------------------------------------

def test_quiet_hours_are_judged_on_the_borrowers_own_clock(log: ContactLog, cfg: LifecycleConfig) -> None:
    # The same instant, 13:30 UTC: 21:30 in Shanghai (inside cn's 08:00-22:00), 06:30 in Los Angeles.
    log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-03-18 21:30", window=("08:00", "22:00"))
    la = log.contact("B2", "L2", "sms", "follow_up", "payment_confirmation", "2026-03-18 06:30", window=("06:00", "21:00"))
    report = audit(log, cfg)
    assert fired(report) == {"quiet_hours", "quiet_hours_every_zone"}  # the zone on file is one of every zone
    rule = report.rule("quiet_hours")
    assert rule.violations == 1
    assert rule.rows[0]["attempt_id"] == la
    assert "06:30 local, before the window opens at 08:00" in rule.rows[0]["violation"]


def test_quiet_hours_end_is_exclusive_and_default_profile_is_strictest(log: ContactLog, cfg: LifecycleConfig) -> None:
    # B3's profile is unknown, so 'default' applies: 08:00-21:00, although cn would allow 21:00.
    log.contact("B3", "L3", "email", "follow_up", "payment_confirmation", "2026-03-20 21:00", window=("08:00", "22:00"))
    report = audit(log, cfg)
    assert fired(report) == {"quiet_hours", "quiet_hours_every_zone"}
    assert "after the window closed at 21:00" in report.rule("quiet_hours").rows[0]["violation"]


def test_a_contact_sent_after_its_own_window_is_late(log: ContactLog, cfg: LifecycleConfig) -> None:
    late = log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-03-18 10:00", window=("08:00", "09:00"))
    report = audit(log, cfg)
    assert fired(report) == {"sent_within_own_window"}
    row = report.rule("sent_within_own_window").rows[0]
    assert row["attempt_id"] == late and row["violation"].startswith("sent late: 60 min")


# -- caps --------------------------------------------------------------------------------------

def test_the_eighth_call_in_seven_days_is_a_violation(log: ContactLog, cfg: LifecycleConfig) -> None:
    for day in range(16, 23):
        log.contact("B3", "L3", "call", "follow_up", "payment_confirmation", f"2026-03-{day} 10:00")
    eighth = log.contact("B3", "L3", "call", "follow_up", "payment_confirmation", "2026-03-22 11:00")
    report = audit(log, cfg)
    assert fired(report) == {"calls_per_7_days"}
    rule = report.rule("calls_per_7_days")
    assert rule.violations == 1
    assert rule.rows[0]["attempt_id"] == eighth and rule.rows[0]["call_no_in_7_days"] == 8


def test_seven_calls_in_any_seven_days_is_fine(log: ContactLog, cfg: LifecycleConfig) -> None:
    for day in range(16, 23):
        log.contact("B3", "L3", "call", "follow_up", "payment_confirmation", f"2026-03-{day} 10:00")
    log.contact("B3", "L3", "call", "follow_up", "payment_confirmation", "2026-03-23 10:01")  # 03-16 10:00 is > 7 days back
    assert audit(log, cfg).ok


def test_a_call_three_days_after_a_conversation_breaks_the_cooldown(log: ContactLog, cfg: LifecycleConfig) -> None:
    # B1 was reached on the dpd_10 call of 11 March.
    soon = log.contact("B1", "L1", "call", "follow_up", "payment_confirmation", "2026-03-14 10:00")
    log.contact("B1", "L1", "call", "follow_up", "payment_confirmation", "2026-03-19 10:00")  # 8 days later: allowed
    report = audit(log, cfg)
    assert fired(report) == {"call_cooldown_after_conversation"}
    rule = report.rule("call_cooldown_after_conversation")
    assert rule.violations == 1 and rule.rows[0]["attempt_id"] == soon
    assert rule.rows[0]["violation"].startswith("called 3 day(s) after a conversation (reached)")


def test_reached_calls_per_day(log: ContactLog, cfg: LifecycleConfig) -> None:
    cfg = with_profile(cfg, "cn", reached_calls_per_day=1)
    first = log.contact("B1", "L1", "call", "follow_up", "payment_confirmation", "2026-03-20 10:00")
    second = log.contact("B1", "L1", "call", "follow_up", "payment_confirmation", "2026-03-20 10:00")
    log.call_outcome("B1", first, "reached", "2026-03-20 10:05")
    log.call_outcome("B1", second, "promise_to_pay", "2026-03-20 10:10")
    report = audit(log, cfg)
    assert fired(report) == {"reached_calls_per_day", "dial_times"}   # the dial itself is judged too
    assert [r["attempt_id"] for r in report.rule("reached_calls_per_day").rows] == [second]


def test_three_sms_in_one_local_day(log: ContactLog, cfg: LifecycleConfig) -> None:
    for hour in (10, 11, 12):
        log.contact("B3", "L3", "sms", "follow_up", "payment_confirmation", f"2026-03-20 {hour}:00")
    report = audit(log, cfg)
    assert fired(report) == {"sms_per_day"}
    assert report.rule("sms_per_day").violations == 1


def test_sms_local_day_is_the_borrowers_day(log: ContactLog, cfg: LifecycleConfig) -> None:
    # 20:30 and then 08:30 next morning in Shanghai are two local days, although in UTC both fall on
    # 20 March (12:30 and 00:30): no day has more than 2.
    log.contact("B3", "L3", "sms", "follow_up", "payment_confirmation", "2026-03-20 10:00")
    log.contact("B3", "L3", "sms", "follow_up", "payment_confirmation", "2026-03-20 20:30")
    log.contact("B3", "L3", "sms", "follow_up", "payment_confirmation", "2026-03-21 08:30")
    assert audit(log, cfg).ok


def test_seven_sms_in_rolling_seven_days(log: ContactLog, cfg: LifecycleConfig) -> None:
    for day in range(20, 27):
        log.contact("B3", "L3", "sms", "follow_up", "payment_confirmation", f"2026-03-{day} 10:00")
    report = audit(log, cfg)
    assert fired(report) == {"sms_per_7_days"}
    rule = report.rule("sms_per_7_days")
    assert rule.violations == 1 and rule.rows[0]["sms_no_in_7_days"] == 7


def test_two_emails_in_one_local_day(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.contact("B3", "L3", "email", "follow_up", "payment_confirmation", "2026-03-20 10:00")
    log.contact("B3", "L3", "email", "follow_up", "payment_confirmation", "2026-03-20 15:00")
    report = audit(log, cfg)
    assert fired(report) == {"email_per_day"}
    assert report.rule("email_per_day").violations == 1


def test_four_contacts_of_any_channel_in_one_local_day(log: ContactLog, cfg: LifecycleConfig) -> None:
    for channel, hour in (("sms", 10), ("email", 11), ("call", 12), ("letter", 13)):
        log.contact("B3", "L3", channel, "follow_up", "payment_confirmation", f"2026-03-20 {hour}:00")
    report = audit(log, cfg)
    assert fired(report) == {"contacts_per_day"}
    rule = report.rule("contacts_per_day")
    assert rule.violations == 1 and rule.rows[0]["channel"] == "letter"


# -- what the borrower told us ---------------------------------------------------------------

def test_stop_stops_sms_but_not_email(log: ContactLog, cfg: LifecycleConfig) -> None:
    # B1 replied STOP (opt_out sms) on 29 March at 18:00.
    sms = log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-03-30 10:00")
    log.contact("B1", "L1", "email", "follow_up", "payment_confirmation", "2026-03-30 10:05")
    report = audit(log, cfg)
    assert fired(report) == {"opt_out_honoured"}
    rule = report.rule("opt_out_honoured")
    assert rule.violations == 1 and rule.rows[0]["attempt_id"] == sms


def test_opt_in_and_legally_required_steps_lift_the_opt_out(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.contact("B1", "L1", "sms", "survey", "legal_notice", "2026-03-30 10:00")
    assert audit(log, with_policy(cfg, legally_required_steps=("legal_notice",))).ok
    log.event("B1", "opt_in", "2026-03-30 12:00", channel="sms")
    log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-03-30 13:00")
    assert audit(log, with_policy(cfg, legally_required_steps=("legal_notice",))).ok
    assert fired(audit(log, cfg)) == {"opt_out_honoured"}  # legal_notice is only exempt when configured


def test_cease_contact_stops_collection_until_revoked(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "cease_contact", "2026-03-05 12:00")
    log.event("B1", "cease_contact_revoked", "2026-03-08 12:00")
    report = audit(log, cfg)
    assert fired(report) == {"cease_contact_honoured"}
    rule = report.rule("cease_contact_honoured")
    assert [r["step"] for r in rule.rows] == ["dpd_5"]


def test_cease_contact_still_allows_thanks_for_a_payment(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "cease_contact", "2026-03-12 11:00")  # before the payment_confirmation at 14:00
    assert audit(log, cfg).ok


def test_dispute_pauses_collection_for_that_loan(log: ContactLog, cfg: LifecycleConfig) -> None:
    # Recorded loan-scoped (an operator naming the loan: kinds.py), so each covers its own loan only.
    log.event("B1", "dispute", "2026-03-05 12:00", loan_id="L1", scope="loan")
    log.event("B1", "dispute_resolved", "2026-03-08 12:00", loan_id="L1", scope="loan")
    log.event("B1", "dispute", "2026-03-05 12:00", loan_id="L9", scope="loan")  # another loan's: irrelevant
    report = audit(log, cfg)
    assert fired(report) == {"dispute_pause"}
    assert [r["step"] for r in report.rule("dispute_pause").rows] == ["dpd_5"]


def test_hardship_request_pauses_escalation(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "hardship_request", "2026-03-05 12:00", loan_id="L1")
    report = audit(log, cfg)
    assert fired(report) == {"hardship_pause"}
    rule = report.rule("hardship_pause")
    # dpd_5 (1 day later) and both dpd_10 contacts (6 days later) are inside the 14-day pause.
    assert sorted(r["step"] for r in rule.rows) == ["dpd_10", "dpd_10", "dpd_5"]
    assert audit(log, cfg.model_copy(update={"follow_ups": cfg.follow_ups.model_copy(
        update={"hardship_pause_days": 2})})).rule("hardship_pause").violations == 1


def test_promise_pauses_the_ladder_until_the_day_after_the_promised_date(log: ContactLog, cfg: LifecycleConfig) -> None:
    # Promised on 2 March to pay by 4 March: the ladder waits through 5 March, dpd_5 on 6 March may go.
    log.event("B1", "promise_to_pay", "2026-03-02 12:00", loan_id="L1", amount="100.00",
              detail={"promised_date": "2026-03-04", "amount": "100.00"})
    report = audit(log, cfg)
    assert fired(report) == {"promise_pause"}
    assert [r["step"] for r in report.rule("promise_pause").rows] == ["dpd_3"]


def test_promise_made_on_a_call_pauses_too(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.con.execute("DELETE FROM borrower_events WHERE kind = 'call_outcome' "
                    "AND json_extract_string(detail, '$.outcome') = 'no_answer'")
    (call5,), = log.con.execute("SELECT attempt_id FROM contact_attempts WHERE step = 'dpd_5'").fetchall()
    log.call_outcome("B1", call5, "promise_to_pay", "2026-03-06 10:03", loan_id="L1", promised_date="2026-03-10")
    report = audit(log, cfg)
    # dpd_10 on 11 March is inside the pause (10 March + 1); its call is also inside the cooldown
    # after the conversation of 6 March, which is the second thing wrong with it.
    assert fired(report) == {"promise_pause", "call_cooldown_after_conversation", "dial_times"}   # the dial itself is judged too
    assert sorted(r["channel"] for r in report.rule("promise_pause").rows) == ["call", "sms"]


# -- calendar and money ------------------------------------------------------------------------

def test_no_collection_on_a_configured_extra_holiday(log: ContactLog, cfg: LifecycleConfig) -> None:
    report = audit(log, with_policy(cfg, holidays=cfg.policy.holidays.model_copy(update={"extra_dates": ("2026-03-06",)})))
    assert fired(report) == {"holidays"}
    assert [r["step"] for r in report.rule("holidays").rows] == ["dpd_5"]


def test_chinese_national_day_blocks_collection_but_not_reminders(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("B4")
    log.loan("L4", "B4", ["2026-09-20", "2026-10-04"])
    chase = log.contact("B4", "L4", "email", "follow_up", "broken_promise", "2026-10-01 10:00")
    log.contact("B4", "L4", "sms", "reminder", "pre_due_3", "2026-10-01 10:05", installment_no=2)
    log.borrower("B5", tz="America/Los_Angeles", jurisdiction="us", phone="+12135550123")  # the us profile has no CN calendar
    log.loan("L5", "B5", ["2026-09-20"])
    log.contact("B5", "L5", "email", "follow_up", "broken_promise", "2026-10-01 10:00")
    report = audit(log, cfg)
    assert fired(report) == {"holidays"}
    rule = report.rule("holidays")
    assert [r["attempt_id"] for r in rule.rows] == [chase]
    assert "National Day" in rule.rows[0]["holiday"]


def test_paid_means_stop(log: ContactLog, cfg: LifecycleConfig) -> None:
    # Installment 1 of L1 was paid in full on 12 March at 12:00.
    reminder = log.contact("B1", "L1", "sms", "reminder", "due_today", "2026-03-12 13:00", installment_no=1)
    letter = log.contact("B1", "L1", "letter", "escalation", "dpd_20", "2026-03-22 10:00", installment_no=1,
                         episode_id=EPISODE, status="sent")
    report = audit(log, cfg)
    assert fired(report) == {"paid_means_stop"}
    assert sorted(r["attempt_id"] for r in report.rule("paid_means_stop").rows) == sorted([reminder, letter])


def test_a_partial_payment_does_not_stop_collection(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("B4")
    log.loan("L4", "B4", ["2026-03-01"])
    log.event("B4", "payment", "2026-03-03 12:00", loan_id="L4", amount="40.00")
    log.con.execute("UPDATE installments SET amount_paid = 40 WHERE loan_id = 'L4'")
    log.contact("B4", "L4", "sms", "escalation", "dpd_1", "2026-03-02 10:00", episode_id="L4:2026-03-02")
    log.contact("B4", "L4", "email", "escalation", "dpd_3", "2026-03-04 10:00", episode_id="L4:2026-03-02")
    assert audit(log, cfg).ok


def test_collection_before_anything_is_due_is_a_violation(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("B4")
    log.loan("L4", "B4", ["2026-03-20"])
    log.contact("B4", "L4", "sms", "follow_up", "broken_promise", "2026-03-20 10:00")  # due today, not overdue
    report = audit(log, cfg)
    assert fired(report) == {"paid_means_stop"}


# -- who and what ------------------------------------------------------------------------------

def test_third_parties(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-03-15 10:00", recipient="+8613999999999")
    log.contact("B3", "L1", "email", "follow_up", "payment_confirmation", "2026-03-16 10:00")  # B3 told about B1's loan
    log.con.execute("INSERT INTO outbox_messages (idempotency_key, attempt_id, channel, recipient, "
                    "provider_message_id, accepted_at) VALUES ('stray', 'NOPE', 'sms', '+8613777777777', 'm', ?)",
                    [NOW])
    report = audit(log, cfg)
    assert fired(report) == {"third_parties"}
    rule = report.rule("third_parties")
    assert rule.violations == 3
    reasons = sorted(r["violation"] for r in rule.rows)
    assert any("loan of another borrower (B1)" in r for r in reasons)
    assert any("not the borrower's own" in r for r in reasons)
    assert any("no contact attempt accounts for" in r for r in reasons)
    shown = repr(rule.rows)
    assert "13999999999" not in shown and "13777777777" not in shown  # recipients are masked


def test_nothing_lost(log: ContactLog, cfg: LifecycleConfig) -> None:
    stale = log.contact("B1", "L1", "email", "follow_up", "payment_confirmation", "2026-03-30 10:00", status="planned")
    silent = log.contact("B1", "L1", "email", "follow_up", "payment_confirmation", "2026-03-31 10:00", status="suppressed")
    report = audit(log, cfg)
    assert fired(report) == {"nothing_lost"}
    rows = {r["attempt_id"]: r["violation"] for r in report.rule("nothing_lost").rows}
    assert rows[silent] == "suppressed without a reason"
    assert rows[stale].startswith("still planned although its window closed")
    # Judged on 30 March at 11:00 Shanghai, the planned e-mail can still go: not lost.
    early = datetime(2026, 3, 30, 3, 0, tzinfo=UTC)
    assert [r["attempt_id"] for r in audit(log, cfg, now=early).rule("nothing_lost").rows] == [silent]


def test_ladder_step_repeated(log: ContactLog, cfg: LifecycleConfig) -> None:
    again = log.contact("B1", "L1", "email", "escalation", "dpd_3", "2026-03-05 10:00", installment_no=1,
                        episode_id=EPISODE)
    report = audit(log, cfg)
    assert fired(report) == {"ladder_order"}
    row = report.rule("ladder_order").rows[0]
    assert row["attempt_id"] == again and "repeated" in row["violation"]


def test_ladder_step_skipped_and_out_of_order(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("B4")
    log.loan("L4", "B4", ["2026-03-01"])
    ep = "L4:2026-03-02"
    log.contact("B4", "L4", "sms", "escalation", "dpd_1", "2026-03-02 10:00", episode_id=ep)
    skip = log.contact("B4", "L4", "call", "escalation", "dpd_5", "2026-03-06 10:00", episode_id=ep)
    late = log.contact("B4", "L4", "email", "escalation", "dpd_3", "2026-03-07 10:00", episode_id=ep)
    report = audit(log, cfg)
    assert fired(report) == {"ladder_order", "ladder_pacing"}  # dpd_3 a day after dpd_5: a burst too
    rows = {r["attempt_id"]: r["violation"] for r in report.rule("ladder_order").rows}
    assert rows == {skip: "step dpd_5 skipped the previous ladder step (the episode was first seen at 1 dpd)",
                    late: "step dpd_3 came after a later ladder step"}


def test_two_ladder_steps_on_one_day(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.borrower("B4")
    log.loan("L4", "B4", ["2026-03-01"])
    ep = "L4:2026-03-02"
    log.contact("B4", "L4", "sms", "escalation", "dpd_1", "2026-03-02 10:00", episode_id=ep)
    log.contact("B4", "L4", "email", "escalation", "dpd_3", "2026-03-02 11:00", episode_id=ep)
    report = audit(log, cfg)
    assert fired(report) == {"ladder_order", "ladder_pacing"}  # two steps in one day is a burst too
    assert report.rule("ladder_order").violations == 2


def test_suppressed_tries_of_a_step_are_not_repeats(log: ContactLog, cfg: LifecycleConfig) -> None:
    # The clean log already holds dpd_10 suppressed on 10 March and sent on 11 March.
    log.contact("B1", "L1", "call", "escalation", "dpd_10", "2026-03-10 10:00", episode_id=EPISODE,
                status="suppressed", suppressed_reason="holiday")
    assert audit(log, cfg).ok


# -- bad input ---------------------------------------------------------------------------------

def test_unknown_rule_and_naive_now_are_refused(log: ContactLog, cfg: LifecycleConfig) -> None:
    with pytest.raises(AuditError, match="unknown audit rule"):
        run_audit(log.con, cfg, now=NOW, rules=("quiet_hourz",))
    with pytest.raises(AuditError, match="timezone-aware"):
        run_audit(log.con, cfg, now=datetime(2026, 4, 2))


def test_malformed_event_detail_does_not_break_the_audit(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.con.execute("INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail) "
                    "VALUES ('B1', 'L1', 'call_outcome', ?, '{not json')", [NOW])
    assert audit(log, cfg).ok


def test_default_as_of_is_the_last_activity_in_the_log(log: ContactLog, cfg: LifecycleConfig) -> None:
    report = run_audit(log.con, cfg)
    last = log.con.execute("SELECT max(updated_at) FROM contact_attempts").fetchall()[0][0]
    assert report.as_of == last
    assert report.ok


def test_a_later_promise_replaces_an_earlier_one(log: ContactLog, cfg: LifecycleConfig) -> None:
    # Promised on 2 March to pay by 20 March, then on 3 March (no date given): the pause is gone.
    log.event("B1", "promise_to_pay", "2026-03-02 12:00", loan_id="L1", detail={"promised_date": "2026-03-20"})
    log.event("B1", "promise_to_pay", "2026-03-03 12:00", loan_id="L1")
    report = audit(log, cfg)
    assert report.ok, str(report)


def test_a_sent_contact_recorded_as_suppressed_is_lost(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'paid' "
                    "WHERE step = 'dpd_3'")
    report = audit(log, cfg)
    assert fired(report) == {"nothing_lost"}
    assert "but recorded as suppressed" in report.rule("nothing_lost").rows[0]["violation"]


def test_the_audit_leaves_no_temp_tables_behind(log: ContactLog, cfg: LifecycleConfig) -> None:
    audit(log, cfg)
    left = log.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary "
                           "AND table_name LIKE 'audit_%'").fetchall()
    assert left == []


def test_forbearance_before_escalation(log: ContactLog, cfg: LifecycleConfig) -> None:
    # B6 (London, uk) gets past the ladder's first step with no forbearance offer in the episode.
    log.borrower("B6", tz="Europe/London", jurisdiction="uk")
    log.loan("L6", "B6", ["2026-03-01"])
    ep = "L6:2026-03-02"
    log.contact("B6", "L6", "sms", "escalation", "dpd_1", "2026-03-02 10:00", installment_no=1, episode_id=ep)
    early = log.contact("B6", "L6", "email", "escalation", "dpd_3", "2026-03-04 10:00", installment_no=1, episode_id=ep)
    # The offer comes only afterwards: too late for dpd_3, in time for dpd_5.
    log.contact("B6", "L6", "sms", "follow_up", "forbearance_offer", "2026-03-05 09:00", installment_no=1,
                episode_id=ep)
    log.contact("B6", "L6", "call", "escalation", "dpd_5", "2026-03-06 10:00", installment_no=1, episode_id=ep)
    report = audit(log, cfg)
    assert fired(report) == {"forbearance_before_escalation"}
    assert [r["attempt_id"] for r in report.rule("forbearance_before_escalation").rows] == [early]
