"""The case files for the legal or agency partner: every handed-off case exactly once.

One pass (`export_cases`) writes, for the partner of [handoff], one JSON Lines file of the cases
handed off and not exported yet (one case per line: the borrower as the partner must reach them, the
loan and its installments, the delinquency episode, promises, disputes, hardship requests, plans,
the other events, and the FULL contact history, sent or suppressed, with rule, policy and template
version), and beside it a manifest (counts, the case ids, the file's sha256). Files live in
`<[handoff].dir>/<partner>/`, folders 0700 and files 0600: the case file is the one place the
borrower's name, phone and e-mail leave the book. Nothing personal is logged or returned: the report
holds counts and file names only.

Exactly once, by construction:
  1. the case file is written to `<name>.part` (0600), fsynced and renamed into place; then the
     manifest the same way: the manifest is the commit mark (the partner takes a case file only
     with its manifest, and the sha256 in it);
  2. then, in one transaction, each case's `exported_at` / `export_file` is recorded.
A case file is named by its day and a hash of the case ids it holds (`_case_file_name`), never by
what is in the folder: a case id (loan @ hand-off instant) is exported once, so a name is never
given to two different sets of cases, whatever the partner removed. A crash before the manifest's
rename leaves no manifest: the next pass, with the same due cases, writes the same file name over
the orphan. A crash after it and before the record leaves a manifest whose cases are not recorded:
the next pass recognises it first by those case ids (not by its name; its case file checked against
the sha256), records its cases from it and writes no second file for them. A re-run finds nothing
due and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import duckdb

from loan_comms import db
from loan_comms.atomic_files import write_atomically
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.errors import LoanCommsError

FORMAT = "loan-comms/handoff-case/1"
MANIFEST_SUFFIX = ".manifest.json"
# Raw inbound texts: their meaning is recorded as its own event; the words stay with us.
TEXT_KINDS: tuple[str, ...] = ("sms_reply", "email_reply", "agent_note")
# Free-text keys an event's detail may carry (a reply's text, a collector's notes): never exported.
FREE_TEXT_KEYS: frozenset[str] = frozenset({"text", "notes", "note", "body", "comment", "comments"})
# Event kinds with a section of their own in a case (the rest are in "events").
SECTIONS: dict[str, tuple[str, ...]] = {
    "promises": ("promise_to_pay",),
    "disputes": ("dispute", "dispute_resolved"),
    "hardship_requests": ("hardship_request",),
    "payments": ("payment",),
}


class HandoffExportError(LoanCommsError, RuntimeError):
    """The partner's folder holds something the pass cannot vouch for (a manifest whose case file is
    missing or does not match its sha256): an operator must look before anything else is written."""

    exit_code = 1


@dataclass
class ExportReport:
    """What a pass did, in counts and file names (no personal data)."""

    partner: str
    day: date
    cases: int = 0                      # cases written in new files
    contacts: int = 0                   # contact history rows in them
    files: list[str] = field(default_factory=list)
    recognised: int = 0                 # cases recorded from a file a crashed pass had left
    recognised_files: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.cases and not self.recognised:
            return f"handoff export {self.partner} {self.day}: no new case, nothing written"
        parts = [f"handoff export {self.partner} {self.day}: {self.cases} cases ({self.contacts} contacts) "
                 f"in {len(self.files)} file{'s' if len(self.files) != 1 else ''}"
                 + (f" {', '.join(self.files)}" if self.files else "")]
        if self.recognised:
            parts.append(f"{self.recognised} cases recorded from {', '.join(self.recognised_files)} "
                         "(written by an interrupted pass, not written again)")
        return "; ".join(parts)

    def counts(self) -> dict[str, Any]:
        """For artifacts and flow results: counts only."""
        return {"partner": self.partner, "day": self.day.isoformat(), "cases": self.cases, "contacts": self.contacts,
                "files": len(self.files), "recognised": self.recognised}


def export_dir(configured: str, db_path: str | Path | None) -> Path:
    """[handoff].dir (or --out): absolute as given, else beside the database (the current folder for an
    in-memory one)."""
    folder = Path(configured).expanduser()
    if folder.is_absolute():
        return folder
    base = Path(db_path).resolve().parent if db_path and str(db_path) != ":memory:" else Path.cwd()
    return base / folder


def export_cases(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, *, as_of: date,
                 db_path: str | Path | None = None, out: str | Path | None = None,
                 now: datetime | None = None) -> ExportReport:
    """Write the case file of `as_of` for every case handed off before the end of that day (UTC) and
    not exported yet, then record them; first record any case file an interrupted pass left."""
    partner = cfg.handoff.partner
    folder = export_dir(str(out) if out else cfg.handoff.dir, db_path) / partner
    _private_dir(folder)
    report = ExportReport(partner=partner, day=as_of)
    exported_at = now or utc_now()
    _recognise(con, folder, partner, exported_at, report)
    cutoff = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=UTC)
    db.run(con, "handoff/export_due", {"partner": partner, "cutoff": cutoff})
    cases = _cases(con, cutoff)
    if not cases:
        return report
    case_ids = [str(c["case_id"]) for c in cases]
    name = _case_file_name(partner, as_of, case_ids)
    if (folder / (_stem(name) + MANIFEST_SUFFIX)).exists():
        # _recognise recorded every manifest with an unrecorded case: one still here names due cases
        # only if two sets of case ids share a hash; never write over what the partner may be taking
        raise HandoffExportError(f"{folder / name}: a manifest of that name is already in the folder; "
                                 "move it aside after checking what the partner received")
    body = b"".join(_line(c) for c in cases)
    contacts = sum(len(c["contacts"]) for c in cases)
    manifest: dict[str, Any] = {
        "format": FORMAT, "partner": partner, "day": as_of.isoformat(), "file": name,
        "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body), "cases": len(cases),
        "contacts": contacts,
        "installments": sum(len(c["installments"]) for c in cases),
        "case_ids": case_ids, "written_at": _iso(exported_at),
    }
    _write_private(folder / name, body)
    _write_private(folder / (_stem(name) + MANIFEST_SUFFIX),
                   json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
    _record(con, partner, name, case_ids, exported_at)
    report.cases, report.contacts = len(cases), contacts
    report.files.append(name)
    return report


def _record(con: duckdb.DuckDBPyConnection, partner: str, name: str, case_ids: list[str],
            exported_at: datetime) -> int:
    """Mark the file's cases exported, in one transaction (after the manifest is in place)."""
    with db.transaction(con):
        return db.changed(con, "handoff/export_mark", {"partner": partner, "file": name, "case_ids": case_ids,
                                                        "exported_at": exported_at})


