"""Plan choices from files into `land_choices`: the plan page's drops and any choice file.

`<inbox>/arrangement_choices/` (or any file given to `loan-comms ingest-arrangement-choices`): JSON
Lines, a JSON list or CSV (`.gz` too), one record per line, read by the one inbound reader (a bad
record is quarantined with its file, line and reason; the others land):

    {token, option_no, chosen_at, source, external_id}          a choice (the page writes source 'web')
    {kind: "callback", offer_token, requested_at, external_id}  "none of these fit: call me" (the page)

A choice becomes a Choice for land_choices, which checks it against its offer and quarantines what
it refuses. Only the ingest flow reading the page's own folder (`trusted_web=True`) keeps source
'web'; a file handed in by anyone else is source 'file' whatever it says. A callback record becomes
a callback_request event of the offer's borrower (external_id from the record, so once), which
plans the call like a reply asking for one (sql/lifecycle/plan/reply_follow_ups.sql).
Everything lands in one transaction and re-ingesting a file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.arrangements.accept import ENTITY, AcceptReport, Choice, land_choices
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.inbound import drops, reader

FIELDS = ("token", "option_no", "chosen_at", "source", "external_id", "id", "kind", "offer_token", "requested_at")
SUFFIXES = (".jsonl", ".json", ".ndjson", ".csv")
_CALLBACKS = pa.schema([("external_id", pa.string()), ("token", pa.string()),
                        ("occurred_at", pa.timestamp("us", tz="UTC")), ("source_file", pa.string()),
                        ("source_line", pa.int64()), ("raw", pa.string())])


@dataclass
class ChoiceIntake:
    """One file or folder: what land_choices did, the callbacks, and the records refused before it."""

    name: str
    landed: AcceptReport
    read: int = 0
    callbacks: int = 0                # callback_request events recorded now
    callbacks_known: int = 0          # ... already recorded (a re-read file)
    unreadable: list[str] = field(default_factory=list)   # "file:line: reason"

    @property
    def quarantined(self) -> int:
        return len(self.unreadable) + len(self.landed.refused)

    def __str__(self) -> str:
        a = self.landed
        head = reader.summary(self.name, "plan choices", self.read, len(a.accepted) + len(a.requested) + self.callbacks,
                              a.already + self.callbacks_known, self.unreadable + a.reasons, ENTITY)
        first, _, rest = head.partition("\n")
        return (f"{first}; {len(a.accepted)} plans accepted, {len(a.requested)} waiting for review, "
                f"{self.callbacks} call-me requests" + (f"\n{rest}" if rest else ""))


def _option_no(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 4 else None


def _external_id(row: Mapping[str, Any]) -> str | None:
    ext = row.get("external_id") or row.get("id")
    return str(ext).strip() or None if isinstance(ext, (str, int)) and not isinstance(ext, bool) else None


def ingest_arrangement_choices(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, path: str | Path, *,
                               now: datetime | None = None, encoding: str | None = None,
                               trusted_web: bool = False) -> ChoiceIntake:
    """Land the choices (and call-me requests) of a file, or of every choice file of a directory."""
    now = now or utc_now()
    report = ChoiceIntake(name=Path(path).name, landed=AcceptReport())
    choices: list[Choice] = []
    callbacks: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    everything = [(f, reader.read_records(f, encoding=encoding, text_fields=FIELDS))
                  for f in drops.files(Path(path), SUFFIXES)]
    for f, records in everything:
        where = str(f.resolve())
        for r in records:
            report.read += 1
            row, problem = r.row, r.problem
            ext = _external_id(row) if row is not None else None
            if row is not None and problem is None:
                problem = "no external_id (needed so a re-ingestion is not doubled)" if ext is None else None
            if row is not None and problem is None and row.get("kind") == "callback":
                if not row.get("offer_token"):
                    problem = "a callback record without offer_token"
                else:
                    at, _ = drops.received_when(row.get("requested_at"), now)
                    callbacks.append(dict(external_id=ext, token=str(row["offer_token"]), occurred_at=at,
                                          source_file=where, source_line=r.line, raw=r.raw))
                    continue
            if row is not None and problem is None:
                option_no = _option_no(row.get("option_no"))
                if not row.get("token"):
                    problem = "no token (the offer's link names it)"
                elif option_no is None:
                    problem = f"option_no {str(row.get('option_no'))[:20]!r} is not a whole number"
                else:
                    at, _ = drops.received_when(row.get("chosen_at"), now)
                    source = "web" if trusted_web and row.get("source") == "web" else "file"
                    assert ext is not None
                    choices.append(Choice(source=source, external_id=ext, chosen_at=at, token=str(row["token"]),
                                          option_no=option_no, source_file=where, source_line=r.line))
                    continue
            why = problem or "unreadable record"
            report.unreadable.append(f"{f.name}:{r.line}: {why}")
            bad.append(reader.quarantine_row(f, r, ENTITY, why, ext))
    with db.transaction(con):
        reader.quarantine(con, bad)
        report.landed = land_choices(con, cfg, choices, now=now)
        report.callbacks, report.callbacks_known, refused = _callbacks(con, callbacks, now)
        reader.quarantine(con, refused)
    report.unreadable += [f"{Path(c['source_file']).name}:{c['source_line']}: unknown offer token" for c in refused]
    return report


def _callbacks(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]],
               now: datetime) -> tuple[int, int, list[dict[str, Any]]]:
    """(recorded, already known, quarantine rows of those naming no offer) for the call-me records."""
    if not rows:
        return 0, 0, []
    with db.registered(con, pa.Table.from_pylist(rows, schema=_CALLBACKS), "_plan_callbacks"):
        known = {r["token"] for r in db.rows(con, "arrangements/callback_offers")}
        new = db.changed(con, "arrangements/callbacks_insert", {"now": now})
    unknown = [dict(source_file=c["source_file"], source_line=c["source_line"], entity=ENTITY,
                    record_id=c["external_id"], reason="unknown offer token (a callback record)", raw=c["raw"])
               for c in rows if c["token"] not in known]
    return new, len(rows) - len(unknown) - new, unknown
