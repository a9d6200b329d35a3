"""Visit records from the field team and the field sheet: a cancelled visit with its reason, notes
kept only in the record, an evidence reference, a report naming other collectors than the assigned
pair recorded all the same and counted; the `visit-plan` command prints and exports the plan masked.

Built by hand (a visit already made and its assignment), so no day needs planning here.
"""

from __future__ import annotations

import csv
import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from loan_comms import db
from loan_comms.inbound.visits import ingest_visit_outcomes
from loan_comms.visits.sheet import read_visit_plan
from tests.builders import Book, insert
from tests.cli.conftest import cli

DAY = date(2026, 11, 16)
SLOT = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)   # 10:00 in Shanghai
NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)
SECRET_NOTE = "Neighbour Mrs Zhao said he works nights at the Huangpu depot, phone 13912345678"


def made_visit(book: Book, borrower: str = "B1", *, pair: tuple[str, str] = ("F-sh-01", "F-sh-02"),
               district: str = "Huangpu", order: int = 1) -> str:
    """A borrower in Shanghai whose dpd_30 visit was assigned to `pair` and released at its slot."""
    book.borrower(borrower, name="Wang Wei", district=district)
    loan = f"L{borrower[1:]}"
    book.loan(loan, borrower, [("2026-10-06", "900.00")])
    attempt = f"V{borrower}"
    start = SLOT + timedelta(minutes=90 * (order - 1))
    book.contact(attempt_id=attempt, idempotency_key=f"{borrower}|{loan}|dpd_30|visit|{DAY}", borrower_id=borrower,
                 loan_id=loan, channel="visit", purpose="escalation", step="dpd_30", status="sent",
                 planned_for_date=DAY, send_after=start, send_before=start + timedelta(minutes=90),
                 created_at=start - timedelta(hours=8), updated_at=start, sent_at=start)
    insert(book.con, "visit_assignments", attempt_id=attempt, plan_date=DAY, borrower_id=borrower, loan_id=loan,
           city="Shanghai", district=district, route_order=order, agent_ids=list(pair), work_date=DAY,
           slot_start=start, slot_end=start + timedelta(minutes=90), outcome="assigned", recorded_at=start)
    return attempt


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def details(book: Book) -> list[dict]:
    return [json.loads(d) for (d,) in book.con.execute(
        "SELECT detail FROM borrower_events WHERE kind = 'visit_outcome' ORDER BY occurred_at").fetchall()]


def test_a_cancelled_visit_with_its_reason_notes_and_evidence_is_recorded_notes_never_printed(book, tmp_path, caplog):
    attempt = made_visit(book)
    f = write_rows(tmp_path / "field.jsonl", [
        {"attempt_id": attempt, "outcome": "cancelled", "reason": "weather", "collectors": ["F-sh-01", "F-sh-02"],
         "occurred_at": "2026-11-16T09:40:00+08:00", "notes": SECRET_NOTE,
         "evidence_ref": "s3://field-evidence/2026/11/16/VB1-photo-1.jpg"}])
    with caplog.at_level(logging.DEBUG):
        report = ingest_visit_outcomes(book.con, f, now=NOW)
    assert (report.recorded, report.rejected, report.notes) == (1, [], [])
    [d] = details(book)
    assert d == {"outcome": "cancelled", "attempt_id": attempt, "collectors": ["F-sh-01", "F-sh-02"],
                 "reason": "weather", "notes": SECRET_NOTE,
                 "evidence_ref": "s3://field-evidence/2026/11/16/VB1-photo-1.jpg"}
    assert "13912345678" not in str(report) + caplog.text and "Zhao" not in str(report) + caplog.text


