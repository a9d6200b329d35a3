"""Reminder and ladder planning on hand-built books: what a borrower gets, and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from loan_comms.lifecycle.planner import plan_day


def run(book, cfg, renderer, day: str, send: bool = True):
    report = plan_day(book.con, cfg, renderer, date.fromisoformat(day))
    if send:
        book.send_all_planned()
    return report


def steps_on(book, day: str) -> set[tuple[str, str, str]]:
    return {(a["step"], a["channel"], a["status"]) for a in book.attempts(planned_for_date=date.fromisoformat(day))}


def test_reminders_three_days_one_day_and_on_the_due_date(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    run(book, cfg, renderer, "2026-11-06")
    assert steps_on(book, "2026-11-06") == set()
    run(book, cfg, renderer, "2026-11-07")
    assert steps_on(book, "2026-11-07") == {("pre_due_3", "sms", "sent"), ("pre_due_3", "email", "sent")}
    run(book, cfg, renderer, "2026-11-08")
    assert steps_on(book, "2026-11-08") == set()
    run(book, cfg, renderer, "2026-11-09")
    assert steps_on(book, "2026-11-09") == {("pre_due_1", "sms", "sent")}
    run(book, cfg, renderer, "2026-11-10")
    assert steps_on(book, "2026-11-10") == {("due_today", "sms", "sent")}


def test_ladder_steps_by_days_past_due(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "500.00")])
    got = {}
    for i in range(1, 12):
        day = (date(2026, 11, 1) + timedelta(days=i)).isoformat()
        run(book, cfg, renderer, day)
        got[i] = steps_on(book, day)
    assert got[1] == {("dpd_1", "sms", "sent")}
    assert got[2] == set()
    assert got[3] == {("dpd_3", "email", "sent")}
    assert got[5] == {("dpd_5", "call", "sent")}
    assert got[10] == {("dpd_10", "sms", "sent"), ("dpd_10", "call", "sent")}
    assert all(got[i] == set() for i in (2, 4, 6, 7, 8, 9, 11))


def test_paid_loans_get_nothing(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    book.pay("L1", "500.00", "2026-11-05T10:00:00+08:00")
    for day in ("2026-11-07", "2026-11-09", "2026-11-10", "2026-11-11", "2026-11-13"):
        run(book, cfg, renderer, day)
    assert book.attempts() == []


def test_payment_after_plan_cancels_the_unsent_reminder(book, cfg, renderer):
    from loan_comms.policy import recheck_before_send

    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    run(book, cfg, renderer, "2026-11-09", send=False)
    book.pay("L1", "500.00", "2026-11-09T07:30:00+08:00")  # paid before the 08:00 window opens
    counts = recheck_before_send(book.con, cfg, datetime(2026, 11, 9, 0, 0, tzinfo=UTC))
    assert counts == {"paid": 1}
    [a] = book.attempts()
    assert (a["status"], a["suppressed_reason"]) == ("suppressed", "paid")


def test_rerunning_a_day_records_nothing_new(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    first = run(book, cfg, renderer, "2026-11-07")
    again = run(book, cfg, renderer, "2026-11-07")
    assert first.planned_total == 2
    assert again.planned_total == 0 and again.already_recorded == 2
    assert len(book.attempts()) == 2


def test_idempotency_key_names_borrower_loan_step_channel_and_day(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    run(book, cfg, renderer, "2026-11-09")
    [a] = book.attempts()
    assert a["idempotency_key"] == "B1|L1|pre_due_1|sms|2026-11-09"


def test_window_is_the_borrowers_local_contact_hours(book, cfg, renderer):
    book.borrower("SH", tz="Asia/Shanghai", jurisdiction="cn")
    book.borrower("LA", tz="America/Los_Angeles", jurisdiction="us", language="en", phone="+14155550100")
    book.loan("L-SH", "SH", [("2026-11-10", "500.00")])
    book.loan("L-LA", "LA", [("2026-11-10", "50.00")], currency="USD")
    run(book, cfg, renderer, "2026-11-09", send=False)
    by = {a["borrower_id"]: a for a in book.attempts()}
    # cn allows 08:00-22:00 local; us 08:00-21:00 (PST = UTC-8).
    assert by["SH"]["send_after"] == datetime(2026, 11, 9, 0, 0, tzinfo=UTC)
    assert by["SH"]["send_before"] == datetime(2026, 11, 9, 14, 0, tzinfo=UTC)
    assert by["LA"]["send_after"] == datetime(2026, 11, 9, 16, 0, tzinfo=UTC)
    assert by["LA"]["send_before"] == datetime(2026, 11, 10, 5, 0, tzinfo=UTC)


def ladder_steps_sent(book) -> list[str]:
    """Ladder steps in the order they went out (a step on two channels counts once)."""
    days = sorted({(a["planned_for_date"], a["step"]) for a in book.attempts(purpose="escalation")
                   if a["status"] == "sent"})
    return [step for _, step in days]


def test_partial_payment_moves_state_to_oldest_unpaid_without_repeating_steps(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-10-01", "100.00"), ("2026-10-20", "100.00"), ("2026-12-01", "100.00")])
    for i in range(0, 12):
        run(book, cfg, renderer, (date(2026, 10, 21) + timedelta(days=i)).isoformat())
    before = ladder_steps_sent(book)
    # Paying the oldest installment leaves the second one overdue: days past due drop, episode goes on.
    book.pay("L1", "100.00", "2026-11-01T12:00:00+08:00")
    for i in range(12, 40):
        run(book, cfg, renderer, (date(2026, 10, 21) + timedelta(days=i)).isoformat())
    sent = ladder_steps_sent(book)
    assert sent[: len(before)] == before
    assert len(sent) == len(set(sent)), "no ladder step repeats inside one episode"
    order = [s.step for s in cfg.ladder]
    # first seen on 10-21 at 20 dpd: the episode starts at dpd_20 (issue 11 case 8), then climbs in order
    assert sent == order[order.index("dpd_20"):][: len(sent)], "steps go in ladder order, none skipped"


def test_unrenderable_row_is_marked_failed_and_the_batch_goes_on(book, cfg):
    from tests.builders import EchoRenderer

    book.borrower("B1", name="Bad Row")
    book.borrower("B2", name="Good Row", phone="+8613912345678")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    book.loan("L2", "B2", [("2026-11-10", "500.00")])
    report = plan_day(book.con, cfg, EchoRenderer(fail_for={"Bad"}), date(2026, 11, 9))
    by = {a["borrower_id"]: a for a in book.attempts()}
    assert by["B1"]["status"] == "failed" and "unrenderable" in by["B1"]["error"]
    assert by["B2"]["status"] == "planned"
    assert sum(report.render_failed.values()) == 1
    # The planned one has its wording stored, the failed one none.
    msgs = book.con.execute("SELECT count(*) FROM contact_messages").fetchall()[0][0]
    assert msgs == 1


def test_rerun_does_not_advance_the_ladder_a_second_step_the_same_day(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-10-31", "300.00")])  # dpd 9 on 11-09: every early step is due at once
    run(book, cfg, renderer, "2026-11-09")
    run(book, cfg, renderer, "2026-11-09")
    # first seen late, the episode starts at the step its dpd calls for (issue 11 case 8), once
    assert [a["step"] for a in book.attempts(purpose="escalation")] == ["dpd_5"]
    run(book, cfg, renderer, "2026-11-10")   # dpd_10 is due, but one step per 2 days ([ladder_pacing])
    assert [a["step"] for a in book.attempts(purpose="escalation")] == ["dpd_5"]
    run(book, cfg, renderer, "2026-11-11")
    assert [a["step"] for a in book.attempts(purpose="escalation")] == ["dpd_5", "dpd_10", "dpd_10"]


def test_dry_run_shows_what_would_go_and_records_nothing(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "300.00"), ("2026-11-12", "300.00")])
    book.pay("L1", "100.00", "2026-11-02T09:00:00+08:00")
    tables = ("contact_attempts", "contact_messages", "borrower_events", "delinquency_episodes")
    before = {t: book.con.execute(f"SELECT count(*) FROM {t}").fetchall() for t in tables}
    dry = plan_day(book.con, cfg, renderer, date(2026, 11, 9), dry_run=True)
    assert {t: book.con.execute(f"SELECT count(*) FROM {t}").fetchall() for t in tables} == before
    real = plan_day(book.con, cfg, renderer, date(2026, 11, 9))
    assert dry.dry_run and dry.planned == real.planned and dry.planned_total == 3
    assert "DRY RUN" in str(dry)


def test_every_decision_names_the_policy_and_the_policy_is_kept(book, cfg, renderer):
    book.borrower("B1", email=None)
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    plan_day(book.con, cfg, renderer, date(2026, 11, 7))
    rows = book.attempts()
    assert {(a["status"], a["decided_by_rule"]) for a in rows} == {("planned", "allowed"),
                                                                   ("suppressed", "no_recipient")}
    assert {a["policy_version"] for a in rows} == {cfg.policy_version}
    assert cfg.policy_version.startswith(cfg.policy.version + "@")
    [(text,)] = book.con.execute("SELECT config_text FROM policy_versions WHERE policy_version = ?",
                                 [cfg.policy_version]).fetchall()
    assert "[policy]" in text and "sms_per_day" in text


def _lose(book, day: str) -> None:
    """What a day-long provider outage leaves: tried, never accepted, window closed."""
    book.con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'window_missed', "
                     "send_tries = 3, error = 'connection refused' "
                     "WHERE status = 'planned' AND planned_for_date = ?", [date.fromisoformat(day)])


def test_a_reminder_lost_to_an_outage_goes_again_next_day_while_it_can_still_help(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    run(book, cfg, renderer, "2026-11-07", send=False)
    _lose(book, "2026-11-07")                                  # pre_due_3 sms and email both lost
    run(book, cfg, renderer, "2026-11-08", send=False)
    assert steps_on(book, "2026-11-08") == {("pre_due_3", "sms", "planned"), ("pre_due_3", "email", "planned")}
    _lose(book, "2026-11-08")                                  # lost again: the email goes the next day;
    run(book, cfg, renderer, "2026-11-09", send=False)         # the sms has its own pre_due_1 that day
    assert steps_on(book, "2026-11-09") == {("pre_due_3", "email", "planned"), ("pre_due_1", "sms", "planned")}
    _lose(book, "2026-11-09")                                  # never on the due date: due_today speaks then
    run(book, cfg, renderer, "2026-11-10", send=False)
    assert steps_on(book, "2026-11-10") == {("due_today", "sms", "planned")}


def test_a_reminder_merely_suppressed_or_missed_without_a_try_is_not_planned_again(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    run(book, cfg, renderer, "2026-11-07", send=False)
    book.con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'window_missed' "
                     "WHERE status = 'planned'")                # missed, but no provider ever failed it
    run(book, cfg, renderer, "2026-11-08", send=False)
    assert steps_on(book, "2026-11-08") == set()
