"""What each arm of an experiment did, read from the book by sql/experiments/outcomes.sql.

Why intention to treat (by the arm drawn, not the arm a contact was planned under): the draw is the
only thing that is random. A borrower whose arm a guardrail stopped went back to the champion, but
counting them there would move the stopped arm's worst cases into the champion; they stay in the arm
they were drawn into. Borrowers drawn into an arm that was already stopped are left out (the arm never
treated them). The SQL files say exactly what each number counts; this module only runs them in order
(members, their events, their delinquent loans, then the sums) and fills in arms nobody is in yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.experiments.config import Experiment, ExperimentsError


@dataclass(frozen=True)
class ArmOutcomes:
    """One arm's counts and sums (sql/experiments/outcomes.sql documents each); rates are properties."""

    arm: str
    borrowers: int = 0
    delinquent_loans: int = 0
    complete_windows: int = 0
    open_windows: int = 0
    cured: int = 0
    cured_so_far: int = 0
    contacts: int = 0
    opt_out_borrowers: int = 0
    opt_out_events: int = 0
    complaint_borrowers: int = 0
    complaint_events: int = 0
    dispute_borrowers: int = 0
    dispute_events: int = 0
    nps_answers: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    nps: float | None = None
    csat_answers: int = 0
    csat_mean: float | None = None
    plans_taken: int = 0
    plans_kept: int = 0
    recovered: dict[str, Decimal] = field(default_factory=dict)   # currency -> paid in the cure windows
    holders: dict[str, int] = field(default_factory=dict)         # currency -> members holding such a loan

    @property
    def cure_rate(self) -> float | None:
        return self.cured / self.complete_windows if self.complete_windows else None

    @property
    def contacts_per_cure(self) -> float | None:
        return self.contacts / self.cured_so_far if self.cured_so_far else None

    def recovered_per_borrower(self, currency: str) -> float | None:
        """Mean recovered per member holding a loan in `currency` (zeros included)."""
        n = self.holders.get(currency, 0)
        return float(self.recovered.get(currency, Decimal(0))) / n if n else None

    def share(self, event: str) -> float | None:
        """Share of the arm's borrowers with at least one `event` (opt_out, complaint, dispute)."""
        return getattr(self, f"{event}_borrowers") / self.borrowers if self.borrowers else None

    def per_1000_contacts(self, event: str) -> float | None:
        """`event`s (opt_out, complaint, dispute) per 1,000 contacts of the arm."""
        return 1000.0 * getattr(self, f"{event}_events") / self.contacts if self.contacts else None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["recovered"] = {c: float(v) for c, v in self.recovered.items()}
        out.update(cure_rate=self.cure_rate, contacts_per_cure=self.contacts_per_cure,
                   recovered_per_borrower={c: self.recovered_per_borrower(c) for c in self.holders})
        for e in EVENTS:
            out[f"{e}_rate"] = self.share(e)
            out[f"{e}_per_1000_contacts"] = self.per_1000_contacts(e)
        return out


EVENTS = ("opt_out", "complaint", "dispute")
_FIELDS = {f.name for f in fields(ArmOutcomes)} - {"recovered", "holders"}


def prepare(con: duckdb.DuckDBPyConnection, exp: Experiment, as_of: date) -> dict[str, Any]:
    """Build the experiment's temp tables (members, their events, their delinquent loans, what each
    member recovered per currency) for `as_of`;
    returns the bound parameters the reading files take."""
    params = {"experiment": exp.name, "as_of": as_of, "end_day": exp.end, "cure_within_days": exp.cure_within_days}
    for name in ("experiments/members", "experiments/member_events", "experiments/units",
                 "experiments/recovered_units"):
        db.run(con, name, params)
    return params


def arm_outcomes(con: duckdb.DuckDBPyConnection, exp: Experiment, as_of: date) -> dict[str, ArmOutcomes]:
    """Every arm of `exp` (in the file's order, the champion first) with its outcomes by `as_of`;
    an arm nobody was drawn into yet has zeros."""
    params = prepare(con, exp, as_of)
    found = {r["arm"]: ArmOutcomes(**{k: v for k, v in r.items() if k in _FIELDS})
             for r in db.rows(con, "experiments/outcomes", params)}
    unknown = sorted(set(found) - {a.name for a in exp.arms})
    if unknown:   # assignments the file does not explain: a renamed arm would silently drop out
        raise ExperimentsError(f"experiment {exp.name!r}: the book has borrowers in arm(s) {', '.join(unknown)} "
                         f"that the experiments file does not list; restore the arm's name in the file")
    money: dict[str, tuple[dict[str, Decimal], dict[str, int]]] = defaultdict(lambda: ({}, {}))
    for r in db.rows(con, "experiments/recovered", params):
        money[r["arm"]][0][r["currency"]] = r["recovered"]
        money[r["arm"]][1][r["currency"]] = int(r["holders"])
    return {a.name: replace(found.get(a.name, ArmOutcomes(arm=a.name)), recovered=money[a.name][0],
                            holders=money[a.name][1]) for a in exp.arms}


def arm_values(con: duckdb.DuckDBPyConnection, exp: Experiment, as_of: date) -> dict[str, dict[str, list[float]]]:
    """measure -> arm -> the per-unit values (recovered:<currency> per holder, NPS and CSAT per answer) for the
    differences in means; run after arm_outcomes (it reads the same temp tables)."""
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in db.rows(con, "experiments/outcome_values", {"as_of": as_of}):
        out[str(r["measure"])][str(r["arm"])].append(float(r["value"]))
    return {m: dict(v) for m, v in out.items()}
