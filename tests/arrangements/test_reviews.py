"""The arrangement review queue: listed masked with age and overdue; approve (active from the approval
day, event decided_by the reviewer, export), decline (event with the reason), no self-approval, and
the CLI's one-line errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.arrangements.accept import Choice, arrangement_id_for, land_choices
from loan_comms.arrangements.reviews import ArrangementReviewError, approve, decline, pending
from loan_comms.cli.root import app
from tests.arrangements.conftest import OFFERED, in_arrears, offer
from tests.builders import Book

AT = OFFERED + timedelta(days=1)


def request(con, cfg, eid: str = "sub-2", *, agent: str | None = None) -> str:
    if agent:
        c = Choice("agent", eid, AT, loan_id="LN12345678", option_id="reduced_50_6", agent_id=agent)
    else:
        c = Choice("web", eid, AT, token="TOK1", option_no=2)
    assert land_choices(con, cfg, [c], now=AT).requested == [arrangement_id_for(eid)]
    return arrangement_id_for(eid)


@pytest.fixture
def queued(con, book, cfg):
    in_arrears(book, loan="LN12345678")
    offer(con, loan="LN12345678")
    return con


def test_pending_requests_are_listed_masked_with_age_and_deadline(queued, cfg):
    aid = request(queued, cfg)
    [r] = pending(queued, cfg, AT + timedelta(hours=30))
    assert (r.arrangement_id, r.option_id, r.months) == (aid, "reduced_50_6", 6)
    assert "12345678" not in r.loan_masked and r.age_hours == 30.0 and not r.overdue
    assert r.payment == 150 and r.total == 600      # recomputed at the request: 150 x 3, then the floor 50 x 3
    assert pending(queued, cfg, AT + timedelta(days=3))[0].overdue


def test_approve_makes_it_active_from_the_approval_day(queued, cfg):
    aid = request(queued, cfg)
    when = AT + timedelta(days=20)                        # 2026-12-01 11:00 in Shanghai
    done = approve(queued, aid, "rev1", when, "income documented")
    assert done.starts_on.isoformat() == "2026-12-01"
    assert queued.execute("SELECT status, decided_by, decision_reason, starts_on::VARCHAR, ends_on::VARCHAR "
                          "FROM arrangements").fetchall() == [
        ("active", "rev1", "income documented", "2026-12-01", "2027-06-01")]
    assert queued.execute("SELECT min(due_date)::VARCHAR FROM arrangement_installments").fetchall() == [("2027-01-01",)]
    ev = queued.execute("SELECT kind, detail FROM borrower_events WHERE kind = 'arrangement_accepted'").fetchall()
    assert json.loads(ev[0][1])["decided_by"] == "rev1"
    assert queued.execute("SELECT export_id FROM arrangement_exports").fetchall() == [(f"{aid}:accepted",)]
    assert not pending(queued, cfg, when)
    with pytest.raises(ArrangementReviewError, match="already decided"):
        approve(queued, aid, "rev2", when)


def test_decline_records_the_reason_for_the_borrower(queued, cfg):
    aid = request(queued, cfg)
    decline(queued, aid, "rev1", "  income does not cover it  ", AT + timedelta(hours=5))
    assert queued.execute("SELECT status, decision_reason FROM arrangements").fetchall() == [
        ("declined", "income does not cover it")]
    [(detail,)] = queued.execute("SELECT detail FROM borrower_events WHERE kind = 'arrangement_declined'").fetchall()
    assert json.loads(detail)["reason"] == "income does not cover it"
    assert queued.execute("SELECT count(*) FROM arrangement_exports").fetchall() == [(0,)]
    with pytest.raises(ArrangementReviewError, match="reason is required"):
        decline(queued, aid, "rev1", " ", AT)


def test_the_agent_who_recorded_a_request_cannot_approve_it(queued, cfg):
    aid = request(queued, cfg, "row-1", agent="AG7")
    with pytest.raises(ArrangementReviewError, match="cannot approve"):
        approve(queued, aid, "AG7", AT)
    assert approve(queued, aid, "rev1", AT).status == "active"


def test_cli_review_approve_decline(tmp_path, cfg):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    in_arrears(Book(con), loan="LN12345678")
    offer(con, loan="LN12345678")
    offer(con, "TOK2", loan="LN12345678")
    aid = request(con, cfg)
    con.close()
    runner = CliRunner()
    listed = runner.invoke(app, ["arrangements", "review", "--db", str(path), "--now", "2026-11-12T00:00:00Z"])
    assert listed.exit_code == 0, listed.output
    assert aid in listed.output and "1 plan requests waiting, 0 overdue" in listed.output
    assert "LN12345678" not in listed.output and "Wang" not in listed.output
    bad = runner.invoke(app, ["arrangements", "approve", "nope", "--db", str(path), "--by", "rev1"])
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1 and "no arrangement" in bad.output
    no_reason = runner.invoke(app, ["arrangements", "decline", aid, "--db", str(path), "--by", "rev1", "--reason", ""])
    assert no_reason.exit_code == 2 and "Traceback" not in no_reason.output
    ok = runner.invoke(app, ["arrangements", "decline", aid, "--db", str(path), "--by", "rev1",
                             "--reason", "not affordable"])
    assert ok.exit_code == 0 and f"arrangement {aid} declined by rev1" in ok.output
