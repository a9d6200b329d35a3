"""db helpers: the shared plan macros (on every connection, read-only ones too), registered Arrow
tables, and row counts of writes."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from loan_comms import db

STATUSES = [("planned", None), ("sent", None), ("delivered", None), ("failed", "x"),
            ("suppressed", "no_recipient"), ("suppressed", "opted_out_sms"), ("suppressed", "opted_out_email"),
            ("suppressed", "cap_sms_day"), ("suppressed", "holiday"), ("suppressed", "window_missed"),
            ("suppressed", None)]


def test_macros_equal_the_expressions_they_replace():
    con = db.connect()
    key = db.scalar(con, "SELECT contact_key('B1', 'L1', 'dpd_1', 'sms', $d::DATE)", {"d": date(2026, 11, 5)})
    assert key == "B1|L1|dpd_1|sms|2026-11-05"
    for status, reason in STATUSES:
        old = db.scalar(con, "SELECT (s <> 'suppressed' OR r = 'no_recipient' OR r LIKE 'opted_out_%') "
                             "FROM (SELECT $s AS s, $r::VARCHAR AS r)", {"s": status, "r": reason})
        new = db.scalar(con, "SELECT step_taken($s, $r::VARCHAR)", {"s": status, "r": reason})
        assert new is old, (status, reason)


def test_macros_on_a_read_only_connection(tmp_path):
    path = tmp_path / "book.duckdb"
    db.connect(path).close()
    con = db.connect(path, read_only=True)
    try:
        assert db.scalar(con, "SELECT contact_key('B', 'L', 's', 'email', DATE '2026-01-02')") == "B|L|s|email|2026-01-02"
        assert db.scalar(con, "SELECT step_taken('suppressed', 'opted_out_sms')") is True
    finally:
        con.close()


def test_registered_names_are_unique_and_gone_afterwards():
    con = db.connect()
    t = pa.table({"a": [1, 2, 3]})
    with db.registered(con, t) as outer, db.registered(con, t) as inner:
        assert outer != inner
        assert db.scalar(con, f"SELECT sum(a) FROM {outer}") == 6
    with pytest.raises(RuntimeError), db.registered(con, t, "_fixed") as name:
        assert name == "_fixed"
        raise RuntimeError("boom")
    for gone in (outer, inner, "_fixed"):
        with pytest.raises(Exception):
            con.execute(f"SELECT * FROM {gone}").fetchall()


def test_temp_table_replaces_and_value_reads_one_value():
    con = db.connect()
    db.temp_table(con, "events_batch", pa.table({"a": [1, 2]}))
    db.temp_table(con, "events_batch", pa.table({"a": [5, 6, 7]}))  # replaced, not appended
    assert db.scalar(con, "SELECT count(*) FROM events_batch") == 3
    assert db.value(con, "ops/report/outbox_count") == 0


def test_changed_is_the_number_of_rows_a_write_added():
    con = db.connect()
    rows = [dict(source_file="f.csv", source_line=n, entity="receipt", record_id=None, reason="bad", raw=f"r{n}")
            for n in (1, 2)]
    from loan_comms.inbound import reader

    with db.transaction(con):
        assert reader.quarantine(con, rows) == 2
    with db.transaction(con):
        assert reader.quarantine(con, rows + [dict(rows[0], source_line=3)]) == 1  # only the new line
    assert db.scalar(con, "SELECT count(*) FROM import_quarantine") == 3
