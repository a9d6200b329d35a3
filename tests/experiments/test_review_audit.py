"""Review cases: the audit catches a challenger contact its arm does not propose."""
from __future__ import annotations

from datetime import date

from loan_comms.audit.runner import run_audit
from tests.experiments.test_arms import borrower_in, experiments_cfg, run_days


def test_a_challenger_sending_a_reminder_its_arm_skips_is_caught(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch, extra='skip_reminders = ["pre_due_3"]\nmin_dpd = { dpd_5 = 7 }')
    fewer = borrower_in("fewer")
    book.borrower(fewer)
    book.loan(f"L{fewer}", fewer, [("2026-11-01", "500.00"), ("2026-11-20", "500.00")])
    run_days(book, cfg, renderer, date(2026, 11, 2), 12)
    assert run_audit(book.con, cfg, rules=("experiment_arm_honoured", "ladder_order")).violations == 0
    # tamper: the arm sends the reminder it skips, and its dpd_5 two days before the arm's min_dpd 7
    book.contact(attempt_id="x1", idempotency_key="k-x1", borrower_id=fewer, loan_id=f"L{fewer}", channel="sms",
                 purpose="reminder", step="pre_due_3", status="sent", planned_for_date=date(2026, 11, 13),
                 created_at="2026-11-13T01:00:00Z", updated_at="2026-11-13T01:00:00Z",
                 experiment="fewer_contacts", arm="fewer")
    got = run_audit(book.con, cfg, rules=("experiment_arm_honoured",))
    assert got.violations == 1, got
