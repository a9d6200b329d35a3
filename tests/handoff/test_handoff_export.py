"""The case export for the partner: its content, personal data only in the file (mode 0600), and
every case exactly once, a crash between the file's rename and its record included.

Why these cases: the file is the one place a borrower's name and numbers leave the book, so where
they go is tested; and a case sent twice (or never) to a collection agency is a second voice chasing
one debt, so the crash windows of the write are tested one by one.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.handoff import export as export_mod
from loan_comms.handoff.export import HandoffExportError, export_cases
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book
from tests.handoff.test_handoff_policy import START, handoff_book, run

DAY = START + timedelta(days=3)
NOW = datetime(2026, 11, 5, 20, tzinfo=UTC)


@pytest.fixture
def handed(book: Book, cfg, renderer) -> Book:
    """L1 handed off on START (with a promise, a dispute and a reply on record), L2 not; B2's L3 too."""
    handoff_book(book)
    book.borrower("B2", name="Li Na")
    book.loan("L3", "B2", [((START - timedelta(days=65)).isoformat(), "400.00")])
    book.event("B1", "promise_to_pay", "2026-10-20T10:00:00+08:00", loan_id="L1", promised_date="2026-10-25",
               amount="100.00", scope="loan")
    book.event("B1", "sms_reply", "2026-10-21T10:00:00+08:00", text="call me on +8613900000000 please")
    book.event("B1", "cease_contact", "2026-10-22T10:00:00+08:00", scope="borrower")
    book.event("B1", "cease_contact_revoked", "2026-10-23T10:00:00+08:00", scope="borrower")
    run(book, cfg, renderer, START, 3)
    return book


def files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def case_ids(book: Book, *loans: str) -> list[str]:
    """The case ids (loan @ hand-off instant) of `loans`, as a manifest lists them."""
    return [r[0] for r in book.con.execute(
        "SELECT loan_id || '@' || strftime(handed_off_at, '%Y-%m-%dT%H:%M:%S.%fZ') FROM handoffs "
        "WHERE list_contains($loans, loan_id) ORDER BY 1", {"loans": list(loans)}).fetchall()]


def test_the_case_file_holds_the_whole_case_and_the_report_no_personal_data(handed, cfg, tmp_path):
    report = export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)
    folder = tmp_path / "agency-1"
    name = export_mod._case_file_name("agency-1", DAY, case_ids(handed, "L1", "L3"))
    assert name.startswith("cases-agency-1-2026-11-05-") and name.endswith(".jsonl")
    assert files(folder) == [name, name.removesuffix(".jsonl") + ".manifest.json"]
    assert (report.cases, report.files) == (2, [name])
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    cases = {c["loan"]["loan_id"]: c for c in map(json.loads, (folder / name).read_text().splitlines())}
    assert set(cases) == {"L1", "L3"}
    case = cases["L1"]
    assert case["borrower"]["full_name"] == "Wang Wei" and case["borrower"]["phone"].startswith("+86")
    assert {p["kind"] for p in case["borrower"]["contact_points"]} == {"phone", "email"}
    assert [i["installment_no"] for i in case["installments"]] == [1, 2, 3]
    assert case["installments"][0]["outstanding"] == "900.00" and case["loan"]["overdue"] == "1800.00"
    assert case["episode"]["opened_on"] == (START - timedelta(days=69)).isoformat()
    assert [p["detail"]["promised_date"] for p in case["promises"]] == ["2026-10-25"]
    assert [e["kind"] for e in case["events"]] == ["cease_contact", "cease_contact_revoked"]   # no raw reply text
    assert "+8613900000000" not in (folder / name).read_text()
    contacts = case["contacts"]
    assert {(c["step"], c["status"], c["suppressed_reason"]) for c in contacts} >= {
        ("dpd_60_handoff", "sent", None), ("pre_due_1", "suppressed", "handed_off")}
    assert all(c["loan_id"] == "L1" and c["policy_version"] and c["decided_by_rule"] for c in contacts)
    assert all(c["template_version"] for c in contacts if c["status"] == "sent")
    assert len(contacts) == len(handed.attempts(loan_id="L1"))
    manifest = json.loads((folder / name.replace(".jsonl", ".manifest.json")).read_text())
    assert manifest["cases"] == 2 and manifest["contacts"] == report.contacts
    assert manifest["sha256"] == __import__("hashlib").sha256((folder / name).read_bytes()).hexdigest()
    text = str(report) + json.dumps(report.counts())
    for pii in ("Wang Wei", "Li Na", "+86", "@example.com"):
        assert pii not in text
    assert "Wang" not in (folder / name.replace(".jsonl", ".manifest.json")).read_text()
    recorded = handed.con.execute("SELECT loan_id, export_file, exported_at FROM handoffs ORDER BY 1").fetchall()
    assert recorded == [("L1", name, NOW), ("L3", name, NOW)]


