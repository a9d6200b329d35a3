"""Plan contacts are judged again when they go (gate rule plan_payment_covered): a reminder or
missed-payment note about a plan installment paid since the day's plan, or of a plan that ended, is
suppressed by the re-check before send; and the audit (plan_contact_after_covered) flags one that
went anyway, from the log alone."""

from __future__ import annotations

from datetime import date, datetime

from loan_comms.audit import run_audit
from loan_comms.policy import recheck_before_send
from tests.arrangements.plans import add_plan, run_days
from tests.builders import ContactLog, insert

D = date.fromisoformat
SCHEDULE = [("2026-12-10", "150.00"), ("2027-01-10", "150.00"), ("2027-02-10", "150.00")]
NOON_DEC_7 = datetime.fromisoformat("2026-12-07T12:00:00+08:00")


def _planned_reminder(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00"), ("2026-12-01", "100.00"), ("2027-01-01", "100.00"),
                           ("2027-02-01", "100.00"), ("2027-03-01", "100.00")])
    add_plan(book, "P1", "B1", ["L1"], decided="2026-11-08T15:00:00+08:00", schedule=SCHEDULE)
    run_days(book, cfg, renderer, D("2026-11-09"), D("2026-12-06"))
    run_days(book, cfg, renderer, D("2026-12-07"), D("2026-12-07"), send=False)
    [reminder] = [a for a in book.attempts(step="arrangement_reminder") if a["planned_for_date"] == D("2026-12-07")]
    assert reminder["status"] == "planned" and reminder["installment_no"] == 1
    return reminder


def _status(book, attempt_id):
    [a] = [a for a in book.attempts() if a["attempt_id"] == attempt_id]
    return a["status"], a["suppressed_reason"]


def test_the_recheck_stops_a_plan_reminder_paid_after_planning(book, cfg, renderer):
    reminder = _planned_reminder(book, cfg, renderer)
    book.pay("L1", "150.00", "2026-12-07T10:00:00+08:00")      # after the day's plan, before it goes
    recheck_before_send(book.con, cfg, NOON_DEC_7, day=D("2026-12-07"))
    assert _status(book, reminder["attempt_id"]) == ("suppressed", "plan_payment_covered")


def test_the_recheck_stops_a_plan_reminder_of_a_plan_kept_meanwhile(book, cfg, renderer):
    reminder = _planned_reminder(book, cfg, renderer)
    book.pay("L1", "450.00", "2026-12-07T10:00:00+08:00")      # the whole plan at once: kept
    recheck_before_send(book.con, cfg, NOON_DEC_7, day=D("2026-12-07"))
    assert _status(book, reminder["attempt_id"]) == ("suppressed", "plan_payment_covered")


def test_an_unpaid_plan_reminder_still_goes(book, cfg, renderer):
    reminder = _planned_reminder(book, cfg, renderer)
    book.pay("L1", "100.00", "2026-12-07T10:00:00+08:00")      # short of the 150
    recheck_before_send(book.con, cfg, NOON_DEC_7, day=D("2026-12-07"))
    assert _status(book, reminder["attempt_id"])[0] == "planned"


# -- the audit -------------------------------------------------------------------------------------

def _log(con) -> ContactLog:
    log = ContactLog(con)
    log.borrower("B1")
    log.loan("L1", "B1", ["2026-11-01", "2026-12-01", "2027-01-01"])
    insert(con, "arrangement_loans", arrangement_id="P1", loan_id="L1", arrears=100)
    for no, (due, amount) in enumerate(SCHEDULE, start=1):
        insert(con, "arrangement_installments", arrangement_id="P1", installment_no=no, due_date=D(due), amount=amount)
    log.event("B1", "arrangement_accepted", "2026-11-08 15:00", loan_id="L1", scope="loan",
              detail={"arrangement_id": "P1"})
    return log


def _rule(log: ContactLog, cfg):
    report = run_audit(log.con, cfg, now=log.at("B1", "2027-03-01 00:00"), show=5,
                       rules=("plan_contact_after_covered",))
    return report.rule("plan_contact_after_covered")


def test_audit_a_plan_reminder_sent_after_its_installment_was_paid(con, cfg):
    log = _log(con)
    log.contact("B1", "L1", "sms", "follow_up", "arrangement_reminder", "2026-12-07 10:00", installment_no=1)
    log.event("B1", "payment", "2026-12-08 09:00", loan_id="L1", amount=150)
    log.contact("B1", "L1", "sms", "follow_up", "arrangement_reminder", "2026-12-10 10:00", installment_no=1)
    rule = _rule(log, cfg)
    assert (rule.checked, rule.violations) == (2, 1)
    assert "already covered by payments" in rule.rows[0]["violation"]


def test_audit_a_missed_note_after_the_arrangement_payment_event_or_the_break(con, cfg):
    log = _log(con)
    log.event("B1", "arrangement_payment", "2026-12-13 09:00", loan_id="L1", scope="loan",
              detail={"arrangement_id": "P1", "installment_no": 1})
    log.contact("B1", "L1", "sms", "follow_up", "arrangement_missed", "2026-12-13 10:00", installment_no=1)
    log.event("B1", "arrangement_broken", "2027-01-24 00:00", loan_id="L1", scope="loan",
              detail={"arrangement_id": "P1"})
    log.contact("B1", "L1", "sms", "follow_up", "arrangement_missed", "2027-01-24 10:00", installment_no=2)
    rule = _rule(log, cfg)
    assert (rule.checked, rule.violations) == (2, 2)
    assert sorted(r["violation"].split(" (")[0].split(" at ")[0] for r in rule.rows) == [
        "plan contact after the plan ended", "plan installment 1 already covered"]
