"""Drop-folder ingestion: every complete file is ingested once and moved aside; nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loan_comms.config import load_config
from tasks.ingest import ingest_inbox, pending_files
from tests.builders import Book


@pytest.fixture
def con(con):
    b = Book(con)
    b.borrower("B1", phone="+8613812345678")
    b.loan("L1", "B1", [("2026-11-05", "500.00")])
    return con


def drop(inbox: Path, kind: str, name: str, text: str) -> Path:
    p = inbox / kind / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_files_are_ingested_then_moved_to_processed(con, tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "operator_events", "agents.jsonl", json.dumps(
        {"event_id": "e1", "borrower_id": "B1", "loan_id": "L1", "kind": "dispute", "occurred_at": "2026-11-06T03:00:00Z"}))
    drop(inbox, "replies", "twilio.jsonl", json.dumps(
        {"MessageSid": "SM1", "From": "+8613812345678", "Body": "STOP", "DateSent": "2026-11-06T04:00:00Z"}))
    drop(inbox, "receipts", "status.jsonl", json.dumps({"MessageSid": "SMx", "MessageStatus": "delivered"}))
    drop(inbox, "operator_events", "half-written.jsonl.part", "{")
    lines: list[str] = []
    report = ingest_inbox(con, load_config(), inbox, log=lines.append)

    assert report.files == {"operator_events": 1, "receipts": 1, "replies": 1} and not report.failed_files
    kinds = sorted(r[0] for r in con.execute("SELECT kind FROM borrower_events").fetchall())
    assert kinds == ["dispute", "opt_out", "sms_reply"]
    processed = sorted(p.name.split("-", 1)[1] for p in (inbox / "processed").rglob("*") if p.is_file())
    assert processed == ["agents.jsonl", "status.jsonl", "twilio.jsonl"]
    assert [p.name for p in (inbox / "operator_events").iterdir()] == ["half-written.jsonl.part"], \
        "a file still being written is left alone"
    assert not any("13812345678" in line for line in lines), "logs carry counts, not phone numbers"

    again = ingest_inbox(con, load_config(), inbox, log=lines.append)
    assert again.files == {} and str(again) == "inbox: nothing new"


def test_an_unreadable_file_moves_to_failed_with_its_reason(con, tmp_path):
    inbox = tmp_path / "inbox"
    gbk = drop(inbox, "call_outcomes", "dialer.json", "")
    gbk.write_bytes(json.dumps([{"attempt_id": "a1", "outcome": "reached", "note": "客户说明天还款"}],
                               ensure_ascii=False).encode("gbk"))
    drop(inbox, "operator_events", "ok.jsonl", json.dumps(
        {"event_id": "e2", "borrower_id": "B1", "kind": "opt_out", "channel": "sms", "occurred_at": "2026-11-06T03:00:00Z"}))
    report = ingest_inbox(con, load_config(), inbox, log=lambda m: None)
    assert report.files == {"operator_events": 1}
    [failed] = report.failed_files
    # (was JSONDecodeError for "[{not json": a broken JSON list is now readable, see the test below)
    assert failed == "call_outcomes/dialer.json: not UTF-8 (looks like GB18030/GBK); " \
                     "re-run with --encoding gb18030"
    moved = [p for p in (inbox / "failed" / "call_outcomes").iterdir()]
    assert sorted(p.name.endswith(".error.txt") for p in moved) == [False, True]
    assert pending_files(inbox, "call_outcomes") == []


def test_rejected_rows_are_reported_and_the_rest_recorded(con, tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "operator_events", "mixed.jsonl", "\n".join(json.dumps(r) for r in [
        {"event_id": "e3", "borrower_id": "B1", "kind": "cease_contact", "occurred_at": "2026-11-06T03:00:00Z"},
        {"event_id": "e4", "borrower_id": "NOPE", "kind": "cease_contact", "occurred_at": "2026-11-06T03:00:00Z"},
    ]))
    report = ingest_inbox(con, load_config(), inbox, log=lambda m: None)
    assert "1 recorded" in report.summaries[0] and "1 quarantined" in report.summaries[0]   # was "1 rejected"
    assert report.quarantined == {"operator_events/mixed.jsonl": 1}
    assert con.execute("SELECT count(*) FROM borrower_events WHERE kind = 'cease_contact'").fetchone()[0] == 1


def test_an_unknown_kind_is_a_clear_error(con, tmp_path):
    with pytest.raises(ValueError, match="unknown inbox kind 'surveys'"):
        ingest_inbox(con, load_config(), tmp_path, kinds=("surveys",))


def test_a_partly_bad_file_lands_its_good_rows_and_the_artifact_counts_the_rest(con, tmp_path):
    from flows.ingest import _markdown

    inbox = tmp_path / "inbox"
    good = {"event_id": "e5", "borrower_id": "B1", "kind": "cease_contact", "occurred_at": "2026-11-06T03:00:00Z"}
    drop(inbox, "operator_events", "cut.json", json.dumps([good, good | {"event_id": "e6"}])[:-30])
    drop(inbox, "replies", "twilio.jsonl", "\n".join(json.dumps(r) for r in [
        {"MessageSid": ["SM1"], "From": "+8613812345678", "Body": "STOP"},
        {"MessageSid": "SM2", "From": "+8613812345678", "Body": "STOP", "DateSent": "2026-11-06T04:00:00Z"}]))
    report = ingest_inbox(con, load_config(), inbox, log=lambda m: None)
    assert report.files == {"operator_events": 1, "replies": 1} and not report.failed_files
    assert report.quarantined == {"operator_events/cut.json": 1, "replies/twilio.jsonl": 1}
    kinds = sorted(r[0] for r in con.execute("SELECT kind FROM borrower_events").fetchall())
    assert kinds == ["cease_contact", "opt_out", "sms_reply"]
    assert pending_files(inbox, "operator_events") == [] and pending_files(inbox, "replies") == []
    md = _markdown(report, str(inbox))
    assert "| operator_events/cut.json | 1 |" in md and "| replies/twilio.jsonl | 1 |" in md
    assert "13812345678" not in md


def test_gzipped_drops_are_picked_up(con, tmp_path):
    import gzip

    inbox = tmp_path / "inbox"
    p = drop(inbox, "operator_events", "agents.jsonl.gz", "")
    p.write_bytes(gzip.compress(json.dumps(
        {"event_id": "e7", "borrower_id": "B1", "kind": "cease_contact", "occurred_at": "2026-11-06T03:00:00Z"}).encode()))
    report = ingest_inbox(con, load_config(), inbox, log=lambda m: None)
    assert report.files == {"operator_events": 1}
