"""The audit rules of the issue-11 event kinds fire on a bad log, and only they (engineer C's part).

Each test starts from `clean_log` and adds the one event a complaint would be about: B1's March
ladder then went out while a restriction held. Scope: an event naming no loan reaches every loan.
"""

from __future__ import annotations


from loan_comms.config import LifecycleConfig
from tests.audit.log import EPISODE, ContactLog, audit, fired
from tests.audit.test_audit_rules import with_policy


def test_deceased_fires_on_anything_sent_after(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "deceased", "2026-03-20 12:00")
    report = audit(log, cfg)
    assert fired(report) == {"deceased_no_contact"}
    assert {r["step"] for r in report.rule("deceased_no_contact").rows} == {"pre_due_3"}  # 29 March reminders


def test_deceased_allows_no_legally_required_notice_either(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "deceased", "2026-03-20 12:00")
    report = audit(log, with_policy(cfg, legally_required_steps=("pre_due_3",)))
    assert "deceased_no_contact" in fired(report)


def test_bankruptcy_fires_until_dismissed_and_spares_thanks_and_required_notices(log: ContactLog,
                                                                                  cfg: LifecycleConfig) -> None:
    log.event("B1", "bankruptcy", "2026-03-05 12:00")
    report = audit(log, cfg)
    assert fired(report) == {"bankruptcy_honoured"}
    steps = [r["step"] for r in report.rule("bankruptcy_honoured").rows]
    assert "payment_confirmation" not in steps and "dpd_5" in steps and "pre_due_3" in steps
    assert "dpd_5" not in [r["step"] for r in audit(log, with_policy(cfg, legally_required_steps=("dpd_5",)))
                           .rule("bankruptcy_honoured").rows]
    log.event("B1", "bankruptcy_dismissed", "2026-03-05 18:00")
    assert audit(log, cfg).ok


def test_breathing_space_fires_until_its_end_date(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "breathing_space", "2026-03-05 12:00", detail={"until": "2026-03-10"})
    report = audit(log, cfg)
    assert fired(report) == {"breathing_space_honoured"}
    assert [r["step"] for r in report.rule("breathing_space_honoured").rows] == ["dpd_5"]  # dpd_10 on the 11th: over


def test_breathing_space_ended_early_or_required_notice_passes(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "breathing_space", "2026-03-05 12:00", detail={"until": "2026-03-10"})
    # dpd_5 made required: the breathing space lets it through (the clean log's late-seen BV then
    # passed a required step, which ladder_order rightly flags; that is another rule's business)
    assert fired(audit(log, with_policy(cfg, legally_required_steps=("dpd_5",)))) <= {"ladder_order"}
    log.event("B1", "breathing_space_ended", "2026-03-05 13:00")
    assert audit(log, cfg).ok


def test_attorney_fires_on_direct_contact_and_on_a_letter_to_the_borrower(log: ContactLog,
                                                                          cfg: LifecycleConfig) -> None:
    log.event("B1", "attorney_representation", "2026-03-05 12:00", detail={"attorney": "ref-77"})
    log.event("B1", "attorney_withdrawn", "2026-03-12 13:00")  # before the payment thanks at 14:00
    letter = log.contact("B1", "L1", "letter", "escalation", "dpd_20", "2026-03-08 10:00", installment_no=1,
                         episode_id=EPISODE)
    report = audit(log, cfg)
    assert "attorney_only" in fired(report)
    rows = {r["step"]: r["violation"] for r in report.rule("attorney_only").rows}
    assert rows["dpd_5"].startswith("direct contact by call")
    assert rows["dpd_20"] == "letter addressed to the borrower, not to their attorney"
    log.con.execute("UPDATE contact_attempts SET addressed_to = 'attorney' WHERE attempt_id = ?", [letter])
    assert "dpd_20" not in {r["step"] for r in audit(log, cfg).rule("attorney_only").rows}


def test_complaint_fires_on_collection_calls_only(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "complaint", "2026-03-05 12:00")
    report = audit(log, cfg)
    assert fired(report) == {"complaint_pause"}
    assert sorted(r["step"] for r in report.rule("complaint_pause").rows) == ["dpd_10", "dpd_5"]
    log.event("B1", "complaint_resolved", "2026-03-05 18:00")
    assert audit(log, cfg).ok


def test_dispute_with_no_scope_reaches_every_loan_of_the_borrower(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.loan("L1B", "B1", ["2026-03-01"])
    log.event("B1", "dispute", "2026-03-05 12:00", loan_id="L1B", scope="borrower")   # a reply on L1B
    report = audit(log, cfg)
    assert fired(report) == {"dispute_pause"}
    assert {r["loan_id"] for r in report.rule("dispute_pause").rows} == {"L1"}
    log.event("B1", "dispute", "2026-03-05 12:00", loan_id="L1B", scope="loan")         # an operator's, on L1B
    # the borrower-wide one still covers L1; a loan-scoped one alone would not:
    log.con.execute("DELETE FROM borrower_events WHERE kind = 'dispute' AND scope = 'borrower'")
    assert audit(log, cfg).ok


def test_hardship_reaches_every_loan_of_the_borrower(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.loan("L1B", "B1", ["2026-03-01"])
    log.event("B1", "hardship_request", "2026-03-05 12:00", loan_id="L1B", scope="borrower")
    assert fired(audit(log, cfg)) == {"hardship_pause"}


def test_an_inbound_conversation_counts_for_the_call_cooldown(log: ContactLog, cfg: LifecycleConfig) -> None:
    log.event("B1", "inbound_call", "2026-03-05 12:00", detail={"conversation": False})
    assert audit(log, cfg).ok
    log.event("B1", "inbound_call", "2026-03-05 12:30", detail={"conversation": True})
    report = audit(log, cfg)
    assert fired(report) == {"call_cooldown_after_conversation", "dial_times"}   # the dial itself is judged too
    assert sorted(r["step"] for r in report.rule("call_cooldown_after_conversation").rows) == ["dpd_10", "dpd_5"]


def test_a_later_reached_on_the_same_attempt_counts(log: ContactLog, cfg: LifecycleConfig) -> None:
    """Case 5 in the audit: both outcomes of one attempt are events; the later reached one counts."""
    call = log.contact("B1", "L1", "call", "escalation", "manual", "2026-03-02 11:00", installment_no=1,
                       episode_id=None, status="suppressed", suppressed_reason="cap_call_cooldown", sent=False)
    log.call_outcome("B1", call, "no_answer", "2026-03-05 10:00", loan_id="L1", dial_seq=1)
    log.call_outcome("B1", call, "reached", "2026-03-05 14:00", loan_id="L1", dial_seq=2)
    # the dial itself is judged too; and the call was never released (suppressed): dialling it at all is a finding
    assert fired(audit(log, cfg)) == {"call_cooldown_after_conversation", "dial_times", "dial_after_withdrawal"}
