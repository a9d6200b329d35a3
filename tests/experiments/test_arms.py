"""Experiments in the daily plan: who is drawn into which arm, that the draw is stable and recorded
once, that each arm proposes its own steps and wording, and that no arm gets past the policy."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from loan_comms.config import ConfigError, LifecycleConfig, load_config
from loan_comms.experiments.arms import arm_for, draw
from loan_comms.experiments.config import ExperimentsError, check_against, load_experiments
from loan_comms.lifecycle.planner import plan_day

START = date(2026, 11, 1)

EXPERIMENT = """
[[experiments]]
name = "fewer_contacts"
salt = "{salt}"
start = 2026-11-01
end = 2027-01-31
population = {{ dpd = [1, 30] }}

[[experiments.arms]]
name = "champion"
share = 0.5

[[experiments.arms]]
name = "fewer"
share = 0.5
skip_steps = ["dpd_3", "dpd_10"]
{extra}
"""


def experiments_cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, salt: str = "s1", extra: str = "",
                    text: str | None = None) -> LifecycleConfig:
    path = tmp_path / f"experiments-{salt}.toml"
    if text is None:
        text = EXPERIMENT.format(salt=salt, extra=extra)
        if extra.startswith("skip_steps"):   # instead of the arm's own
            text = text.replace('skip_steps = ["dpd_3", "dpd_10"]\n', "")
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LOAN_COMMS_EXPERIMENTS_FILE", str(path))
    return load_config()


def run_days(book, cfg, renderer, first: date, n: int) -> None:
    for i in range(n):
        plan_day(book.con, cfg, renderer, first + timedelta(days=i))
        book.send_all_planned()


def assignments(con) -> dict[str, tuple[str, float, date]]:
    return {b: (arm, d, on) for b, arm, d, on in con.execute(
        "SELECT borrower_id, arm, draw, assigned_on FROM experiment_assignments").fetchall()}


def borrower_in(arm: str, salt: str = "s1", start: int = 0) -> str:
    """The first borrower id B<n> (n >= start) the draw puts in `arm`."""
    file_arms = {"champion": (0.0, 0.5), "fewer": (0.5, 1.0)}
    lo, hi = file_arms[arm]
    n = start
    while not lo <= draw(salt, f"B{n}") < hi:
        n += 1
    return f"B{n}"


def test_the_draw_is_a_salted_hash_recorded_once_and_stable(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch)
    ids = [f"B{i}" for i in range(120)]
    for b in ids:
        book.borrower(b)
        book.loan(f"L{b}", b, [("2026-10-30", "100.00"), ("2026-12-30", "100.00")])
    plan_day(book.con, cfg, renderer, START)   # every loan at 2 dpd: all enter today
    first = assignments(book.con)
    assert set(first) == set(ids)
    exp = load_experiments(tmp_path / "experiments-s1.toml").experiments[0]
    for b, (arm, d, on) in first.items():   # the SQL draw is the documented hash, read against the shares
        assert d == pytest.approx(draw("s1", b), abs=1e-12)
        assert arm == arm_for(exp, b)
        assert on == START
    shares = sum(1 for arm, _, _ in first.values() if arm == "fewer") / len(ids)
    assert 0.35 < shares < 0.65   # 120 fair draws: 50 % +- 4.4 sd (binomial sd 4.6 pts)

    plan_day(book.con, cfg, renderer, START)   # the day again: nothing new
    book.send_all_planned()
    run_days(book, cfg, renderer, START + timedelta(days=1), 4)   # later days keep every arm
    assert assignments(book.con) == first
    per_contact = book.con.execute(
        "SELECT count(*) FROM contact_attempts AS c JOIN experiment_assignments AS a USING (borrower_id) "
        "WHERE c.experiment IS DISTINCT FROM a.experiment OR c.arm IS DISTINCT FROM a.arm").fetchone()[0]
    assert per_contact == 0   # every contact names the borrower's experiment and arm


def test_another_salt_is_another_draw(tmp_path, monkeypatch):
    one = load_experiments(_write(tmp_path / "a.toml", EXPERIMENT.format(salt="a", extra=""))).experiments[0]
    two = load_experiments(_write(tmp_path / "b.toml", EXPERIMENT.format(salt="b", extra=""))).experiments[0]
    ids = [f"B{i}" for i in range(400)]
    differ = sum(arm_for(one, b) != arm_for(two, b) for b in ids)
    assert 120 < differ < 280   # independent draws disagree about half the time


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_each_arm_climbs_its_own_ladder(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch)
    champ, fewer = borrower_in("champion"), borrower_in("fewer")
    for b in (champ, fewer):
        book.borrower(b)
        book.loan(f"L{b}", b, [("2026-11-01", "500.00")])
    run_days(book, cfg, renderer, START + timedelta(days=1), 11)
    got = {b: sorted({(r[0], r[1]) for r in book.con.execute(
        "SELECT step, arm FROM contact_attempts WHERE borrower_id = ? AND status <> 'suppressed'", [b]).fetchall()})
        for b in (champ, fewer)}
    assert [s for s, _ in got[champ]] == ["dpd_1", "dpd_10", "dpd_3", "dpd_5"]
    assert [s for s, _ in got[fewer]] == ["dpd_1", "dpd_5"]
    assert {a for _, a in got[champ]} == {"champion"} and {a for _, a in got[fewer]} == {"fewer"}

    from loan_comms.audit.runner import run_audit

    report = run_audit(book.con, cfg, rules=("ladder_order", "experiment_arm_honoured"))
    assert report.violations == 0, report


def test_a_wording_variant_is_rendered_for_its_arm_only(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch, extra='templates = { dpd_1 = "dpd_1_short" }')
    champ, fewer = borrower_in("champion"), borrower_in("fewer")
    for b in (champ, fewer):
        book.borrower(b)
        book.loan(f"L{b}", b, [("2026-11-01", "500.00")])
    run_days(book, cfg, renderer, START + timedelta(days=1), 1)
    ids = dict(book.con.execute("SELECT borrower_id, template_id FROM contact_attempts WHERE step = 'dpd_1'").fetchall())
    assert ids == {champ: "sms/zh-CN/dpd_1", fewer: "sms/zh-CN/dpd_1_short"}

    from loan_comms.templating.catalog import required_templates

    assert ("dpd_1_short", "sms") in {(r.kind, r.channel) for r in required_templates(cfg)}   # lint asks for it


def test_outside_the_population_or_the_dates_nobody_is_drawn(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch, text=EXPERIMENT.format(salt="s1", extra="").replace(
        'population = { dpd = [1, 30] }', 'population = { dpd = [1, 30], products = ["car_loan"] }'))
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "500.00")])   # a personal_loan: not in the population
    book.borrower("B2")
    book.loan("L2", "B2", [("2026-11-01", "500.00")], product="car_loan")
    book.borrower("B3")
    book.loan("L3", "B3", [("2026-11-20", "500.00")], product="car_loan")   # not late yet
    run_days(book, cfg, renderer, START + timedelta(days=1), 3)
    assert set(assignments(book.con)) == {"B2"}
    assert book.con.execute("SELECT count(*) FROM contact_attempts WHERE borrower_id <> 'B2' "
                            "AND experiment IS NOT NULL").fetchone()[0] == 0


def test_a_stopped_arm_sends_its_borrowers_back_to_the_champion(book, renderer, tmp_path, monkeypatch):
    cfg = experiments_cfg(tmp_path, monkeypatch)
    fewer = borrower_in("fewer")
    book.borrower(fewer)
    book.loan(f"L{fewer}", fewer, [("2026-11-01", "500.00")])
    run_days(book, cfg, renderer, START + timedelta(days=1), 2)   # dpd 1, 2: assigned to fewer, dpd_1 sent
    book.con.execute("INSERT INTO experiment_arms VALUES ('fewer_contacts', 'fewer', DATE '2026-11-04', "
                     "'complaint_rate', NULL, now())")
    book.con.execute("UPDATE experiment_assignments SET left_on = DATE '2026-11-04', reason = 'guardrail'")
    run_days(book, cfg, renderer, date(2026, 11, 4), 8)
    rows = book.con.execute("SELECT step, arm FROM contact_attempts WHERE status <> 'suppressed' "
                            "ORDER BY planned_for_date").fetchall()
    # back on the champion's whole ladder from the stop on (dpd 3 that day: its dpd_3 goes)
    assert rows == [("dpd_1", "fewer"), ("dpd_3", "champion"), ("dpd_5", "champion"), ("dpd_10", "champion"),
                    ("dpd_10", "champion")]
    from loan_comms.audit.runner import run_audit

    assert run_audit(book.con, cfg, rules=("ladder_order", "experiment_arm_honoured")).violations == 0


@pytest.mark.parametrize("extra, message", [
    ('sms_per_day = 5', "unknown key"),
    ('min_dpd = { dpd_5 = 4 }', "earlier than the champion's 5"),
    ('channels = { dpd_5 = ["visit"] }', None),   # visit is a channel the config uses: allowed
    ('channels = { pre_due_1 = ["call"] }', "a reminder goes by sms or email"),
    ('skip_steps = ["dpd_60_handoff"]', "hands the case off"),
    ('templates = { dpd_1 = "dpd_3" }', "a wording variant of dpd_1 is named dpd_1_<variant>"),
    ('templates = { dpd_1 = "dpd_1_short" }', None),
])
def test_an_arm_cannot_loosen_the_policy_or_escalate_sooner(tmp_path, monkeypatch, extra, message):
    if message is None:
        experiments_cfg(tmp_path, monkeypatch, extra=extra)
        return
    with pytest.raises(ConfigError) as err:
        experiments_cfg(tmp_path, monkeypatch, extra=extra)
    assert message in str(err.value) and "experiments-s1.toml" in str(err.value)


def test_legally_required_steps_cannot_be_skipped(cfg, tmp_path):
    legal = cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"legally_required_steps": ("dpd_3",)})})
    file = load_experiments(_write(tmp_path / "e.toml", EXPERIMENT.format(salt="x", extra="")))
    with pytest.raises(ExperimentsError, match="dpd_3.*legally required"):
        check_against(file, legal)


def test_shares_and_the_champion_are_checked(tmp_path):
    bad = EXPERIMENT.format(salt="x", extra="").replace("share = 0.5\nskip", "share = 0.6\nskip")
    with pytest.raises(ExperimentsError, match="add up to 1.1"):
        load_experiments(_write(tmp_path / "shares.toml", bad))
    first = EXPERIMENT.format(salt="x", extra="").replace('name = "champion"\nshare = 0.5',
                                                          'name = "champion"\nshare = 0.5\nskip_steps = ["dpd_3"]')
    with pytest.raises(ExperimentsError, match="champion is today's config"):
        load_experiments(_write(tmp_path / "champ.toml", first))


def test_an_arm_that_offers_some_repayment_options_offers_only_those(book, tmp_path, monkeypatch):
    from loan_comms.arrangements.tokens import TOKEN_KEY_ENV
    from tests.arrangements.conftest import in_arrears
    from tests.arrangements.test_offers import Capture

    cfg = experiments_cfg(tmp_path, monkeypatch, extra='offer_options = ["holiday_1m", "reduced_50_6"]')
    monkeypatch.setenv(TOKEN_KEY_ENV, "k" * 32)
    champ, fewer = borrower_in("champion"), borrower_in("fewer")
    for b in (champ, fewer):
        in_arrears(book, b, f"L{b}")
    plan_day(book.con, cfg, Capture(), date(2026, 11, 6))
    got = {}
    for borrower, no, option in book.con.execute(
            "SELECT a.borrower_id, o.option_no, o.option_id FROM arrangement_offers AS f "
            "JOIN contact_attempts AS a USING (attempt_id) JOIN arrangement_offer_options AS o USING (token) "
            "WHERE a.channel = 'sms' ORDER BY 1, 2").fetchall():
        got.setdefault(borrower, []).append((no, option))
    assert got[champ] == [(1, "respread_3"), (2, "respread_6"), (3, "holiday_1m"), (4, "reduced_50_6")]
    assert got[fewer] == [(1, "holiday_1m"), (2, "reduced_50_6")]   # numbered again from 1
