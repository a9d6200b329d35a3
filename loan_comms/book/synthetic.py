"""A deterministic synthetic loan book: borrowers, loans, installments and the payment feed to come.

Used by the demo, the benches and tests that need a realistic book at scale. Everything is generated
in DuckDB SQL (`sql/book/generate/`) from hash-based pseudo-random numbers keyed by (seed, row, purpose),
so the same seed gives identical tables on any machine and thread count, and 100,000 loans take a few
seconds. Each borrower's payment behaviour is latent: it lives in `synthetic_profiles`, never in
`borrowers`, and shows only through the payments it produces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from loan_comms import db
from loan_comms.errors import LoanCommsError

LOANS_PER_BORROWER = 1.15
DEFAULT_HORIZON_DAYS = 120


class BookExistsError(LoanCommsError, ValueError):
    """The database already holds a loan book; the generator only writes into an empty one."""

    exit_code = 2


@dataclass
class GenerateReport:
    """What was generated (counts only, safe to print)."""

    seed: int
    start: date
    borrowers: int = 0
    loans: int = 0
    installments: int = 0
    payments: int = 0
    behaviours: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        mix = ", ".join(f"{k} {v}" for k, v in sorted(self.behaviours.items()))
        return (f"{self.borrowers} borrowers, {self.loans} loans, {self.installments} installments, "
                f"{self.payments} payments in the feed (seed {self.seed}, start {self.start.isoformat()}"
                + (f"; behaviours: {mix}" if mix else "") + ")")


def generate_book(con: duckdb.DuckDBPyConnection, *, loans: int, seed: int, start: date,
                  horizon_days: int = DEFAULT_HORIZON_DAYS, responsive_share: float = 0.0) -> GenerateReport:
    """Generate `loans` loans (and ~loans/1.15 borrowers) into an empty database, in one transaction.

    `start` is the first day the book will be run for: loans are mid-schedule on it, and the payment
    feed covers the past and `horizon_days` after it. `responsive_share` (0 to 1) of the late
    payers' loans are contact-responsive: their late payments are not pre-generated, so they are
    paid only when the simulator's response model says a contact moved the borrower (a book for
    strategy experiments, where contact must matter; 0, the default, leaves every book as it was).
    """
    if loans < 1:
        raise ValueError(f"loans must be at least 1, got {loans}")
    if not 0.0 <= responsive_share <= 1.0:
        raise ValueError(f"responsive_share must be between 0 and 1, got {responsive_share}")
    if not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    existing = db.rows(con, "book/generate/existing")[0]
    if existing["borrowers"] or existing["loans"]:
        raise BookExistsError(
            f"the database already holds a loan book ({existing['borrowers']} borrowers, {existing['loans']} loans); "
            "generate into a new database file")
    n_borrowers = max(1, min(loans, math.ceil(loans / LOANS_PER_BORROWER)))
    params = {"seed": seed, "start": start, "loans": loans, "n_borrowers": n_borrowers,
              "horizon_days": horizon_days, "responsive_share": float(responsive_share)}
    report = GenerateReport(seed=seed, start=start)
    db.run(con, "book/generate/macros")
    try:
        db.run(con, "book/generate/borrowers_temp", params)
        db.run(con, "book/generate/loans_temp", params)
        db.run(con, "book/generate/zone_noons_temp", params)
        with db.transaction(con):
            report.borrowers = _count(db.run(con, "book/generate/insert_borrowers", params))
            db.run(con, "book/generate/insert_contact_points", params)
            db.run(con, "book/generate/insert_profiles", params)
            report.loans = _count(db.run(con, "book/generate/insert_loans", params))
            report.installments = _count(db.run(con, "book/generate/insert_installments", params))
            report.payments = _count(db.run(con, "book/generate/insert_payments", params))
        report.behaviours = dict(db.value(con, "book/generate/behaviours") or {})
    finally:
        db.run(con, "book/generate/drop_temp")
    return report


def _count(cur: duckdb.DuckDBPyConnection) -> int:
    row = cur.fetchone()
    return int(row[0]) if row else 0


def write_book_file(con: duckdb.DuckDBPyConnection, path: str | Path, *, as_of: datetime | None = None) -> int:
    """Export the database's book in the import format (docs/import_format.md), CSV or Parquet by extension.

    amount_paid/paid_at come from the payment feed up to `as_of` (oldest installment first), or from
    installments.amount_paid when `as_of` is None. Lets the importer be demoed and benched at scale.
    Returns the number of rows written.
    """
    p = Path(path)
    name = p.name.lower()
    if name.endswith(".parquet"):
        fmt = "parquet"
    elif name.endswith(".csv"):
        fmt = "csv"
    else:
        raise ValueError(f"{p}: write_book_file writes .csv or .parquet files")
    p.parent.mkdir(parents=True, exist_ok=True)
    query, args = db.bound("book/generate/export_rows", {"as_of": as_of, "use_feed": as_of is not None})
    # COPY cannot take its target as a bound parameter; the path is ours, not data, and is quoted.
    target = str(p).replace("'", "''")
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
    written = con.execute(f"COPY ({query}\n) TO '{target}' ({options})", args).fetchall()
    return int(written[0][0])
