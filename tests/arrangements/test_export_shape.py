"""One payload shape for every core-banking record: a plan accepted (land_choices), one broken and
one kept (the day's plan) carry exactly export_files.PAYLOAD_KEYS, with no borrower id, and the day's
CSV leaves no column empty for any of them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from loan_comms.arrangements import export_files as files
from loan_comms.arrangements.accept import Choice, arrangement_id_for, land_choices
from loan_comms.lifecycle.planner import plan_day
from tests.arrangements.conftest import OFFERED, in_arrears, offer

AT = OFFERED + timedelta(days=1)


def _records(con) -> dict[str, dict]:
    return {e: json.loads(p) for e, p in con.execute("SELECT event, payload FROM arrangement_exports").fetchall()}


def test_accepted_broken_and_kept_records_have_the_same_keys(con, book, cfg, renderer):
    in_arrears(book, "B1", "L1")
    in_arrears(book, "B2", "L2")
    offer(con, "TOK1", borrower="B1", loan="L1")
    offer(con, "TOK2", borrower="B2", loan="L2")
    choices = [Choice("web", f"sub-{n}", AT, token=f"TOK{n}", option_no=1) for n in (1, 2)]
    assert len(land_choices(con, cfg, choices, now=AT).accepted) == 2
    book.pay("L2", "1200.00", "2026-12-01T10:00:00+08:00")     # B2 covers every plan installment
    plan_day(con, cfg, renderer, date(2026, 12, 26))          # B1 paid nothing: broken 14 days after Dec 11

    events = {(r[0], r[1]) for r in con.execute("SELECT arrangement_id, event FROM arrangement_exports").fetchall()}
    assert events == {(arrangement_id_for("sub-1"), "accepted"), (arrangement_id_for("sub-2"), "accepted"),
                      (arrangement_id_for("sub-1"), "broken"), (arrangement_id_for("sub-2"), "kept")}
    payloads = [json.loads(p) for (p,) in con.execute("SELECT payload FROM arrangement_exports").fetchall()]
    for p in payloads:
        assert sorted(p) == sorted(files.PAYLOAD_KEYS), p["export_id"]
        assert files.payload_problem(json.dumps(p)) is None
        assert p["loan_ids"] == [x["loan_id"] for x in p["loans"]] and p["decided_by"] == "rules"
        assert len(p["schedule"]) == 3 and p["total"] == "1200.00"
    kept = next(p for p in payloads if p["event"] == "kept")
    assert (kept["occurred_on"], kept["loans"]) == ("2026-12-01", [{"arrears": "300.00", "loan_id": "L2"}])
    assert next(p for p in payloads if p["event"] == "broken")["occurred_on"] == "2026-12-25"

    rows = con.execute("SELECT export_id, arrangement_id, event, payload, created_at FROM arrangement_exports "
                       "ORDER BY export_id").fetchall()
    _, text = files.render([dict(zip(("export_id", "arrangement_id", "event", "payload", "created_at"), r))
                            for r in rows])
    table = list(csv.DictReader(io.StringIO(text.decode())))
    assert {r["event"] for r in table} == {"accepted", "broken", "kept"}
    assert all(r[c] for r in table for c in files.CSV_COLUMNS if c != "other"), "no column left empty"
    assert not any(r["other"] for r in table)
