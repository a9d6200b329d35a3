"""The readout of an experiment: its arms side by side, every rate with its interval, every challenger's
difference from the champion with its interval, the minimum sample, and one verdict sentence per
challenger built from those numbers (never written by hand, so it cannot say more than the data).

    for r in readout(con, cfg, as_of):
        print(r.markdown())        # the Prefect artifact `experiment-<name>`, `loan-comms experiments readout`

How a verdict reads:
  * a stopped arm says so first, with the day and the guardrail that stopped it;
  * below the minimum sample (either arm has fewer loans with a complete cure window than
    stats.min_sample asks for): "not enough data yet (n of m ...)", and nothing else: an early
    difference is mostly noise and a verdict on it would be read as a result;
  * otherwise: contacts per cure (relative change), the cure rate, recovered per borrower (in the
    currency most of the champion's borrowers hold; amounts are never added across currencies),
    complaints and opt-outs (and disputes and NPS when there are any): a difference whose interval
    holds 0 is "unchanged" (with how far the interval reaches: "within ±1.2 pts"), else "up"/"down".
Counts and rates only: no borrower, loan or name is in a readout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.experiments.config import CHAMPION, Experiment, ExperimentsFile
from loan_comms.experiments.guardrails import experiments_of
from loan_comms.experiments.outcomes import EVENTS, ArmOutcomes, arm_outcomes, arm_values
from loan_comms.experiments.stats import Estimate, mean_difference, min_sample, rate_difference, rate_interval

_EVENT_WORDS = {"opt_out": "opt-outs", "complaint": "complaints", "dispute": "disputes"}
_GUARDRAIL_WORDS = {"complaint_rate": "complaint", "opt_out_rate": "opt-out"}


@dataclass(frozen=True)
class StoppedArm:
    on: date
    reason: str
    detail: dict[str, Any]

    def words(self) -> str:
        d = self.detail
        rates = ""
        if "arm_rate" in d and "champion_rate" in d:
            rates = (f" ({100 * d['arm_rate']:.1f} % of its borrowers vs the champion's "
                     f"{100 * d['champion_rate']:.1f} %)")
        return f"stopped on {self.on} by its {_GUARDRAIL_WORDS.get(self.reason, self.reason)} guardrail{rates}"


@dataclass(frozen=True)
class ArmReadout:
    """One arm: its outcomes, its rates with their intervals, and its stop if a guardrail stopped it."""

    outcomes: ArmOutcomes
    cure_rate: Estimate | None
    rates: dict[str, Estimate | None]          # opt_out, complaint, dispute: share of borrowers
    stopped: StoppedArm | None = None

    @property
    def name(self) -> str:
        return self.outcomes.arm


@dataclass(frozen=True)
class Comparison:
    """A challenger minus the champion: differences with their intervals, and the verdict sentence."""

    arm: str
    cure_rate: Estimate | None
    rates: dict[str, Estimate | None]          # opt_out, complaint, dispute
    recovered_per_borrower: dict[str, Estimate | None]   # currency -> difference of the means
    nps: Estimate | None
    csat: Estimate | None
    contacts_per_cure_change: float | None     # challenger / champion - 1 (-0.31: 31 % fewer)
    enough_data: bool
    verdict: str


@dataclass(frozen=True)
class ExperimentReadout:
    name: str
    description: str
    as_of: date
    start: date
    end: date
    cure_within_days: int
    alpha: float
    power: float
    min_detectable_effect: float
    min_sample: int                             # loans with a complete window, per arm
    currencies: tuple[str, ...]                 # of the members' loans, most held by the champion's first
    arms: tuple[ArmReadout, ...]
    comparisons: tuple[Comparison, ...]

    @property
    def verdicts(self) -> list[str]:
        return [c.verdict for c in self.comparisons]

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The arms side by side (then each challenger's difference): header and rows of text, shared
        by the markdown and the HTML report so both show the same numbers."""
        arms = {a.name: a for a in self.arms}
        header = ["", *(a.name + (" (stopped)" if a.stopped else "") for a in self.arms),
                  *(f"{c.arm} − {CHAMPION}" for c in self.comparisons)]
        n = self.cure_within_days

        def row(label: str, per_arm: Any, per_cmp: Any = lambda c: "") -> list[str]:
            return [label, *(per_arm(arms[a.name]) for a in self.arms), *(per_cmp(c) for c in self.comparisons)]

        rows = [
            row("borrowers", lambda a: f"{a.outcomes.borrowers:,}"),
            row("delinquent loans", lambda a: f"{a.outcomes.delinquent_loans:,}"),
            row(f"… {n}-day window complete (still open)",
                lambda a: f"{a.outcomes.complete_windows:,} ({a.outcomes.open_windows:,})"),
            row(f"cure rate (current within {n} days)", lambda a: _rate(a.cure_rate),
                lambda c: _pts(c.cure_rate)),
            row("contacts", lambda a: f"{a.outcomes.contacts:,}"),
            row("contacts per cured loan", lambda a: _num(a.outcomes.contacts_per_cure, 2),
                lambda c: _relative(c.contacts_per_cure_change)),
        ]
        for cur in self.currencies:
            rows.append(row(f"recovered in the windows, {cur}",
                            lambda a, cur=cur: f"{float(a.outcomes.recovered.get(cur, 0)):,.2f}"))
            rows.append(row(f"… per borrower with a {cur} loan",
                            lambda a, cur=cur: _num(a.outcomes.recovered_per_borrower(cur), 2),
                            lambda c, cur=cur: _amount(c.recovered_per_borrower.get(cur))))
        for e in EVENTS:
            rows.append(row(f"{_EVENT_WORDS[e]} (share of borrowers)", lambda a, e=e: _rate(a.rates[e]),
                            lambda c, e=e: _pts(c.rates[e])))
            rows.append(row("… per 1,000 contacts", lambda a, e=e: _num(a.outcomes.per_1000_contacts(e), 1)))
        rows += [
            row("NPS (answers)", lambda a: _score(a.outcomes.nps, a.outcomes.nps_answers, 0),
                lambda c: _amount(c.nps, 1)),
            row("CSAT 1-5 (answers)", lambda a: _score(a.outcomes.csat_mean, a.outcomes.csat_answers, 2),
                lambda c: _amount(c.csat, 2)),
            row("repayment plans taken / kept", lambda a: f"{a.outcomes.plans_taken:,} / {a.outcomes.plans_kept:,}"),
        ]
        return header, rows

    def sample_line(self) -> str:
        champ = self.arms[0].cure_rate
        basis = (f"the champion's cure rate {champ.value:.1%}" if champ is not None
                 else "a cure rate of 50 % (the champion's is not known yet)")
        return (f"Minimum sample: {self.min_sample:,} delinquent loans with a complete window per arm, to see a "
                f"{100 * self.min_detectable_effect:.1f}-point cure-rate difference from {basis} "
                f"(two-sided, alpha {self.alpha:g}, power {self.power:g}).")

    def markdown(self) -> str:
        header, rows = self.table()
        out = [f"# Experiment {self.name}", ""]
        if self.description:
            out += [self.description, ""]
        out += [f"Runs {self.start} to {self.end}; outcomes as of {self.as_of}, by the arm each borrower was drawn "
                f"into (intention to treat). Intervals: {1 - self.alpha:.0%}.", ""]
        out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        out += ["", self.sample_line(), "", "**Verdict**", ""]
        out += [f"- {v}" for v in self.verdicts] or ["- (no challenger)"]
        return "\n".join(out) + "\n"

    def as_dict(self) -> dict[str, Any]:
        def est(e: Estimate | None) -> dict[str, float] | None:
            return e.as_dict() if e is not None else None

        return {
            "experiment": self.name, "as_of": self.as_of.isoformat(), "start": self.start.isoformat(),
            "end": self.end.isoformat(), "cure_within_days": self.cure_within_days, "alpha": self.alpha,
            "power": self.power, "min_detectable_effect": self.min_detectable_effect, "min_sample": self.min_sample,
            "currencies": list(self.currencies),
            "arms": [{**a.outcomes.as_dict(), "cure_rate_interval": est(a.cure_rate),
                      **{f"{e}_rate_interval": est(a.rates[e]) for e in EVENTS},
                      "stopped": ({"on": a.stopped.on.isoformat(), "reason": a.stopped.reason}
                                  if a.stopped else None)} for a in self.arms],
            "comparisons": [{"arm": c.arm, "cure_rate": est(c.cure_rate),
                             **{f"{e}_rate": est(c.rates[e]) for e in EVENTS},
                             "recovered_per_borrower": {k: est(v) for k, v in c.recovered_per_borrower.items()},
                             "nps": est(c.nps),
                             "csat": est(c.csat), "contacts_per_cure_change": c.contacts_per_cure_change,
                             "enough_data": c.enough_data, "verdict": c.verdict} for c in self.comparisons],
        }


