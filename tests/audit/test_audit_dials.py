"""dial_times: the audit judges each dial at the time it happened, not when its call was released."""

from __future__ import annotations


from loan_comms.config import LifecycleConfig
from tests.audit.log import NOW, ContactLog, audit, fired


def test_the_clean_log_dials_inside_its_windows(log: ContactLog, cfg: LifecycleConfig) -> None:
    report = audit(log, cfg)
    assert report.ok, str(report)
    assert report.rule("dial_times").checked > 0


def test_a_redial_late_in_the_evening_fires(log: ContactLog, cfg: LifecycleConfig) -> None:
    call = log.contact("B1", "L1", "call", "escalation", "dpd_5", "2026-03-06 08:00", installment_no=1,
                       episode_id="L1:2026-03-02", window=("08:00", "22:00"))
    log.call_outcome("B1", call, "no_answer", "2026-03-06 10:00", loan_id="L1", dial_seq=1)
    log.call_outcome("B1", call, "no_answer", "2026-03-06 23:30", loan_id="L1", dial_seq=2)
    report = audit(log, cfg)
    assert "dial_times" in fired(report)
    [row] = report.rule("dial_times").rows
    assert "23:30 local, outside the window" in row["violation"]


def test_a_second_call_dialled_after_the_first_reached_the_person_fires(log: ContactLog, cfg: LifecycleConfig) -> None:
    """Both calls released at 08:00 (the audit's call rules judged by release time see nothing); the
    dialer reaches the borrower at 09:00 and still dials the other call at 10:00."""
    log.borrower("BD")
    log.loan("LD1", "BD", ["2026-03-01"])
    log.loan("LD2", "BD", ["2026-03-01"])
    first = log.contact("BD", "LD1", "call", "escalation", "dpd_5", "2026-03-06 08:00", installment_no=1,
                        episode_id="LD1:2026-03-02")
    second = log.contact("BD", "LD2", "call", "escalation", "dpd_5", "2026-03-06 08:00", installment_no=1,
                         episode_id="LD2:2026-03-02")
    log.call_outcome("BD", first, "reached", "2026-03-06 09:00", loan_id="LD1", dial_seq=1)
    log.call_outcome("BD", second, "no_answer", "2026-03-06 10:00", loan_id="LD2", dial_seq=1)
    report = audit(log, cfg)
    assert "dial_times" in fired(report)
    assert [r["attempt_id"] for r in report.rule("dial_times").rows] == [second]
