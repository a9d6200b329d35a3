"""Operator events of the issue-11 kinds: each row's detail is checked, a bad row is quarantined
with a reason an operator can act on, the good rows land with their scope (loan_comms/policy/kinds.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from loan_comms.inbound.events import ingest_operator_events
from tests.builders import Book

NOW = datetime(2026, 11, 6, 12, tzinfo=UTC)
AT = "2026-11-06T09:00:00+08:00"


def _file(tmp_path, rows):
    path = tmp_path / "ops.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def ev(event_id, kind, **more):
    return {"event_id": event_id, "borrower_id": "B1", "kind": kind, "occurred_at": AT, **more}


def test_new_kinds_land_with_their_detail_and_scope(book: Book, tmp_path):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    report = ingest_operator_events(book.con, _file(tmp_path, [
        ev("a1", "attorney_representation", attorney="Firm ref 12"),
        ev("v1", "vulnerable"),
        ev("s1", "breathing_space", until="2027-01-04"),
        ev("w1", "workplace_prohibited"),
        ev("d1", "deceased", loan_id="L1"),
        ev("k1", "bankruptcy"),
        ev("c1", "complaint", loan_id="L1"),
        ev("p1", "contact_preference", window_start="18:00", window_end="20:00", avoid_channels="call;visit",
           avoid_places=["work"]),
        ev("i1", "inbound_call", conversation=True),
        ev("x1", "dispute", loan_id="L1"),
        ev("x2", "dispute"),
    ]), now=NOW)
    assert report.recorded == 11, str(report)
    got = {r[0]: (r[1], json.loads(r[2]) if r[2] else None) for r in book.con.execute(
        "SELECT external_id, scope, detail FROM borrower_events").fetchall()}
    assert got["operator:a1"] == ("borrower", {"attorney": "Firm ref 12"})
    assert got["operator:s1"] == ("borrower", {"until": "2027-01-04"})
    assert got["operator:d1"] == ("borrower", None)          # names a loan, reaches every loan
    assert got["operator:c1"][0] == "borrower"
    assert got["operator:p1"] == ("borrower", {"window": ["18:00", "20:00"], "avoid_channels": ["call", "visit"],
                                              "avoid_places": ["work"]})
    assert got["operator:i1"] == ("borrower", {"conversation": True})
    assert got["operator:x1"][0] == "loan" and got["operator:x2"][0] == "borrower"


def test_bad_details_are_quarantined_with_a_reason(book: Book, tmp_path):
    book.borrower("B1")
    report = ingest_operator_events(book.con, _file(tmp_path, [
        ev("s1", "breathing_space"),
        ev("s2", "breathing_space", until="31/12/2026"),
        ev("s3", "breathing_space", until="2026-11-01"),
        ev("s4", "breathing_space", until="2029-01-01"),
        ev("a1", "attorney_representation", attorney="lawyer@example.com"),
        ev("p1", "contact_preference", window_start="25:00", window_end="20:00"),
        ev("p2", "contact_preference", window_start="20:00", window_end="09:00"),
        ev("p3", "contact_preference", avoid_channels="pigeon"),
        ev("p4", "contact_preference", avoid_places="moon"),
        ev("p5", "contact_preference", window_start="09:00"),
        ev("i1", "inbound_call", conversation="maybe"),
        ev("ok", "contact_preference"),     # empty: withdraws the earlier preference
    ]), now=NOW)
    reasons = [r.split(": ", 1)[1] for r in report.rejected]
    assert report.recorded == 1
    assert reasons == [
        "breathing_space needs until (YYYY-MM-DD), the day the moratorium ends",
        "until '31/12/2026' is not a date (YYYY-MM-DD)",
        "until 2026-11-01 is before the day the breathing space began (2026-11-06)",
        "until 2029-01-01 is more than 400 days after 2026-11-06",
        "attorney must be a name or a reference, not a phone or an e-mail address",
        "window_start '25:00' is not a time like 09:30",
        "window_start 20:00 is not before window_end 09:00",
        "avoid_channels 'pigeon' is not one of sms, email, call, letter, visit",
        "avoid_places 'moon' is not one of home, work, mobile",
        "window_end is missing (a time like 09:30)",
        "conversation 'maybe' is not true or false",
    ]
    quarantined = book.con.execute("SELECT count(*) FROM import_quarantine").fetchone()
    assert quarantined == (11,)
    assert "lawyer@example.com" not in str(report)
