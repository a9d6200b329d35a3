"""The dispatch task re-exports the plan page's offers: only offers whose contact went out are in
plan_offers.json, and the plan task exports before anything is sent, so without this the link of an
offer SMS answered "unknown offer" (404) from the moment it arrived until the next day's plan or an
ingest that landed a file (with the outbox provider, which brings no receipts: until the next day).

The task exports as of the wall clock, so this book is dated from today."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from prefect.logging import disable_run_logger

from loan_comms import db
from loan_comms.arrangements.web import export_offers, offers_file_for
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book, EchoRenderer


def test_the_day_dispatch_opens_the_offers_it_sent_on_the_page(tmp_path, cfg, monkeypatch):
    from tasks.dispatch import dispatch_whole_day

    monkeypatch.setenv("LOAN_COMMS_PLAN_TOKEN_KEY", "dispatch-export-test-key-0123456789")
    zone = ZoneInfo("Asia/Shanghai")
    day = datetime.now(UTC).astimezone(zone).date()
    path = tmp_path / "book.duckdb"
    con = db.connect(str(path))
    book = Book(con)
    book.borrower("B1")
    book.loan("L1", "B1", [((day - timedelta(days=10)).isoformat(), "300.00"),
                           ((day + timedelta(days=20)).isoformat(), "300.00")])
    book.event("B1", "hardship_request", datetime.combine(day - timedelta(days=1), time(10), zone).isoformat(),
               loan_id="L1")
    plan_day(con, cfg, EchoRenderer(), day)
    tokens = {t for (t,) in con.execute("SELECT token FROM arrangement_offers").fetchall()}
    assert tokens, "the day planned a hardship offer with its link"
    offers = offers_file_for(path)
    export_offers(con, cfg.arrangements, offers)           # what the plan task exports: nothing sent yet
    assert json.loads(offers.read_text()) == {}
    con.close()

    with disable_run_logger():
        dispatch_whole_day.fn(str(path), day)

    doc = json.loads(offers.read_text())
    assert set(doc) == tokens, "every offer the dispatch sent opens on the page"
    assert all(not o["expired"] and not o["taken"] and o["options"] for o in doc.values())
