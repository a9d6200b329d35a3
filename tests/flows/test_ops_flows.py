"""The UI-run flows under the Prefect test server: artifacts, dry run, concurrency, alerts."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime

import pytest

from loan_comms import db
from loan_comms.inbound.reviews import public_id
from tests.builders import Book

pytestmark = pytest.mark.slow

DAY = date(2026, 11, 9)
SHANGHAI_MORNING = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)   # 10:00 in Shanghai: the window is open


def read_artifacts(key: str | None = None, type_: str | None = None) -> list[dict]:
    """Artifacts newest first, straight from the API (as the UI reads them)."""
    from prefect.client.orchestration import get_client

    flt: dict = {}
    if key:
        flt["key"] = {"any_": [key]}
    if type_:
        flt["type"] = {"any_": [type_]}
    with get_client(sync_client=True) as client:
        resp = client.request("POST", "/artifacts/filter", json={
            "artifacts": flt, "limit": 20, "offset": 0, "sort": "CREATED_DESC"})  # no flow_runs/task_runs:
        # an empty filter there joins task runs and hides flow-level artifacts
        return resp.json()


def make_book(path, n: int = 6):
    con = db.connect(path)
    b = Book(con)
    for i in range(n):
        b.borrower(f"B{i}", name=f"王小明{i}", phone=f"+86138123456{i:02d}")
        b.loan(f"L{i}-due", f"B{i}", [("2026-11-12", "800.00")])                       # pre_due_3: sms + email
        # overdue since 11-08, first seen on DAY (11-09) at 1 dpd: dpd_1 (first seen later, the ladder would
        # start at the step its dpd calls for: issue 11 case 8)
        b.loan(f"L{i}-late", f"B{i}", [("2026-11-08", "300.00"), ("2026-11-30", "300.00")])
    con.close()
    return path


@pytest.fixture
def book(tmp_path):
    return make_book(tmp_path / "book.duckdb")


def contacts(path) -> list[tuple]:
    con = db.connect(path, read_only=True)
    try:
        return con.execute("SELECT idempotency_key, channel, status FROM contact_attempts ORDER BY 1").fetchall()
    finally:
        con.close()


def test_dry_run_records_nothing_and_shows_what_would_have_gone(book):
    from flows.daily_plan import daily_plan

    out = daily_plan(as_of=DAY, dry_run=True, db_path=str(book))
    assert out["dry_run"] and out["would_plan"] > 0
    assert contacts(book) == [], "a dry run records nothing, so nothing can be sent from it"
    [art, *_] = read_artifacts(f"plan-preview-{DAY}")
    assert "nothing was recorded or sent" in art["data"] and "| reminder | pre_due_3 | sms |" in art["data"]
    assert "王小明" not in art["data"] and "+86138" not in art["data"]


def test_plan_dispatch_and_call_queue_publish_their_artifacts(book):
    from flows.call_queue import build_call_queue
    from flows.daily_plan import daily_plan
    from flows.dispatch import dispatch_open_windows

    planned = daily_plan(as_of=DAY, db_path=str(book))
    assert planned["planned"] > 0
    summary = read_artifacts(f"day-summary-{DAY}")[0]["data"]
    assert "Plan for 2026-11-09" in summary and "## Cap pressure" in summary and "pre_due_3" in summary

    sent = dispatch_open_windows(now=SHANGHAI_MORNING, db_path=str(book), batch_size=5)
    assert sum(sent["sent"].values()) == planned["planned"] and sent["batches"] >= 2
    progress = read_artifacts(type_="progress")[0]
    assert progress["data"] == 100 and "sent" in progress["description"]
    md = read_artifacts("dispatch-summary")[0]["data"]
    assert "| sms |" in md and "Dispatch at 2026-11-09 02:00 UTC" in md

    queue = build_call_queue(as_of=DAY, db_path=str(book))
    assert queue["calls"] == 0
    assert "0** calls queued" in read_artifacts(f"call-queue-summary-{DAY}")[0]["data"]


def test_two_runs_of_the_same_day_at_once_send_each_contact_once(book, monkeypatch):
    """A scheduled run and a manual one, started together: the gateway sees each contact once."""
    from flows.daily_plan import daily_plan
    from flows.dispatch import dispatch_open_windows
    from loan_comms.delivery.fake_gateway import FakeGateway

    gw = FakeGateway()
    gw.start()
    try:
        for ch in ("SMS", "EMAIL"):
            monkeypatch.setenv(f"LOAN_COMMS_{ch}_PROVIDER", "webhook")
            monkeypatch.setenv(f"LOAN_COMMS_{ch}_BASE_URL", gw.url)
        gw.state.configure({"delay": 0.2})  # slow answers: a real race window while batches are in flight
        errors: list[BaseException] = []
        together = threading.Barrier(2)

        def run() -> None:
            try:
                together.wait(30)
                daily_plan(as_of=DAY, db_path=str(book), lock_timeout_s=120)
                together.wait(60)
                dispatch_open_windows(now=SHANGHAI_MORNING, db_path=str(book), lock_timeout_s=120)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert not errors, errors
        rows = contacts(book)
        sent = [r for r in rows if r[2] == "sent"]
        assert sent and all(r[2] in ("sent", "suppressed") for r in rows)
        assert len(rows) == len({r[0] for r in rows}), "each contact recorded once"
        stats = gw.stats()
        assert stats["accepted"] == len(sent) and stats["duplicates"] == 0, "each contact reached the gateway once"
    finally:
        gw.stop()


def test_a_failed_run_posts_to_the_alert_webhook(book, tmp_path, monkeypatch):
    from flows.daily_plan import daily_plan
    from tests.ops.test_alerting import Hook

    hook = Hook()
    try:
        monkeypatch.setenv("LOAN_COMMS_ALERT_WEBHOOK_URL", hook.url)
        bad = tmp_path / "broken.toml"
        bad.write_text("[general\n", encoding="utf-8")
        state = daily_plan(as_of=DAY, db_path=str(book), config_path=str(bad), return_state=True)
        assert state.is_failed()
        [body] = hook.bodies
        assert body["kind"] == "run_failed" and body["flow"] == "daily-plan" and body["as_of"] == str(DAY)
        assert "not valid TOML" in body["text"]
    finally:
        hook.close()


def test_ingest_flow_moves_files_and_reports(book, tmp_path):
    from flows.ingest import ingest_inbox

    inbox = tmp_path / "inbox"
    (inbox / "operator_events").mkdir(parents=True)
    (inbox / "operator_events" / "agents.jsonl").write_text(json.dumps(
        {"event_id": "e1", "borrower_id": "B1", "kind": "cease_contact", "occurred_at": "2026-11-08T03:00:00Z"}))
    out = ingest_inbox(inbox=str(inbox), db_path=str(book))
    assert out == {"files": {"operator_events": 1}, "failed_files": 0, "reviews_opened": 0, "reviews_open": 0,
                   "reviews_overdue": 0}
    assert list((inbox / "processed" / "operator_events").iterdir())
    md = read_artifacts("ingest-summary")[0]["data"]
    assert "operator_events/agents.jsonl: operator events: 1 rows read, 1 recorded" in md


def test_an_overdue_review_item_warns_and_alerts_but_the_run_succeeds(book, tmp_path, monkeypatch):
    """An agent's ambiguous note opens a review item; its deadline (2 business days) has passed on the
    wall clock: the queue artifact lists it without the text, the alert names ids only, the run is fine."""
    from flows.ingest import ingest_inbox
    from tests.ops.test_alerting import Hook

    inbox = tmp_path / "inbox"
    (inbox / "operator_events").mkdir(parents=True)
    (inbox / "operator_events" / "notes.jsonl").write_text(json.dumps(
        {"event_id": "n1", "borrower_id": "B1", "kind": "note", "text": "maybe stop, +8613812345601",
         "occurred_at": "2026-11-08T03:00:00Z"}))
    hook = Hook()
    try:
        monkeypatch.setenv("LOAN_COMMS_ALERT_WEBHOOK_URL", hook.url)
        state = ingest_inbox(inbox=str(inbox), db_path=str(book), return_state=True)
        assert state.is_completed()
        out = state.result()
        assert (out["reviews_opened"], out["reviews_open"], out["reviews_overdue"]) == (1, 1, 1)
        [body] = hook.bodies
        assert body["kind"] == "review_overdue" and "+86" not in body["text"]
        assert public_id("operator:n1") in body["text"] and "operator:n1" not in body["text"]   # a hash, not the id
    finally:
        hook.close()
    queue = read_artifacts("review-queue")[0]   # newest first
    assert public_id("operator:n1") in json.dumps(queue["data"]) and "operator:n1" not in json.dumps(queue["data"])
    assert "maybe" not in json.dumps(queue["data"])
    assert "+86138" not in json.dumps(queue["data"])


def test_an_unreadable_inbox_file_fails_the_run_and_alerts_but_the_good_files_land(book, tmp_path, monkeypatch):
    from flows.ingest import ingest_inbox
    from tests.ops.test_alerting import Hook

    inbox = tmp_path / "inbox"
    (inbox / "operator_events").mkdir(parents=True)
    (inbox / "call_outcomes").mkdir(parents=True)
    (inbox / "operator_events" / "agents.jsonl").write_text(json.dumps(
        {"event_id": "e9", "borrower_id": "B1", "kind": "cease_contact", "occurred_at": "2026-11-08T03:00:00Z"}))
    (inbox / "call_outcomes" / "dialer.json").write_bytes(json.dumps(
        [{"attempt_id": "a1", "outcome": "reached", "note": "客户说明天还款"}], ensure_ascii=False).encode("gbk"))
    hook = Hook()
    try:
        monkeypatch.setenv("LOAN_COMMS_ALERT_WEBHOOK_URL", hook.url)
        state = ingest_inbox(inbox=str(inbox), db_path=str(book), return_state=True)
        assert state.is_failed()
        [body] = hook.bodies
        assert body["flow"] == "ingest-inbox" and "could not be read" in body["text"]
        assert "客户" not in json.dumps(body, ensure_ascii=False)
    finally:
        hook.close()
    con = db.connect(book, read_only=True)
    assert con.execute("SELECT count(*) FROM borrower_events WHERE external_id LIKE '%e9'").fetchall() == [(1,)]
    con.close()
    assert list((inbox / "failed" / "call_outcomes").iterdir())