def test_a_re_run_writes_nothing_and_a_later_hand_off_gets_the_next_file(handed, cfg, renderer, tmp_path):
    export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)
    before = {p.name: p.read_bytes() for p in (tmp_path / "agency-1").iterdir()}
    again = export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW + timedelta(hours=1))
    assert (again.cases, again.files, again.recognised) == (0, [], 0)
    assert {p.name: p.read_bytes() for p in (tmp_path / "agency-1").iterdir()} == before
    handed.borrower("B3")
    handed.loan("L4", "B3", [((START - timedelta(days=61)).isoformat(), "300.00")])
    run(handed, cfg, renderer, START + timedelta(days=3), 2)
    later = export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW + timedelta(hours=2))
    assert (later.cases, later.files) == (1, [export_mod._case_file_name("agency-1", DAY, case_ids(handed, "L4"))])
    assert later.files[0] not in before


def test_a_crash_after_the_rename_is_recorded_from_the_manifest_never_written_twice(handed, cfg, renderer, tmp_path,
                                                                                    monkeypatch):
    real = export_mod._record

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed between the rename and the record")

    monkeypatch.setattr(export_mod, "_record", crash)
    with pytest.raises(KeyboardInterrupt):
        export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)
    assert handed.con.execute("SELECT count(*) FROM handoffs WHERE export_file IS NOT NULL").fetchone() == (0,)
    monkeypatch.setattr(export_mod, "_record", real)
    # meanwhile a new case: the next pass records the left file AND writes only the new case
    handed.borrower("B3")
    handed.loan("L4", "B3", [((START - timedelta(days=61)).isoformat(), "300.00")])
    run(handed, cfg, renderer, START + timedelta(days=3), 2)
    report = export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW + timedelta(hours=1))
    assert (report.recognised, report.recognised_files) == (
        2, [export_mod._case_file_name("agency-1", DAY, case_ids(handed, "L1", "L3"))])
    assert (report.cases, report.files) == (1, [export_mod._case_file_name("agency-1", DAY, case_ids(handed, "L4"))])
    lines = [json.loads(line)["loan"]["loan_id"] for p in sorted((tmp_path / "agency-1").glob("*.jsonl"))
             for line in p.read_text().splitlines()]
    assert sorted(lines) == ["L1", "L3", "L4"]                     # each case in exactly one file
    exported = dict(handed.con.execute("SELECT loan_id, exported_at FROM handoffs").fetchall())
    assert exported["L1"] == NOW                                   # when the left file was written
    assert export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW).cases == 0


def test_files_the_partner_removed_then_a_crash_before_the_record_each_case_still_exported_once(
        handed, cfg, renderer, tmp_path, monkeypatch):
    """The reviewer's case: the partner takes (removes) the day's first file; a later pass of the same
    day crashes between the manifest's rename and the record; the re-run records the left file and
    writes nothing more. A name counted from the folder came back as the first file's (recorded)
    name, so the re-run skipped the left manifest by name and exported its case a second time."""
    folder = tmp_path / "agency-1"
    first = export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)
    for p in folder.iterdir():
        p.unlink()                                                  # the partner took them
    handed.borrower("B3")
    handed.loan("L4", "B3", [((START - timedelta(days=61)).isoformat(), "300.00")])
    run(handed, cfg, renderer, START + timedelta(days=3), 2)
    monkeypatch.setattr(export_mod, "_record", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW + timedelta(hours=1))
    monkeypatch.undo()
    left = files(folder)
    report = export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW + timedelta(hours=2))
    assert (report.recognised, report.cases, report.files) == (1, 0, [])   # L4 not a second time
    assert len(left) == 2 and first.files[0] not in left           # a name of its own
    assert files(folder) == left                                    # nothing written again
    delivered = [first.files[0]] + [n for n in left if n.endswith(".jsonl")]
    assert len(set(delivered)) == 2
    recorded = dict(handed.con.execute("SELECT loan_id, export_file FROM handoffs").fetchall())
    assert recorded == {"L1": first.files[0], "L3": first.files[0], "L4": delivered[1]}
    assert json.loads((folder / delivered[1]).read_text())["loan"]["loan_id"] == "L4"
    assert export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW + timedelta(hours=3)).cases == 0


