"""`loan-comms trace`: a complaint answered from the log, without personal data unless asked."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from loan_comms import db
from loan_comms.cli import _mount, app
from loan_comms.config import load_config
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import plan_day
from loan_comms.templating import TemplateStore, templates_dir
from tests.builders import Book


def test_trace_shows_each_decision_with_its_rule_policy_and_template(tmp_path):
    path = tmp_path / "t.duckdb"
    con = db.connect(path)
    book = Book(con)
    book.borrower("B1", name="Wang Wei", phone="+8613812345678", email=None)
    book.loan("L1", "B1", [("2026-11-10", "500.00")])
    book.event("B1", "opt_out", "2026-11-06T09:00:00+08:00", channel="sms")
    cfg = load_config()
    store = TemplateStore.load(templates_dir(cfg), cfg)
    for d in (7, 9, 10):
        plan_day(con, cfg, store, date(2026, 11, d))
        dispatch_day(con, cfg, date(2026, 11, d))
    con.close()

    _mount()
    out = CliRunner().invoke(app, ["trace", "--borrower", "B1", "--db", str(path)])
    assert out.exit_code == 0, out.output
    assert "opt_out  sms" in out.output
    assert "pre_due_3            suppressed (opted_out_sms)  rule=opted_out_sms" in out.output
    assert f"policy={cfg.policy_version}" in out.output
    assert "Wang" not in out.output and "+86138" not in out.output, "no personal data unless --wording"

    missing = CliRunner().invoke(app, ["trace", "--borrower", "nobody", "--db", str(path)])
    assert missing.exit_code == 2 and "no borrower 'nobody'" in missing.output
