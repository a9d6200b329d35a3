"""The book's side of the template studio (issue 18): the planner registers who wrote and approved
each wording it used, `loan-comms templates versions` reports what went out, and the studio's usage
file says how many contacts each template produced lately."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.cli.templates import app
from loan_comms.lifecycle.planner import plan_day
from loan_comms.templating import TemplateStore
from loan_comms.templating.releases import SOURCE_STUDIO, Provenance
from loan_comms.templating.usage import USAGE_NAME, export_template_usage, template_usage_file_for
from tests.builders import Book, EchoRenderer

STUDIO_TID = "sms/zh-CN/pre_due_3"


@pytest.fixture(scope="module")
def studio(cfg, shipped) -> TemplateStore:
    """The shipped library as a published release whose Chinese pre_due_3 SMS came from the studio."""
    version = shipped.by_id[STUDIO_TID].version
    provenance = {STUDIO_TID: Provenance(STUDIO_TID, version, SOURCE_STUDIO, author="pm.lin", reviewer="lead.zhou",
                                         approved_at="2026-11-01T09:30:00+00:00", draft_id=4,
                                         release="0002-0123456789ab")}
    return TemplateStore.from_files(shipped.files(), cfg, provenance=provenance)


def reminders(book: Book) -> None:
    """B1 (Shanghai, zh-CN) and B2 (New York, en), both due 10 November: pre_due_3 on the 7th."""
    book.borrower("B1", language="zh-CN", name="Wang Wei")
    book.loan("L1", "B1", [("2026-11-10", "1280.00")])
    book.borrower("B2", language="en", tz="America/New_York", jurisdiction="us", name="Ann Lee",
                  phone="+12125550100")
    book.loan("L2", "B2", [("2026-11-10", "356.75")], currency="USD")


def registry(book: Book) -> dict[tuple[str, str], tuple]:
    rows = book.con.execute("SELECT template_id, template_version, source, author, reviewer, approved_at, draft_id, "
                            "release, registered_at FROM template_versions").fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_the_planner_registers_each_version_it_used_once(book, cfg, studio):
    reminders(book)
    plan_day(book.con, cfg, studio, date(2026, 11, 7))
    used = set(book.con.execute("SELECT DISTINCT template_id, template_version FROM contact_attempts "
                                "WHERE template_version IS NOT NULL").fetchall())
    got = registry(book)
    assert set(got) == used and len(used) == 4   # sms and e-mail, in both languages
    source, author, reviewer, approved_at, draft_id, release, _ = got[(STUDIO_TID, studio.by_id[STUDIO_TID].version)]
    assert (source, author, reviewer, draft_id, release) == ("studio", "pm.lin", "lead.zhou", 4, "0002-0123456789ab")
    assert approved_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    others = [v for k, v in got.items() if k[0] != STUDIO_TID]
    assert all(v[:5] == ("repository", None, None, None, None) for v in others)

    plan_day(book.con, cfg, studio, date(2026, 11, 7))   # re-running the day adds nothing, changes nothing
    book.con.execute("DELETE FROM contact_attempts WHERE template_id = 'sms/en/pre_due_3'")
    book.con.execute("UPDATE day_runs SET planned_at = NULL WHERE as_of = DATE '2026-11-07'")
    plan_day(book.con, cfg, studio, date(2026, 11, 7))   # an interrupted day finished: its version was there
    assert registry(book) == got


def test_a_renderer_without_provenance_registers_repository_wording(book, cfg):
    reminders(book)
    plan_day(book.con, cfg, EchoRenderer(), date(2026, 11, 7))
    got = registry(book)
    assert {k[1] for k in got} == {"test"} and len(got) == 4
    assert all(v[:5] == ("repository", None, None, None, None) for v in got.values())


def test_a_dry_run_registers_nothing(book, cfg, studio):
    reminders(book)
    plan_day(book.con, cfg, studio, date(2026, 11, 7), dry_run=True)
    assert registry(book) == {}


# -- loan-comms templates versions ----------------------------------------------------------------

@pytest.fixture
def sent_book(tmp_path: Path, cfg, studio) -> Path:
    """A book on disk: the reminders of 7 and 9 November planned with the studio's release and sent."""
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    book = Book(con)
    reminders(book)
    for day in (7, 9):
        plan_day(con, cfg, studio, date(2026, 11, day))
        book.send_all_planned()
    con.close()
    return path


