"""Review cases: legal steps served as configured in every arm; a share ramped mid-experiment is no violation."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from loan_comms.config import load_config
from loan_comms.experiments.config import ExperimentsError, check_against, load_experiments
from tests.experiments.test_arms import EXPERIMENT, borrower_in, experiments_cfg, run_days, _write

START = date(2026, 11, 1)


@pytest.mark.parametrize("extra", ['channels = { dpd_10 = ["email"] }', 'reminder_days = { pre_due_3 = 0 }',
                                   'channels = { pre_due_3 = ["email"] }', 'templates = { dpd_10 = "dpd_10_soft" }'])
def test_an_arm_cannot_change_how_a_legal_step_is_served(cfg, tmp_path, extra):
    legal = cfg.model_copy(update={"policy": cfg.policy.model_copy(
        update={"legally_required_steps": ("dpd_10", "pre_due_3")})})
    text = EXPERIMENT.format(salt="x", extra=extra).replace('skip_steps = ["dpd_3", "dpd_10"]', 'skip_steps = ["dpd_3"]')
    file = load_experiments(_write(tmp_path / "e.toml", text))
    with pytest.raises(ExperimentsError):
        check_against(file, legal)


# A PM ramps the challenger from 50 % to 70 % mid-experiment (validation passes, the planner keeps
# every recorded arm): the audit now re-draws with the new shares and flags honest contacts.
def test_ramping_shares_mid_experiment_is_not_an_audit_violation(book, renderer, tmp_path, monkeypatch):
    from loan_comms.audit.runner import run_audit
    from loan_comms.experiments.arms import draw

    cfg = experiments_cfg(tmp_path, monkeypatch)
    # a borrower drawn champion at 50/50 who would be 'fewer' at 30/70
    n = 0
    while not 0.3 <= draw("s1", f"B{n}") < 0.5:
        n += 1
    b = f"B{n}"
    book.borrower(b)
    book.loan(f"L{b}", b, [("2026-11-01", "500.00")])
    run_days(book, cfg, renderer, START + timedelta(days=1), 3)
    p = tmp_path / "ramped.toml"
    p.write_text(EXPERIMENT.format(salt="s1", extra="").replace("share = 0.5\n\n[[experiments.arms]]", "share = 0.3\n\n[[experiments.arms]]").replace("share = 0.5\nskip", "share = 0.7\nskip"))
    monkeypatch.setenv("LOAN_COMMS_EXPERIMENTS_FILE", str(p))
    cfg2 = load_config()
    run_days(book, cfg2, renderer, date(2026, 11, 4), 2)
    report = run_audit(book.con, cfg2, rules=("experiment_arm_honoured",), keep_tables=True)
    assert report.violations == 0
