"""The intervals are statsmodels' own, hold their point estimate, and the verdict reads from them."""

from __future__ import annotations

import math
from datetime import date

import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportion_effectsize
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from loan_comms.experiments import stats
from loan_comms.experiments.readout import readout
from tests.experiments.history import History, experiment


@pytest.mark.parametrize("k,n", [(0, 10), (3, 40), (40, 40), (17, 1000)])
def test_rate_interval_is_wilson(k, n):
    e = stats.rate_interval(k, n, 0.05)
    assert (e.low, e.high) == pytest.approx(proportion_confint(k, n, alpha=0.05, method="wilson"))
    assert e.low <= e.value <= e.high and e.value == k / n


@pytest.mark.parametrize("k,n,k0,n0", [(30, 100, 5, 100), (0, 50, 0, 50), (3, 120, 9, 130)])
def test_rate_difference_is_newcomb(k, n, k0, n0):
    e = stats.rate_difference(k, n, k0, n0, 0.05)
    want = confint_proportions_2indep(k, n, k0, n0, method="newcomb", compare="diff", alpha=0.05)
    assert (e.low, e.high) == pytest.approx(tuple(float(x) for x in want))
    assert e.low <= e.value <= e.high
    assert e.value == pytest.approx(k / n - k0 / n0)


def test_mean_difference_is_welch():
    a, b = [1.0, 2.0, 3.0, 10.0], [2.0, 3.0, 4.0, 9.0, 1.0]
    e = stats.mean_difference(a, b, 0.05)
    want = CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(alpha=0.05, usevar="unequal")
    assert (e.low, e.high) == pytest.approx(tuple(float(x) for x in want))
    assert e.low <= e.value <= e.high


def test_no_interval_without_data():
    assert stats.rate_interval(0, 0) is None
    assert stats.rate_difference(1, 10, 0, 0) is None
    assert stats.mean_difference([1.0], [1.0, 2.0]) is None
    assert stats.mean_difference([0.0, 0.0], [0.0, 0.0]) is None   # nobody varies: undefined, not NaN


def test_min_sample_is_normal_ind_power():
    want = NormalIndPower().solve_power(effect_size=proportion_effectsize(0.35, 0.30), alpha=0.05, power=0.8)
    assert stats.min_sample(0.30, 0.05, 0.05, 0.8) == math.ceil(want)
    unknown = NormalIndPower().solve_power(effect_size=proportion_effectsize(0.55, 0.5), alpha=0.05, power=0.8)
    assert stats.min_sample(None, 0.05) == math.ceil(unknown)
    assert stats.min_sample(0.98, 0.05) > 0, "a rate near 1 is compared downwards"


def test_a_verdict_with_enough_data(con):
    """40 delinquent loans per arm, half cured in each; the challenger contacts half as often:
    "50 % fewer contacts per cure", the cure rate unchanged within the interval's reach."""
    on, as_of = date(2026, 11, 2), date(2026, 12, 31)
    h = History(con)
    for arm, per in (("champion", 4), ("fewer", 2)):
        for i in range(40):
            b = h.member(f"{arm[0].upper()}{i:03d}", arm, on)
            h.delinquent(b, date(2026, 11, 1), date(2026, 11, 10) if i % 2 == 0 else None)
            for _ in range(per):
                h.contact(b, date(2026, 11, 3))
    file = experiment(mde=0.4)
    [r] = readout(con, file, as_of)
    assert r.min_sample <= 40
    [c] = r.comparisons
    assert c.enough_data and c.cure_rate.crosses_zero
    reach = 100 * c.cure_rate.half_width
    assert c.verdict == (f"fewer: 50 % fewer contacts per cure, cure rate unchanged within ±{reach:.1f} pts, "
                         "complaints unchanged, opt-outs unchanged")


def test_a_difference_that_does_not_cross_zero_reads_up_or_down(con):
    on, as_of = date(2026, 11, 2), date(2026, 12, 31)
    h = History(con)
    for arm, cured_every in (("champion", 4), ("fewer", 1)):
        for i in range(60):
            b = h.member(f"{arm[0].upper()}{i:03d}", arm, on)
            h.delinquent(b, date(2026, 11, 1), date(2026, 11, 10) if i % cured_every == 0 else None)
    [r] = readout(con, experiment(mde=0.4), as_of)
    [c] = r.comparisons
    assert not c.cure_rate.crosses_zero and c.cure_rate.value == pytest.approx(0.75)
    assert "cure rate up 75.0 pts" in c.verdict
