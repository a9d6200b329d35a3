"""provider_receipts keeps each provider event once, however often its file is ingested.

Real Twilio status callbacks carry no Timestamp, so the receipt's time is the ingest's: a key with
the time in it would add the same events again on every re-ingest (and an audit reading them would
see more evidence than there is). The key is what identifies the provider's event.
"""

from __future__ import annotations

import json
from datetime import timedelta

from loan_comms.inbound.receipts import ingest_receipts
from tests.builders import NOW, plan


def _sent(con, aid: str, provider: str, mid: str) -> None:
    con.execute("UPDATE contact_attempts SET status = 'sent', sent_at = send_after, provider = ?, "
                "provider_message_id = ? WHERE attempt_id = ?", [provider, mid, aid])


def _file(tmp_path, rows: list[dict]):
    path = tmp_path / "receipts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _logged(con) -> list[tuple]:
    return con.execute("SELECT provider_message_id, status, attempt_id FROM provider_receipts "
                       "ORDER BY receipt_key").fetchall()


def test_a_twilio_file_without_timestamps_ingested_twice_adds_nothing(con, tmp_path):
    [aid] = plan(con, 1)
    _sent(con, aid, "twilio", "SM1")
    path = _file(tmp_path, [{"MessageSid": "SM1", "MessageStatus": s, "attempt_id": aid}
                            for s in ("queued", "sent", "delivered")])
    ingest_receipts(con, path, now=NOW)
    # queued and sent both map to progress: still three events of the provider, three rows
    assert len(_logged(con)) == 3
    ingest_receipts(con, path, now=NOW + timedelta(hours=1))   # later: the fallback time differs
    ingest_receipts(con, path, now=NOW + timedelta(days=1))
    assert len(_logged(con)) == 3
    assert sorted(r[1] for r in _logged(con)) == ["delivered", "progress", "progress"]


def test_the_same_twilio_event_twice_in_one_file_is_one_row(con, tmp_path):
    [aid] = plan(con, 1)
    _sent(con, aid, "twilio", "SM2")
    ingest_receipts(con, _file(tmp_path, [{"MessageSid": "SM2", "MessageStatus": "sent", "attempt_id": aid}] * 2),
                    now=NOW)
    assert len(_logged(con)) == 1


def test_sendgrid_events_are_keyed_by_event_id_else_message_event_and_timestamp(con, tmp_path):
    [aid] = plan(con, 1, channel="email")
    _sent(con, aid, "sendgrid", "abc")
    rows = [
        {"event": "processed", "sg_message_id": "abc.filter-1", "sg_event_id": "e1", "attempt_id": aid,
         "timestamp": 1794300000},
        {"event": "delivered", "sg_message_id": "abc.filter-1", "attempt_id": aid, "timestamp": 1794300060},
        {"event": "open", "sg_message_id": "abc.filter-1", "attempt_id": aid, "timestamp": 1794300100},
        {"event": "open", "sg_message_id": "abc.filter-1", "attempt_id": aid, "timestamp": 1794300200},
        {"event": "open", "sg_message_id": "abc.filter-1", "attempt_id": aid},        # no time: one event
    ]
    path = _file(tmp_path, rows)
    ingest_receipts(con, path, now=NOW)
    assert len(_logged(con)) == 5
    ingest_receipts(con, path, now=NOW + timedelta(hours=2))
    assert len(_logged(con)) == 5