# -- formatting ------------------------------------------------------------------------------------

def _rate(e: Estimate | None) -> str:
    return "–" if e is None else f"{100 * e.value:.1f} % [{100 * e.low:.1f}, {100 * e.high:.1f}]"


def _pts(e: Estimate | None) -> str:
    return "–" if e is None else f"{100 * e.value:+.1f} pts [{100 * e.low:+.1f}, {100 * e.high:+.1f}]"


def _amount(e: Estimate | None, digits: int = 2) -> str:
    return "–" if e is None else f"{e.value:+,.{digits}f} [{e.low:+,.{digits}f}, {e.high:+,.{digits}f}]"


def _num(v: float | None, digits: int) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def _score(v: float | None, n: int, digits: int) -> str:
    return "–" if v is None else f"{v:+.{digits}f} ({n:,})" if digits == 0 else f"{v:.{digits}f} ({n:,})"


def _relative(change: float | None) -> str:
    return "–" if change is None else f"{100 * change:+.0f} %"


# -- verdicts --------------------------------------------------------------------------------------

def _direction(e: Estimate | None, what: str, *, pts: bool, unit: str = "", digits: int = 1) -> str | None:
    """'what unchanged within ±x' when the interval holds 0, else 'what up/down x'; None without data."""
    if e is None:
        return None
    scale, suffix = (100.0, " pts") if pts else (1.0, unit)
    if e.crosses_zero:
        return f"{what} unchanged within ±{scale * e.half_width:.{digits}f}{suffix}"
    return f"{what} {'up' if e.value > 0 else 'down'} {scale * abs(e.value):.{digits}f}{suffix}"


