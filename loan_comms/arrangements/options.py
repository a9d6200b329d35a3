"""The options a borrower may be offered, computed from the loan's real arrears (issue 15).

The [arrangements.options] are exposed to SQL as temp tables (`register_tables`, called where the
planner registers its policy tables), and `compute` answers, set-based, for any number of subjects
(a borrower's loan as of an instant) which options apply, with each one's schedule: the day's offers
(offers.py), a choice re-checked at acceptance and an agent's record (accept.py) all ask the same SQL,
sql/arrangements/options.sql, whose header says how amounts, rounding, currency and limits work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.config import LifecycleConfig

_OPTIONS = pa.schema([
    ("option_id", pa.string()), ("ord", pa.int32()), ("kind", pa.string()), ("label_en", pa.string()),
    ("label_zh", pa.string()), ("products", pa.list_(pa.string())), ("jurisdictions", pa.list_(pa.string())),
    ("months", pa.int32()), ("percent", pa.int32()), ("min_payment", pa.float64()),
    ("max_term_months", pa.int32()), ("min_dpd", pa.int32()), ("max_dpd", pa.int32()), ("max_broken", pa.int32()),
    ("min_arrears", pa.float64()), ("max_arrears", pa.float64()), ("requires", pa.list_(pa.string())),
    ("freeze_interest", pa.string()), ("needs_review", pa.bool_()), ("review_max_broken", pa.int32()),
    ("review_max_dpd", pa.int32()),
])
_PROFILES = pa.schema([("profile", pa.string()), ("forbearance", pa.bool_())])
_SETTINGS = pa.schema([("scope", pa.string()), ("hardship_window_days", pa.int32()),
                       ("offer_valid_days", pa.int32()), ("review_within_days", pa.int32()),
                       ("missed_after_days", pa.int32()), ("break_after_days", pa.int32()),
                       ("reoffer_wait_days", pa.int32()), ("reminder_days_before", pa.list_(pa.int32()))])
SUBJECTS = pa.schema([("subject_key", pa.string()), ("borrower_id", pa.string()), ("loan_id", pa.string()),
                      ("as_of", pa.date32()), ("at", pa.timestamp("us", tz="UTC")), ("starts_on", pa.date32()),
                      ("loan_ids", pa.list_(pa.string()))])


def option_rows(cfg: LifecycleConfig) -> list[dict[str, Any]]:
    """One row per configured option, in config order (`ord`: the menu's order)."""
    rows = []
    for ord_, (option_id, o) in enumerate(cfg.arrangements.options.items(), start=1):
        rows.append(dict(option_id=option_id, ord=ord_, kind=o.kind, label_en=o.label.get("en"),
                         label_zh=o.label.get("zh-CN"), products=list(o.products), jurisdictions=list(o.jurisdictions),
                         months=o.months, percent=o.percent, min_payment=o.min_payment,
                         max_term_months=o.max_term_months, min_dpd=o.min_dpd, max_dpd=o.max_dpd,
                         max_broken=o.max_broken, min_arrears=o.min_arrears, max_arrears=o.max_arrears,
                         requires=list(o.requires), freeze_interest=o.freeze_interest, needs_review=o.needs_review,
                         review_max_broken=o.review_max_broken, review_max_dpd=o.review_max_dpd))
    return rows


def register_tables(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig) -> None:
    """Temp tables cfg_arrangement_options (one row per option), cfg_arrangement_profiles (profile,
    forbearance: whether it asks for forbearance, for freeze_interest = where_profile_asks) and
    cfg_arrangements (one row: scope, hardship_window_days, offer_valid_days, review_within_days, and the
    day counts a plan's life is judged by: missed_after_days, break_after_days, reoffer_wait_days,
    reminder_days_before as a list)."""
    a = cfg.arrangements
    db.temp_table(con, "cfg_arrangement_options", pa.Table.from_pylist(option_rows(cfg), schema=_OPTIONS))
    db.temp_table(con, "cfg_arrangement_profiles", pa.Table.from_pylist(
        [dict(profile=name, forbearance=p.forbearance_before_escalation) for name, p in cfg.policy.profiles.items()],
        schema=_PROFILES))
    db.temp_table(con, "cfg_arrangements", pa.Table.from_pylist(
        [dict(scope=a.scope, hardship_window_days=a.hardship_window_days, offer_valid_days=a.offer_valid_days,
              review_within_days=a.review_within_days, missed_after_days=a.missed_after_days,
              break_after_days=a.break_after_days, reoffer_wait_days=a.reoffer_wait_days,
              reminder_days_before=list(a.reminder_days_before))], schema=_SETTINGS))


@dataclass(frozen=True)
class Subject:
    """A loan of a borrower as of an instant: `as_of` is the borrower's local day then, and the plan
    would start on `starts_on` (default: as_of). `loan_ids` bounds the loans a plan may cover (a choice
    from an offer: the offer's loans, so a plan is never wider than what was offered; None: as
    [arrangements] scope says)."""

    key: str
    borrower_id: str
    loan_id: str
    as_of: date
    at: datetime
    starts_on: date | None = None
    loan_ids: tuple[str, ...] | None = None

    def row(self) -> dict[str, Any]:
        return dict(subject_key=self.key, borrower_id=self.borrower_id, loan_id=self.loan_id, as_of=self.as_of,
                    at=self.at, starts_on=self.starts_on or self.as_of,
                    loan_ids=list(self.loan_ids) if self.loan_ids is not None else None)


def compute_table(con: duckdb.DuckDBPyConnection, subjects: pa.Table) -> None:
    """Fill temp table arrangement_options for `subjects` (schema SUBJECTS); the config tables must
    be registered (register_tables)."""
    db.temp_table(con, "arrangement_subjects", subjects)
    db.run(con, "arrangements/options")


def compute(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, subjects: Sequence[Subject], *,
            offerable_only: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every option for each subject (by key), in config order, as dicts (see options.sql for the
    columns); `offerable_only` keeps those that may be offered (eligibility auto or review)."""
    register_tables(con, cfg)
    compute_table(con, pa.Table.from_pylist([s.row() for s in subjects], schema=SUBJECTS))
    out: dict[str, list[dict[str, Any]]] = {s.key: [] for s in subjects}
    for row in db.rows(con, "arrangements/options_read", {"offerable_only": offerable_only}):
        out[row["subject_key"]].append(row)
    return out


def label(row: dict[str, Any], language: str) -> str:
    """The option's label in the borrower's language (the other one, then its id, when missing)."""
    first, second = ("label_zh", "label_en") if language == "zh-CN" else ("label_en", "label_zh")
    return str(row.get(first) or row.get(second) or row["option_id"])
