"""Contact points from outside: a borrower's extra phones and e-mails, and reassigned numbers.

- `import_contact_points`: rows (borrower_id, kind phone|email, address, place mobile|home|work,
  verified_at) become `borrower_contact_points` rows (one point may belong to several borrowers), and
  a row with verified_at records a `point_verified` event: the way a new number, or the same number
  confirmed again after a wrong-number or reassigned mark, becomes usable.
- `ingest_reassigned_numbers`: answers of a reassigned-numbers lookup (phone, reassigned_on; the FCC
  Reassigned Numbers Database answers so) become `number_reassigned` events for every borrower
  holding the number, so nothing goes to it until it is verified again.

Both read files through the one inbound reader (CSV, JSON, JSON Lines; .gz too), check each row on
its own, and quarantine a bad one with its file, line and reason in the same transaction as the good
ones land; re-ingesting a file records nothing new. Addresses never appear in reports (masked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.book.validation import EMAIL_RE, normalise_phone
from loan_comms.clock import utc_now
from loan_comms.inbound import reader

KINDS = ("phone", "email")
PLACES = ("mobile", "home", "work")
POINT_FIELDS = ("borrower_id", "kind", "address", "place", "verified_at")
REASSIGNED_FIELDS = ("phone", "reassigned_on")

_POINTS_SCHEMA = pa.schema([("seq", pa.int64()), ("borrower_id", pa.string()), ("kind", pa.string()),
                            ("address", pa.string()), ("place", pa.string()),
                            ("added_at", pa.timestamp("us", tz="UTC")), ("verified_at", pa.timestamp("us", tz="UTC"))])
_REASSIGNED_SCHEMA = pa.schema([("phone", pa.string()), ("reassigned_on", pa.date32())])


@dataclass
class PointsReport:
    """Counts from one contact-points file; refused rows as "file:line: reason" (no addresses)."""

    file: str
    records: int = 0
    points: int = 0          # new borrower_contact_points rows
    verified: int = 0        # new point_verified events
    rejected: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head, _, rest = reader.summary(self.file, "contact points", self.records, self.points, 0, self.rejected,
                                        "contact_point").partition("\n")
        return f"{head}; {self.verified} verifications recorded" + (f"\n{rest}" if rest else "")


@dataclass
class ReassignedReport:
    """Counts from one reassigned-numbers file."""

    file: str
    records: int = 0
    recorded: int = 0        # new number_reassigned events (one per borrower holding a number)
    not_ours: int = 0        # numbers no borrower holds
    rejected: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head, _, rest = reader.summary(self.file, "reassigned numbers", self.records, self.recorded, 0, self.rejected,
                                        "reassigned_number").partition("\n")
        return f"{head}; {self.not_ours} numbers no borrower holds" + (f"\n{rest}" if rest else "")


def _text(rec: dict[str, Any], name: str) -> str:
    value = rec.get(name)
    return "" if value is None else str(value).strip()


def _instant(value: str) -> datetime | None:
    """An ISO date or instant (naive = UTC), or None when it is not one."""
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def point_row(rec: dict[str, Any], now: datetime) -> tuple[dict[str, Any] | None, str | None]:
    """(row, None) for a usable contact-point record, else (None, why): the address normalized
    (E.164 phone; e-mail trimmed and lower-cased), the place one we know, no future verification."""
    kind, address, place, verified = (_text(rec, "kind").lower(), _text(rec, "address"),
                                      _text(rec, "place").lower() or None, _text(rec, "verified_at"))
    if not _text(rec, "borrower_id"):
        return None, "no borrower_id"
    if kind not in KINDS:
        return None, f"kind must be one of {', '.join(KINDS)}"
    if kind == "phone":
        normalized, problem = normalise_phone(address)
        if normalized is None:
            return None, f"address: {problem or 'not a phone number'}"
        address = normalized
    else:
        address = address.lower()
        if not EMAIL_RE.match(address):
            return None, "address: not an e-mail address"
    if place is not None and place not in PLACES:
        return None, f"place must be one of {', '.join(PLACES)} or empty"
    verified_at = None
    if verified:
        verified_at = _instant(verified)
        if verified_at is None:
            return None, "verified_at is not an ISO date or time"
        if verified_at > now:
            return None, "verified_at is in the future"
    return dict(borrower_id=_text(rec, "borrower_id"), kind=kind, address=address, place=place,
                added_at=verified_at or now, verified_at=verified_at), None


def _check_rows(path: Path, records: Iterable[reader.Record],
                check: Callable[[dict[str, Any]], tuple[dict[str, Any] | None, str | None]], entity: str,
                report: PointsReport | ReassignedReport, *, id_field: str | None = None,
                ) -> tuple[list[tuple[reader.Record, dict[str, Any]]], list[dict[str, Any]]]:
    """Every record of a file checked on its own (a bad row never costs a good one): (record, row) of
    the good ones, and the import_quarantine rows of the rest, whose "file:line: reason" also goes to
    report.rejected; report.records counts them all."""
    good: list[tuple[reader.Record, dict[str, Any]]] = []
    bad: list[dict[str, Any]] = []
    for r in records:
        report.records += 1
        row, problem = check(r.row) if r.row is not None else (None, r.problem)
        if row is None:
            reason = problem or "unreadable row"
            report.rejected.append(f"{path.name}:{r.line}: {reason}")
            bad.append(reader.quarantine_row(path, r, entity, reason, (r.row or {}).get(id_field) if id_field else None))
            continue
        good.append((r, row))
    return good, bad


def import_contact_points(con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime | None = None,
                          encoding: str | None = None) -> PointsReport:
    """Record a file of contact points (see the module docstring); bad rows are quarantined."""
    now = now or utc_now()
    path = Path(path)
    report = PointsReport(file=path.name)
    good, bad = _check_rows(path, reader.read_records(path, encoding=encoding, text_fields=POINT_FIELDS),
                            lambda rec: point_row(rec, now), "contact_point", report, id_field="borrower_id")
    rows = [{"seq": seq, **row} for seq, (_, row) in enumerate(good)]
    refs = [(r, row["borrower_id"]) for r, row in good]   # by seq: the record, its borrower id
    with db.transaction(con):
        if rows:
            with db.registered(con, pa.Table.from_pylist(rows, schema=_POINTS_SCHEMA), "_points"):
                for (seq,) in db.run(con, "inbound/points/unknown_borrowers", {}).fetchall():
                    rec, borrower = refs[seq]
                    report.rejected.append(f"{path.name}:{rec.line}: no borrower {borrower!r} in the book")
                    bad.append(reader.quarantine_row(path, rec, "contact_point", "no such borrower in the book", borrower))
                report.points = db.changed(con, "inbound/points/insert_points", {})
                report.verified = db.changed(con, "inbound/points/insert_verified", {"now": now})
        reader.quarantine(con, bad)
    return report


def reassigned_row(rec: dict[str, Any], now: datetime) -> tuple[dict[str, Any] | None, str | None]:
    """(row, None) for a usable reassigned-number answer (E.164 phone, a past date), else (None, why)."""
    phone, problem = normalise_phone(_text(rec, "phone"))
    if phone is None:
        return None, f"phone: {problem or 'not a phone number'}"
    try:
        day = date.fromisoformat(_text(rec, "reassigned_on")[:10])
    except ValueError:
        return None, "reassigned_on is not a date (YYYY-MM-DD)"
    if day > now.date():
        return None, "reassigned_on is in the future"
    return dict(phone=phone, reassigned_on=day), None


def ingest_reassigned_numbers(con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime | None = None,
                              encoding: str | None = None) -> ReassignedReport:
    """Record a reassigned-numbers file (see the module docstring); bad rows are quarantined."""
    now = now or utc_now()
    path = Path(path)
    report = ReassignedReport(file=path.name)
    good, bad = _check_rows(path, reader.read_records(path, encoding=encoding, text_fields=REASSIGNED_FIELDS),
                            lambda rec: reassigned_row(rec, now), "reassigned_number", report)
    rows = [row for _, row in good]
    with db.transaction(con):
        if rows:
            with db.registered(con, pa.Table.from_pylist(rows, schema=_REASSIGNED_SCHEMA), "_reassigned"):
                ((report.not_ours,),) = db.run(con, "inbound/points/reassigned_unknown", {}).fetchall()
                report.recorded = db.changed(con, "inbound/points/insert_reassigned", {"now": now})
        reader.quarantine(con, bad)
    return report
