"""An arrangement an agent agreed with a borrower on a call or a visit, recorded from a file.

A CSV, JSON list or JSON Lines file (`.gz` too), one row per plan agreed:

    id, loan_id, option_id, agent_id, agreed_at, channel (call | visit)

Each row becomes a Choice(source='agent', external_id 'agent:<agent_id>:<id>:<agreed day>', no token, channel:
stored as the plan's agreed_via, so analytics can tell a call from a visit) for land_choices, which
computes the options of that loan as of the agreed day and takes `option_id` from them: an option the
automatic rules allow becomes an active plan, one that needs review a request for a person (never
approved by the agent who recorded it: reviews.py); an unknown loan or option is quarantined by it.
Rows this module refuses first (quarantined with file, line and reason, the others still land):
no id, no loan or option, an agent_id that is not an id (letters, digits, `.`, `_`, `-`: the log
names agents by id, never by name), a channel other than call or visit, an agreed_at that cannot
be read, has no time zone, is in the future or is more than MAX_AGREED_AGE (5 days) old.
Re-recording a file changes nothing (the same agent, row id and day); the same row id in another
agent's file, or on another day, is another plan request, not a silent duplicate.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

import duckdb

from loan_comms import db
from loan_comms.arrangements.accept import ENTITY, AcceptReport, Choice, land_choices
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.inbound import drops, reader

FIELDS = ("id", "row_id", "loan_id", "option_id", "agent_id", "agreed_at", "channel")
SUFFIXES = (".csv", ".jsonl", ".json", ".ndjson")
CHANNELS = ("call", "visit")
AGENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass
class AgentRecordReport:
    """One file: counts and reasons with file and line (ids only; never a name or an amount)."""

    name: str
    landed: AcceptReport = field(default_factory=AcceptReport)
    read: int = 0
    unreadable: list[str] = field(default_factory=list)

    @property
    def quarantined(self) -> int:
        return len(self.unreadable) + len(self.landed.refused)

    def __str__(self) -> str:
        """One line of counts; the reasons are in import_quarantine (and `reasons`)."""
        a = self.landed
        return (f"{self.name}: agent arrangements: {self.read} rows read, {len(a.accepted)} accepted, "
                f"{len(a.requested)} waiting for review, {a.already} already recorded, {self.quarantined} quarantined"
                + (f" (import_quarantine, entity '{ENTITY}')" if self.quarantined else ""))

    @property
    def reasons(self) -> list[str]:
        return self.unreadable + self.landed.reasons


# How old an agreed_at may be. A plan is computed as of its agreed instant; a record filed weeks late
# would plan over arrears that payments since have changed, and back-date its first due dates. A
# constant, not config: a few days covers a weekend and a late upload; anything older is an operator's
# question, not a file's.
MAX_AGREED_AGE = timedelta(days=5)


def agent_external_id(agent_id: str, row_id: str, at: datetime) -> str:
    """The choice's id: scoped to the agent, the row's own id and the agreed day ('agent:<agent>:<row>:
    <YYYY-MM-DD>'), so row 1 of two agents' files (or of one agent's files on two days) are two
    choices, while recording the same file again is the same choice. Bounded to accept.MAX_ID."""
    eid = f"agent:{agent_id}:{row_id}:{at.astimezone(UTC):%Y-%m-%d}"
    return eid if len(eid) <= 200 else "agent:" + hashlib.sha256(eid.encode()).hexdigest()


def _agreed_at(value: Any, now: datetime) -> tuple[datetime | None, str | None]:
    """(the instant, None) or (None, why it cannot be used)."""
    text = str(value or "").strip()
    if not text:
        return None, "no agreed_at"
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, f"agreed_at {text[:40]!r} is not an ISO 8601 time"
    if at.tzinfo is None:
        return None, "agreed_at has no time zone (write e.g. 2026-11-12T15:30:00+08:00)"
    if at > now:
        return None, "agreed_at is in the future"
    if at < now - MAX_AGREED_AGE:
        return None, (f"agreed_at is more than {MAX_AGREED_AGE.days} days ago: the plan would be computed on an "
                      "old day's arrears; record it again as agreed now, or enter it in the lender's system")
    return at.astimezone(UTC), None


def choice_of(row: Mapping[str, Any], now: datetime, file: str, line: int) -> tuple[Choice | None, str | None]:
    """The Choice a row records, or why it cannot be one."""
    rid = row.get("id") or row.get("row_id")
    if not isinstance(rid, (str, int)) or isinstance(rid, bool) or not str(rid).strip():
        return None, "no id (the row's own id, so recording the file again adds nothing)"
    loan, option, agent = (str(row.get(k) or "").strip() for k in ("loan_id", "option_id", "agent_id"))
    if not loan:
        return None, "no loan_id"
    if not option:
        return None, "no option_id"
    if not AGENT_ID.fullmatch(agent):
        return None, "agent_id must be the agent's id (letters, digits, . _ -), not a name"
    channel = str(row.get("channel") or "").strip().lower()
    if channel not in CHANNELS:
        return None, f"channel must be one of {', '.join(CHANNELS)}"
    at, why = _agreed_at(row.get("agreed_at"), now)
    if at is None:
        return None, why
    return Choice(source="agent", external_id=agent_external_id(agent, str(rid).strip(), at), chosen_at=at, loan_id=loan,
                  option_id=option, agent_id=agent, source_file=file, source_line=line, channel=channel), None


def record_agent_arrangements(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, path: str | Path, *,
                              now: datetime | None = None, encoding: str | None = None) -> AgentRecordReport:
    """Land the arrangements of a file (or of every file of a directory) in one transaction."""
    now = now or utc_now()
    report = AgentRecordReport(name=Path(path).name)
    choices: list[Choice] = []
    bad: list[dict[str, Any]] = []
    everything = [(f, reader.read_records(f, encoding=encoding, text_fields=FIELDS))
                  for f in drops.files(Path(path), SUFFIXES)]
    for f, records in everything:
        for r in records:
            report.read += 1
            choice, why = (None, r.problem or "unreadable record") if r.row is None else \
                choice_of(r.row, now, str(f.resolve()), r.line)
            if choice is not None:
                choices.append(choice)
                continue
            reason = why or "unreadable record"
            report.unreadable.append(f"{f.name}:{r.line}: {reason}")
            bad.append(reader.quarantine_row(f, r, ENTITY, reason, (r.row or {}).get("id")))
    with db.transaction(con):
        reader.quarantine(con, bad)
        report.landed = land_choices(con, cfg, choices, now=now)
    return report
