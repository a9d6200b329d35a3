"""The statistics of an experiment's readout and guardrails, all from statsmodels (no hand-written
formula, so every interval is one a statistician can look up and check):

  rate_interval      a share (cure rate, complaint rate, ...): Wilson score interval
                     (proportion_confint, method "wilson"): sound for small counts and for rates near 0,
                     where complaints live, unlike the normal approximation;
  rate_difference    challenger - champion of two shares: Newcomb's hybrid score interval
                     (confint_proportions_2indep, method "newcomb"), built from the two Wilson intervals,
                     so it behaves at 0 events too (the Wald interval collapses to a point there);
  mean_difference    challenger - champion of two means (amount recovered per borrower, NPS per answer):
                     Welch's t interval (CompareMeans.tconfint_diff, usevar "unequal"): the arms' spreads
                     differ (a challenger that contacts less may recover in fewer, larger payments);
  min_sample         loans per arm (with a complete cure window) needed to see the configured minimum
                     detectable effect on the cure rate: NormalIndPower().solve_power on Cohen's h
                     (proportion_effectsize) of champion rate + effect against champion rate, at the
                     experiment's alpha and power; 0.5 (the largest variance) while the champion's rate
                     is unknown.

Every function returns None instead of an interval it cannot compute (no borrowers yet), never NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportion_effectsize
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

UNKNOWN_RATE = 0.5


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its (1 - alpha) interval [low, high]."""

    value: float
    low: float
    high: float

    @property
    def crosses_zero(self) -> bool:
        """The interval holds 0: the data cannot tell the difference from none."""
        return self.low <= 0.0 <= self.high

    @property
    def half_width(self) -> float:
        """How far from 0 the interval reaches, either way: "unchanged within ±x"."""
        return max(abs(self.low), abs(self.high))

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


def _finite(*xs: float) -> bool:
    return all(isinstance(x, (int, float)) and math.isfinite(x) for x in xs)


def rate_interval(count: int, n: int, alpha: float = 0.05) -> Estimate | None:
    """count / n with its Wilson interval; None when n is 0."""
    if n <= 0:
        return None
    low, high = proportion_confint(count, n, alpha=alpha, method="wilson")
    return Estimate(count / n, float(low), float(high))


def rate_difference(count: int, n: int, count0: int, n0: int, alpha: float = 0.05) -> Estimate | None:
    """count/n - count0/n0 (challenger - champion) with Newcomb's interval; None when an arm has no one."""
    if n <= 0 or n0 <= 0:
        return None
    low, high = confint_proportions_2indep(count, n, count0, n0, method="newcomb", compare="diff", alpha=alpha)
    if not _finite(float(low), float(high)):
        return None
    return Estimate(count / n - count0 / n0, float(low), float(high))


def mean_difference(values: Sequence[float], values0: Sequence[float], alpha: float = 0.05) -> Estimate | None:
    """mean(values) - mean(values0) with Welch's t interval; None with fewer than 2 values in an arm,
    or when neither arm varies (the interval is undefined; every value equal)."""
    if len(values) < 2 or len(values0) < 2:
        return None
    a, b = DescrStatsW(list(values)), DescrStatsW(list(values0))
    if float(a.var) == 0.0 and float(b.var) == 0.0:
        return None
    low, high = CompareMeans(a, b).tconfint_diff(alpha=alpha, usevar="unequal")
    if not _finite(float(low), float(high)):
        return None
    return Estimate(float(a.mean) - float(b.mean), float(low), float(high))


def min_sample(champion_rate: float | None, mde: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Loans per arm to detect a cure-rate difference of `mde` (absolute) from the champion's rate with
    a two-sided test at `alpha` and `power`; the champion's rate unknown (None): 0.5. Rounded up."""
    p0 = UNKNOWN_RATE if champion_rate is None else min(max(champion_rate, 0.0), 1.0)
    p1 = p0 + mde if p0 + mde <= 1.0 else p0 - mde   # a rate near 1 can only be beaten downwards
    h = proportion_effectsize(p1, p0)
    n = NormalIndPower().solve_power(effect_size=abs(h), alpha=alpha, power=power, ratio=1.0,
                                     alternative="two-sided")
    return int(math.ceil(float(n)))
