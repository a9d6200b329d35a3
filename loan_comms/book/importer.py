"""Import a core-banking loan-book export (CSV or Parquet, one row per installment) into DuckDB.

Bad rows never stop an import: each goes to `import_quarantine` with the file, line and a reason an
operator can act on, and whatever depends on it (a bad borrower's loans, a bad loan's installments)
goes with it. Good rows are upserted, so re-importing a file changes nothing and a later export
updates what changed. Validation and loading are set-based SQL (`sql/book/import/`); Python only splits
CSV lines (to know each record's line number exactly) and checks each distinct phone, timezone and
currency once. The format is described in docs/import_format.md.
"""

from __future__ import annotations

import csv
import io
import os
import operator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Mapping

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
# DuckDB's memory budget while importing: beyond it the stage, the typed lines, the per-key
# aggregates and the joins spill to DuckDB's temp directory, so a 12M-row Parquet file imports in
# bounded memory; the write transaction runs under the connection's own limit (the primary-key
# indexes it inserts into cannot spill). The operator sets another budget with
# LOAN_COMMS_IMPORT_MEMORY (e.g. "4GB"). The limit is DuckDB's, for the whole database while it holds.
IMPORT_MEMORY = os.environ.get("LOAN_COMMS_IMPORT_MEMORY", "1GB")


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
                jurisdiction_zones: Mapping[str, tuple[str, ...]] | None = None,
                memory: str | None = IMPORT_MEMORY) -> ImportReport:
    """Import one export file; see the module docstring. `now` stamps rows and imported payments without paid_at.

    `encoding` names a CSV file's encoding when it is not UTF-8 (e.g. gb18030); without it a file
    that is not UTF-8 as a whole fails once with a hint (Parquet has no text encoding to choose).

    A borrower without a timezone gets one derived (borrowers.timezone_source says how): the zone
    of their phone when it has exactly one, else the first of their jurisdiction's zones
    (`jurisdiction_zones`, each profile's `timezones` in the config; the policy then treats every
    one of them as plausible). Only when neither exists is the borrower quarantined.

    `memory` is DuckDB's memory limit while the file is staged and checked (None: leave it as it is),
    where the work is (the stage, typed lines, per-key aggregates and joins spill beyond it); the
    connection's own limit is given back before the write transaction, whose inserts into the
    primary-key indexes cannot spill (a commit that cannot pin a block fails, and DuckDB may keep
    part of its index entries in memory: the write is never tried under a budget, nor retried).
    """
    p = Path(path)
    kind = _kind(p)
    now = now or utc_now()
    source = str(p.resolve())
    report = ImportReport(source_file=source)
    try:
        with _out_of_memory_is_one_line(p, memory):
            with _memory_budget(con, memory):
                if kind == "parquet":
                    report.ignored_columns = _stage_parquet(con, p)
                else:
                    report.ignored_columns = _stage_csv(con, p, encoding)
                _check_values(con)
                zoned = {j: z for j, z in (jurisdiction_zones or {}).items() if z}
                db.run(con, "book/import/lines", {"email_re": validation.EMAIL_SQL_RE,
                                                  "jurisdictions": list(jurisdictions), "zone_profiles": list(zoned),
                                                  "zone_first": [z[0] for z in zoned.values()]})
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


@contextmanager
def _out_of_memory_is_one_line(p: Path, limit: str | None) -> Iterator[None]:
    """DuckDB running out of memory (an OutOfMemoryException, or a commit that could not pin a block,
    which it raises as a TransactionException) as one line that says what to do, not a traceback."""
    try:
        yield
    except (duckdb.OutOfMemoryException, duckdb.TransactionException) as exc:
        if isinstance(exc, duckdb.TransactionException) and "failed to pin block" not in str(exc):
            raise
        raise BookFileError(f"{p}: DuckDB ran out of memory importing it (staging budget {limit or 'none'}, "
                            "LOAN_COMMS_IMPORT_MEMORY): raise the budget, or free memory on this machine, or "
                            "split the file, and import again; the import was rolled back") from exc


