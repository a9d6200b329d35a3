"""The day's export files: each record written once, identical on re-run, repaired after a crash."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from loan_comms.arrangements import export_files as files
from loan_comms.arrangements.export import export_arrangements
from tests.arrangements.export_helpers import T0, add, add_many, payload, row, with_export

DAY = date(2026, 11, 10)


@pytest.fixture
def fcfg(cfg, tmp_path):
    return with_export(cfg, dir=str(tmp_path / "out"))


def _pass(con, fcfg, day=DAY, **kw):
    return export_arrangements(con, fcfg, db_path=None, day=day, now=T0 + timedelta(hours=1), **kw)


def _bytes(tmp_path: Path, day: date = DAY) -> tuple[bytes, bytes]:
    j, c = files.file_paths(tmp_path / "out", day)
    return j.read_bytes(), c.read_bytes()


def test_each_record_written_once_and_identical_on_rerun(con, fcfg, tmp_path):
    ids = add_many(con, 3)
    first = _pass(con, fcfg)
    assert (first.filed, first.days_written) == (3, [DAY])
    jsonl, csv_bytes = _bytes(tmp_path)
    lines = [json.loads(line) for line in jsonl.decode().splitlines()]
    assert [d["export_id"] for d in lines] == ids
    assert lines[0]["schedule"][0] == {"no": 1, "due_date": "2026-11-10", "amount": "420.00"}

    again = _pass(con, fcfg)
    assert (again.filed, again.days_written) == (0, [])
    assert _bytes(tmp_path) == (jsonl, csv_bytes)
    assert not list((tmp_path / "out").glob("*.part"))

    # A later record of the same day: the day's files are rewritten, the earlier lines unchanged.
    add(con, "A0100", "kept", at=T0 + timedelta(minutes=30))
    later = _pass(con, fcfg)
    assert (later.filed, later.days_written) == (1, [DAY])
    jsonl2, _ = _bytes(tmp_path)
    assert jsonl2.startswith(jsonl) and len(jsonl2.decode().splitlines()) == 4

    # The next day's record goes to the next day's files; the first day's stay as they were.
    add(con, "A0200", at=T0 + timedelta(days=1))
    nxt = _pass(con, fcfg, day=DAY + timedelta(days=1))
    assert nxt.days_written == [DAY + timedelta(days=1)]
    assert _bytes(tmp_path)[0] == jsonl2
    assert len(_bytes(tmp_path, DAY + timedelta(days=1))[0].decode().splitlines()) == 1
    assert row(con, "A0200:accepted")["file_day"] == DAY + timedelta(days=1)


def test_csv_is_flat_with_the_schedule_as_json_text(con, fcfg, tmp_path):
    add(con, "A0001", body=payload("A0001", extra_field="x"))
    _pass(con, fcfg)
    rows = list(csv.DictReader(io.StringIO(_bytes(tmp_path)[1].decode())))
    assert len(rows) == 1 and tuple(rows[0]) == files.CSV_COLUMNS
    r = rows[0]
    assert (r["export_id"], r["event"], r["months"], r["freeze_interest"]) == ("A0001:accepted", "accepted", "3", "false")
    assert json.loads(r["schedule"])[2] == {"no": 3, "due_date": "2027-01-10", "amount": "420.00"}
    assert json.loads(r["loan_ids"]) == ["L0001", "L0002"]
    assert json.loads(r["loans"])[0] == {"arrears": "200.00", "loan_id": "L0001"}
    assert all(r[c] != "" for c in files.CSV_COLUMNS if c != "other"), "every column filled"
    assert json.loads(r["other"]) == {"extra_field": "x"}


def test_a_crash_mid_write_is_repaired_with_the_same_bytes(con, fcfg, tmp_path, monkeypatch):
    add_many(con, 2)
    _pass(con, fcfg)
    good = _bytes(tmp_path)
    add(con, "A0009", at=T0 + timedelta(minutes=5))

    # The pass dies after filing (committed) and before its files are renamed into place.
    real = files.write_atomically

    def die_on_jsonl(path, data):
        if path.suffix == ".jsonl":
            path.with_name(path.name + ".part").write_bytes(data[: len(data) // 2])
            raise OSError("disk gone")
        real(path, data)

    monkeypatch.setattr(files, "write_atomically", die_on_jsonl)
    with pytest.raises(OSError):
        _pass(con, fcfg)
    assert _bytes(tmp_path)[0] == good[0]          # the old file, whole: never a half-written one
    monkeypatch.setattr(files, "write_atomically", real)

    repaired = _pass(con, fcfg)
    assert (repaired.filed, repaired.days_written) == (0, [DAY])
    jsonl, _ = _bytes(tmp_path)
    assert [json.loads(x)["export_id"] for x in jsonl.decode().splitlines()] == ["A0000:accepted", "A0001:accepted",
                                                                                 "A0009:accepted"]
    (tmp_path / "out" / f"arrangements-{DAY}.jsonl").unlink()   # a lost file is written again, the same
    assert _pass(con, fcfg).days_written == [DAY] and _bytes(tmp_path)[0] == jsonl


@pytest.mark.parametrize("extra, where", [({"borrower_name": "王伟"}, "borrower_name"),
                                          ({"contact": {"phone": "x"}}, "contact.phone"),
                                          ({"ref": "wang.wei@example.com"}, "ref"),
                                          ({"refs": ["+8613812345678"]}, "refs[0]")])
def test_personal_data_in_a_payload_is_refused_loud(con, fcfg, tmp_path, extra, where):
    add(con, "A0001")
    add(con, "A0002", body=payload("A0002", **extra))
    report = _pass(con, fcfg)
    assert (report.filed, report.refused) == (1, 1)
    bad = row(con, "A0002:accepted")
    assert bad["status"] == "failed" and bad["file_day"] is None and where in bad["error"]
    assert "王伟" not in bad["error"] and "example.com" not in bad["error"]
    assert b"A0002" not in _bytes(tmp_path)[0]
    assert report.needs_operator and "A0002:accepted (failed)" in report.alert("t").text


def test_amounts_ids_and_dates_are_not_mistaken_for_personal_data():
    assert files.payload_problem(json.dumps(payload("A1", total="12345678.00", loan_id="20261110123456"))) is None
    assert files.payload_problem("[1]") == "payload is not a JSON object"
    assert files.payload_problem("{") == "payload is not JSON"


def test_the_folder_is_beside_the_database_unless_absolute(tmp_path):
    assert files.export_dir("exports/arrangements", tmp_path / "db" / "book.duckdb") == \
        (tmp_path / "db" / "exports" / "arrangements").resolve()
    assert files.export_dir(str(tmp_path / "abs"), tmp_path / "x.duckdb") == tmp_path / "abs"
