"""Cases a stranger's review of issue 19 found: an arm renamed mid-experiment, a book audited without
the file that made it, a repeated channel, legal steps, the draw in SQL and Python."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from loan_comms.config import load_config
from loan_comms.experiments.config import check_against, load_experiments
from loan_comms.lifecycle.planner import plan_day
from tests.experiments.test_arms import EXPERIMENT, borrower_in, experiments_cfg, run_days, _write

START = date(2026, 11, 1)


def steps_of(con, b):
    return con.execute("SELECT planned_for_date, step, channel, arm FROM contact_attempts WHERE borrower_id = ? "
                       "AND status <> 'suppressed' ORDER BY 1, 2, 3", [b]).fetchall()


# 1. An arm renamed/removed mid-experiment: its recorded borrowers keep arm_key 'exp/fewer', which has
#    no rows in cfg_arm_steps -> no ladder step and no reminder at all (legally required ones included).
def test_renamed_arm_borrowers_still_get_the_ladder(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch)
    fewer = borrower_in("fewer")
    book.borrower(fewer)
    book.loan(f"L{fewer}", fewer, [("2026-11-01", "500.00"), ("2026-12-20", "500.00")])
    run_days(book, cfg, renderer, START + timedelta(days=1), 2)          # 11-02, 11-03: assigned to 'fewer'
    assert book.con.execute("SELECT arm FROM experiment_assignments").fetchall() == [("fewer",)]
    # the PM renames the arm (or removes it and rebalances): validation passes
    p = tmp_path / "renamed.toml"
    p.write_text(EXPERIMENT.format(salt="s1", extra="").replace('name = "fewer"', 'name = "shorter"'))
    monkeypatch.setenv("LOAN_COMMS_EXPERIMENTS_FILE", str(p))
    cfg2 = load_config()
    run_days(book, cfg2, renderer, date(2026, 11, 4), 10)               # 11-04 .. 11-13: dpd 3..12
    got = steps_of(book.con, fewer)
    assert any(s == "dpd_5" for _, s, _, _ in got), got                   # the ladder must go on


# 2. The audit reads the experiments from LOAN_COMMS_EXPERIMENTS_FILE: audit the same book in a process
#    without it (the demo sets it only for its own process) -> every tagged contact is a violation.
def test_audit_of_a_demo_book_without_the_env_var(book, renderer, tmp_path, monkeypatch):
    from loan_comms.audit.runner import run_audit

    cfg = experiments_cfg(tmp_path, monkeypatch)
    champ, fewer = borrower_in("champion"), borrower_in("fewer")
    for b in (champ, fewer):
        book.borrower(b)
        book.loan(f"L{b}", b, [("2026-11-01", "500.00")])
    run_days(book, cfg, renderer, START + timedelta(days=1), 6)
    assert run_audit(book.con, cfg, rules=("experiment_arm_honoured",)).violations == 0
    monkeypatch.delenv("LOAN_COMMS_EXPERIMENTS_FILE")       # `loan-comms audit --db data/demo.duckdb` later
    report = run_audit(book.con, load_config(), rules=("experiment_arm_honoured", "ladder_order"))
    assert report.violations == 0, report


# 3. A repeated channel passes validation and duplicates the arm's candidates.
def test_a_repeated_channel_is_refused_or_harmless(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch, extra='channels = { dpd_1 = ["sms", "sms"], pre_due_3 = ["sms", "sms"] }')
    fewer = borrower_in("fewer")
    book.borrower(fewer)
    book.loan(f"L{fewer}", fewer, [("2026-11-01", "500.00")])
    run_days(book, cfg, renderer, START + timedelta(days=1), 1)
    n = book.con.execute("SELECT count(*) FROM contact_attempts WHERE borrower_id = ? AND step = 'dpd_1'", [fewer]).fetchone()[0]
    assert n == 1


# 4. Legally required steps: an arm may change their channel, timing (reminders) and wording freely.
def test_an_arm_cannot_change_how_a_legal_step_is_served(cfg, tmp_path):
    legal = cfg.model_copy(update={"policy": cfg.policy.model_copy(
        update={"legally_required_steps": ("dpd_10", "pre_due_3")})})
    for extra in ('channels = { dpd_10 = ["email"] }', 'reminder_days = { pre_due_3 = 0 }',
                  'channels = { pre_due_3 = ["email"] }'):
        text = EXPERIMENT.format(salt="x", extra=extra).replace('skip_steps = ["dpd_3", "dpd_10"]', 'skip_steps = ["dpd_3"]')
        file = load_experiments(_write(tmp_path / f"e{abs(hash(extra))}.toml", text))
        with pytest.raises(Exception):
            check_against(file, legal)



# 6. Float edge: the SQL draw and the Python draw agree, also at the top of the range.
def test_draw_sql_matches_python(con):
    from loan_comms.experiments.arms import draw
    ids = [f"B{i}" for i in range(3000)]
    got = dict(con.execute("SELECT b, md5_number_upper('s:' || b)::DOUBLE / 18446744073709551616.0 FROM "
                           "unnest(?) AS t(b)", [ids]).fetchall())
    assert all(got[b] == draw("s", b) for b in ids)
