"""land_choices: each refusal reason (quarantined with file, line and reason), review routing, the
agent's path, replay, and landing inside a caller's transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from loan_comms.arrangements.accept import Choice, arrangement_id_for, land_choices
from tests.arrangements.conftest import OFFERED, in_arrears, offer

AT = OFFERED + timedelta(days=1)


def web(eid: str, option_no: int = 1, token: str = "TOK1", at: datetime = AT, **kw) -> Choice:
    return Choice("web", eid, at, token=token, option_no=option_no, source_file="/inbox/choices.jsonl",
                  source_line=kw.pop("line", 1), **kw)


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.fixture
def ready(con, book):
    in_arrears(book)
    offer(con)
    return con


def test_an_automatic_option_becomes_an_active_plan_with_its_schedule_event_and_export(ready, cfg):
    report = land_choices(ready, cfg, [web("sub-1")], now=AT)
    aid = arrangement_id_for("sub-1")
    assert report.accepted == [aid] and not report.requested and not report.refused
    assert rows(ready, "SELECT status, decided_by, starts_on::VARCHAR, ends_on::VARCHAR, source FROM arrangements") == [
        ("active", "rules", "2026-11-11", "2027-02-11", "web")]
    assert rows(ready, "SELECT installment_no, due_date::VARCHAR, amount::VARCHAR FROM arrangement_installments "
                       "ORDER BY 1") == [(1, "2026-12-11", "400.00"), (2, "2027-01-11", "400.00"),
                                         (3, "2027-02-11", "400.00")]
    assert rows(ready, "SELECT loan_id, arrears::VARCHAR FROM arrangement_loans") == [("L1", "300.00")]
    assert rows(ready, "SELECT agreed_via FROM arrangements") == [("web",)]
    ev = rows(ready, "SELECT kind, external_id, scope, loan_id, detail FROM borrower_events WHERE kind LIKE 'arr%'")
    assert [e[:4] for e in ev] == [("arrangement_accepted", f"arr:{aid}:accepted", "loan", "L1")]
    assert json.loads(ev[0][4])["decided_by"] == "rules"
    export = rows(ready, "SELECT export_id, event, status, payload FROM arrangement_exports")
    assert export[0][:3] == (f"{aid}:accepted", "accepted", "pending")
    record = json.loads(export[0][3])
    assert record["schedule"][0] == {"no": 1, "due_date": "2026-12-11", "amount": "400.00"}
    assert (record["loan_ids"], record["loans"], record["total"], record["occurred_on"]) == (
        ["L1"], [{"loan_id": "L1", "arrears": "300.00"}], "1200.00", "2026-11-11")
    assert "borrower_id" not in record


def test_replay_records_nothing_new(ready, cfg):
    land_choices(ready, cfg, [web("sub-1")], now=AT)
    before = rows(ready, "SELECT count(*) FROM borrower_events")
    again = land_choices(ready, cfg, [web("sub-1"), web("sub-1")], now=AT + timedelta(hours=1))
    assert again.already == 2 and not again.accepted and not again.refused
    assert rows(ready, "SELECT count(*) FROM borrower_events") == before
    assert rows(ready, "SELECT count(*) FROM arrangement_exports") == [(1,)]


def test_an_option_that_needs_review_waits_for_a_person(ready, cfg):
    report = land_choices(ready, cfg, [web("sub-2", option_no=2)], now=AT)
    assert report.requested == [arrangement_id_for("sub-2")] and not report.accepted
    assert rows(ready, "SELECT status, decided_at, decision_reason FROM arrangements") == [
        ("pending_review", None, "the option needs a person's approval")]
    assert rows(ready, "SELECT kind FROM borrower_events WHERE kind LIKE 'arr%'") == [("arrangement_requested",)]
    assert rows(ready, "SELECT count(*) FROM arrangement_exports") == [(0,)]


def test_an_option_no_longer_within_the_automatic_rules_goes_to_review(ready, book, cfg):
    book.event("B1", "arrangement_broken", "2026-06-01T10:00:00+08:00", loan_id="L1")
    book.event("B1", "arrangement_broken", "2026-07-01T10:00:00+08:00", loan_id="L1")
    report = land_choices(ready, cfg, [web("sub-1")], now=AT)
    assert report.requested and rows(ready, "SELECT decision_reason FROM arrangements")[0][0].startswith(
        "the option needs")


@pytest.mark.parametrize("choice, reason", [
    (web("x1", token="NOPE"), "unknown token (no offer has it)"),
    (web("x2", at=OFFERED + timedelta(days=30)), "offer expired on 2026-11-24"),
    (web("x3", option_no=7), "option 7 is not in the offer (it showed 1, 2)"),
    (Choice("web", "", AT, token="TOK1", option_no=1), "the choice has no id (external_id missing)"),
    (Choice("web", "x5", datetime(2026, 11, 11), token="TOK1", option_no=1), "chosen_at missing or without a time zone"),
    (Choice("fax", "x6", AT, token="TOK1", option_no=1), "source 'fax' is not one of web, sms, agent, file"),
    (Choice("agent", "x7", AT, loan_id="NOLOAN", option_id="respread_3"), "unknown loan"),
    (Choice("agent", "x8", AT, loan_id="L1", option_id="nope"), "unknown option 'nope' (see [arrangements.options])"),
    (Choice("agent", "x9", AT, loan_id="L1", option_id="freeze_3"),
     "option freeze_3 is not available for this loan: not for this loan's product or jurisdiction"),
])
def test_each_refusal_has_one_clear_reason_and_is_quarantined(ready, cfg, choice, reason):
    report = land_choices(ready, cfg, [choice, web("good")], now=AT)
    assert [why for _, why in report.refused] == [reason]
    assert report.accepted == [arrangement_id_for("good")]          # a bad choice never costs a good one
    q = rows(ready, "SELECT entity, reason FROM import_quarantine")
    assert q == [("arrangement_choice", reason)]


def test_an_offer_is_taken_once_and_a_loan_has_one_open_plan(ready, cfg):
    offer(ready, "TOK2")
    report = land_choices(ready, cfg, [web("a"), web("b", option_no=2), web("c", token="TOK2")], now=AT)
    assert report.accepted == [arrangement_id_for("a")]
    assert [why for _, why in report.refused] == [
        "offer already taken (a plan from it is active or waiting for review)",
        "another plan is active or waiting for review on loan ****L1"]      # masked: reasons are logged


def test_nothing_in_arrears_any_more(ready, book, cfg):
    book.pay("L1", "300.00", "2026-11-10T20:00:00+08:00")
    report = land_choices(ready, cfg, [web("late")], now=AT)
    assert [why for _, why in report.refused] == ["nothing in arrears on this loan any more"]


def test_an_agent_records_a_plan_agreed_on_a_call(ready, cfg):
    c = Choice("agent", "calls.csv:7", AT, loan_id="L1", option_id="respread_6", agent_id="AG7",
               source_file="/inbox/calls.csv", source_line=7)
    report = land_choices(ready, cfg, [c], now=AT)
    assert report.accepted == [arrangement_id_for("calls.csv:7")]
    assert rows(ready, "SELECT source, agent_id, offer_token, option_id, months FROM arrangements") == [
        ("agent", "AG7", None, "respread_6", 6)]
    assert rows(ready, "SELECT amount::VARCHAR FROM arrangement_installments ORDER BY installment_no")[0] == ("350.00",)


def test_inside_a_callers_transaction_its_rollback_undoes_the_landing(ready, cfg):
    ready.execute("BEGIN TRANSACTION")
    report = land_choices(ready, cfg, [web("sub-1"), web("bad", token="NOPE")], now=AT)
    assert report.accepted
    ready.execute("ROLLBACK")
    assert rows(ready, "SELECT count(*) FROM arrangements") == [(0,)]
    assert rows(ready, "SELECT count(*) FROM import_quarantine") == [(0,)]
