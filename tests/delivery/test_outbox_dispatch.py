"""Dispatch through the default local outbox: exactly once, inside windows, dry runs change nothing."""

from __future__ import annotations

from datetime import timedelta

from loan_comms.delivery.dispatch import dispatch_due
from tests.builders import CLOSES, NOW, OPENS, plan, statuses


def test_due_contacts_go_to_the_outbox_once(con, cfg, secrets_env):
    ids = plan(con, 5, channel="sms") + plan(con, 3, channel="email", start=100) + plan(con, 2, channel="call", start=200)
    report = dispatch_due(con, cfg, NOW)
    assert sum(report.sent.values()) == 10 and report.sent["call"] == 2
    assert set(statuses(con).values()) == {"sent"}
    rows = con.execute("SELECT idempotency_key, channel, recipient, provider_message_id FROM outbox_messages").fetchall()
    assert len(rows) == 10
    assert {r[2] for r in rows if r[1] == "call"} == {"B00200", "B00201"}   # work items: recipient = borrower
    again = dispatch_due(con, cfg, NOW + timedelta(minutes=5))
    assert sum(again.sent.values()) == 0
    assert con.execute("SELECT count(*) FROM outbox_messages").fetchone()[0] == 10
    sent = con.execute("SELECT provider, provider_message_id, sent_at FROM contact_attempts WHERE attempt_id = ?",
                       [ids[0]]).fetchone()
    assert sent[0] == "outbox" and sent[1] == f"outbox-{ids[0]}" and sent[2] == NOW


def test_text_contact_without_wording_waits(con, cfg, secrets_env):
    plan(con, 2, channel="sms", with_message=False)
    report = dispatch_due(con, cfg, NOW)
    assert sum(report.due.values()) == 0
    assert set(statuses(con).values()) == {"planned"}


def test_nothing_goes_before_the_window_and_missed_windows_are_never_sent_late(con, cfg, secrets_env):
    plan(con, 3)
    early = dispatch_due(con, cfg, OPENS - timedelta(minutes=1))
    assert sum(early.sent.values()) == 0 and set(statuses(con).values()) == {"planned"}
    late = dispatch_due(con, cfg, CLOSES)
    assert sum(late.sent.values()) == 0 and late.window_missed == 3
    assert con.execute("SELECT DISTINCT status, suppressed_reason FROM contact_attempts").fetchall() == [
        ("suppressed", "window_missed")]
    assert con.execute("SELECT count(*) FROM outbox_messages").fetchone()[0] == 0


def test_dry_run_counts_and_changes_nothing(con, cfg, secrets_env):
    plan(con, 4)
    before = con.execute("SELECT * FROM contact_attempts ORDER BY attempt_id").fetchall()
    report = dispatch_due(con, cfg, NOW, dry_run=True)
    assert report.due["sms"] == 4 and sum(report.sent.values()) == 0
    assert con.execute("SELECT * FROM contact_attempts ORDER BY attempt_id").fetchall() == before
    assert "dry run" in str(report)


def test_batches_priority_first_and_progress(con, cfg, secrets_env):
    plan(con, 5, priority=1)
    plan(con, 5, priority=9, start=50)
    seen: list[tuple[int, int]] = []
    report = dispatch_due(con, cfg, NOW, batch_size=3, progress=lambda d, t: seen.append((d, t)))
    assert report.batches == 4 and seen[-1] == (10, 10)
    order = [r[0] for r in con.execute("SELECT attempt_id FROM outbox_messages").fetchall()]
    assert len(order) == 10
    assert "sent 10 (sms 10)" in str(report)


def test_recipient_comes_from_borrowers_at_send_time(con, cfg, secrets_env):
    plan(con, 1)
    con.execute("UPDATE borrowers SET phone_e164 = '+12025550999' WHERE borrower_id = 'B00000'")
    dispatch_due(con, cfg, NOW)
    assert con.execute("SELECT recipient FROM outbox_messages").fetchone()[0] == "+12025550999"