@contextmanager
def _memory_budget(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    """Hold DuckDB to `limit` while importing, then give back the limit the connection had."""
    if limit is None:
        yield
        return
    before = db.value(con, "book/import/memory_limit")
    db.run(con, "book/import/set_memory_limit", {"limit": limit})
    try:
        yield
    finally:
        db.run(con, "book/import/reset_memory_limit")
        if db.value(con, "book/import/memory_limit") != before:   # the connection had a limit of its own
            db.run(con, "book/import/set_memory_limit", {"limit": before})


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
    if any(c in str(p) for c in "*?[{"):
        # the stage reads the file by name (stage_parquet.sql), and DuckDB reads such a name as a glob
        raise BookFileError(f"{p}: a Parquet file name with * ? [ or {{ cannot be imported: rename the file")
    db.run(con, "book/import/set_import_path", {"path": str(p)})
    db.run(con, "book/import/stage_parquet")
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
    """Split the CSV into records knowing the line each starts on (quoted newlines, blank lines) and
    hand them to DuckDB in batches, never one Python object per field of the whole file. The three
    ways give the records reader.split_csv gives, fastest first:
      * a file without any quote: every line is a record, its fields the text between commas, so
        DuckDB splits the lines itself (stage_csv_lines.sql);
      * a file whose every record sits on one line of its own: one pass of Python's csv module;
      * any other (quoted newlines, a quote left open): the shared splitter, reader.split_csv."""
    text, utf8_ok = _read_text(p, encoding)
    db.run(con, "book/import/create_stage")
    lines = _plain_lines(text) if utf8_ok else None
    if lines is not None:
        return _stage_plain_lines(con, p, lines)
    try:
        return _stage_records(con, p, _one_line_records(text), utf8_ok)
    except _NotOneLinePerRecord:
        db.run(con, "book/import/create_stage")  # start again, empty
        return _stage_records(con, p, reader.split_csv(text), utf8_ok)


def _plain_lines(text: str) -> list[str] | None:
    """The file's lines when nothing in it needs a CSV parser: no quote (so no quoted comma or
    newline), no NUL, one kind of line end, no line longer than the csv module's field limit (it
    would refuse the record). None otherwise."""
    if '"' in text or "\0" in text:
        return None
    if "\r" in text:
        crlf = text.count("\r\n")
        if text.count("\r") != crlf or text.count("\n") != crlf:
            return None
        lines = text.split("\r\n")
    else:
        lines = text.split("\n")
    if max(map(len, lines)) > csv.field_size_limit():
        return None
    return lines


def _stage_plain_lines(con: duckdb.DuckDBPyConnection, p: Path, lines: list[str]) -> list[str]:
    """import_stage from a quote-free file's lines: DuckDB splits those with a comma, in batches; a
    line without one is blank (skipped) or a one-field record (kept with its line problem)."""
    first = next((i for i, text in enumerate(lines) if any(f.strip() for f in text.split(","))), None)
    if first is None:
        raise BookFileError(f"{p}: empty file (no header line)")
    header = _header(p, lines[first].split(","))
    odd = _CsvBatch([h for h in header if h in COLUMNS], [i for i, h in enumerate(header) if h in COLUMNS])
    for start in range(first + 1, len(lines), CSV_BATCH_ROWS):
        chunk = lines[start:start + CSV_BATCH_ROWS]
        table = pa.table({"line": pa.array(range(start + 1, start + 1 + len(chunk)), pa.int64()),
                          "text": pa.array(chunk, pa.string())})
        with db.registered(con, table, "import_csv_lines"):
            db.run(con, "book/import/stage_csv_lines", {"header": header})
        for i, text in enumerate(chunk, start=start + 1):
            if "," not in text and text.strip():
                odd.add_problem(i, f"line has 1 fields, the header has {len(header)}", [text])
    odd.flush(con)
    return [h for h in header if h and h not in COLUMNS]


class _NotOneLinePerRecord(Exception):
    """The file has a record spanning lines (or a quote left open): the general splitter reads it."""


def _one_line_records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """reader.split_csv's (line, fields, problem) for a file where every record is one line: then a
    line with an even number of quotes is a whole record, which is all split_csv looks at, and one
    csv.reader over the whole text gives the same fields. Raises _NotOneLinePerRecord otherwise."""
    if '"' in text and any(piece.count('"') % 2 for piece in text.replace("\r", "\n").split("\n")):
        raise _NotOneLinePerRecord
    rows = csv.reader(io.StringIO(text, newline=""))
    done = 0   # physical lines consumed so far
    try:
        for row in rows:
            if rows.line_num != done + 1:
                raise _NotOneLinePerRecord
            done = rows.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            yield done, row, None
    except csv.Error:
        raise _NotOneLinePerRecord from None


def _stage_records(con: duckdb.DuckDBPyConnection, p: Path,
                   records: Iterator[tuple[int, list[str] | None, str | None]], utf8_ok: bool) -> list[str]:
    """The header, then the records in batches into import_stage; returns the ignored columns."""
    records = iter(records)
    header: list[str] | None = None
    for _, raw_header, csv_problem in records:
        if csv_problem is not None:
            raise BookFileError(f"{p}: cannot read the header line ({csv_problem})")
        if any(h.strip() for h in raw_header or ()):
            header = _header(p, raw_header or [])
            break
    if header is None:
        raise BookFileError(f"{p}: empty file (no header line)")
    keep = [(i, h) for i, h in enumerate(header) if h in COLUMNS]
    width = len(header)
    batch = _CsvBatch([h for _, h in keep], [i for i, _ in keep])
    for start, row, csv_problem in records:
        if row is None:   # e.g. an unterminated quote: everything after it is one broken record
            batch.add_problem(start, f"unreadable CSV record: {csv_problem}", [])
        elif not utf8_ok and any(reader.has_surrogate(v) for v in row):
            batch.add_problem(start, "line is not valid UTF-8", [reader.printable(v) for v in row])
        elif len(row) != width:
            batch.add_problem(start, f"line has {len(row)} fields, the header has {width}", row)
        else:
            batch.add(start, row)
        if len(batch) >= CSV_BATCH_ROWS:
            batch.flush(con)
    batch.flush(con)
    return [h for h in header if h and h not in COLUMNS]


CSV_BATCH_ROWS = 100_000   # CSV records per Arrow batch handed to DuckDB


def _header(p: Path, raw_header: list[str]) -> list[str]:
    """The header's column names (trimmed, lower-cased); duplicates and missing required ones refused."""
    header = [h.strip().lower() for h in raw_header]
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise BookFileError(f"{p}: duplicate column(s) in header: {', '.join(dupes)}")
    _missing(p, header)
    return header


class _CsvBatch:
    """CSV records on their way to import_stage: good records as whole rows (transposed to columns in
    C by zip), the few with a line problem padded with NULLs where a field is missing."""

    def __init__(self, names: list[str], indexes: list[int]) -> None:
        self.names, self.indexes = names, indexes
        self.pick = operator.itemgetter(*indexes)   # a tuple: the required columns are more than one
        self.lines: list[int] = []
        self.problems: list[str | None] = []
        self.rows: list[tuple[str | None, ...]] = []

    def __len__(self) -> int:
        return len(self.lines)

    def add(self, line: int, row: list[str]) -> None:
        self.lines.append(line)
        self.problems.append(None)
        self.rows.append(self.pick(row))

    def add_problem(self, line: int, problem: str, row: list[str]) -> None:
        self.lines.append(line)
        self.problems.append(problem)
        self.rows.append(tuple(row[i] if i < len(row) else None for i in self.indexes))

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        if not self.lines:
            return
        cols = list(zip(*self.rows)) if self.rows else [()] * len(self.names)
        table = pa.table({"line": pa.array(self.lines, pa.int64()), "line_problem": pa.array(self.problems, pa.string()),
                          **{h: pa.array(col, pa.string()) for h, col in zip(self.names, cols)}})
        with db.registered(con, table, "import_csv_src"):
            db.run(con, "book/import/stage_csv")
        self.lines, self.problems, self.rows = [], [], []


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