def _recognise(con: duckdb.DuckDBPyConnection, folder: Path, partner: str, now: datetime,
               report: ExportReport) -> None:
    """Record the cases of every manifest that lists a case not recorded as exported yet (a pass that
    crashed after the rename and before the record), once its case file is checked against the
    manifest's sha256. Judged by the case ids, never by the file name: a name in the folder says
    nothing about what the partner removed or what was recorded under it."""
    manifests: list[tuple[Path, str, list[str], str, Any]] = []
    for path in sorted(folder.glob(f"*{MANIFEST_SUFFIX}")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            name = manifest["file"]
            case_ids = [str(c) for c in manifest["case_ids"]]
            digest = manifest["sha256"]
            if not isinstance(name, str) or Path(name).name != name:
                raise ValueError(name)
        except (OSError, ValueError, KeyError, TypeError):
            raise HandoffExportError(f"{path}: not a readable hand-off manifest; move it aside after checking "
                                     "what the partner received") from None
        manifests.append((path, name, case_ids, digest, manifest.get("written_at")))
    listed = sorted({c for m in manifests for c in m[2]})
    if not listed:
        return
    unrecorded = {r["case_id"] for r in db.rows(con, "handoff/export_unrecorded",
                                                {"partner": partner, "case_ids": listed})}
    for path, name, case_ids, digest, written in manifests:
        if not unrecorded.intersection(case_ids):
            continue
        try:
            body = (folder / name).read_bytes()
        except OSError:
            raise HandoffExportError(f"{path}: its case file {name} is missing; the partner may have a "
                                     "manifest without cases") from None
        if hashlib.sha256(body).hexdigest() != digest:
            raise HandoffExportError(f"{folder / name}: does not match the sha256 of its manifest; it was "
                                     "changed after it was written")
        n = _record(con, partner, name, case_ids, _parse_instant(written) or now)
        unrecorded.difference_update(case_ids)
        if n:
            report.recognised += n
            report.recognised_files.append(name)


def _case_file_name(partner: str, day: date, case_ids: list[str]) -> str:
    """`cases-<partner>-<day>-<hash>.jsonl`, hash: the first 16 hex digits of the sha256 of the sorted
    case ids. A case id is exported once, so a name never returns for other cases (a count of the
    files in the folder did, once the partner removed some); the same due cases after a crash before
    the manifest get the same name, so the manifest-less case file left is written over."""
    digest = hashlib.sha256("\n".join(sorted(case_ids)).encode("utf-8")).hexdigest()[:16]
    return f"cases-{partner}-{day.isoformat()}-{digest}.jsonl"


def _stem(name: str) -> str:
    return name.removesuffix(".jsonl")


def _private_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


def _write_private(path: Path, data: bytes) -> None:
    """`data` at `path`, readable by the owner only, or the old file untouched (loan_comms/atomic_files.py:
    `<path>.part` created 0600, written whole, fsynced, renamed into place, the folder fsynced)."""
    write_atomically(path, data, mode=0o600)


# -- the cases -------------------------------------------------------------------------------------

def _cases(con: duckdb.DuckDBPyConnection, cutoff: datetime) -> list[dict[str, Any]]:
    """The due cases (temp table handoff_export_due) as documents, one query per part of a case."""
    heads = db.rows(con, "handoff/export_cases", {"cutoff": cutoff})
    if not heads:
        return []
    parts = {
        "installments": _by_case(db.rows(con, "handoff/export_installments")),
        "contacts": _by_case(db.rows(con, "handoff/export_contacts")),
        "events": _by_case(db.rows(con, "handoff/export_events", {"text_kinds": list(TEXT_KINDS)})),
        "contact_points": _by_case(db.rows(con, "handoff/export_points")),
        "arrangements": _by_case(db.rows(con, "handoff/export_arrangements")),
    }
    return [_case(h, {k: v.get(h["case_id"], []) for k, v in parts.items()}) for h in heads]


def _by_case(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r.pop("case_id")].append(r)
    return out


def _case(h: dict[str, Any], parts: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    events = [_event(e) for e in parts["events"]]
    sectioned = {name: [e for e in events if e["kind"] in kinds] for name, kinds in SECTIONS.items()}
    in_sections = {k for kinds in SECTIONS.values() for k in kinds}
    return {
        "format": FORMAT,
        "case_id": h["case_id"],
        "partner": h["partner"],
        "handed_off_at": h["handed_off_at"],
        "handoff": {"step": h["step"], "attempt_id": h["attempt_id"], "channel": h["handoff_channel"],
                    "status": h["handoff_status"], "suppressed_reason": h["handoff_suppressed_reason"],
                    "template_version": h["handoff_template_version"],
                    "policy_version": h["handoff_policy_version"]},
        "borrower": {"borrower_id": h["borrower_id"], "full_name": h["full_name"], "first_name": h["first_name"],
                     "phone": h["phone_e164"], "email": h["email"], "language": h["language"],
                     "timezone": h["timezone"], "jurisdiction": h["jurisdiction"], "segment": h["segment"],
                     "contact_points": parts["contact_points"]},
        "loan": {"loan_id": h["loan_id"], "product": h["product"], "principal": h["principal"],
                 "currency": h["currency"], "opened_on": h["loan_opened_on"], "outstanding": h["outstanding"],
                 "overdue": h["overdue"], "oldest_unpaid_due": h["oldest_unpaid_due"]},
        "installments": parts["installments"],
        "episode": ({"episode_id": h["episode_id"], "opened_on": h["episode_opened_on"],
                     "closed_on": h["episode_closed_on"]} if h["episode_id"] else None),
        **sectioned,
        "arrangements": parts["arrangements"],
        "events": [e for e in events if e["kind"] not in in_sections],
        "contacts": parts["contacts"],
    }


def _event(e: dict[str, Any]) -> dict[str, Any]:
    """An event with its detail parsed and its free-text keys dropped."""
    detail: Any = None
    if e.get("detail"):
        try:
            detail = json.loads(e["detail"])
        except ValueError:
            detail = None
    if isinstance(detail, dict):
        detail = {k: v for k, v in detail.items() if k not in FREE_TEXT_KEYS}
    return {**e, "detail": detail}


def _line(case: dict[str, Any]) -> bytes:
    return (json.dumps(case, ensure_ascii=False, separators=(",", ":"), default=_json_value) + "\n").encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to a case file")


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_instant(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def handoff_counts(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per partner: cases handed off, exported, waiting, recalled (no ids; demo and artifacts)."""
    return db.rows(con, "handoff/counts")
