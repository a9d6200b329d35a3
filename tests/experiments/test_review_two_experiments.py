"""Review cases: an experiment extended after its borrower moved on to another."""
from __future__ import annotations

from datetime import date, timedelta

from loan_comms.config import load_config
from loan_comms.lifecycle.planner import plan_day
from tests.experiments.test_arms import experiments_cfg

TWO = """
[[experiments]]
name = "a"
start = 2026-11-01
end = {a_end}
population = {{ dpd = [1, 30] }}
[[experiments.arms]]
name = "champion"
share = 0.5
[[experiments.arms]]
name = "fewer"
share = 0.5
skip_steps = ["dpd_3"]

[[experiments]]
name = "b"
start = 2026-11-01
end = 2027-01-31
population = {{ dpd = [1, 30] }}
[[experiments.arms]]
name = "champion"
share = 0.5
[[experiments.arms]]
name = "other"
share = 0.5
skip_steps = ["dpd_10"]
"""


def test_an_extended_experiment_does_not_take_back_a_borrower_another_holds(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch, text=TWO.format(a_end="2026-11-03"))
    from loan_comms.experiments.arms import draw
    n = 0
    while not (draw("a", f"B{n}") >= 0.5 and draw("b", f"B{n}") >= 0.5):
        n += 1
    b1 = f"B{n}"
    book.borrower(b1)
    book.loan("L1", b1, [("2026-11-01", "500.00")])
    for d in range(2, 6):                      # 11-02..03 in a; a ends; 11-04 into b
        plan_day(book.con, cfg, renderer, date(2026, 11, d)); book.send_all_planned()
    p = tmp_path / "extended.toml"             # the PM extends a
    p.write_text(TWO.format(a_end="2027-01-31"))
    monkeypatch.setenv("LOAN_COMMS_EXPERIMENTS_FILE", str(p))
    cfg2 = load_config()
    for d in range(6, 14):
        plan_day(book.con, cfg2, renderer, date(2026, 11, d)); book.send_all_planned()
    rows = book.con.execute("SELECT planned_for_date, step, channel, experiment, arm, status FROM contact_attempts "
                            "ORDER BY 1").fetchall()
    dup = book.con.execute("SELECT planned_for_date, step, channel, count(*) FROM contact_attempts "
                           "GROUP BY ALL HAVING count(*) > 1").fetchall()
    from loan_comms.audit.runner import run_audit
    rep = run_audit(book.con, cfg2, rules=("experiment_arm_honoured", "ladder_order"))
    assert dup == []
    assert rep.violations == 0, rep
    # the latest assignment is the borrower's: every contact after it names b, none names a
    later = {(e, a) for day, _, _, e, a, _ in rows if day >= date(2026, 11, 4)}
    assert later and all(e == "b" for e, _ in later), later