@pytest.mark.parametrize("row, why", [
    ({"outcome": "cancelled"}, "reason is missing"),
    ({"outcome": "cancelled", "reason": "felt like it"}, "reason 'felt like it' is not one of"),
    ({"outcome": "met", "evidence_ref": "photo one.jpg"}, "evidence_ref holds spaces"),
    ({"outcome": "met", "evidence_ref": "x" * 201}, "evidence_ref is 201 characters long"),
    ({"outcome": "met", "notes": SECRET_NOTE * 40}, "notes is 3160 characters long"),
])
def test_bad_visit_records_are_quarantined_with_a_reason_that_never_echoes_the_notes(book, tmp_path, row, why):
    attempt = made_visit(book)
    f = write_rows(tmp_path / "field.jsonl", [{"attempt_id": attempt, "collectors": "F-sh-01,F-sh-02",
                                               "occurred_at": "2026-11-16T11:00:00+08:00", **row}])
    report = ingest_visit_outcomes(book.con, f, now=NOW)
    assert report.recorded == 0 and len(report.rejected) == 1
    assert why in report.rejected[0] and "Zhao" not in report.rejected[0]
    assert book.con.execute("SELECT count(*) FROM import_quarantine").fetchone()[0] == 1


def test_a_report_not_naming_the_assigned_pair_is_recorded_and_counted(book, tmp_path):
    """What happened at a door is never lost: a report from another pair is recorded, said in the
    report, and left to the audit's visit_pair rule; a cancellation is not judged on who was there."""
    first, second = made_visit(book, "B1"), made_visit(book, "B2", order=2)
    f = write_rows(tmp_path / "field.jsonl", [
        {"attempt_id": first, "outcome": "met", "collectors": ["F-sh-01", "F-sh-03"],
         "occurred_at": "2026-11-16T10:30:00+08:00", "visit_seq": 1},
        {"attempt_id": second, "outcome": "cancelled", "reason": "borrower_rearranged", "collectors": ["F-sh-03"],
         "occurred_at": "2026-11-16T11:00:00+08:00"}])
    report = ingest_visit_outcomes(book.con, f, now=NOW)
    assert report.recorded == 2
    assert report.notes == ["1 row(s) not naming both collectors of the visit's assigned pair, recorded all the "
                            "same (the audit's visit_pair rule flags them)"]


def test_visit_plan_prints_by_city_district_and_pair_masked_and_exports_a_sheet_per_pair(tmp_path):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    book = Book(con)
    made_visit(book, "B1", district="Pudong", order=2)
    made_visit(book, "B2", district="Huangpu", order=1)
    made_visit(book, "B3", pair=("F-sh-03", "F-sh-04"), district="Huangpu")
    insert(con, "visit_assignments", attempt_id="VB4", plan_date=DAY, borrower_id="B4", loan_id="L4",
           carried_days=5, outcome="carried", reason="field_capacity", recorded_at=SLOT)
    con.close()
    out = tmp_path / "sheets"
    result = cli("visit-plan", "--as-of", DAY.isoformat(), "--db", path, "--out", out)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "visit plan 2026-11-16: 3 visits assigned to 2 pairs, 1 carried (field_capacity 1)"
    assert "Shanghai / Huangpu: pair F-sh-01+F-sh-02 (work date 2026-11-16)" in lines
    assert lines.index("Shanghai / Huangpu: pair F-sh-01+F-sh-02 (work date 2026-11-16)") \
        < lines.index("Shanghai / Pudong: pair F-sh-01+F-sh-02 (work date 2026-11-16)")
    assert any("10:00-11:30 Asia/Shanghai  borrower B2  loan L2  dpd_30" in x for x in lines)
    assert any("field_capacity, carried 5 earlier day(s) - check the field roster" in x for x in lines)
    assert "Wang" not in result.output and "+86" not in result.output and "@" not in result.output
    sheets = sorted(p.name for p in out.iterdir())
    assert sheets == ["visit-plan-2026-11-16-F-sh-01+F-sh-02.csv", "visit-plan-2026-11-16-F-sh-03+F-sh-04.csv",
                      "visit-plan-2026-11-16-carried.csv"]
    with (out / sheets[0]).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["route_order"], r["borrower_id"], r["district"], r["slot_from_local"]) for r in rows] == [
        ("1", "B2", "Huangpu", "10:00"), ("2", "B1", "Pudong", "11:30")]
    assert "Wang" not in (out / sheets[0]).read_text(encoding="utf-8")


def test_the_plan_says_what_became_of_a_visit_cancelled_before_it_went(book):
    attempt = made_visit(book)
    book.con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'paid', sent_at = NULL "
                     "WHERE attempt_id = ?", [attempt])
    plan = read_visit_plan(book.con, DAY)
    assert any("[cancelled before it went: paid]" in line for line in plan.lines())
