"""The day's export files for the core banking system: `arrangements-YYYY-MM-DD.jsonl` and `.csv`.

Why they are rebuilt, never appended to: a record is filed once (arrangement_exports.file_day, set
in the database first), and a day's files are then written from that day's rows alone, in a fixed
order, to a `.part` file that is fsynced and renamed over the old one. A crash mid-write leaves the
old file (or none) and the next pass, finding a file whose line count is not the table's, writes
it again; a re-run writes the same bytes. So the files always hold each record exactly once.

Payloads are checked before they are filed (`payload_problem`): ids, amounts and dates only. A key
that names personal data (name, phone, e-mail, address, comment) or a value shaped like an e-mail
address or an E.164 phone number refuses the record (failed, loud): the lender's ledger needs none.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

from loan_comms.atomic_files import write_atomically

# The ONE payload shape of every record (accepted, broken, kept), built by sql/arrangements/record_exports.sql
# and documented in docs/arrangements-export.md: ids, amounts and dates, never a borrower id or contact.
PAYLOAD_KEYS = ("export_id", "arrangement_id", "event", "occurred_on", "loan_ids", "loans", "currency", "option_id",
                "kind", "months", "freeze_interest", "starts_on", "ends_on", "schedule", "total", "decided_at",
                "decided_by")
# The CSV's columns: the record's own, then the payload's other keys, every one filled for every event;
# lists and objects (loan_ids, loans, schedule) as JSON text; an unexpected payload key in `other`.
ROW_COLUMNS = ("export_id", "arrangement_id", "event", "created_at")
PAYLOAD_COLUMNS = tuple(k for k in PAYLOAD_KEYS if k not in ROW_COLUMNS)
CSV_COLUMNS = (*ROW_COLUMNS, *PAYLOAD_COLUMNS, "other")

_PII_KEY = re.compile(r"(^|_)(name|names|phone|phones|mobile|email|emails|e_mail|address|comment|comments|note|notes)$",
                      re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_E164 = re.compile(r"^\+\d{7,15}$")


def file_paths(folder: Path, day: date) -> tuple[Path, Path]:
    """The day's JSON Lines and CSV files."""
    stem = f"arrangements-{day.isoformat()}"
    return folder / f"{stem}.jsonl", folder / f"{stem}.csv"


def export_dir(configured: str, db_path: str | Path | None) -> Path:
    """[arrangements.export].dir: absolute as given, else relative to the database's folder (the
    current folder for an in-memory database)."""
    folder = Path(configured).expanduser()
    if folder.is_absolute():
        return folder
    base = Path(db_path).resolve().parent if db_path and str(db_path) != ":memory:" else Path.cwd()
    return base / folder


def payload_problem(payload: str) -> str | None:
    """Why a payload cannot be exported (not a JSON object, personal data in it), or None."""
    try:
        doc = json.loads(payload)
    except ValueError:
        return "payload is not JSON"
    if not isinstance(doc, dict):
        return "payload is not a JSON object"
    return _pii_in(doc, "")


def _pii_in(value: Any, where: str) -> str | None:
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{where}.{key}" if where else str(key)
            if _PII_KEY.search(str(key)):
                return f"payload holds personal data (key {path}); ids, amounts and dates only"
            if (found := _pii_in(inner, path)) is not None:
                return found
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            if (found := _pii_in(inner, f"{where}[{i}]")) is not None:
                return found
    elif isinstance(value, str) and (_EMAIL.search(value) or _E164.match(value.strip())):
        return f"payload holds personal data (an e-mail address or phone number at {where}); ids, amounts and dates only"
    return None


def _line(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"export_id": row["export_id"], **{k: v for k, v in json.loads(row["payload"]).items() if k != "export_id"}}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def render(rows: Iterable[Mapping[str, Any]]) -> tuple[bytes, bytes]:
    """The JSON Lines and CSV bytes of a day's rows (export_file_rows.sql), deterministic."""
    jsonl, text = [], io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        doc = json.loads(row["payload"])
        jsonl.append(json.dumps(_line(row), ensure_ascii=False, separators=(",", ":")) + "\n")
        other = {k: v for k, v in doc.items() if k not in PAYLOAD_COLUMNS and k not in ROW_COLUMNS}
        writer.writerow([_cell(row[c]) for c in ROW_COLUMNS] + [_cell(doc.get(c)) for c in PAYLOAD_COLUMNS]
                        + [_cell(other) if other else ""])
    return "".join(jsonl).encode("utf-8"), text.getvalue().encode("utf-8")


def lines_in(path: Path) -> int | None:
    """Records in an existing JSON Lines file (None when there is no file)."""
    try:
        with open(path, "rb") as fh:
            return sum(1 for line in fh if line.strip())
    except FileNotFoundError:
        return None


def write_day(folder: Path, day: date, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write a day's two files: the CSV first, then the JSON Lines, whose record count is what
    `needs_writing` checks, so a crash between the two renames is seen and repaired next pass."""
    jsonl, csv_bytes = render(rows)
    jsonl_path, csv_path = file_paths(folder, day)
    write_atomically(csv_path, csv_bytes)
    write_atomically(jsonl_path, jsonl)


def needs_writing(folder: Path, day: date, records: int) -> bool:
    """True when the day's files are missing or the JSON Lines file (written last) does not hold
    `records` records: a new record filed under the day, or a crash mid-write."""
    jsonl, csv_path = file_paths(folder, day)
    return lines_in(jsonl) != records or not csv_path.exists()
