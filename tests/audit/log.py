"""The audit tests' story: a quarter of contacts that breaks no rule (`clean_log`), built with
`tests.builders.ContactLog`; each test adds the one thing a complaint would be about."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb

from loan_comms.audit import AuditReport, run_audit
from loan_comms.config import LifecycleConfig
from tests.builders import ContactLog, insert, point_row

__all__ = ["EPISODE", "NOW", "UK_EPISODE", "VISIT_EPISODE", "ContactLog", "agent_shift", "assign_call", "audit",
           "clean_log", "fired", "wording"]


EPISODE = "L1:2026-03-02"
UK_EPISODE = "LUK:2026-03-02"
VISIT_EPISODE = "LV:2026-02-02"
PLAN_EPISODE = "LA:2026-02-02"
NOW = datetime(2026, 4, 2, 1, 0, tzinfo=UTC)  # 09:00 on 2 April in Shanghai


def clean_log(con: duckdb.DuckDBPyConnection) -> ContactLog:
    """A borrower's quarter that breaks no rule, touching every rule at least once.

    B1 (Shanghai, profile cn) has loan L1 with installments due 1 March and 1 April: reminders,
    the ladder dpd_1 .. dpd_10 in March (one conversation on the dpd_10 call), payment in full on
    12 March, a thank-you, then an SMS opt-out before April's reminders. B2 (Los Angeles, us) gets a
    reminder at 09:00 her time, BP asked for contact only between 09:00 and 20:00 and no calls. BVU is
    vulnerable. B3 names an unknown profile and is judged by 'default'. BV's loan is first seen at 30
    dpd: its ladder starts at the visit, announced by a letter a week before, made by two collectors
    and reported the next morning. BHO's loan is handed to the partner at 71 dpd.
    """
    log = ContactLog(con)
    log.borrower("B1")
    log.loan("L1", "B1", ["2026-03-01", "2026-04-01"])
    log.contact("B1", "L1", "sms", "reminder", "pre_due_3", "2026-02-26 10:00", installment_no=1)
    log.contact("B1", "L1", "email", "reminder", "pre_due_3", "2026-02-26 10:05", installment_no=1)
    log.contact("B1", "L1", "sms", "reminder", "pre_due_1", "2026-02-28 10:00", installment_no=1)
    log.contact("B1", "L1", "sms", "reminder", "due_today", "2026-03-01 10:00", installment_no=1)
    log.contact("B1", "L1", "sms", "escalation", "dpd_1", "2026-03-02 10:00", installment_no=1, episode_id=EPISODE)
    log.contact("B1", "L1", "email", "escalation", "dpd_3", "2026-03-04 10:00", installment_no=1, episode_id=EPISODE)
    call5 = log.contact("B1", "L1", "call", "escalation", "dpd_5", "2026-03-06 10:00", installment_no=1,
                        episode_id=EPISODE)
    log.assigned(call5, "A-zh-01", "2026-03-06 10:00")   # issue 16: the agent, the slot, the shift (dial_attempts)
    log.call_outcome("B1", call5, "no_answer", "2026-03-06 10:03", loan_id="L1", agent_id="A-zh-01")
    # dpd_10 held back by the cap one day (suppressed), then both channels on 11 March.
    log.contact("B1", "L1", "sms", "escalation", "dpd_10", "2026-03-10 10:00", installment_no=1,
                episode_id=EPISODE, status="suppressed", suppressed_reason="cap_sms_per_7_days")
    log.contact("B1", "L1", "sms", "escalation", "dpd_10", "2026-03-11 10:00", installment_no=1, episode_id=EPISODE)
    call10 = log.contact("B1", "L1", "call", "escalation", "dpd_10", "2026-03-11 10:00", installment_no=1,
                         episode_id=EPISODE)
    log.call_outcome("B1", call10, "reached", "2026-03-11 10:06", loan_id="L1")
    log.assigned(call10, "A-zh-01", "2026-03-11 10:00")
    log.paid("L1", 1, "B1", "2026-03-12 12:00")
    log.contact("B1", "L1", "sms", "follow_up", "payment_confirmation", "2026-03-12 14:00")
    log.contact("B1", "L1", "letter", "escalation", "dpd_20", "2026-03-21 10:00", installment_no=1,
                episode_id=EPISODE, status="suppressed", suppressed_reason="paid")
    log.contact("B1", "L1", "sms", "reminder", "pre_due_3", "2026-03-29 10:00", installment_no=2)
    log.contact("B1", "L1", "email", "reminder", "pre_due_3", "2026-03-29 10:05", installment_no=2)
    log.event("B1", "opt_out", "2026-03-29 18:00", channel="sms")
    log.contact("B1", "L1", "sms", "reminder", "pre_due_1", "2026-03-31 10:00", installment_no=2,
                status="suppressed", suppressed_reason="opted_out_sms")
    log.contact("B1", "L1", "sms", "reminder", "due_today", "2026-04-01 10:00", installment_no=2,
                status="suppressed", suppressed_reason="opted_out_sms")
    # Still planned: its window (08:00-21:00 on 2 April) is open at NOW.
    log.contact("B1", "L1", "email", "survey", "survey", "2026-04-02 10:00", status="planned")

    log.borrower("B2", tz="America/Los_Angeles", jurisdiction="us", phone="+12135550123")
    log.loan("L2", "B2", ["2026-03-20"])
    b2 = log.contact("B2", "L2", "sms", "reminder", "pre_due_3", "2026-03-17 09:00", installment_no=1)
    # B2's went through Twilio, which reported the one message (sent_once has something to check).
    con.execute("UPDATE contact_attempts SET provider = 'twilio', provider_message_id = 'SMclean1' "
                "WHERE attempt_id = ?", [b2])
    con.execute("INSERT INTO provider_receipts VALUES ('SMclean1|delivered', ?, 'SMclean1', 'delivered', "
                "TIMESTAMPTZ '2026-03-17 16:01:00+00', TIMESTAMPTZ '2026-03-17 16:05:00+00')", [b2])
    log.contact("B2", "L2", "sms", "reminder", "pre_due_1", "2026-03-19 09:00", installment_no=1,
                status="failed", sent=False, error="invalid number")

    log.borrower("B3", jurisdiction="nowhere")
    log.loan("L3", "B3", ["2026-03-15"])
    log.contact("B3", "L3", "email", "reminder", "pre_due_3", "2026-03-12 08:30", installment_no=1)

    # BUK (London, profile uk) is offered forbearance before the ladder goes past its first step.
    log.borrower("BUK", tz="Europe/London", jurisdiction="uk", phone="+442079460000")
    log.loan("LUK", "BUK", ["2026-03-01"])
    log.contact("BUK", "LUK", "sms", "follow_up", "forbearance_offer", "2026-03-02 09:00", installment_no=1,
                episode_id=UK_EPISODE)
    log.contact("BUK", "LUK", "sms", "escalation", "dpd_1", "2026-03-02 09:05", installment_no=1,
                episode_id=UK_EPISODE)
    log.contact("BUK", "LUK", "email", "escalation", "dpd_3", "2026-03-04 10:00", installment_no=1,
                episode_id=UK_EPISODE)

    # BP (Shanghai, cn) asked for 09:00-20:00 and no calls: her reminder goes at 09:00.
    log.borrower("BP")
    log.loan("LP", "BP", ["2026-03-10"])
    log.event("BP", "contact_preference", "2026-03-01 12:00",
              detail={"window": ["09:00", "20:00"], "avoid_channels": ["call"], "avoid_places": []})
    bp = log.contact("BP", "LP", "sms", "reminder", "pre_due_3", "2026-03-07 09:00", installment_no=1)
    # B2's reminder was worded in the template studio, written by one person and approved by another;
    # BP's came from the repository's own files (template_versions_approved).
    wording(log, b2, "sms/en/pre_due_3", "5a1e0c7d9b2f", source="studio", author="pm.lin", reviewer="lead.zhou",
            approved_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC), draft_id=3, release="0002-aa11bb22cc33")
    wording(log, bp, "sms/zh-CN/pre_due_3", "9c4d2e1f0a3b")

    # BVU (Shanghai, cn) is flagged vulnerable: one SMS a day, no calls.
    log.borrower("BVU")
    log.loan("LVU", "BVU", ["2026-03-10"])
    log.event("BVU", "vulnerable", "2026-03-01 09:00")
    log.contact("BVU", "LVU", "sms", "reminder", "pre_due_3", "2026-03-07 10:00", installment_no=1)

    # BW also has a work e-mail (a contact point with a place), used while nothing forbids it.
    point_row(con, "BW", "email", "bw@work.example.com", place="work")
    log.borrower("BW")
    log.loan("LW", "BW", ["2026-03-20"])
    log.contact("BW", "LW", "email", "reminder", "pre_due_3", "2026-03-17 10:00", installment_no=1,
                recipient="bw@work.example.com")

    # BV's loan is first seen at 30 days past due (a book imported late): its ladder starts at the
    # visit step; the visit waits for its notice (a letter on 3 March) and goes on Tuesday 10 March.
    log.borrower("BV")
    log.loan("LV", "BV", ["2026-02-01"])
    log.contact("BV", "LV", "letter", "follow_up", "visit_notice", "2026-03-03 10:00", installment_no=1,
                episode_id=VISIT_EPISODE)
    log.contact("BV", "LV", "visit", "escalation", "dpd_30", "2026-03-03 10:00", installment_no=1,
                episode_id=VISIT_EPISODE, status="suppressed", suppressed_reason="awaiting_visit_notice")
    visit = log.contact("BV", "LV", "visit", "escalation", "dpd_30", "2026-03-10 10:00", installment_no=1,
                        episode_id=VISIT_EPISODE)
    # Two collectors went, and the field team's report came in the next morning (visit_collectors).
    log.visit_outcome("BV", visit, "met", "2026-03-10 11:00", loan_id="LV", recorded="2026-03-11 09:00")
    # They were the pair the visit plan assigned, in a slot inside her window and both their shifts
    # (visit_slot_window, visit_pair).
    slot = log.at("BV", "2026-03-10 10:00")
    for agent in ("FC01", "FC02"):
        insert(con, "agent_days", agent_id=agent, work_date=datetime(2026, 3, 10).date(), team="field",
               languages=["zh-CN"], skills=["field"], cities=["Shanghai"], capacity=4, timezone="Asia/Shanghai",
               shift_start=log.at("BV", "2026-03-10 09:00"), shift_end=log.at("BV", "2026-03-10 18:00"),
               recorded_at=slot)
    insert(con, "visit_assignments", attempt_id=visit, plan_date=datetime(2026, 3, 10).date(), borrower_id="BV",
           loan_id="LV", city="Shanghai", district="Huangpu", route_order=1, agent_ids=["FC01", "FC02"],
           work_date=datetime(2026, 3, 10).date(), slot_start=slot, slot_end=slot + timedelta(minutes=90),
           outcome="assigned", recorded_at=slot)

    # BS is asked twice, 109 days apart (survey_fatigue: 90), with no complaint or dispute open
    # (survey_restrictions); the complaint of January was resolved before the second survey.
    log.borrower("BS")
    log.loan("LS", "BS", ["2026-03-25"])
    log.contact("BS", "LS", "sms", "survey", "survey", "2025-12-01 10:00")
    log.event("BS", "complaint", "2026-01-10 10:00")
    log.event("BS", "complaint_resolved", "2026-01-20 10:00")
    log.contact("BS", "LS", "sms", "survey", "survey", "2026-03-20 10:00")

    # BA asked for a repayment plan after dpd_1 and a reviewer approved it the same afternoon (nothing
    # held went while it waited or ran: arrangement_holds); it broke on 10 March, the re-offer went
    # that day, and the ladder resumed a week later at the next step, dpd_3.
    log.borrower("BA")
    log.loan("LA", "BA", ["2026-02-01"])
    log.contact("BA", "LA", "sms", "escalation", "dpd_1", "2026-02-02 10:00", installment_no=1, episode_id=PLAN_EPISODE)
    con.execute("INSERT INTO arrangement_loans VALUES ('PA', 'LA', 100)")
    log.event("BA", "arrangement_requested", "2026-02-03 12:00", loan_id="LA", scope="loan", detail={"arrangement_id": "PA"})
    con.execute("INSERT INTO arrangement_installments VALUES ('PA', 1, DATE '2026-02-24', 100)")
    log.event("BA", "arrangement_accepted", "2026-02-03 15:00", loan_id="LA", scope="loan", detail={"arrangement_id": "PA"})
    # its reminder went before the installment was paid (nothing was: the plan broke)
    log.contact("BA", "LA", "sms", "follow_up", "arrangement_reminder", "2026-02-21 10:00", installment_no=1)
    log.event("BA", "arrangement_broken", "2026-03-10 00:00", loan_id="LA", scope="loan", detail={"arrangement_id": "PA"})
    log.contact("BA", "LA", "sms", "follow_up", "arrangement_reoffer", "2026-03-10 10:00", installment_no=1)
    log.contact("BA", "LA", "email", "escalation", "dpd_3", "2026-03-17 10:00", installment_no=1,
                episode_id=PLAN_EPISODE)

    # BHO's loan is first seen at 71 days past due: its ladder starts at the hand-off letter (2 March),
    # and the case is the partner's from then on; only the thanks for a payment goes after it
    # (handed_off_no_contact).
    log.borrower("BHO")
    log.loan("LHO", "BHO", ["2025-12-21", "2026-03-21"])
    log.contact("BHO", "LHO", "letter", "escalation", "dpd_60_handoff", "2026-03-02 10:00", installment_no=1,
                episode_id="LHO:2025-12-22")
    log.event("BHO", "payment", "2026-03-05 09:00", loan_id="LHO", amount="50.00", scope="loan")
    log.contact("BHO", "LHO", "sms", "follow_up", "payment_confirmation", "2026-03-05 14:00")
    return log


def wording(log: ContactLog, attempt_id: str, template_id: str, version: str, *, register: bool = True,
            source: str = "repository", author: str | None = None, reviewer: str | None = None,
            approved_at: datetime | None = None, draft_id: int | None = None, release: str | None = None) -> None:
    """The contact `attempt_id` was recorded with `version` of `template_id`; with `register`, that
    version's row in the registry of template versions (template_versions), as the planner adds it."""
    log.con.execute("UPDATE contact_attempts SET template_id = ?, template_version = ? WHERE attempt_id = ?",
                    [template_id, version, attempt_id])
    known = log.con.execute("SELECT count(*) FROM template_versions WHERE template_id = ? AND template_version = ? "
                            "AND source = ? AND author IS NOT DISTINCT FROM ? AND reviewer IS NOT DISTINCT FROM ?",
                            [template_id, version, source, author, reviewer]).fetchone()
    if register and known is not None and not known[0]:    # one row per provenance of a version, as the planner
        insert(log.con, "template_versions", template_id=template_id, template_version=version,
               source=source, author=author, reviewer=reviewer, approved_at=approved_at, draft_id=draft_id,
               release=release, registered_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


def agent_shift(log: ContactLog, agent_id: str, borrower_id: str, day: str, hours: tuple[str, str]) -> None:
    """An agent_days row: `agent_id` on shift `hours` of local `day`, on the clock of `borrower_id`'s zone,
    speaking the borrower's language."""
    (language,) = log.con.execute("SELECT language FROM borrowers WHERE borrower_id = ?", [borrower_id]).fetchone()
    insert(log.con, "agent_days", agent_id=agent_id, work_date=date.fromisoformat(day), team="cn-zh",
           languages=[language], skills=[], cities=[], capacity=40, timezone=log.tz[borrower_id],
           shift_start=log.at(borrower_id, f"{day} {hours[0]}"), shift_end=log.at(borrower_id, f"{day} {hours[1]}"),
           recorded_at=log.at(borrower_id, f"{day} 00:00"))


def assign_call(log: ContactLog, attempt_id: str, borrower_id: str, agent_id: str, slot: str, *, dial_until: str,
                max_dials: int) -> None:
    """A call_assignments row (outcome assigned): the call given to `agent_id` at local `slot` (15 minutes),
    with the dials it may place and the last local instant it may place them."""
    row = log.con.execute("SELECT loan_id, step, planned_for_date FROM contact_attempts WHERE attempt_id = ?",
                          [attempt_id]).fetchone()
    start = log.at(borrower_id, slot)
    insert(log.con, "call_assignments", attempt_id=attempt_id, plan_date=row[2], borrower_id=borrower_id,
           loan_id=row[0], step=row[1], team="cn-zh", agent_id=agent_id, work_date=row[2], slot_start=start,
           slot_end=start + timedelta(minutes=15), queue_rank=1, priority_score=1.0, priority_reasons="[]",
           required_skills=[], carried_days=0, outcome="assigned", reason=None, max_dials=max_dials,
           dial_until=log.at(borrower_id, dial_until), recorded_at=start - timedelta(hours=2))


def audit(log: ContactLog, cfg: LifecycleConfig, now: datetime = NOW) -> AuditReport:
    """The audit of `log` as of `now`, with up to 20 violating rows per rule."""
    return run_audit(log.con, cfg, now=now, show=20)


def fired(report: AuditReport) -> set[str]:
    """The names of the rules that found a violation."""
    return {r.name for r in report.rules if not r.ok}
