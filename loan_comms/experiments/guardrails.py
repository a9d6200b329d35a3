"""Guardrails: stop a challenger that makes borrowers complain or opt out more than the champion.

The rule (config/experiments.toml, Guardrails): for each running experiment and each challenger not
stopped yet, and for complaints then opt-outs, the arm's share of borrowers with such an event since
their assignment (events up to the check's day) minus the champion's share must be

  * above the threshold (absolute: 0.01 = 1 point), AND
  * its interval's lower bound must be above 0 (Newcomb, stats.rate_difference, at the experiment's
    alpha): the difference is not noise, AND
  * both arms must have at least `min_borrowers` borrowers: a few early complaints do not stop an arm.

Why all three: the threshold says how much worse is too much, the interval says the data shows it,
and the floor keeps the first days (a handful of borrowers) from deciding. Counts are by the arm drawn
(intention to treat, outcomes.py), the same members and events as the readout.

When it fires, the arm is stopped from the NEXT plan day (the day being checked is planned already;
a check of an older day stops it from the day after the newest planned day, never in the past):
an experiment_arms row (stopped_on = as_of + 1, the reason, the numbers as JSON) and the arm's open
assignments closed (left_on = stopped_on, reason 'guardrail'), both written once, so re-running a
check records nothing new. check_guardrails returns the new stops; the caller alerts
(tasks/experiments.py, `loan-comms experiments guardrails`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.experiments.config import CHAMPION, Experiment, ExperimentsFile, experiments_for
from loan_comms.experiments.stats import rate_difference, rate_interval
from loan_comms.ops.alerting import Alert, post_alert

# (reason recorded, counted column, guardrail threshold field, words)
RULES = (("complaint_rate", "complaint_borrowers", "complaint_rate_over_champion", "complaints"),
         ("opt_out_rate", "opt_out_borrowers", "opt_out_rate_over_champion", "opt-outs"))


@dataclass(frozen=True)
class Stop:
    """An arm a guardrail stopped: from `stopped_on` on, its borrowers are planned as the champion."""

    experiment: str
    arm: str
    stopped_on: date
    reason: str                                   # complaint_rate | opt_out_rate
    detail: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        """One line for people: counts and rates only."""
        d = self.detail
        return (f"experiment {self.experiment}: arm {self.arm} stopped from {self.stopped_on} by its {d['what']} "
                f"guardrail: {100 * d['arm_rate']:.1f} % of {d['arm_borrowers']} borrowers vs the champion's "
                f"{100 * d['champion_rate']:.1f} % of {d['champion_borrowers']} (+{100 * d['difference']:.1f} pts, "
                f"{1 - d['alpha']:.0%} interval {100 * d['low']:+.1f} to {100 * d['high']:+.1f}; threshold "
                f"{100 * d['threshold']:.1f} pts); its borrowers go back to the champion")

    def alert(self, flow: str, run: str | None = None) -> Alert:
        return Alert(kind="experiment_arm_stopped", flow=flow, run=run, as_of=str(self.detail.get("as_of")),
                     text=self.line(),
                     counts={"experiment": self.experiment, "arm": self.arm, "reason": self.reason,
                             "stopped_on": self.stopped_on.isoformat(),
                             **{k: v for k, v in self.detail.items() if k != "what"}})


def experiments_of(cfg: LifecycleConfig | ExperimentsFile) -> ExperimentsFile:
    """The experiments a lifecycle config names, or the file itself when given one (tests, tools)."""
    return cfg if isinstance(cfg, ExperimentsFile) else experiments_for(cfg)


def _fires(exp: Experiment, as_of: date, arm: str, counts: dict[str, dict[str, int]]) -> Stop | None:
    """The first rule (complaints, then opt-outs) that stops `arm`, else None."""
    g = exp.guardrails
    mine, champ = counts.get(arm), counts.get(CHAMPION)
    if mine is None or champ is None:
        return None
    n, n0 = mine["borrowers"], champ["borrowers"]
    if n < g.min_borrowers or n0 < g.min_borrowers:
        return None
    for reason, column, limit, words in RULES:
        threshold = float(getattr(g, limit))
        k, k0 = mine[column], champ[column]
        diff = rate_difference(k, n, k0, n0, exp.alpha)
        if diff is None or diff.value <= threshold or diff.low <= 0.0:
            continue
        arm_ci, champ_ci = rate_interval(k, n, exp.alpha), rate_interval(k0, n0, exp.alpha)
        detail = {"what": words, "as_of": as_of.isoformat(), "alpha": exp.alpha, "threshold": threshold,
                  "arm_borrowers": n, "arm_events": k, "arm_rate": k / n,
                  "arm_interval": [arm_ci.low, arm_ci.high] if arm_ci else None,
                  "champion_borrowers": n0, "champion_events": k0, "champion_rate": k0 / n0,
                  "champion_interval": [champ_ci.low, champ_ci.high] if champ_ci else None,
                  "difference": diff.value, "low": diff.low, "high": diff.high,
                  "min_borrowers": g.min_borrowers}
        return Stop(exp.name, arm, as_of + timedelta(days=1), reason, detail)
    return None


def check_guardrails(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig | ExperimentsFile, as_of: date, *,
                     now: datetime | None = None) -> list[Stop]:
    """Check every running experiment's challengers not stopped yet against their guardrails with the
    events up to `as_of`; record each arm that fires (experiment_arms; its assignments closed) and
    return those stops (empty when none fired, or on a re-run). The caller alerts."""
    stops: list[Stop] = []
    at = now or utc_now()
    for exp in experiments_of(cfg).running(as_of):
        stopped = {r["arm"] for r in db.rows(con, "experiments/stopped_arms", {"experiment": exp.name})}
        prepare_members(con, exp, as_of)
        counts = {r["arm"]: r for r in db.rows(con, "experiments/guardrail_rates", {})}
        for arm in exp.arms[1:]:
            if arm.name in stopped:
                continue
            stop = _fires(exp, as_of, arm.name, counts)
            if stop is None:
                continue
            if stop.stopped_on <= (last := _last_planned(con) or as_of):
                # a check of an earlier day (a re-run, late events): never back into days already planned,
                # whose contacts went under the arm; the stop takes effect from the next plan
                stop = replace(stop, stopped_on=last + timedelta(days=1))
            with db.transaction(con):
                recorded = db.changed(con, "experiments/stop_arm", {
                    "experiment": exp.name, "arm": arm.name, "stopped_on": stop.stopped_on, "reason": stop.reason,
                    "detail": json.dumps({k: v for k, v in stop.detail.items() if k != "what"}, sort_keys=True),
                    "stopped_at": at})
                db.run(con, "experiments/close_arm_assignments", {"experiment": exp.name, "arm": arm.name})
            if recorded:   # another run may have recorded it first: its stop, not ours to report
                stops.append(stop)
    return stops


def _last_planned(con: duckdb.DuckDBPyConnection) -> date | None:
    value = db.value(con, "experiments/last_planned_day", {})
    return value if isinstance(value, date) else None


def prepare_members(con: duckdb.DuckDBPyConnection, exp: Experiment, as_of: date) -> None:
    """The members and their events only (the guardrails need no loans or payments)."""
    params = {"experiment": exp.name, "as_of": as_of}
    db.run(con, "experiments/members", params)
    db.run(con, "experiments/member_events", params)




def guard(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig | ExperimentsFile, as_of: date, *, flow: str,
          run: str | None = None, url: str | None = None, now: datetime | None = None) -> list[Stop]:
    """check_guardrails, then one alert per new stop to operations (`url`: the alert webhook, see
    ops/alerting.webhook_url; None: logged only). What the daily flows, the simulator and
    `loan-comms experiments guardrails` call. Returns the new stops."""
    stops = check_guardrails(con, cfg, as_of, now=now)
    for stop in stops:
        post_alert(stop.alert(flow, run), url)
    return stops


def stops_markdown(stops: list[Stop], as_of: date) -> str:
    """The artifact of a check that stopped arms (counts and rates only)."""
    lines = [f"# Experiment guardrails, {as_of}", ""]
    lines += [f"- {s.line()}" for s in stops] or ["No arm stopped."]
    return "\n".join(lines) + "\n"