def _updown(e: Estimate | None, what: str) -> str | None:
    if e is None:
        return None
    return f"{what} unchanged" if e.crosses_zero else f"{what} {'up' if e.value > 0 else 'down'}"


def verdict(exp: Experiment, champion: ArmReadout, arm: ArmReadout, cmp: Comparison, needed: int,
            currency: str | None = None) -> str:
    """The sentence for one challenger (see the module docstring)."""
    lead = f"{arm.name}: "
    if arm.stopped is not None:
        lead += arm.stopped.words() + ", its borrowers back with the champion; "
    n = min(arm.outcomes.complete_windows, champion.outcomes.complete_windows)
    if n < needed:
        return (lead + f"not enough data yet ({n} of {needed} delinquent loans with a complete "
                       f"{exp.cure_within_days}-day window per arm)")
    parts: list[str] = []
    change = cmp.contacts_per_cure_change
    if change is not None:
        parts.append("as many contacts per cure" if abs(change) < 0.005 else
                     f"{100 * abs(change):.0f} % {'fewer' if change < 0 else 'more'} contacts per cure")
    for piece in (_direction(cmp.cure_rate, "cure rate", pts=True),
                  _direction(cmp.recovered_per_borrower.get(currency), f"recovered per borrower ({currency})",
                             pts=False, digits=2) if currency else None,
                  _updown(cmp.rates["complaint"], "complaints"),
                  _updown(cmp.rates["opt_out"], "opt-outs"),
                  _updown(cmp.rates["dispute"], "disputes")
                  if arm.outcomes.dispute_borrowers or champion.outcomes.dispute_borrowers else None,
                  _direction(cmp.nps, "NPS", pts=False, digits=0)):
        if piece is not None:
            parts.append(piece)
    return lead + (", ".join(parts) or "no outcome to compare yet")


