"""Analytics of repayment arrangements: what the offers, the plans and the borrowers on them came to.

    s = rebuild(con)            # rebuilds every arrangement_stats_* table, returns the numbers
    s = summary(con)            # the numbers from the tables as they stand
    s.markdown_lines()          # counts and rates only: safe for a Prefect artifact

Tables (each rebuilt whole by one file of sql/arrangements/, all in one transaction, so a re-run over
the same log leaves the same tables and a crash leaves yesterday's), built by the nightly
`feedback-aggregate` (loan_comms.surveys.aggregation.aggregate calls rebuild) and drawn in the
feedback report's "Repayment arrangements" section (loan_comms.surveys.report):
    arrangement_stats_offers        one row per offer that went out, and what became of it     stats_offers.sql
    arrangement_stats_offer_funnel  offers, taken, declined, unanswered by step, channel, ...    stats_offer_funnel.sql
    arrangement_stats_plans         one row per plan, its outcome (active, kept, broken, ...)    stats_plans.sql
    arrangement_stats_plan_slices   kept / broken / active by product, option, kind, source      stats_plan_slices.sql
    arrangement_stats_cure          cure rate with a plan vs the plain ladder, by dpd band       stats_cure.sql
    arrangement_stats_experience    complaints and CSAT / NPS on a plan vs in arrears without    stats_experience.sql

Why the cure comparison is careful: who gets a plan is not random (they asked for help), so the
comparison is observational; it compares loans of the same days-past-due band, standardizes the
plain ladder's overall rate to the plans' band mix, and shows the counts beside every rate so nobody
reads a rate of 2 loans as a finding. Outcomes after the horizon (the newest day planned) are unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from loan_comms import db

TABLES = ("arrangement_stats_offers", "arrangement_stats_offer_funnel", "arrangement_stats_plans",
          "arrangement_stats_plan_slices", "arrangement_stats_cure", "arrangement_stats_experience")
_STEPS = ("arrangements/stats_offers", "arrangements/stats_offer_funnel", "arrangements/stats_plans",
          "arrangements/stats_plan_slices", "arrangements/stats_cure", "arrangements/stats_experience")
CURE_DAYS = 60   # "back to current within N days"
GROUP_LABELS = {"plan": "with a plan", "plain_ladder": "plain ladder (no plan)",
                "on_plan": "on a plan", "arrears_no_plan": "in arrears, no plan"}


@dataclass(frozen=True)
class Funnel:
    """The offers that went out and what became of them."""

    offers: int = 0
    taken: int = 0
    pending_review: int = 0
    declined: int = 0
    open: int = 0
    unanswered: int = 0
    take_rate: float | None = None


@dataclass(frozen=True)
class PlanOutcomes:
    """What became of the plans asked for (all of them, or one slice's)."""

    requested: int = 0
    accepted: int = 0
    active: int = 0
    kept: int = 0
    broken: int = 0
    pending_review: int = 0
    declined: int = 0
    missed_any: int = 0
    keep_rate: float | None = None


@dataclass(frozen=True)
class CureRow:
    """One (dpd band, group) of the cure comparison; band 'all' totals (standardized for the plain ladder)."""

    band: str
    grp: str
    loans: int
    complete_windows: int
    cured: int
    on_track: int
    cure_rate: float | None
    resolved_rate: float | None
    standardized: bool


@dataclass(frozen=True)
class Experience:
    """Complaints and satisfaction of one group of borrowers."""

    grp: str
    borrowers: int
    complainants: int
    complaints: int
    complaints_per_100: float | None
    csat_sent: int
    csat_answers: int
    csat_mean: float | None
    nps_sent: int
    nps_answers: int
    nps: float | None


@dataclass(frozen=True)
class ArrangementSummary:
    """The arrangement numbers: counts and rates only (no id, name or amount)."""

    horizon: date | None
    funnel: Funnel
    plans: PlanOutcomes
    cure: tuple[CureRow, ...]
    experience: tuple[Experience, ...]
    cure_days: int = CURE_DAYS

    def cure_all(self, grp: str) -> CureRow | None:
        """The 'all' row of a group ('plan' or 'plain_ladder')."""
        return next((r for r in self.cure if r.band == "all" and r.grp == grp), None)

    def markdown_lines(self) -> list[str]:
        """The section as markdown lines, for the feedback artifact."""
        f, p = self.funnel, self.plans
        out = ["## Repayment arrangements", "",
               f"Offers that went out: {f.offers}; taken {f.taken} ({_pct(f.take_rate)}), waiting for review "
               f"{f.pending_review}, declined by a reviewer {f.declined}, unanswered {f.unanswered}, still open {f.open}.",
               f"Plans accepted: {p.accepted}; active {p.active}, kept {p.kept}, broken {p.broken} "
               f"(kept of those ended: {_pct(p.keep_rate)}); {p.missed_any} missed a payment at least once.", "",
               f"Back to current within {self.cure_days} days (observational, not an experiment: who gets a "
               f"plan is not random; same dpd bands compared; data up to {self.horizon or '-'}):", "",
               "| dpd band | group | loans | windows complete | cured | cure rate | cured or plan on track |",
               "|---|---|---|---|---|---|---|"]
        for r in self.cure:
            if r.loans or r.band == "all":
                grp = GROUP_LABELS.get(r.grp, r.grp) + (" (standardized to the plans' bands)" if r.standardized else "")
                out.append(f"| {r.band} | {grp} | {r.loans} | {r.complete_windows} | {r.cured} | {_pct(r.cure_rate)} "
                           f"| {_pct(r.resolved_rate)} |")
        out += ["", "| borrowers | count | complaints per 100 | CSAT mean (answers) | NPS (answers) |",
                "|---|---|---|---|---|"]
        for e in self.experience:
            csat = "-" if e.csat_mean is None else f"{e.csat_mean:.2f}"
            nps = "-" if e.nps is None else f"{e.nps:+.1f}"
            per = "-" if e.complaints_per_100 is None else f"{e.complaints_per_100:.1f}"
            out.append(f"| {GROUP_LABELS.get(e.grp, e.grp)} | {e.borrowers} | {per} | {csat} ({e.csat_answers}) "
                       f"| {nps} ({e.nps_answers}) |")
        return out


def horizon(con: duckdb.DuckDBPyConnection) -> date:
    """The newest day the log speaks for (sql/arrangements/stats_horizon.sql)."""
    found = db.value(con, "arrangements/stats_horizon")
    return found if isinstance(found, date) else date.today()


def rebuild(con: duckdb.DuckDBPyConnection, *, as_of: date | None = None,
            cure_days: int = CURE_DAYS) -> ArrangementSummary:
    """Replace every arrangement_stats_* table from the log (arrangement_offers, contact_attempts,
    arrangements, arrangement_loans, borrower_events, delinquency_episodes, survey_*) and return
    the numbers. `as_of`: the horizon (default: the newest day planned)."""
    day = as_of or horizon(con)
    with db.transaction(con):
        for name in _STEPS:
            db.run(con, name, {"horizon": day, "cure_days": cure_days})
    return summary(con, cure_days=cure_days, as_of=day)


def built(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether rebuild() has run on this database (every table there)."""
    found = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    return set(TABLES) <= found


def summary(con: duckdb.DuckDBPyConnection, *, cure_days: int = CURE_DAYS,
            as_of: date | None = None) -> ArrangementSummary:
    """The numbers from the arrangement_stats_* tables as they stand (rebuild() first)."""
    funnel = next((Funnel(**_ints(r, "take_rate")) for r in
                   db.rows(con, "arrangements/stats_read_funnel", {"dimension": "all"})), Funnel())
    plans = next((PlanOutcomes(**_ints(r, "keep_rate")) for r in
                  db.rows(con, "arrangements/stats_read_plans", {"dimension": "all"})), PlanOutcomes())
    cure = tuple(CureRow(band=str(r["band"]), grp=str(r["grp"]), standardized=bool(r["standardized"]),
                         **_ints({k: v for k, v in r.items() if k not in ("band", "grp", "standardized")},
                                 "cure_rate", "resolved_rate"))
                 for r in db.rows(con, "arrangements/stats_read_cure"))
    experience = tuple(Experience(grp=str(r["grp"]), **_ints({k: v for k, v in r.items() if k != "grp"},
                                                              "complaints_per_100", "csat_mean", "nps"))
                       for r in db.rows(con, "arrangements/stats_read_experience"))
    return ArrangementSummary(as_of or horizon(con), funnel, plans, cure, experience, cure_days)


def _ints(row: dict[str, Any], *floats: str) -> dict[str, Any]:
    """The row with counts as int and the named rates as float (None stays None); 'value' dropped."""
    return {k: (None if v is None else float(v)) if k in floats else int(v or 0)
            for k, v in row.items() if k != "value"}


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1%}"
