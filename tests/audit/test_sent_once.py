"""sent_once: the providers' own receipts show whether a contact reached the borrower twice."""

from __future__ import annotations

import json

from loan_comms.audit import run_audit
from loan_comms.inbound.receipts import ingest_receipts
from tests.builders import NOW, plan


def _sent(con, aid: str, provider: str, mid: str) -> None:
    con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after, provider = ?, "
                "provider_message_id = ?, decided_by_rule = 'allowed', policy_version = 'p1' WHERE attempt_id = ?",
                [provider, mid, aid])


def _receipts(tmp_path, rows: list[dict]) -> object:
    path = tmp_path / "receipts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _rule(con, cfg):
    return run_audit(con, cfg, now=NOW, rules=("sent_once",)).rule("sent_once")


def test_one_message_per_contact_passes_and_re_ingesting_adds_nothing(con, cfg, tmp_path):
    [aid] = plan(con, 1)
    _sent(con, aid, "twilio", "SM1")
    path = _receipts(tmp_path, [{"MessageSid": "SM1", "MessageStatus": "sent", "attempt_id": aid},
                                {"MessageSid": "SM1", "MessageStatus": "delivered", "attempt_id": aid}])
    ingest_receipts(con, path, now=NOW)
    ingest_receipts(con, path, now=NOW)
    assert con.execute("SELECT count(*) FROM provider_receipts").fetchone()[0] == 2
    rule = _rule(con, cfg)
    assert rule.checked == 1 and rule.violations == 0


def test_a_second_twilio_message_for_the_same_contact_is_a_violation(con, cfg, tmp_path):
    """E.g. a request Twilio processed after reconciliation had concluded it absent and sent it again."""
    [aid] = plan(con, 1)
    _sent(con, aid, "twilio", "SM2")
    ingest_receipts(con, _receipts(tmp_path, [{"MessageSid": "SM1", "MessageStatus": "delivered", "attempt_id": aid},
                                              {"MessageSid": "SM2", "MessageStatus": "delivered", "attempt_id": aid}]),
                    now=NOW)
    rule = _rule(con, cfg)
    assert rule.violations == 1
    assert "holds 2 messages for this one contact" in rule.rows[0]["violation"]


def test_sendgrid_event_ids_are_read_up_to_the_dot(con, cfg, tmp_path):
    [aid] = plan(con, 1, channel="email")
    _sent(con, aid, "sendgrid", "abc123")
    ingest_receipts(con, _receipts(tmp_path, [
        {"event": "processed", "sg_message_id": "abc123.filterdrecv-1", "sg_event_id": "e1", "attempt_id": aid,
         "timestamp": 1794300000},
        {"event": "delivered", "sg_message_id": "abc123.filterdrecv-1", "sg_event_id": "e2", "attempt_id": aid,
         "timestamp": 1794300060}]), now=NOW)
    assert _rule(con, cfg).violations == 0
    ingest_receipts(con, _receipts(tmp_path, [
        {"event": "delivered", "sg_message_id": "zzz999.filterdrecv-2", "sg_event_id": "e3", "attempt_id": aid,
         "timestamp": 1794300100}]), now=NOW)
    assert _rule(con, cfg).violations == 1


def test_one_message_recorded_on_two_contacts_is_a_violation(con, cfg):
    a, b = plan(con, 2)
    _sent(con, a, "twilio", "SM7")
    _sent(con, b, "twilio", "SM7")
    rule = _rule(con, cfg)
    assert rule.violations == 2 and "recorded on 2 contacts" in rule.rows[0]["violation"]