# -- building --------------------------------------------------------------------------------------

def _stops(con: duckdb.DuckDBPyConnection, exp: Experiment) -> dict[str, StoppedArm]:
    out = {}
    for r in db.rows(con, "experiments/stopped_arms", {"experiment": exp.name}):
        detail = json.loads(r["detail"]) if r["detail"] else {}
        out[str(r["arm"])] = StoppedArm(r["stopped_on"], str(r["reason"]), detail)
    return out


def experiment_readout(con: duckdb.DuckDBPyConnection, exp: Experiment, as_of: date) -> ExperimentReadout:
    """One experiment's readout as of `as_of` (see the module docstring)."""
    outcomes = arm_outcomes(con, exp, as_of)
    values = arm_values(con, exp, as_of)
    stops = _stops(con, exp)
    a = exp.alpha
    arms = tuple(ArmReadout(o, rate_interval(o.cured, o.complete_windows, a),
                            {e: rate_interval(getattr(o, f"{e}_borrowers"), o.borrowers, a) for e in EVENTS},
                            stops.get(name)) for name, o in outcomes.items())
    champ = arms[0]
    needed = min_sample(champ.outcomes.cure_rate, exp.min_detectable_effect, a, exp.power)
    held = {c for o in outcomes.values() for c in o.holders}
    currencies = tuple(sorted(held, key=lambda c: (-champ.outcomes.holders.get(c, 0), c)))

    def mean_diff(measure: str, arm: str) -> Estimate | None:
        by_arm = values.get(measure, {})
        return mean_difference(by_arm.get(arm, []), by_arm.get(CHAMPION, []), a)

    comparisons = []
    for arm in arms[1:]:
        o, o0 = arm.outcomes, champ.outcomes
        cpc, cpc0 = o.contacts_per_cure, o0.contacts_per_cure
        draft = Comparison(
            arm=arm.name,
            cure_rate=rate_difference(o.cured, o.complete_windows, o0.cured, o0.complete_windows, a),
            rates={e: rate_difference(getattr(o, f"{e}_borrowers"), o.borrowers,
                                      getattr(o0, f"{e}_borrowers"), o0.borrowers, a) for e in EVENTS},
            recovered_per_borrower={c: mean_diff(f"recovered:{c}", arm.name) for c in currencies},
            nps=mean_diff("nps", arm.name),
            csat=mean_diff("csat", arm.name),
            contacts_per_cure_change=(cpc / cpc0 - 1.0) if cpc is not None and cpc0 else None,
            enough_data=min(o.complete_windows, o0.complete_windows) >= needed, verdict="")
        comparisons.append(replace(draft, verdict=verdict(exp, champ, arm, draft, needed,
                                                          currencies[0] if currencies else None)))
    return ExperimentReadout(exp.name, exp.description, as_of, exp.start, exp.end, exp.cure_within_days, a,
                             exp.power, exp.min_detectable_effect, needed, currencies, arms, tuple(comparisons))


def default_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The newest day planned (a simulated book's days are not the wall clock's); None if none was."""
    found = db.value(con, "experiments/last_planned_day")
    return found if isinstance(found, date) else None


def readout(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig | ExperimentsFile, as_of: date,
            names: list[str] | None = None) -> list[ExperimentReadout]:
    """The readout of every experiment of the file (or those `names`) that has started by `as_of`."""
    file = experiments_of(cfg)
    chosen = [file.get(n) for n in names] if names else [e for e in file.experiments if e.start <= as_of]
    return [experiment_readout(con, e, as_of) for e in chosen]
