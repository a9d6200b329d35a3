"""Import a core-banking loan-book export (CSV or Parquet, one row per installment) into DuckDB.

Bad rows never stop an import: each goes to `import_quarantine` with the file, line and a reason an
operator can act on, and whatever depends on it (a bad borrower's loans, a bad loan's installments)
goes with it. Good rows are upserted, so re-importing a file changes nothing and a later export
updates what changed. Validation and loading are set-based SQL (`sql/book/import/`); Python only splits
CSV lines (to know each record's line number exactly) and checks each distinct phone, timezone and
currency once. The format is described in docs/import_format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.inbound import reader
from loan_comms.book import validation
from loan_comms.clock import utc_now
from loan_comms.errors import LoanCommsError
from loan_comms.policy.zones import lookup as lookup_zones

COLUMNS: tuple[str, ...] = (
    "borrower_id", "full_name", "first_name", "phone_e164", "email", "language", "timezone",
    "jurisdiction", "segment", "loan_id", "product", "principal", "currency", "opened_on",
    "installment_no", "due_date", "amount_due", "amount_paid", "paid_at", "address_timezone",
    "city", "district",
)
REQUIRED: tuple[str, ...] = (
    "borrower_id", "full_name", "phone_e164", "language", "timezone", "loan_id", "product",
    "principal", "currency", "installment_no", "due_date", "amount_due",
)
SUFFIXES = (".csv", ".csv.gz", ".parquet")


class BookFileError(LoanCommsError):
    """The file cannot be imported at all (missing, unreadable, wrong type, missing columns).

    Row-level problems never raise: they are quarantined and counted in the ImportReport.
    """

    exit_code = 2


@dataclass
class ImportReport:
    """What one import did: counts only, never personal data (safe to log and print)."""

    source_file: str
    rows_read: int = 0
    rows_loaded: int = 0
    borrowers_new: int = 0
    borrowers_updated: int = 0
    loans_new: int = 0
    loans_updated: int = 0
    installments_new: int = 0
    installments_updated: int = 0
    payments_new: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)   # lines by reason code
    quarantine_rows_new: int = 0                                # rows added to import_quarantine
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return sum(self.quarantined.values())

    def __str__(self) -> str:
        name = Path(self.source_file).name
        text = (f"{name}: {self.rows_read} rows read, {self.rows_loaded} loaded, "
                f"{self.rows_quarantined} quarantined; "
                f"borrowers {self.borrowers_new} new/{self.borrowers_updated} updated, "
                f"loans {self.loans_new} new/{self.loans_updated} updated, "
                f"installments {self.installments_new} new/{self.installments_updated} updated, "
                f"payments {self.payments_new} new")
        if self.quarantined:
            reasons = ", ".join(f"{code} {n}" for code, n in sorted(self.quarantined.items(), key=lambda kv: (-kv[1], kv[0])))
            text += f"\n  quarantined by reason: {reasons} ({self.quarantine_rows_new} new in import_quarantine)"
        if self.ignored_columns:
            text += f"\n  ignored columns: {', '.join(self.ignored_columns)}"
        return text


def import_book(con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime | None = None,
                jurisdictions: tuple[str, ...] = validation.JURISDICTIONS, encoding: str | None = None,
                jurisdiction_zones: Mapping[str, tuple[str, ...]] | None = None) -> ImportReport:
    """Import one export file; see the module docstring. `now` stamps rows and imported payments without paid_at.

    `encoding` names a CSV file's encoding when it is not UTF-8 (e.g. gb18030); without it a file
    that is not UTF-8 as a whole fails once with a hint (Parquet has no text encoding to choose).

    A borrower without a timezone gets one derived (borrowers.timezone_source says how): the zone
    of their phone when it has exactly one, else the first of their jurisdiction's zones
    (`jurisdiction_zones`, each profile's `timezones` in the config; the policy then treats every
    one of them as plausible). Only when neither exists is the borrower quarantined.
    """
    p = Path(path)
    kind = _kind(p)
    now = now or utc_now()
    source = str(p.resolve())
    report = ImportReport(source_file=source)
    db.run(con, "book/import/create_stage")
    try:
        if kind == "parquet":
            report.ignored_columns = _stage_parquet(con, p)
        else:
            report.ignored_columns = _stage_csv(con, p, encoding)
        _check_values(con)
        zoned = {j: z for j, z in (jurisdiction_zones or {}).items() if z}
        db.run(con, "book/import/lines", {"email_re": validation.EMAIL_SQL_RE, "jurisdictions": list(jurisdictions),
                                          "zone_profiles": list(zoned), "zone_first": [z[0] for z in zoned.values()]})
        for step in ("borrower_keys", "loan_keys", "installment_repeats", "problem_lines", "bad_borrowers",
                     "bad_loans", "quarantined", "loadable", "good_borrowers", "good_loans"):
            db.run(con, f"book/import/{step}")
        params = {"now": now, "source_file": source}
        with db.transaction(con):
            report.quarantine_rows_new = _count(db.run(con, "book/import/record_quarantine", params))
            report.borrowers_updated = _count(db.run(con, "book/import/update_borrowers", params))
            report.borrowers_new = _count(db.run(con, "book/import/insert_borrowers", params))
            report.loans_updated = _count(db.run(con, "book/import/update_loans", params))
            report.loans_new = _count(db.run(con, "book/import/insert_loans", params))
            db.run(con, "book/import/forget_state", params)   # loans whose schedule changes: derived again
            report.installments_updated = _count(db.run(con, "book/import/update_installments", params))
            report.installments_new = _count(db.run(con, "book/import/insert_installments", params))
            report.payments_new = _count(db.run(con, "book/import/insert_payments", params))
        for row in db.rows(con, "book/import/summary"):
            if row["code"] is None:
                report.rows_read, report.rows_loaded = row["rows_read"], row["rows_loaded"]
            else:
                report.quarantined[row["code"]] = row["rows_read"]
    finally:
        db.run(con, "book/import/drop_temp")
    return report


def _count(cur: duckdb.DuckDBPyConnection) -> int:
    row = cur.fetchone()
    return int(row[0]) if row else 0


def _kind(p: Path) -> str:
    name = p.name.lower()
    if not any(name.endswith(s) for s in SUFFIXES):
        raise BookFileError(f"{p}: unsupported file type {''.join(p.suffixes) or '(none)'!r}; "
                            "expected .csv, .csv.gz or .parquet")
    if p.is_dir():
        raise BookFileError(f"{p}: is a directory, not a file; give the export file itself")
    if not p.is_file():
        raise BookFileError(f"{p}: no such file")
    return "parquet" if name.endswith(".parquet") else "csv"


def _missing(p: Path, present: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise BookFileError(f"{p}: missing required column(s): {', '.join(missing)} "
                            f"(found: {', '.join(present) or 'none'}); see docs/import_format.md")


def _stage_parquet(con: duckdb.DuckDBPyConnection, p: Path) -> list[str]:
    try:
        present = [r["column_name"] for r in db.rows(con, "book/import/parquet_columns", {"path": str(p)})]
    except duckdb.Error as exc:
        raise BookFileError(f"{p}: not a readable Parquet file ({str(exc).splitlines()[0]})") from exc
    lowered = [c.lower() for c in present]
    if len(set(lowered)) != len(lowered):
        raise BookFileError(f"{p}: duplicate column names {present}")
    _missing(p, lowered)
    db.run(con, "book/import/stage_parquet", {"path": str(p)})
    return [c for c in present if c.lower() not in COLUMNS]


def _read_text(p: Path, encoding: str | None) -> tuple[str, bool]:
    """The file as text and whether it was clean: the shared inbound decoding (loan_comms.inbound),
    so a GBK file fails once with a hint, while stray invalid bytes in a UTF-8 file are kept as
    surrogates and only their rows are quarantined."""
    try:
        return reader.decode(reader.read_bytes(p), str(p), encoding)
    except reader.InboundFileError as exc:
        raise BookFileError(str(exc)) from None


def _stage_csv(con: duckdb.DuckDBPyConnection, p: Path, encoding: str | None = None) -> list[str]:
    """Split the CSV with Python's csv module, which tells where each record starts (quoted newlines,
    blank lines), then hand DuckDB one Arrow table of text columns."""
    text, utf8_ok = _read_text(p, encoding)
    records = reader.split_csv(text)
    header: list[str] | None = None
    for _, raw_header, csv_problem in records:
        if csv_problem is not None:
            raise BookFileError(f"{p}: cannot read the header line ({csv_problem})")
        if any(h.strip() for h in raw_header or ()):
            header = [h.strip().lower() for h in raw_header or ()]
            break
    if header is None:
        raise BookFileError(f"{p}: empty file (no header line)")
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise BookFileError(f"{p}: duplicate column(s) in header: {', '.join(dupes)}")
    _missing(p, header)
    keep = [(i, h) for i, h in enumerate(header) if h in COLUMNS]
    width = len(header)
    lines: list[int] = []
    problems: list[str | None] = []
    cols: list[list[str | None]] = [[] for _ in keep]
    for start, row, csv_problem in records:
        if row is None:   # e.g. an unterminated quote: everything after it is one broken record
            lines.append(start)
            problems.append(f"unreadable CSV record: {csv_problem}")
            for col in cols:
                col.append(None)
            continue
        problem = None
        if len(row) != width:
            problem = f"line has {len(row)} fields, the header has {width}"
        if not utf8_ok and any(reader.has_surrogate(v) for v in row):
            problem = "line is not valid UTF-8"
            row = [reader.printable(v) for v in row]
        lines.append(start)
        problems.append(problem)
        for col, (i, _) in zip(cols, keep):
            col.append(row[i] if i < len(row) else None)
    table = pa.table({"line": pa.array(lines, pa.int64()), "line_problem": pa.array(problems, pa.string()),
                      **{h: pa.array(col, pa.string()) for col, (_, h) in zip(cols, keep)}})
    with db.registered(con, table, "import_csv_src"):
        db.run(con, "book/import/stage_csv")
    return [h for h in header if h and h not in COLUMNS]


def _check_values(con: duckdb.DuckDBPyConnection) -> None:
    """Check each distinct phone, timezone and currency once in Python and store the verdicts for SQL.
    A phone's zone is looked up only where it may become the borrower's timezone (a line without one)."""
    out: dict[str, list[Any]] = {"kind": [], "value": [], "normalised": [], "problem": [], "zone": []}
    for kind, value, needs_zone in db.run(con, "book/import/distinct_values").fetchall():
        zone = None
        if kind == "phone":
            normalised, problem = validation.normalise_phone(value)
            if needs_zone and normalised:
                zones_of_phone = lookup_zones(normalised)[0]
                zone = zones_of_phone[0] if len(zones_of_phone) == 1 else None  # derive only when unambiguous
        elif kind == "timezone":
            problem = validation.timezone_problem(value)
            normalised = None if problem else value
        else:
            problem = validation.currency_problem(value)
            normalised = None if problem else value
        out["kind"].append(kind)
        out["value"].append(value)
        out["normalised"].append(normalised)
        out["problem"].append(problem)
        out["zone"].append(zone)
    db.run(con, "book/import/create_values")
    with db.registered(con, pa.table({k: pa.array(v, pa.string()) for k, v in out.items()}), "import_values_src"):
        db.run(con, "book/import/load_values")