def test_a_new_file_never_replaces_one_still_in_the_folder(handed, cfg, renderer, tmp_path):
    """Two files of a day, the partner took the first only: the next case gets a third name (counting
    manifests gave it the second's name, writing over cases the partner had not taken yet)."""
    folder, day = tmp_path / "agency-1", DAY + timedelta(days=2)
    export_cases(handed.con, cfg, as_of=day, out=tmp_path, now=NOW)
    first = set(files(folder))
    handed.borrower("B3")
    handed.loan("L4", "B3", [((START - timedelta(days=61)).isoformat(), "300.00")])
    run(handed, cfg, renderer, START + timedelta(days=3), 2)
    assert export_cases(handed.con, cfg, as_of=day, out=tmp_path, now=NOW + timedelta(hours=1)).cases == 1
    second = {n: (folder / n).read_bytes() for n in files(folder) if n not in first}
    for n in first:
        (folder / n).unlink()                                       # the partner took the first only
    handed.borrower("B4")
    handed.loan("L5", "B4", [((START - timedelta(days=61)).isoformat(), "300.00")])
    run(handed, cfg, renderer, START + timedelta(days=5), 2)
    third = export_cases(handed.con, cfg, as_of=day, out=tmp_path, now=NOW + timedelta(days=1))
    assert third.cases == 1 and third.files[0] not in second
    assert {n: (folder / n).read_bytes() for n in second} == second   # the second file untouched
    assert len(files(folder)) == 4


def test_a_crash_before_the_manifest_leaves_nothing_delivered_and_the_file_is_written_again(handed, cfg, tmp_path,
                                                                                              monkeypatch):
    real = export_mod._write_private

    def die_on_manifest(path, data):
        if path.name.endswith(export_mod.MANIFEST_SUFFIX):
            raise KeyboardInterrupt("killed before the manifest")
        real(path, data)

    monkeypatch.setattr(export_mod, "_write_private", die_on_manifest)
    with pytest.raises(KeyboardInterrupt):
        export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)
    name = export_mod._case_file_name("agency-1", DAY, case_ids(handed, "L1", "L3"))
    assert files(tmp_path / "agency-1") == [name]                       # no manifest: not delivered
    monkeypatch.setattr(export_mod, "_write_private", real)
    report = export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)
    assert (report.cases, report.files, report.recognised) == (2, [name], 0)   # the same name, written over
    assert files(tmp_path / "agency-1") == [name, name.replace(".jsonl", ".manifest.json")]


def test_a_case_file_changed_after_it_was_written_stops_the_export_loudly(handed, cfg, tmp_path, monkeypatch):
    monkeypatch.setattr(export_mod, "_record", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)
    monkeypatch.undo()
    (tmp_path / "agency-1" / export_mod._case_file_name("agency-1", DAY, case_ids(handed, "L1", "L3"))
     ).write_text("{}\n")
    with pytest.raises(HandoffExportError, match="sha256"):
        export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)


def test_a_recalled_case_is_not_exported(handed, cfg, tmp_path):
    from loan_comms.handoff.recall import recall

    recall(handed.con, cfg, "L3", "handed off by mistake", now=NOW - timedelta(hours=1))
    report = export_cases(handed.con, cfg, as_of=DAY, out=tmp_path, now=NOW)
    assert report.cases == 1


def test_the_cli_exports_and_recalls_in_one_line_each(tmp_path, cfg, renderer):
    from loan_comms.cli import app

    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    book = Book(con)
    handoff_book(book)
    plan_day(con, cfg, renderer, START)
    book.send_all_planned()
    plan_day(con, cfg, renderer, START + timedelta(days=1))
    con.close()
    cli = CliRunner()
    out = cli.invoke(app, ["handoff", "export", "--db", str(path), "--as-of", str(START + timedelta(days=1))])
    assert out.exit_code == 0, out.output
    assert "1 cases" in out.output and "Wang" not in out.output
    assert (tmp_path / "exports" / "handoff" / "agency-1").is_dir()
    out = cli.invoke(app, ["handoff", "recall", "--db", str(path), "--loan", "L2", "--reason", "oops"])
    assert out.exit_code == 2 and "not handed off" in out.output and "Traceback" not in out.output
    out = cli.invoke(app, ["handoff", "recall", "--db", str(path), "--loan", "L1", "--reason", "returned",
                           "--now", "2026-11-04T00:00:00Z"])
    assert out.exit_code == 0 and "recalled" in out.output, out.output
    assert cli.invoke(app, ["handoff", "export", "--help"]).exit_code == 0
