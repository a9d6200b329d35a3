"""Issue 9: a bad row never costs a good one, and record-events checks what it is given against the book.

Each case the tester filed is one test here: the good neighbour of a bad row lands, the bad row is
quarantined with its file, line and reason, and a file that cannot be read says so in one line.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.cli import app
from loan_comms.inbound.events import OPERATOR_KINDS, ingest_call_outcomes, ingest_operator_events
from loan_comms.inbound import InboundFileError, read_records
from tests.inbound.test_ingest_events import called  # noqa: F401 (a fixture: one call made on 2026-11-06)
from tests.builders import Book

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def book(book):
    """Two borrowers with one loan each (B0000274 owns L00000274, B0000180 owns L00000180)."""
    for bid, lid in (("B0000274", "L00000274"), ("B0000180", "L00000180")):
        book.borrower(bid)
        book.loan(lid, bid, [("2026-11-01", "500.00")])
    return book


def ev(event_id: str, kind: str = "cease_contact", borrower: str = "B0000274", **more) -> dict:
    return {"event_id": event_id, "borrower_id": borrower, "kind": kind, "occurred_at": "2026-11-06T12:00:00Z", **more}


def jsonl(path: Path, rows: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def events(con) -> list[tuple]:
    return con.execute("SELECT external_id, kind, loan_id FROM borrower_events ORDER BY external_id").fetchall()


def quarantine(con) -> list[tuple]:
    return con.execute("SELECT source_file, source_line, entity, record_id, reason, raw FROM import_quarantine "
                       "ORDER BY source_line").fetchall()


def test_cease_contact_lands_when_its_neighbour_promise_has_a_nan_amount(book, tmp_path):
    f = jsonl(tmp_path / "events.jsonl", [
        ev("e1"),
        ev("e2", "promise_to_pay", loan_id="L00000274", promised_date="2026-11-10", amount="NaN"),
    ])
    report = ingest_operator_events(book.con, f, now=NOW)
    assert events(book.con) == [("operator:e1", "cease_contact", None)]
    assert (report.read, report.recorded, report.quarantined) == (2, 1, 1)
    [(source, line, entity, rid, reason, raw)] = quarantine(book.con)
    assert (Path(source).name, line, entity, rid) == ("events.jsonl", 2, "operator_event", "e2")
    assert reason == "amount 'NaN' is not a finite number" and '"NaN"' in raw
    assert str(report).startswith("events.jsonl: operator events: 2 rows read, 1 recorded, 0 already known, "
                                  "1 quarantined\n  line 2: amount 'NaN' is not a finite number")


@pytest.mark.parametrize("amount, reason", [
    (float("nan"), "is not a finite number"), ("Infinity", "is not a finite number"),
    (float("inf"), "is not a finite number"), ("-5", "must be greater than 0"), ("0", "must be greater than 0"),
    ("1e12", "implausibly large"), ("lots", "is not a number"), (True, "is not a number"),
])
def test_amounts_must_be_finite_positive_and_sane(book, tmp_path, amount, reason):
    f = tmp_path / "e.jsonl"
    f.write_text(json.dumps(ev("p1", "promise_to_pay", loan_id="L00000274", promised_date="2026-11-10",
                               amount=amount)) + "\n" + json.dumps(ev("c1")) + "\n", encoding="utf-8")
    report = ingest_operator_events(book.con, f, now=NOW)
    assert report.recorded == 1 and reason in report.rejected[0]


@pytest.mark.parametrize("promised, reason", [
    (None, "needs a promised_date"), ("2026-02-30", "is not a date"), ("soon", "is not a date"),
    ("2026-11-05", "is before the day the promise was made"), ("2028-01-01", "more than a year after"),
    (["2026-11-10"], "promised_date must be text, not a JSON list"),
])
def test_promised_dates_must_parse_and_follow_the_promise(book, tmp_path, promised, reason):
    f = jsonl(tmp_path / "e.jsonl", [ev("p1", "promise_to_pay", loan_id="L00000274", promised_date=promised), ev("c1")])
    report = ingest_operator_events(book.con, f, now=NOW)
    assert report.recorded == 1 and reason in report.rejected[0]


def test_a_dispute_naming_another_borrowers_loan_pauses_nobody(book, tmp_path):
    f = jsonl(tmp_path / "e.jsonl", [
        ev("d1", "dispute", loan_id="L00000180"),               # B0000274 naming B0000180's loan
        ev("d2", "dispute", loan_id="L99999999"),
        ev("d3", "dispute", loan_id="L00000274"),
    ])
    report = ingest_operator_events(book.con, f, now=NOW)
    assert events(book.con) == [("operator:d3", "dispute", "L00000274")]
    assert report.rejected == ["line 1: loan_id 'L00000180' belongs to another borrower, not 'B0000274'",
                               "line 2: loan_id 'L99999999' is unknown"]


def test_dates_in_the_future_are_refused_with_a_small_tolerance(book, tmp_path):
    f = jsonl(tmp_path / "e.jsonl", [
        ev("far", occurred_at="2062-03-01T09:00:00+08:00"),
        ev("soon", occurred_at=(NOW + timedelta(minutes=5)).isoformat()),
        ev("late", occurred_at=(NOW + timedelta(minutes=15)).isoformat()),
    ])
    report = ingest_operator_events(book.con, f, now=NOW)
    assert [e[0] for e in events(book.con)] == ["operator:soon"]
    assert "line 1: occurred_at 2062-03-01T09:00:00+08:00 is in the future" in report.rejected[0]
    assert report.rejected[1].startswith("line 3: occurred_at")
    # the tolerance is an argument; the simulator passes its own clock as `now`
    again = ingest_operator_events(book.con, f, now=NOW, tolerance=timedelta(minutes=30))
    assert again.recorded == 1 and again.duplicates == 1


def test_kinds_channels_and_field_types_are_checked(book, tmp_path):
    f = jsonl(tmp_path / "e.jsonl", [
        ev("k1", "pause_forever"),
        ev("k2", "dispute", loan_id="L00000274", channel="pigeon"),
        ev(["k3"]),
        ev("k4", borrower=["B0000274"]),
        {"event_id": "k5", "borrower_id": "B0000274", "kind": "cease_contact"},
        ev("ok"),
    ])
    report = ingest_operator_events(book.con, f, now=NOW)
    assert report.recorded == 1
    assert [r.split(": ", 1)[1] for r in report.rejected] == [
        "kind 'pause_forever' is not one of " + ", ".join(OPERATOR_KINDS + ("note",)),   # note: an agent's free text
        "channel 'pigeon' is not one of sms, email, call, letter, visit",
        "event_id must be text, not a JSON list",
        "borrower_id must be text, not a JSON list",
        "occurred_at is missing",
    ]


def test_a_truncated_json_list_keeps_what_parsed(book, tmp_path):
    f = tmp_path / "events.json"
    full = json.dumps([ev("t1"), ev("t2", borrower="B0000180"), ev("t3")], indent=1)
    f.write_text(full[: full.index('"t3"') + 2], encoding="utf-8")
    report = ingest_operator_events(book.con, f, now=NOW)
    assert [e[0] for e in events(book.con)] == ["operator:t1", "operator:t2"]
    [reason] = report.rejected
    line = full[: full.index('"t3"')].count("\n") + 1
    assert reason.startswith(f"line {line}: JSON list is cut off at element 3")


def test_non_objects_and_broken_lines_are_rows_not_files(tmp_path):
    f = tmp_path / "x.json"
    f.write_text('[{"a": 1}, 7, "text", {"b": 2}]', encoding="utf-8")
    got = [(r.line, r.row, r.problem) for r in read_records(f)]
    assert got == [(1, {"a": 1}, None), (1, None, "element 2 is not a JSON object"),
                   (1, None, "element 3 is not a JSON object"), (1, {"b": 2}, None)]
    g = tmp_path / "y.json"
    g.write_text('[\n{"a": 1},\n{"b": 2}\n] trailing', encoding="utf-8")
    assert [(r.line, r.problem) for r in read_records(g)] == [(2, None), (3, None),
                                                             (4, "text after the end of the JSON list")]


def test_csv_events_with_a_bad_row_among_good_ones(book, tmp_path):
    f = tmp_path / "events.csv"
    f.write_text("event_id,borrower_id,kind,occurred_at,loan_id,amount,promised_date\n"
                 "c1,B0000274,cease_contact,2026-11-06T12:00:00Z,,,\n"
                 "c2,B0000180,promise_to_pay,2026-11-06T12:00:00Z,L00000180,-3,2026-11-09\n"
                 "c3,B0000180,promise_to_pay,2026-11-06T12:00:00Z,L00000180,300,2026-11-09\n"
                 "c4,B0000180,dispute\n", encoding="utf-8")
    report = ingest_operator_events(book.con, f, now=NOW)
    assert [e[0] for e in events(book.con)] == ["operator:c1", "operator:c3"]
    assert report.rejected == ["line 3: amount '-3' must be greater than 0", "line 5: line has 3 fields, the header has 7"]


def test_reingesting_adds_no_events_and_no_quarantine_rows(book, tmp_path):
    f = jsonl(tmp_path / "e.jsonl", [ev("r1"), ev("r2", borrower="B404"), "{not json"])
    first = ingest_operator_events(book.con, f, now=NOW)
    again = ingest_operator_events(book.con, f, now=NOW)
    assert (first.recorded, first.quarantined) == (1, 2)
    assert (again.recorded, again.duplicates, again.quarantined) == (0, 1, 2)
    assert len(events(book.con)) == 1 and len(quarantine(book.con)) == 2


def test_a_crash_leaves_the_file_wholly_uningested(book, tmp_path, monkeypatch):
    f = jsonl(tmp_path / "e.jsonl", [ev("x1"), ev("x2", borrower="B404")])
    real_run = db.run

    def crash(con, name, params=None):
        if name == "inbound/events/record_batch":
            raise RuntimeError("disk full")
        return real_run(con, name, params)

    monkeypatch.setattr(db, "run", crash)
    with pytest.raises(RuntimeError):
        ingest_operator_events(book.con, f, now=NOW)
    assert events(book.con) == [] and quarantine(book.con) == []
    monkeypatch.setattr(db, "run", real_run)
    report = ingest_operator_events(book.con, f, now=NOW)
    assert (report.recorded, report.quarantined) == (1, 1)


def test_call_outcomes_one_bad_row_among_good_ones(called, tmp_path):
    b, a1 = called
    con, a2 = b.con, a1
    f = jsonl(tmp_path / "dialer.jsonl", [
        {"attempt_id": a1, "outcome": "reached", "occurred_at": "2026-11-06T10:00:00+08:00"},
        {"attempt_id": a2, "outcome": "promise_to_pay", "occurred_at": "2026-11-06T10:00:00+08:00",
         "promised_date": "2026-11-10", "amount": "Infinity"},
        {"attempt_id": [a2], "outcome": "reached", "occurred_at": "2026-11-06T10:00:00+08:00"},
    ])
    report = ingest_call_outcomes(con, f, now=NOW)
    assert report.recorded == 1 and report.rejected == [
        "line 2: amount 'Infinity' is not a finite number", "line 3: attempt_id must be text, not a JSON list"]
    assert con.execute("SELECT count(*) FROM import_quarantine WHERE entity = 'call_outcome'").fetchone()[0] == 2


# ---------------------------------------------------------------------------------------------
# Files that cannot be read at all: one line, non-zero exit, no traceback


def gbk_events(path: Path) -> Path:
    path.write_bytes((json.dumps(ev("g1", note="客户要求停止联系"), ensure_ascii=False) + "\n").encode("gbk"))
    return path


def test_a_gbk_file_fails_once_with_a_hint_and_reads_with_encoding(book, tmp_path):
    f = gbk_events(tmp_path / "events.jsonl")
    with pytest.raises(InboundFileError, match=r"^events.jsonl: not UTF-8 \(looks like GB18030/GBK\); "
                                               r"re-run with --encoding gb18030$"):
        ingest_operator_events(book.con, f, now=NOW)
    assert quarantine(book.con) == []
    report = ingest_operator_events(book.con, f, now=NOW, encoding="gb18030")
    assert report.recorded == 1
    assert json.loads(book.con.execute("SELECT detail FROM borrower_events").fetchone()[0])["note"] == "客户要求停止联系"


def _cli_db(tmp_path: Path) -> Path:
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    b = Book(con)
    b.borrower("B0000274")
    b.loan("L00000274", "B0000274", [("2026-11-01", "500.00")])
    con.close()
    return path


def test_record_events_cli_reports_and_exits_by_readability(tmp_path):
    dbp = _cli_db(tmp_path)
    good = jsonl(tmp_path / "ops.jsonl", [ev("e1"), ev("e2", "promise_to_pay", loan_id="L00000274",
                                                       promised_date="2026-11-10", amount="NaN", note="Wang Wei said")])
    result = runner.invoke(app, ["record-events", str(good), "--db", str(dbp)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ops.jsonl: operator events: 2 rows read, 1 recorded, 0 already known, 1 quarantined\n"
                                    "  line 2: amount 'NaN' is not a finite number\n")
    assert "Wang Wei" not in result.output and "Traceback" not in result.output

    gbk = gbk_events(tmp_path / "gbk.jsonl")
    result = runner.invoke(app, ["record-events", str(gbk), "--db", str(dbp)])
    assert result.exit_code == 2 and "re-run with --encoding gb18030" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    result = runner.invoke(app, ["record-events", str(gbk), "--db", str(dbp), "--encoding", "gb18030"])
    assert result.exit_code == 0 and "1 recorded" in result.output
    result = runner.invoke(app, ["record-events", str(gbk), "--db", str(dbp), "--encoding", "klingon"])
    assert result.exit_code == 2 and "unknown encoding" in result.output

    for path, message in [(tmp_path, "is a directory"), (tmp_path / "nope.jsonl", "no such file")]:
        result = runner.invoke(app, ["record-events", str(path), "--db", str(dbp)])
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output

    gz = tmp_path / "ops.jsonl.gz"
    gz.write_bytes(gzip.compress(good.read_bytes())[:-12])
    result = runner.invoke(app, ["ingest-call-outcomes", str(gz), "--db", str(dbp)])
    assert result.exit_code == 2 and "truncated or damaged gzip file" in result.output


def test_reasons_never_echo_a_phone_or_email_put_in_the_wrong_field(book, tmp_path):
    f = jsonl(tmp_path / "e.jsonl", [ev("m1", kind="+8613812345678"), ev("m2", "opt_out", channel="wang.wei@example.com")])
    text = str(ingest_operator_events(book.con, f, now=NOW))
    assert "13812345678" not in text and "wang.wei@" not in text and "2 quarantined" in text


def test_absurdly_nested_json_is_a_bad_row_not_a_crash(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text('{"a": 1}\n' + "[" * 100000 + "\n" + '{"b": 2}\n', encoding="utf-8")
    assert [(r.line, r.row is None) for r in read_records(f)] == [(1, False), (2, True), (3, False)]
    g = tmp_path / "deep.json"
    g.write_text('[{"a": 1}, ' + "[" * 100000, encoding="utf-8")
    assert [r.row is None for r in read_records(g)] == [False, True]


# A reviewer's cases: one broken row must never take the rows after it with it.

def test_a_csv_quote_never_closed_does_not_swallow_the_rows_after_it(book, tmp_path):
    f = tmp_path / "agents.csv"
    f.write_text("event_id,borrower_id,kind,occurred_at,loan_id,channel,note\n"
                 "e1,B0000274,opt_in,2026-11-06T12:00:00Z,,sms,ok\n"
                 'e2,B0000274,opt_in,2026-11-06T12:00:00Z,,sms,"called twice, said stop\n'
                 "e3,B0000180,cease_contact,2026-11-06T12:00:00Z,,,\n"
                 "e4,B0000274,opt_out,2026-11-06T12:00:00Z,,sms,\n", encoding="utf-8")
    report = ingest_operator_events(book.con, f, now=NOW)
    assert [e[0] for e in events(book.con)] == ["operator:e1", "operator:e3", "operator:e4"]
    assert (report.read, report.recorded, report.quarantined) == (4, 3, 1)
    [(_, line, *_rest)] = quarantine(book.con)
    assert line == 3


def test_a_json_lines_file_named_json_with_a_broken_first_line_keeps_the_good_lines(book, tmp_path):
    f = jsonl(tmp_path / "firstbad.json", [json.dumps(ev("e1"))[:-1], ev("e2"), ev("e3", borrower="B0000180")])
    report = ingest_operator_events(book.con, f, now=NOW)
    assert [e[0] for e in events(book.con)] == ["operator:e2", "operator:e3"]
    assert (report.recorded, report.quarantined) == (2, 1) and quarantine(book.con)[0][1] == 1


def test_a_broken_element_of_a_json_list_costs_only_itself(book, tmp_path):
    f = tmp_path / "list.json"
    f.write_text("[\n" + json.dumps(ev("e1")) + ",\n" + '{"event_id": "e2", "kind": "opt_out",}' + ",\n"
                 + json.dumps(ev("e3", borrower="B0000180")) + "\n]\n", encoding="utf-8")
    report = ingest_operator_events(book.con, f, now=NOW)
    assert [e[0] for e in events(book.con)] == ["operator:e1", "operator:e3"]
    assert (report.read, report.recorded, report.quarantined) == (3, 2, 1)
    assert quarantine(book.con)[0][1] == 3


def test_a_placeholder_date_from_year_one_is_quarantined(book, tmp_path):
    f = jsonl(tmp_path / "e.jsonl", [ev("e1") | {"occurred_at": "0001-01-01T00:00:00+05:00"}, ev("e2")])
    report = ingest_operator_events(book.con, f, now=NOW)
    assert (report.recorded, report.quarantined) == (1, 1)
    assert "is before 2000" in quarantine(book.con)[0][4]
