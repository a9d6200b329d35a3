"""sent_once's blind spot, made visible: contacts sent through Twilio or SendGrid with no receipt
at all (no StatusCallback or event webhook reaching us) show one message id at most, so a
duplicate among them cannot be seen. The verdict stays; the report says how many it could not see."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.cli.audit import audit as audit_command
from loan_comms.inbound.receipts import ingest_receipts
from tests.audit.log import clean_log
from tests.builders import NOW, plan


def _sent(con, aid: str, provider: str, mid: str | None, *, unknown: bool = False) -> None:
    con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after, provider = ?, "
                "provider_message_id = ?, outcome_unknown = ?, decided_by_rule = 'allowed', policy_version = 'p1' "
                "WHERE attempt_id = ?", [provider, mid, unknown, aid])


def _rule(con, cfg):
    return run_audit(con, cfg, now=NOW, rules=("sent_once",)).rule("sent_once")


def test_contacts_without_any_receipt_are_counted_unseen_and_the_verdict_stands(con, cfg, tmp_path):
    a, b, c, d = plan(con, 4)
    _sent(con, a, "twilio", "SM1")                      # receipt below: seen
    _sent(con, b, "twilio", "SM2")                      # no receipt: unseen
    _sent(con, c, "twilio", None, unknown=True)         # outcome unknown, no receipt: unseen
    _sent(con, d, "twilio", None)                       # refused outright: nothing was created
    path = tmp_path / "receipts.jsonl"
    path.write_text(json.dumps({"MessageSid": "SM1", "MessageStatus": "delivered", "attempt_id": a}) + "\n")
    ingest_receipts(con, path, now=NOW)
    rule = _rule(con, cfg)
    assert rule.ok and rule.unseen == 2
    assert str(rule).endswith(", 2 unseen")
    assert rule.blind_spot.startswith("2 contacts handed to Twilio or SendGrid that have no receipt at all")
    assert "sent_once cannot see duplicates among them" in rule.blind_spot
    # once each has a receipt, nothing is unseen
    path.write_text("".join(json.dumps(r) + "\n" for r in [
        {"MessageSid": "SM2", "MessageStatus": "sent", "attempt_id": b},
        {"MessageSid": "SM3", "MessageStatus": "queued", "attempt_id": c}]))
    ingest_receipts(con, path, now=NOW)
    rule = _rule(con, cfg)
    assert rule.unseen == 0 and rule.blind_spot == "" and "unseen" not in str(rule)


def test_rules_without_a_blind_spot_report_none(con, cfg):
    report = run_audit(con, cfg, now=NOW, rules=("quiet_hours", "sent_once"))
    assert all(r.unseen == 0 and r.blind_spot == "" for r in report.rules)


def test_the_audit_command_prints_the_blind_spot_as_a_note(tmp_path: Path):
    path = tmp_path / "audit.duckdb"
    con = db.connect(path)
    log = clean_log(con)
    aid = log.contact("B3", "L3", "email", "reminder", "pre_due_1", "2026-03-13 08:30", installment_no=1)
    con.execute("UPDATE contact_attempts SET provider = 'sendgrid', provider_message_id = 'sgnoreceipt' "
                "WHERE attempt_id = ?", [aid])
    con.close()
    app = typer.Typer()
    app.command("audit")(audit_command)
    result = CliRunner().invoke(app, ["--db", str(path), "--now", "2026-04-02T01:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "PASSED" in result.output
    assert "note: sent_once: 1 contacts handed to Twilio or SendGrid that have no receipt at all" in result.output
