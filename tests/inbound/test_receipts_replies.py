"""Receipts and replies from file drops: statuses move forward once, replies become events once."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.inbound import InboundFileError
from loan_comms.inbound import ingest_receipts, ingest_replies
from loan_comms.understanding import Intent, Understanding
from tests.builders import NOW, plan, statuses
from tests.delivery.test_http_faults import http_cfg


def _jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_twilio_and_sendgrid_receipts_move_sent_contacts_once(con, cfg, gateway, secrets_env, tmp_path):
    sms = plan(con, 3)
    mail = plan(con, 2, channel="email", start=50)
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    ids = dict(con.execute("SELECT attempt_id, provider_message_id FROM contact_attempts").fetchall())
    drop = tmp_path / "drop"
    drop.mkdir()
    _jsonl(drop / "twilio.jsonl", [
        {"MessageSid": ids[sms[0]], "MessageStatus": "sent", "To": "+12025550000"},
        {"MessageSid": ids[sms[0]], "MessageStatus": "delivered", "To": "+12025550000"},
        {"MessageSid": ids[sms[1]], "MessageStatus": "undelivered", "ErrorCode": "30003", "To": "+12025550001"},
        {"MessageSid": "SMdoesnotexist", "MessageStatus": "delivered"},
        "not an object",
    ])
    (drop / "sendgrid.json").write_text(json.dumps([
        {"event": "processed", "sg_message_id": ids[mail[0]] + ".filter0001.1-0", "attempt_id": mail[0]},
        {"event": "delivered", "sg_message_id": ids[mail[0]] + ".filter0001.1-0", "attempt_id": mail[0],
         "timestamp": 1794400000},
        {"event": "bounce", "sg_message_id": ids[mail[1]] + ".filter0002.1-0", "reason": "550 mailbox unavailable"},
    ]), encoding="utf-8")
    (drop / "broken.jsonl").write_text('{"MessageSid": "SMx", "MessageStatus": "delivered"}\n{oops\n', encoding="utf-8")

    report = ingest_receipts(con, drop, now=NOW)
    assert (report.delivered, report.failed, report.unknown) == (2, 2, 2)
    assert report.progress == 2 and len(report.rejected) == 2
    assert "broken.jsonl:2" in " ".join(report.rejected)
    st = statuses(con)
    assert st[sms[0]] == "delivered" and st[sms[1]] == "failed" and st[sms[2]] == "sent"
    assert st[mail[0]] == "delivered" and st[mail[1]] == "failed"
    row = con.execute("SELECT delivered_at FROM contact_attempts WHERE attempt_id = ?", [mail[0]]).fetchone()
    assert row[0] == datetime.fromtimestamp(1794400000, UTC)
    errors = dict(con.execute("SELECT attempt_id, error FROM contact_attempts WHERE status = 'failed'").fetchall())
    assert "30003" in errors[sms[1]] and "550 mailbox unavailable" in errors[mail[1]]
    assert con.execute("SELECT count(*) FROM import_quarantine WHERE entity = 'receipt'").fetchone()[0] == 2

    before = con.execute("SELECT * FROM contact_attempts ORDER BY attempt_id").fetchall()
    again = ingest_receipts(con, drop, now=NOW)
    assert (again.delivered, again.failed) == (0, 0) and again.unchanged == 4
    assert con.execute("SELECT * FROM contact_attempts ORDER BY attempt_id").fetchall() == before
    assert con.execute("SELECT count(*) FROM import_quarantine").fetchone()[0] == 2


def test_receipts_never_move_a_delivered_contact_back(con, cfg, secrets_env, tmp_path):
    (aid,) = plan(con, 1)
    dispatch_due(con, cfg, NOW)   # outbox
    mid = f"outbox-{aid}"
    ingest_receipts(con, _jsonl(tmp_path / "a.jsonl", [{"MessageSid": mid, "MessageStatus": "delivered"}]), now=NOW)
    ingest_receipts(con, _jsonl(tmp_path / "b.jsonl", [{"MessageSid": mid, "MessageStatus": "failed"}]), now=NOW)
    assert statuses(con)[aid] == "delivered"


def test_missing_file_is_a_clear_error(con, tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        ingest_receipts(con, tmp_path / "nope.jsonl")


def _fixed(meanings):
    """An understand() stand-in: each text means what the test says (the classifier is tested on its own)."""
    def read(text, *, channel, received_at, timezone=None, rules=None, given=None):
        return Understanding(tuple(meanings.get(text, ())), (), "en", text.upper(), "t1")
    return read


def test_replies_become_events_once(con, cfg, secrets_env, tmp_path):
    plan(con, 3)
    dispatch_due(con, cfg, NOW)
    meanings = {"STOP": [Intent("opt_out", 1.0, "r.stop", ("sms",), "this")],
                "PROMISE 2026-12-01 300": [Intent("promise_to_pay", 0.9, "r.ptp", promised_date=date(2026, 12, 1),
                                                  amount=Decimal("300"))],
                "申请延期": [Intent("hardship", 0.9, "r.hardship")]}
    drop = _jsonl(tmp_path / "inbound.jsonl", [
        {"MessageSid": "SM1", "From": "+12025550000", "To": "+12025559999", "Body": "STOP"},
        {"MessageSid": "SM2", "From": "+1 202-555-0001", "Body": "PROMISE 2026-12-01 300",
         "DateSent": "Tue, 10 Nov 2026 14:00:00 +0000"},
        {"MessageSid": "SM3", "From": "+12025550002", "Body": "申请延期"},
        {"MessageSid": "SM4", "From": "+12025550002", "Body": "thanks"},
        {"MessageSid": "SM5", "From": "+19999999999", "Body": "STOP"},
        {"MessageSid": "SM6", "From": "garbage", "Body": "STOP"},
        {"MessageSid": "SM1", "From": "+12025550000", "Body": "STOP"},
    ])
    report = ingest_replies(con, cfg, drop, now=NOW, understand_fn=_fixed(meanings))
    assert report.new_replies == 4
    assert report.by_kind == {"opt_out": 1, "promise_to_pay": 1, "hardship_request": 1}
    assert report.unknown_sender == 1 and len(report.rejected) == 1 and report.duplicates == 1
    assert "+1202" not in str(report)
    ev = con.execute("SELECT kind, borrower_id, loan_id, channel, amount, detail, occurred_at, scope FROM borrower_events "
                     "ORDER BY external_id").fetchall()
    kinds = [(e[0], e[1]) for e in ev]
    assert kinds == [("sms_reply", "B00000"), ("opt_out", "B00000"), ("sms_reply", "B00001"),
                     ("promise_to_pay", "B00001"), ("sms_reply", "B00002"), ("hardship_request", "B00002"),
                     ("sms_reply", "B00002")]
    promise = ev[3]
    assert promise[2] == "L00001" and promise[4] == Decimal("300.00") and promise[7] == "loan"
    assert json.loads(promise[5])["promised_date"] == "2026-12-01"
    assert promise[6] == datetime(2026, 11, 10, 14, 0, tzinfo=UTC)   # RFC 2822, before NOW (a later one is capped)
    assert ev[1][3] == "sms" and ev[1][7] == "borrower"
    assert json.loads(ev[0][5]) == {"text": "STOP", "classified_as": ["opt_out"], "review": [],
                                    "decided_by": "rules:t1", "language": "en"}
    assert json.loads(ev[1][5])["decided_by"] == "rules:t1"

    again = ingest_replies(con, cfg, drop, now=NOW, understand_fn=_fixed(meanings))
    assert again.new_replies == 0 and again.duplicates == 5
    assert con.execute("SELECT count(*) FROM borrower_events").fetchone()[0] == 7
    assert con.execute("SELECT count(*) FROM import_quarantine WHERE entity = 'sms_reply'").fetchone()[0] == 2


def test_a_stop_reply_suppresses_the_next_planned_sms(con, cfg, secrets_env, tmp_path):
    from datetime import timedelta
    plan(con, 1, send_after=NOW + timedelta(hours=1))
    ingest_replies(con, cfg, _jsonl(tmp_path / "in.jsonl", [
        {"MessageSid": "SM9", "From": "+12025550000", "Body": "stop", "DateSent": "Tue, 10 Nov 2026 15:10:00 +0000"}]),
        now=NOW)
    report = dispatch_due(con, cfg, NOW + timedelta(hours=2))
    assert report.cancelled == {"opted_out_sms": 1} and sum(report.sent.values()) == 0


# ---------------------------------------------------------------------------------------------
# Issue 9: a bad record never costs a good one; an unreadable file is one clear line


def _replies_book(con, cfg):
    plan(con, 3)
    dispatch_due(con, cfg, NOW)


def _sms(sid, body="STOP", n=0):
    return {"MessageSid": sid, "From": f"+1202555{n:04d}", "Body": body, "DateSent": "2026-11-10T14:00:00Z"}


def test_a_message_sid_sent_as_a_list_is_quarantined_and_the_rest_land(con, cfg, secrets_env, tmp_path):
    _replies_book(con, cfg)
    f = _jsonl(tmp_path / "in.jsonl", [_sms(["SM1", "SM2"]), _sms("SM3", n=1), {"MessageSid": "SM4", "From": ["+12025550002"],
                                                                                "Body": "STOP"}])
    report = ingest_replies(con, cfg, f, now=NOW)
    assert report.new_replies == 1 and report.quarantined == 2
    assert report.rejected == ["in.jsonl:1: MessageSid must be text, not a JSON list",
                               "in.jsonl:3: From must be text, not a JSON list"]
    assert "in.jsonl: replies: 3 rows read, 1 recorded, 0 already known, 2 quarantined" in str(report)
    assert con.execute("SELECT count(*) FROM import_quarantine WHERE entity = 'sms_reply'").fetchone()[0] == 2


def test_a_non_object_in_a_json_list_and_a_truncated_list_keep_the_good_replies(con, cfg, secrets_env, tmp_path):
    _replies_book(con, cfg)
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([_sms("SM1"), "STOP", 42, _sms("SM2", n=1)]), encoding="utf-8")
    report = ingest_replies(con, cfg, listed, now=NOW)
    assert report.new_replies == 2 and [r.split(": ", 1)[1] for r in report.rejected] == [
        "element 2 is not a JSON object", "element 3 is not a JSON object"]
    cut = tmp_path / "cut.json"
    text = json.dumps([_sms("SM5", "HARDSHIP", n=2), _sms("SM6", n=2)], indent=2)
    cut.write_text(text[:-40], encoding="utf-8")
    report = ingest_replies(con, cfg, cut, now=NOW)
    assert report.new_replies == 1 and report.by_kind == {"hardship_request": 1}   # HARDSHIP: clear in any classifier
    [reason] = report.rejected
    assert "JSON list is cut off at element 2" in reason and "the elements before it were read" in reason


def test_a_gbk_replies_file_fails_with_a_hint_and_reads_with_encoding(con, cfg, secrets_env, tmp_path):
    _replies_book(con, cfg)
    f = tmp_path / "in.jsonl"
    f.write_bytes((json.dumps(_sms("SM7", "我最近有困难"), ensure_ascii=False) + "\n").encode("gbk"))
    hardship = _fixed({"我最近有困难": [Intent("hardship", 0.9, "r.hardship")]})
    with pytest.raises(InboundFileError, match=r"in.jsonl: not UTF-8 \(looks like GB18030/GBK\); re-run with "
                                               r"--encoding gb18030"):
        ingest_replies(con, cfg, f, now=NOW)
    assert con.execute("SELECT count(*) FROM borrower_events").fetchone()[0] == 0
    report = ingest_replies(con, cfg, f, now=NOW, encoding="gb18030", understand_fn=hardship)
    assert report.by_kind == {"hardship_request": 1}


def test_directories_and_missing_files_are_clear_errors_on_the_command_line(con, cfg, secrets_env, tmp_path):
    from typer.testing import CliRunner

    from loan_comms.cli import _mount, app
    from loan_comms import db as dbm
    from loan_comms.book.synthetic import generate_book

    _mount()
    dbp = tmp_path / "r.duckdb"
    book = dbm.connect(dbp)                       # the commands need a loan book to ingest into
    generate_book(book, loans=3, seed=1, start=date(2026, 11, 1))
    book.close()
    empty = tmp_path / "empty"
    (empty / "sub.json").mkdir(parents=True)     # a folder named like a file is not read
    runner = CliRunner()
    for cmd in ("ingest-replies", "ingest-receipts"):
        result = runner.invoke(app, [cmd, str(empty), "--db", str(dbp)])
        assert result.exit_code == 2 and "a directory with no .json, .jsonl, .ndjson files" in result.output
        result = runner.invoke(app, [cmd, str(tmp_path / "nope.json"), "--db", str(dbp)])
        assert result.exit_code == 2 and "no such file" in result.output and "Traceback" not in result.output
    gz = tmp_path / "in.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"MessageSid": "SM1"}\n' * 50)[:-20])
    result = runner.invoke(app, ["ingest-replies", str(gz), "--db", str(dbp)])
    assert result.exit_code == 2 and "truncated or damaged gzip file" in result.output


def test_receipts_one_bad_record_among_good_ones(con, cfg, secrets_env, tmp_path):
    (aid,) = plan(con, 1)
    dispatch_due(con, cfg, NOW)
    mid = f"outbox-{aid}"
    f = _jsonl(tmp_path / "status.jsonl", [{"MessageSid": [mid], "MessageStatus": "failed"},
                                           {"MessageSid": mid, "MessageStatus": "delivered"}])
    report = ingest_receipts(con, f, now=NOW)
    assert report.delivered == 1 and report.rejected == ["status.jsonl:1: MessageSid must be text, not a JSON list"]
    assert statuses(con)[aid] == "delivered"
    assert str(report).startswith("status.jsonl: receipts: 2 rows read, 1 recorded, 0 already known, 1 quarantined")


@pytest.mark.parametrize("status, moves_to", [
    ("accepted", "sent"), ("scheduled", "sent"), ("queued", "sent"), ("sending", "sent"), ("sent", "sent"),
    ("receiving", "sent"), ("received", "sent"),
    ("delivered", "delivered"), ("read", "delivered"), ("partially_delivered", "delivered"),
    ("undelivered", "failed"), ("failed", "failed"), ("canceled", "failed"),
])
def test_every_twilio_message_status_has_a_meaning(con, cfg, gateway, secrets_env, tmp_path, status, moves_to):
    """Issue 13: every MessageStatus Twilio documents is understood (read is a delivery, canceled a
    failure with its reason); none is quarantined as unknown."""
    (aid,) = plan(con, 1)
    dispatch_due(con, http_cfg(cfg, gateway), NOW)
    sid = con.execute("SELECT provider_message_id FROM contact_attempts WHERE attempt_id = ?", [aid]).fetchone()[0]
    _jsonl(tmp_path / "status.jsonl", [{"MessageSid": sid, "MessageStatus": status, "To": "+12025550000"}])
    report = ingest_receipts(con, tmp_path / "status.jsonl", now=NOW)
    assert report.rejected == [] and report.unknown == 0
    got, error = con.execute("SELECT status, error FROM contact_attempts WHERE attempt_id = ?", [aid]).fetchone()
    assert got == moves_to
    if moves_to == "failed":
        assert error and status in error
