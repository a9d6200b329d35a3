"""Plan choices from files: the page's drops land through land_choices once (replay-safe), bad rows
are quarantined with file, line and reason, only the page's own folder may say source 'web', the
call-me records become one callback_request event, and the inbox pass lands them and re-exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loan_comms.arrangements.intake import ingest_arrangement_choices
from loan_comms.arrangements.web import KIND, offers_file_for
from tests.arrangements.pages_fixtures import AFTER, TOKEN, ready_book


def drop(folder: Path, *records: dict | str, name: str = "page.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / name
    f.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return f


def choice(eid: str = "web:1", option_no: object = 1, token: str = TOKEN, **kw) -> dict:
    return {"token": token, "option_no": option_no, "chosen_at": AFTER.isoformat(), "source": "web",
            "external_id": eid, **kw}


def counts(con) -> tuple:
    return con.execute("SELECT (SELECT count(*) FROM arrangements), (SELECT count(*) FROM borrower_events), "
                       "(SELECT count(*) FROM import_quarantine), (SELECT count(*) FROM arrangement_exports)").fetchone()


@pytest.fixture
def ready(con):
    ready_book(con)
    return con


def test_the_page_s_choices_land_once(ready, cfg, tmp_path):
    f = drop(tmp_path / KIND, choice())
    report = ingest_arrangement_choices(ready, cfg, f, now=AFTER, trusted_web=True)
    assert (len(report.landed.accepted), report.quarantined, report.read) == (1, 0, 1)
    assert ready.execute("SELECT source, offer_token, option_no, status FROM arrangements").fetchall() == [
        ("web", TOKEN, 1, "active")]
    before = counts(ready)
    again = ingest_arrangement_choices(ready, cfg, f, now=AFTER, trusted_web=True)
    assert again.landed.already == 1 and not again.landed.accepted and counts(ready) == before
    assert "1 already known" in str(again)


def test_a_file_handed_in_cannot_claim_the_page_s_source(ready, cfg, tmp_path):
    ingest_arrangement_choices(ready, cfg, drop(tmp_path, choice()), now=AFTER)
    assert ready.execute("SELECT source FROM arrangements").fetchall() == [("file",)]


def test_bad_rows_are_quarantined_with_file_line_and_reason_and_cost_no_good_one(ready, cfg, tmp_path):
    f = drop(tmp_path, choice(eid="web:no-token", token=""), choice(eid="web:x", option_no="two"),
             {"token": TOKEN, "option_no": 1}, "{not json", choice(eid="web:unknown", token="TOKnobody000000000000A"),
             choice(eid="web:9", option_no=9), choice(eid="web:good"))
    report = ingest_arrangement_choices(ready, cfg, f, now=AFTER, trusted_web=True)
    assert len(report.landed.accepted) == 1 and report.quarantined == 6
    rows = ready.execute("SELECT source_line, entity, reason FROM import_quarantine ORDER BY source_line").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6] and {r[1] for r in rows} == {"arrangement_choice"}
    reasons = [r[2] for r in rows]
    assert "no token" in reasons[0] and "not a whole number" in reasons[1] and "external_id" in reasons[2]
    assert "unknown token" in reasons[4] and "option 9 is not in the offer" in reasons[5]
    assert all(r[1] == str(f.resolve()) for r in ready.execute("SELECT source_line, source_file FROM import_quarantine")
               .fetchall())
    text = str(report)
    assert "7 rows read" in text and "6 quarantined" in text and "page.jsonl:2" in text
    before = counts(ready)
    ingest_arrangement_choices(ready, cfg, f, now=AFTER, trusted_web=True)          # replay: nothing new
    assert counts(ready) == before


def test_csv_choices(ready, cfg, tmp_path):
    f = tmp_path / "choices.csv"
    f.write_text(f"token,option_no,chosen_at,external_id\n{TOKEN},2,{AFTER.isoformat()},row-1\n", encoding="utf-8")
    report = ingest_arrangement_choices(ready, cfg, f, now=AFTER)
    assert len(report.landed.requested) == 1                            # option 2 needs review


def test_a_call_me_record_becomes_one_callback_request(ready, cfg, tmp_path):
    rec = {"kind": "callback", "offer_token": TOKEN, "requested_at": AFTER.isoformat(), "source": "web",
           "external_id": f"plan-callback:{TOKEN}"}
    f = drop(tmp_path / KIND, rec, rec, {**rec, "offer_token": "TOKnobody000000000000A", "external_id": "cb-2"})
    report = ingest_arrangement_choices(ready, cfg, f, now=AFTER, trusted_web=True)
    assert report.callbacks == 1 and report.quarantined == 1
    assert ready.execute("SELECT borrower_id, loan_id, channel, scope, detail FROM borrower_events "
                         "WHERE kind = 'callback_request'").fetchall() == [("B1", "L1", "call", "borrower",
                                                                            '{"via": "plan_page"}')]
    again = ingest_arrangement_choices(ready, cfg, f, now=AFTER, trusted_web=True)
    assert again.callbacks == 0 and again.callbacks_known == 2
    assert ready.execute("SELECT count(*) FROM borrower_events WHERE kind = 'callback_request'").fetchone() == (1,)


def test_the_inbox_pass_lands_the_page_s_folder_after_the_replies(ready, cfg, tmp_path):
    from tasks.ingest import KINDS, ingest_inbox

    kinds = list(KINDS)
    assert kinds.index("arrangement_choices") > kinds.index("replies")
    inbox = tmp_path / "inbox"
    drop(inbox / KIND, choice())
    lines: list[str] = []
    report = ingest_inbox(ready, cfg, inbox, log=lines.append)
    assert report.files == {"arrangement_choices": 1} and report.quarantined == {"arrangement_choices/page.jsonl": 0}
    assert ready.execute("SELECT source FROM arrangements").fetchall() == [("web",)]
    assert not list((inbox / KIND).iterdir()) and TOKEN not in " ".join(lines)


def test_the_ingest_task_re_exports_the_offers(tmp_path, cfg):
    from prefect.logging import disable_run_logger

    from loan_comms import db
    from tasks.ingest import ingest_drop_folders

    path = tmp_path / "book.duckdb"
    con = db.connect(str(path))
    ready_book(con)
    con.close()
    drop(tmp_path / "inbox" / KIND, choice())
    with disable_run_logger():
        ingest_drop_folders.fn(str(path), str(tmp_path / "inbox"))
    doc = json.loads(offers_file_for(path).read_text())
    assert doc[TOKEN]["taken"] is True


def test_the_cli_ingests_a_file(ready, cfg, tmp_path):
    from typer.testing import CliRunner

    from loan_comms import db
    from loan_comms.cli.root import app

    path = tmp_path / "book.duckdb"
    con = db.connect(str(path))
    ready_book(con)
    con.close()
    f = drop(tmp_path, choice(), choice(eid="web:2", option_no="x"))
    result = CliRunner().invoke(app, ["ingest-arrangement-choices", str(f), "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows read" in result.output and "1 quarantined" in result.output and "1 plans accepted" in result.output
    missing = CliRunner().invoke(app, ["ingest-arrangement-choices", str(tmp_path / "nope.jsonl"), "--db", str(path)])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
