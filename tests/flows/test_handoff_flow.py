"""The handoff-export flow under the Prefect test server: it writes the day's case file once and
its artifact holds counts only (the names and numbers are only in the 0600 case file)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loan_comms import db
from loan_comms.config import load_config
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book, EchoRenderer
from tests.flows.test_ops_flows import read_artifacts
from tests.handoff.test_handoff_policy import START, handoff_book

pytestmark = pytest.mark.slow


def test_the_flow_exports_each_case_once_and_publishes_counts_only(tmp_path):
    from flows.handoff import handoff_export

    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    book = Book(con)
    handoff_book(book)
    cfg, renderer = load_config(), EchoRenderer()
    plan_day(con, cfg, renderer, START)
    book.send_all_planned()
    plan_day(con, cfg, renderer, START + timedelta(days=1))
    con.close()
    day = START + timedelta(days=1)
    first = handoff_export(as_of=day, db_path=str(path))
    again = handoff_export(as_of=day, db_path=str(path))
    assert (first["cases"], first["files"], again["cases"], again["files"]) == (1, 1, 0, 0)
    assert len(list((tmp_path / "exports" / "handoff" / "agency-1").glob("*.jsonl"))) == 1
    [artifact, *_] = read_artifacts(f"handoff-export-{day.isoformat()}")
    text = artifact["data"]
    assert "| agency-1 | 1 |" in text or "| agency-1 | 0 |" in text
    for pii in ("Wang", "+86", "@example.com", "L1"):
        assert pii not in text
