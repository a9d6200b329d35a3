"""template_versions_approved: every wording that went out has its provenance in the registry, and no
studio wording was approved by its own author (issue 18)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from loan_comms.audit import run_audit
from loan_comms.config import LifecycleConfig
from loan_comms.lifecycle.planner import plan_day
from loan_comms.templating import TemplateStore, templates_dir
from tests.audit.log import ContactLog, audit, fired, wording
from tests.builders import Book

RULE = "template_versions_approved"


def test_the_clean_log_registers_each_wording(log: ContactLog, cfg: LifecycleConfig) -> None:
    rule = audit(log, cfg).rule(RULE)
    assert rule.ok and rule.checked == 4   # two contacts, two registry rows


def test_a_contact_whose_version_is_unknown(log: ContactLog, cfg: LifecycleConfig) -> None:
    stray = log.contact("B3", "L3", "email", "reminder", "pre_due_1", "2026-03-13 10:00", installment_no=1)
    wording(log, stray, "email/en/pre_due_1", "0badc0ffee00", register=False)
    report = audit(log, cfg)
    assert fired(report) == {RULE}
    [row] = report.rule(RULE).rows
    assert row["attempt_id"] == stray and row["what"] == "contact"
    assert row["violation"] == ("version 0badc0ffee00 of email/en/pre_due_1 is not in the registry: "
                                "who wrote and approved this wording is unknown")


def test_a_studio_wording_approved_by_its_own_author(log: ContactLog, cfg: LifecycleConfig) -> None:
    own = log.contact("B3", "L3", "email", "reminder", "pre_due_1", "2026-03-13 10:00", installment_no=1)
    wording(log, own, "email/en/pre_due_1", "1a2b3c4d5e6f", source="studio", author="pm.lin", reviewer="PM.Lin ",
            approved_at=datetime(2026, 3, 10, tzinfo=UTC), draft_id=7, release="0003-ffeeddccbbaa")
    report = audit(log, cfg)
    assert fired(report) == {RULE}
    [row] = report.rule(RULE).rows
    assert row["what"] == "version" and row["author"] == "pm.lin"
    assert row["violation"] == "studio version 1a2b3c4d5e6f of email/en/pre_due_1 was approved by its own author"


def test_a_studio_wording_without_reviewer_or_approval_time(log: ContactLog, cfg: LifecycleConfig) -> None:
    unreviewed = log.contact("B3", "L3", "email", "reminder", "pre_due_1", "2026-03-13 10:00", installment_no=1)
    wording(log, unreviewed, "email/en/pre_due_1", "aaaaaaaaaaaa", source="studio", author="pm.lin")
    untimed = log.contact("BW", "LW", "email", "reminder", "pre_due_1", "2026-03-19 10:00", installment_no=1)
    wording(log, untimed, "email/en/pre_due_1", "bbbbbbbbbbbb", source="studio", author="pm.lin",
            reviewer="lead.zhou")
    report = audit(log, cfg)
    assert fired(report) == {RULE}
    assert sorted(r["violation"] for r in report.rule(RULE).rows) == [
        "studio version aaaaaaaaaaaa of email/en/pre_due_1 has no reviewer",
        "studio version bbbbbbbbbbbb of email/en/pre_due_1 has no approval time"]


def test_a_planned_day_is_clean(book: Book, cfg: LifecycleConfig) -> None:
    """The planner registers what it used (the shipped templates: repository wording), so its log passes."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    store = TemplateStore.load(templates_dir(cfg), cfg)
    for day in (7, 9, 10):
        plan_day(book.con, cfg, store, date(2026, 11, day))
    book.send_all_planned()
    rule = run_audit(book.con, cfg, now=datetime(2026, 11, 11, tzinfo=UTC), rules=(RULE,)).rule(RULE)
    contacts = book.con.execute("SELECT count(*) FROM contact_attempts WHERE template_version IS NOT NULL").fetchone()
    versions = book.con.execute("SELECT count(*) FROM template_versions WHERE source = 'repository'").fetchone()
    assert contacts is not None and versions is not None
    assert contacts[0] == 4 and versions[0] >= 3   # pre_due_3 by sms and e-mail, pre_due_1, due_today
    assert rule.ok and rule.checked == contacts[0] + versions[0]