def test_versions_reports_who_wrote_and_approved_what_went_out(sent_book, studio):
    result = CliRunner().invoke(app, ["versions", "--db", str(sent_book)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["template", "version", "contacts", "first", "last", "source", "author", "reviewer",
                                "approved_at", "approvals"]
    rows = {ln.split()[0]: ln.split() for ln in lines[1:]}
    assert rows[STUDIO_TID] == [STUDIO_TID, studio.by_id[STUDIO_TID].version, "1", "2026-11-07", "2026-11-07",
                                "studio", "pm.lin", "lead.zhou", "2026-11-01", "09:30Z", "pm.lin", "/", "lead.zhou"]
    assert rows["sms/en/pre_due_3"][5:] == ["repository", "(git)", "-", "-", "-", "repository", "(git)"]
    assert set(rows) == {STUDIO_TID, "email/zh-CN/pre_due_3", "sms/en/pre_due_3", "email/en/pre_due_3",
                         "sms/zh-CN/pre_due_1", "sms/en/pre_due_1"}
    assert "Wang" not in result.output and "Ann" not in result.output


def test_versions_since_a_day_and_without_a_book(sent_book, tmp_path):
    later = CliRunner().invoke(app, ["versions", "--db", str(sent_book), "--since", "2026-11-08"])
    assert later.exit_code == 0, later.output
    assert {ln.split()[0] for ln in later.output.splitlines()[1:]} == {"sms/zh-CN/pre_due_1", "sms/en/pre_due_1"}
    none = CliRunner().invoke(app, ["versions", "--db", str(sent_book), "--since", "2026-12-01"])
    assert none.exit_code == 0 and "No contact with a template version went out since 2026-12-01." in none.output
    bad = CliRunner().invoke(app, ["versions", "--db", str(sent_book), "--since", "tomorrow"])
    assert bad.exit_code == 2 and "not a date" in bad.output
    missing = CliRunner().invoke(app, ["versions", "--db", str(tmp_path / "nope.duckdb")])
    assert missing.exit_code == 1 and missing.output.count("\n") == 1   # one line, no traceback
    assert missing.output.startswith("loan-comms: ") and "no loan book here" in missing.output


def test_versions_names_a_version_missing_from_the_registry(sent_book):
    con = db.connect(sent_book)
    con.execute("DELETE FROM template_versions WHERE template_id = 'sms/en/pre_due_1'")
    con.close()
    result = CliRunner().invoke(app, ["versions", "--db", str(sent_book)])
    assert result.exit_code == 0, result.output
    assert "UNREGISTERED" in result.output
    assert "1 version(s) are not in the registry" in result.output


# -- the studio's usage file ----------------------------------------------------------------------

def test_usage_counts_contacts_per_template_and_version_in_the_window(book, cfg, studio, tmp_path):
    reminders(book)
    for day in (7, 9, 10):
        plan_day(book.con, cfg, studio, date(2026, 11, day))
    path = template_usage_file_for(tmp_path / "book.duckdb")
    assert path == tmp_path / USAGE_NAME
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    assert export_template_usage(book.con, path, now=now, days=2) == 4   # 9 and 10 November: 4 templates
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["generated_at"] == "2026-11-10T12:00:00+00:00" and doc["days"] == 2
    assert doc["templates"] == {
        tid: {"contacts": 1, "last_sent": day, "versions": {studio.by_id[tid].version: 1}}
        for tid, day in (("sms/zh-CN/pre_due_1", "2026-11-09"), ("sms/en/pre_due_1", "2026-11-09"),
                         ("sms/zh-CN/due_today", "2026-11-10"), ("sms/en/due_today", "2026-11-10"))}

    # the English due_today SMS went out in a wording since published as pre_due_1's next version
    book.con.execute("UPDATE contact_attempts SET template_id = 'sms/en/pre_due_1', template_version = 'f00dfeedbeef' "
                     "WHERE template_id = 'sms/en/due_today'")
    export_template_usage(book.con, path, now=now, days=30)   # replaced whole, the 7th now inside
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["templates"][STUDIO_TID] == {"contacts": 1, "last_sent": "2026-11-07",
                                            "versions": {studio.by_id[STUDIO_TID].version: 1}}
    assert doc["templates"]["sms/en/pre_due_1"] == {
        "contacts": 2, "last_sent": "2026-11-10",
        "versions": {studio.by_id["sms/en/pre_due_1"].version: 1, "f00dfeedbeef": 1}}
    assert sum(t["contacts"] for t in doc["templates"].values()) == 8
    assert not list(tmp_path.glob("*.part"))


def test_usage_of_an_empty_book(con, tmp_path):
    path = tmp_path / USAGE_NAME
    assert export_template_usage(con, path, now=datetime(2026, 11, 10, tzinfo=UTC), days=30) == 0
    assert json.loads(path.read_text(encoding="utf-8"))["templates"] == {}


# -- books from before the registry ------------------------------------------------------------------

def test_a_book_from_before_the_registry_gets_its_versions_as_repository_wording_once(tmp_path):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    book = Book(con)
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-10", "500.00")])

    def contact(key: str, version: str) -> None:
        at = datetime(2026, 11, 7, 1, 0, tzinfo=UTC)
        book.contact(attempt_id=key, idempotency_key=key, borrower_id="B1", loan_id="L1", channel="sms",
                     purpose="reminder", step="pre_due_3", status="sent", planned_for_date=date(2026, 11, 7),
                     created_at=at, updated_at=at, sent_at=at, template_id="sms/zh-CN/pre_due_3",
                     template_version=version)

    contact("A1", "0ld0ld0ld0ld")
    con.close()
    con = db.connect(path)   # the schema files run again (as `loan-comms upgrade` does): the old contact is registered
    assert con.execute("SELECT template_version, source, author, registered_at FROM template_versions").fetchall() == [
        ("0ld0ld0ld0ld", "repository", None, datetime(2026, 11, 7, 1, 0, tzinfo=UTC))]
    book = Book(con)
    contact("A2", "n0tregistrd1")   # recorded without registering (not how the planner records)
    con.close()
    con = db.connect(path)   # once only: what comes later is the audit's to flag
    assert con.execute("SELECT count(*) FROM template_versions").fetchone() == (1,)
    con.close()


def test_a_wording_approved_again_is_registered_with_that_approval(book, cfg, shipped):
    """A roll back to the repository's wording, approved in the studio, goes out under that approval:
    the registry keeps both provenances of the one version, and the report names the latest and all."""
    reminders(book)
    book.borrower("B3", language="zh-CN", name="Li Na")
    book.loan("L3", "B3", [("2026-11-12", "500.00")])                        # its pre_due_3 on the 9th
    plan_day(book.con, cfg, shipped, date(2026, 11, 7))                      # the repository's wording
    version = shipped.by_id[STUDIO_TID].version
    again = TemplateStore.from_files(shipped.files(), cfg, provenance={STUDIO_TID: Provenance(
        STUDIO_TID, version, SOURCE_STUDIO, author="pm.lin", reviewer="lead.zhou",
        approved_at="2026-11-03T08:00:00+00:00", draft_id=9, release="0005-abc")})
    plan_day(book.con, cfg, again, date(2026, 11, 9))
    rows = book.con.execute("SELECT source, author, reviewer FROM template_versions WHERE template_id = $t "
                            "AND template_version = $v ORDER BY registered_at", {"t": STUDIO_TID, "v": version}).fetchall()
    assert rows == [("repository", None, None), ("studio", "pm.lin", "lead.zhou")]
    plan_day(book.con, cfg, again, date(2026, 11, 9))                        # a re-run adds nothing
    assert book.con.execute("SELECT count(*) FROM template_versions WHERE template_id = $t",
                            {"t": STUDIO_TID}).fetchone() == (2,)
