"""The real template library behind the planner: what gets recorded is what the borrower reads."""

from __future__ import annotations

from datetime import date

from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book


def messages(book: Book):
    return book.con.execute(
        "SELECT a.step, a.channel, a.language, a.template_id, a.template_version, m.subject, m.body_text, m.body_html "
        "FROM contact_attempts AS a JOIN contact_messages AS m USING (attempt_id) ORDER BY a.step, a.channel"
    ).fetchall()


def test_planned_reminders_carry_rendered_wording_and_version(book, cfg, shipped):
    book.borrower("B1", language="zh-CN", name="Wang Wei")
    book.loan("L1", "B1", [("2026-11-10", "1280.00")])
    book.borrower("B2", language="en", tz="America/New_York", jurisdiction="us", name="Ann Lee",
                  phone="+12125550100")  # a New York number: a +86 one would leave no hour for both zones
    book.loan("L2", "B2", [("2026-11-10", "356.75")], currency="USD")
    plan_day(book.con, cfg, shipped, date(2026, 11, 7))
    rows = messages(book)
    assert {(r[0], r[1], r[2]) for r in rows} == {
        ("pre_due_3", "sms", "zh-CN"), ("pre_due_3", "email", "zh-CN"),
        ("pre_due_3", "sms", "en"), ("pre_due_3", "email", "en")}
    for step, channel, language, tid, version, subject, text, html in rows:
        t = shipped.templates[(step, channel, language)]
        assert tid == t.template_id and version == t.version
        if language == "zh-CN":
            assert "¥1,280.00" in text and "2026年11月10日" in text
        else:
            assert "$356.75" in text and ("Nov 10, 2026" in text or "November 10, 2026" in text)
        assert (subject is not None) == (html is not None) == (channel == "email")
