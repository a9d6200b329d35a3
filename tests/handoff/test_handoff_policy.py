"""The hand-off at the end of the ladder, planned on hand-built books (issue 16, part E).

Once the hand-off step went, the loan is the partner's: its later installments get no reminder and
nothing else about it goes, except the thanks for a payment, the confirmation of an opt-out and
legally required steps; the borrower's other loans carry on. The state comes from the log (the
step's contact), is recorded once by the plan, ends with a recall, and the audit checks it apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from loan_comms.audit import run_audit
from loan_comms.config import LifecycleConfig, load_config
from loan_comms.handoff.recall import RecallError, recall
from loan_comms.lifecycle.planner import plan_day
from loan_comms.policy.engine import recheck_before_send
from tests.builders import Book, EchoRenderer

START = date(2026, 11, 2)   # L1 is 70 days past due: its ladder starts at the hand-off letter


def handoff_book(book: Book) -> None:
    """B1 (Shanghai) with L1 far behind (next installment due START + 3) and L2 current (due START + 3)."""
    book.borrower("B1")
    book.loan("L1", "B1", [((START - timedelta(days=70)).isoformat(), "900.00"),
                           ((START + timedelta(days=3)).isoformat(), "900.00"),
                           ((START + timedelta(days=33)).isoformat(), "900.00")])
    book.loan("L2", "B1", [((START + timedelta(days=3)).isoformat(), "500.00")])


def run(book: Book, cfg: LifecycleConfig, renderer: EchoRenderer, first: date, days: int) -> None:
    """Plan and send `days` days from `first` (everything planned goes at its window opening)."""
    for n in range(days):
        plan_day(book.con, cfg, renderer, first + timedelta(days=n))
        book.send_all_planned()


def verdicts(book: Book, loan_id: str, step: str) -> set[tuple[str, str | None]]:
    return {(a["status"], a["suppressed_reason"]) for a in book.attempts(loan_id=loan_id, step=step)}


def handoffs(book: Book) -> list[tuple]:
    return book.con.execute("SELECT loan_id, step, handed_off_at, partner, recalled_at FROM handoffs "
                            "ORDER BY loan_id").fetchall()


def audit(book: Book, cfg: LifecycleConfig, at: date):
    return run_audit(book.con, cfg, now=datetime.combine(at, time(23), tzinfo=UTC), show=20)


def test_the_hand_off_step_sent_records_the_hand_off_once(book, cfg, renderer):
    handoff_book(book)
    run(book, cfg, renderer, START, 2)
    [letter] = book.attempts(loan_id="L1", step="dpd_60_handoff")
    assert (letter["status"], letter["channel"]) == ("sent", "letter")
    assert handoffs(book) == [("L1", "dpd_60_handoff", letter["sent_at"], "agency-1", None)]
    plan_day(book.con, cfg, renderer, START + timedelta(days=1))   # a re-run of a planned day
    assert len(handoffs(book)) == 1


def test_after_the_hand_off_only_the_exempt_contacts_go_about_the_loan(book, cfg, renderer):
    """After the letter: L1's next installment gets no pre_due_1 / due_today (handed_off), its payment
    is still thanked, and L2 (the same borrower's other loan) gets every reminder."""
    handoff_book(book)
    run(book, cfg, renderer, START, 1)
    book.pay("L1", "100.00", f"{START + timedelta(days=1)}T09:00:00+08:00")
    run(book, cfg, renderer, START + timedelta(days=1), 3)
    assert verdicts(book, "L1", "pre_due_1") == {("suppressed", "handed_off")}
    assert verdicts(book, "L1", "due_today") == {("suppressed", "handed_off")}
    assert verdicts(book, "L1", "payment_confirmation") == {("sent", None)}
    assert verdicts(book, "L2", "pre_due_1") == {("sent", None)}
    assert verdicts(book, "L2", "due_today") == {("sent", None)}
    report = audit(book, cfg, START + timedelta(days=4))
    assert report.ok, str(report)
    assert report.rule("handed_off_no_contact").checked > 0


def test_a_contact_planned_before_the_hand_off_is_stopped_at_send_time(book, cfg, renderer):
    """A reminder of L1 planned for the day the letter goes, still waiting when the letter was
    released, is stopped by the re-check before send (handed_off), not sent after it."""
    handoff_book(book)
    plan_day(book.con, cfg, renderer, START)
    [letter] = book.attempts(loan_id="L1", step="dpd_60_handoff")
    book.con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after WHERE step = 'dpd_60_handoff'")
    later = letter["send_after"] + timedelta(hours=2)
    recheck_before_send(book.con, cfg, later)
    held = [a for a in book.attempts(loan_id="L1") if a["purpose"] == "reminder"]
    assert held and {(a["status"], a["suppressed_reason"]) for a in held} == {("suppressed", "handed_off")}
    assert {a["status"] for a in book.attempts(loan_id="L2")} <= {"planned", "suppressed"}
    assert "handed_off" not in {a["suppressed_reason"] for a in book.attempts(loan_id="L2")}


def test_a_hand_off_that_could_never_go_hands_off_but_not_while_bankrupt(book, cfg, renderer):
    """No letters (the person ruled the channel out): the step counts as taken and the case still
    goes to the partner. A bankrupt borrower's case never does (the automatic stay)."""
    handoff_book(book)
    book.borrower("B2")
    book.loan("L3", "B2", [((START - timedelta(days=70)).isoformat(), "900.00")])
    book.event("B1", "contact_preference", "2026-11-01T12:00:00+08:00", window=None, avoid_channels=["letter"],
               avoid_places=[])
    book.event("B2", "bankruptcy", "2026-11-01T12:00:00+08:00")
    run(book, cfg, renderer, START, 2)
    assert verdicts(book, "L1", "dpd_60_handoff") == {("suppressed", "preference_channel")}
    assert verdicts(book, "L3", "dpd_60_handoff") == {("suppressed", "bankruptcy")}
    assert [h[0] for h in handoffs(book)] == ["L1"]


def test_recall_resumes_contact_from_where_the_ladder_stood(book, cfg, renderer):
    handoff_book(book)
    run(book, cfg, renderer, START, 1)
    at = datetime.combine(START, time(12), tzinfo=UTC)
    with pytest.raises(RecallError, match="not handed off"):
        recall(book.con, cfg, "L2", "by mistake", now=at)
    with pytest.raises(RecallError, match="no such loan"):
        recall(book.con, cfg, "L9", "by mistake", now=at)
    with pytest.raises(RecallError, match="--reason"):
        recall(book.con, cfg, "L1", "  ", now=at)
    done = recall(book.con, cfg, "L1", "the partner returned it", now=at, by="ops-7")
    assert done.recorded and str(done).startswith("loan ****L1: hand-off of 2026-11-02")
    [event] = book.con.execute("SELECT kind, scope, detail->>'reason', detail->>'by' FROM borrower_events "
                               "WHERE kind = 'handoff_recalled'").fetchall()
    assert event == ("handoff_recalled", "loan", "the partner returned it", "ops-7")
    [(_, _, _, _, recalled_at)] = handoffs(book)
    assert recalled_at == at
    with pytest.raises(RecallError, match="already recalled"):
        recall(book.con, cfg, "L1", "again", now=at + timedelta(hours=1))
    run(book, cfg, renderer, START + timedelta(days=1), 3)
    assert verdicts(book, "L1", "pre_due_1") == {("sent", None)}        # reminders resume
    assert len(book.attempts(loan_id="L1", step="dpd_60_handoff")) == 1  # the step is not repeated
    assert [h[4] for h in handoffs(book)] == [at]                          # still recalled, not handed off again
    assert audit(book, cfg, START + timedelta(days=4)).ok


def test_the_audit_flags_a_contact_about_a_handed_off_loan_and_only_until_the_recall(con, cfg):
    from tests.builders import ContactLog

    log = ContactLog(con)
    log.borrower("B1")
    log.loan("L1", "B1", ["2026-08-01", "2026-11-05"])
    log.loan("L2", "B1", ["2026-11-05"])
    log.contact("B1", "L1", "letter", "escalation", "dpd_60_handoff", "2026-11-02 09:00", installment_no=1)
    bad = log.contact("B1", "L1", "sms", "reminder", "pre_due_1", "2026-11-04 10:00", installment_no=2)
    log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-11-04 11:00")
    log.contact("B1", "L2", "sms", "reminder", "pre_due_1", "2026-11-04 10:05", installment_no=1)
    log.event("B1", "handoff_recalled", "2026-11-04 12:00", loan_id="L1", scope="loan", detail={"reason": "x"})
    log.contact("B1", "L1", "sms", "reminder", "due_today", "2026-11-05 10:00", installment_no=2)
    result = run_audit(con, cfg, now=datetime(2026, 11, 6, tzinfo=UTC), show=20).rule("handed_off_no_contact")
    assert result.violations == 1, result.rows
    assert result.rows[0]["attempt_id"] == bad
    assert result.checked == 4   # every contact about L1 sent; not L2's


@pytest.mark.parametrize("old, new, message", [
    ('step = "dpd_1"\nmin_dpd = 1\n', 'step = "dpd_1"\nmin_dpd = 1\nhandoff = true\n', "must be the last ladder step"),
    ('channels = ["visit"]\nseverity = 6\n', 'channels = ["visit"]\nseverity = 6\nhandoff = true\n',
     "only one ladder step"),
])
def test_the_hand_off_step_is_one_and_the_last(tmp_path, old, new, message):
    from loan_comms.config import ConfigError
    from loan_comms.paths import CONFIG_PATH

    text = CONFIG_PATH.read_text(encoding="utf-8")
    assert old in text
    if "last" in message:   # move the flag: dpd_1 instead of the shipped dpd_60_handoff
        text = text.replace("severity = 7\nhandoff = true", "severity = 7")
    (tmp_path / "lifecycle.toml").write_text(text.replace(old, new), encoding="utf-8")
    for name in ("replies.toml", "agents.toml"):
        (tmp_path / name).write_text((CONFIG_PATH.parent / name).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "lifecycle.toml")


def test_a_hand_off_recalled_before_any_plan_recorded_it_is_kept_as_recalled(book, cfg, renderer):
    """The letter went this morning and the case is recalled before the next plan: the recall writes
    the row itself (recalled), and the next plan neither hands the loan off again nor silences it."""
    handoff_book(book)
    run(book, cfg, renderer, START, 1)
    assert handoffs(book) == []
    at = datetime.combine(START, time(12), tzinfo=UTC)
    recall(book.con, cfg, "L1", "sent by mistake", now=at)
    [(loan, _, _, _, recalled_at)] = handoffs(book)
    assert (loan, recalled_at) == ("L1", at)
    run(book, cfg, renderer, START + timedelta(days=1), 2)
    assert [h[4] for h in handoffs(book)] == [at]
    assert "handed_off" not in {a["suppressed_reason"] for a in book.attempts(loan_id="L1")}
