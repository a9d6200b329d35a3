"""Recording what borrowers did: call outcomes from the dialer, and operator-entered events.

Both arrive as files (JSON lines, a JSON list, or CSV; .gz too) so they can be re-ingested safely:
each row carries an id that becomes `borrower_events.external_id`, and a row seen before is skipped,
not doubled. A bad row never costs a good one: the file is read row by row (`loan_comms.inbound`),
every row is checked (`loan_comms.inbound.event_checks`, then against the book in sql/inbound/events/check_book.sql:
the borrower exists, the loan is theirs), refused rows go to `import_quarantine` with file, line and
reason, and the good rows and the quarantine rows commit together, in one transaction per file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.inbound import reader
from loan_comms.inbound import event_checks
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.policy import kinds

# What one dial attempt came to (issue 16). Which of them are a conversation with the person (the
# call cooldown, reached_calls_per_day) is said once, in SQL: call_conversation() in
# sql/schema/005_macros.sql (reached, promise_to_pay, hardship_request, dispute, refused,
# callback_requested); no_answer, busy and voicemail are dials only; wrong_number stops the number.
CALL_OUTCOMES = ("no_answer", "busy", "voicemail", "reached", "promise_to_pay", "hardship_request", "dispute",
                 "wrong_number", "refused", "callback_requested")
# The event a dial's outcome also records, as if the person had said it in a reply (kinds.py): the
# pause and offer of a hardship request, the dispute of the loan called about, the call asked for.
COMPANION_KIND = {"hardship_request": "hardship_request", "dispute": "dispute",
                  "callback_requested": "callback_request"}
CALLBACK_FIELDS = ("callback_at", "callback_date", "callback_from", "callback_to")
OPERATOR_KINDS = ("cease_contact", "cease_contact_revoked", "dispute", "dispute_resolved", "hardship_request",
                  "promise_to_pay", "opt_out", "opt_in",
                  # issue 11 (loan_comms/policy/kinds.py says what each does and how far it reaches)
                  "attorney_representation", "attorney_withdrawn", "vulnerable", "vulnerable_ended",
                  "breathing_space", "breathing_space_ended", "workplace_prohibited", "workplace_permitted",
                  "deceased", "bankruptcy", "bankruptcy_dismissed", "complaint", "complaint_resolved",
                  "contact_preference", "inbound_call",
                  # the contact point an agent names with the `address` column (kinds.py: scope point)
                  "wrong_number", "point_verified")
CHANNELS = ("sms", "email", "call", "letter", "visit")
# Fields that must be text when present (a JSON list or object there refuses the row).
OPERATOR_FIELDS = ("event_id", "borrower_id", "loan_id", "kind", "occurred_at", "channel", "promised_date", "note",
                   "until", "attorney", "window_start", "window_end", "address", "text")
# A row of kind `note` is what an agent wrote down from a conversation (its `text`): it is not an
# event kind of its own but an inbound text, understood and recorded like a reply (replies.py,
# source 'agent_note'), so "she said stop calling" is an opt-out whoever typed it.
NOTE = "note"
NOTE_CHANNELS = ("call", "visit", "sms", "email", "letter")
CALL_FIELDS = ("attempt_id", "outcome", "occurred_at", "promised_date", "dial_seq", "agent_id", "recording_ref",
               *CALLBACK_FIELDS)
# Kinds that are about one loan and so need it named in an operator's row.
NEEDS_LOAN = ("hardship_request", "promise_to_pay")
# Kinds about a contact point: the row's `address` (phone or e-mail) names it, required for these...
NEEDS_ADDRESS = ("wrong_number", "point_verified")
# ... and optional for these (an opt-out of that number or e-mail only, for every borrower holding it).
MAY_NAME_ADDRESS = ("opt_out", "opt_in")

EVENT_SCHEMA = pa.schema([
    ("seq", pa.int64()), ("external_id", pa.string()), ("borrower_id", pa.string()), ("loan_id", pa.string()),
    ("kind", pa.string()), ("occurred_at", pa.timestamp("us", tz="UTC")), ("detail", pa.string()),
    ("channel", pa.string()), ("amount", pa.decimal128(18, 2)), ("source", pa.string()),
    ("scope", pa.string()), ("contact_point", pa.string()), ("recorded_at", pa.timestamp("us", tz="UTC")),
])


@dataclass
class IngestReport:
    """What one file did: counts and "line N: reason" (ids and field names only, no personal data)."""

    what: str
    file: str = ""
    entity: str = ""
    read: int = 0
    recorded: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)   # "line N: reason", also in import_quarantine
    notes: list[str] = field(default_factory=list)      # said on the first line (e.g. rows the audit will flag)
    reviews_opened: int = 0                             # review items opened by agent notes

    @property
    def quarantined(self) -> int:
        return len(self.rejected)

    def __str__(self) -> str:
        text = reader.summary(self.file, self.what, self.read, self.recorded, self.duplicates, self.rejected,
                              self.entity)
        if not self.notes:
            return text
        head, sep, rest = text.partition("\n")
        return "; ".join([head, *self.notes]) + sep + rest


def read_rows(path: Path, *, encoding: str | None = None,
              text_fields: tuple[str, ...] = ()) -> list[reader.Record]:
    """Every record of an events file (see loan_comms.inbound.read_records); never raises for content."""
    return reader.read_records(path, encoding=encoding, text_fields=text_fields)


def _land(con: duckdb.DuckDBPyConnection, path: Path, report: IngestReport, fields: tuple[str, ...],
          id_field: str, build: Callable[[dict[str, Any]], Any], encoding: str | None,
          now: datetime, cfg: LifecycleConfig | None = None) -> IngestReport:
    """Read, check and record one file; good rows and quarantined rows commit together. Each event's
    recorded_at is `now` (the wall clock, or the simulator's instant), so "recorded within N days"
    (audit visit_collectors) is judged on the same clock as the contacts. `build` returns an event
    row, or an InboundText (an agent's note), recorded through replies.land_texts in the same
    transaction, or a list of event rows (a dial and the companion events it records: they share
    the row's fate, and the report counts rows, the companions in a note)."""
    from loan_comms.inbound.replies import InboundText, land_texts

    path = Path(path)
    report.file = path.name
    records = read_rows(path, encoding=encoding, text_fields=fields)
    events: list[dict[str, Any]] = []
    texts: list[tuple[int, InboundText]] = []
    refused: list[tuple[int, str]] = []    # (index of the record in the file, reason)
    by_book: list[tuple[int, str]] = []
    for seq, rec in enumerate(records):
        report.read += 1
        problem = rec.problem
        if problem is None:
            assert rec.row is not None  # a record without a problem always has its row
            try:
                built = build(rec.row)
                if isinstance(built, InboundText):
                    texts.append((seq, replace(built, source_file=str(path.resolve()), source_line=rec.line,
                                               raw=rec.raw)))
                elif isinstance(built, list):
                    events += [{"seq": seq, "recorded_at": now, **e} for e in built]
                else:
                    events.append({"seq": seq, "recorded_at": now, **built})
                continue
            except (ValueError, TypeError, ArithmeticError) as exc:
                problem = str(exc)
        refused.append((seq, problem))
    noted = None
    new_rows: set[int] = set()           # rows whose own (first) event is new
    companions: dict[str, int] = {}      # companion events recorded, by kind
    with db.transaction(con):
        if events:
            db.temp_table(con, "events_batch", pa.Table.from_pylist(events, schema=EVENT_SCHEMA))
            db.run(con, "inbound/events/check_book")
            by_book = db.run(con, "inbound/events/refused").fetchall()
            refused += by_book
            known = {r[0] for r in db.run(con, "inbound/events/known_ids").fetchall()}
            out = {seq for seq, _ in by_book}
            first: dict[int, int] = {}           # row -> index of its own event (the first it built)
            for i, e in enumerate(events):
                first.setdefault(e["seq"], i)
            for i, e in enumerate(events):
                if e["seq"] in out or e["external_id"] in known:
                    continue
                known.add(e["external_id"])          # a repeat inside the file is recorded once
                if first[e["seq"]] == i:
                    new_rows.add(e["seq"])
                else:
                    companions[e["kind"]] = companions.get(e["kind"], 0) + 1
            db.changed(con, "inbound/events/record_batch")
            report.recorded = len(new_rows)
        if texts:
            noted = land_texts(con, cfg, [t for _, t in texts], now=now)
            seq_of = {id(t): seq for seq, t in texts}
            refused += [(seq_of[id(t)], why) for t, why in noted.refused]
        refused.sort()
        reader.quarantine(con, [reader.quarantine_row(path, records[seq], report.entity, reason,
                                                        (records[seq].row or {}).get(id_field))
                                 for seq, reason in refused])
    report.rejected = [f"line {records[seq].line}: {reason}" for seq, reason in refused]
    rows = {e["seq"] for e in events}
    report.duplicates = len(rows) - len({seq for seq, _ in by_book} & rows) - report.recorded
    if companions:
        report.notes.append("with them " + ", ".join(f"{n} {k}" for k, n in sorted(companions.items()))
                            + " event(s)")
    if noted is not None:
        report.recorded += noted.new
        report.duplicates += noted.duplicates
        report.reviews_opened += noted.reviews_opened
        kinds = ", ".join(f"{k} {v}" for k, v in noted.by_kind.items()) or "nothing to apply"
        report.notes.append(f"{noted.new} agent notes understood ({kinds}), {noted.reviews_opened} review items opened")
    return report


def ingest_call_outcomes(con: duckdb.DuckDBPyConnection, path: Path, *, now: datetime | None = None,
                         encoding: str | None = None,
                         tolerance: timedelta = event_checks.FUTURE_TOLERANCE) -> IngestReport:
    """Dialer results, one row per dial attempt: attempt_id, outcome, occurred_at [, dial_seq,
    agent_id, recording_ref, promised_date, amount, callback_at | callback_date (+ callback_from,
    callback_to)]. docs/collectors/outcomes.md has the format and what each outcome does.

    The borrower, loan and contact point come from the call's own contact attempt, so a dialer can
    never attach an outcome to someone we did not call. Each row is its own `call_outcome` event,
    keyed 'call:<attempt_id>:<dial_seq>' (or the row's occurred_at when the dialer sends no
    dial_seq): a redial's later `reached` after a `no_answer` is kept (issue 11 case 5), and
    re-ingesting the same file still doubles nothing. `now` is the reference for "not in the
    future" (default: the wall clock; the simulator passes its simulated instant).

    What the person said to the agent acts like the same words in a reply (issue 16): a
    hardship_request, dispute or callback_requested dial also records a `hardship_request`,
    `dispute` (naming the loan called about) or `callback_request` event (its local day and hours)
    keyed '<the dial's key>:<kind>', source 'dialer'; promise_to_pay carries its date and amount on
    the dial itself (loan_flags.sql reads it), wrong_number its number (point_flags.sql). Which
    outcomes are a conversation (the cooldown) is call_conversation() in sql/schema/005_macros.sql.

    agent_id (optional, an id): when the plan assigned the call (call_assignments), it must be an
    agent of that day's roster whose shift overlaps the call's window (agent_days; calls_made.sql),
    else the row is quarantined. recording_ref (optional): an id or URI of the recording, never
    the recording. Files from before issue 16 (no agent, no recording) read as before.
    """
    now = now or utc_now()
    report = IngestReport("call outcomes", entity="call_outcome")
    calls = {r[0]: r[1:] for r in db.run(con, "inbound/events/calls_made").fetchall()}

    def build(row: dict[str, Any]) -> list[dict[str, Any]]:
        attempt_id = event_checks.identifier("attempt_id", row.get("attempt_id"))
        if attempt_id not in calls:
            raise ValueError(f"attempt_id {event_checks.show(attempt_id)} is not a call we made")
        borrower_id, loan_id, point, timezone, assigned, rostered = calls[attempt_id]
        outcome = event_checks.one_of("outcome", row.get("outcome"), CALL_OUTCOMES)
        when = event_checks.occurred_at(row.get("occurred_at"), now, tolerance)
        seq = event_checks.dial_seq(row.get("dial_seq"))
        agent = event_checks.agent_id(row.get("agent_id"))
        if agent is not None and assigned and agent not in rostered:
            raise ValueError(f"agent_id {event_checks.show(agent)} is not on the roster of this call's day "
                             "(no shift of theirs in the assigned agent's team overlaps the call's window)")
        recording = event_checks.recording_ref(row.get("recording_ref"))
        amount = event_checks.amount(row.get("amount"))
        detail: dict[str, Any] = {"outcome": outcome, "attempt_id": attempt_id}
        if seq is not None:
            detail["dial_seq"] = seq
        if agent is not None:
            detail["agent_id"] = agent
        if recording is not None:
            detail["recording_ref"] = recording
        if outcome == "promise_to_pay":
            detail["promised_date"] = event_checks.promised_date(row.get("promised_date"), when).isoformat()
            if amount is None:
                raise ValueError("promise_to_pay needs the amount promised")
        asked: dict[str, str] | None = None
        if outcome == "callback_requested":
            asked = event_checks.callback(row, when, timezone)
            detail["callback"] = asked
        else:
            extra = [f for f in CALLBACK_FIELDS if row.get(f) not in (None, "")]
            if extra:
                raise ValueError(f"{extra[0]} is only for outcome callback_requested, not {outcome}")
        key = str(seq) if seq is not None else when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        dial_id = f"call:{attempt_id}:{key}"
        dial = dict(external_id=dial_id, borrower_id=borrower_id, loan_id=loan_id,
                    kind="call_outcome", occurred_at=when, detail=json.dumps(detail), channel="call",
                    amount=amount, source="dialer",
                    scope=kinds.scope_of("call_outcome", names_loan=True), contact_point=point)
        companion = COMPANION_KIND.get(outcome)
        if companion is None:
            return [dial]
        said: dict[str, Any] = {"attempt_id": attempt_id, "dial": dial_id, **({"agent_id": agent} if agent else {}),
                                **(asked or {})}
        return [dial, dict(external_id=f"{dial_id}:{companion}", borrower_id=borrower_id, loan_id=loan_id,
                           kind=companion, occurred_at=when, detail=json.dumps(said), channel="call",
                           amount=None, source="dialer",
                           scope=kinds.scope_of(companion, names_loan=True), contact_point=None)]

    return _land(con, path, report, CALL_FIELDS, "attempt_id", build, encoding, now)


def ingest_operator_events(con: duckdb.DuckDBPyConnection, path: Path, *, now: datetime | None = None,
                           encoding: str | None = None,
                           tolerance: timedelta = event_checks.FUTURE_TOLERANCE,
                           cfg: LifecycleConfig | None = None) -> IngestReport:
    """Events an agent records: event_id, borrower_id, kind, occurred_at [, loan_id, channel,
    promised_date, amount, note, until, attorney, window_start, window_end, avoid_channels,
    avoid_places, conversation, address]. Cease-contact, disputes, hardship, opt-outs by phone or letter,
    and the issue-11 kinds (attorney, vulnerable, breathing space, workplace, deceased, bankruptcy,
    complaint, contact preference, inbound call); each kind's detail is checked by
    event_checks.kind_detail, and its scope comes from loan_comms/policy/kinds.py.

    `address` (a phone with its country code, or an e-mail; normalized like the importers, never
    printed) names a contact point, recorded as the event's contact_point (its id, not the address):
    required for wrong_number (the number reaches someone else: nothing goes to it, for anyone holding
    it) and point_verified (the borrower confirmed it: it is theirs again; it must be one of their
    points, check_book.sql); optional for opt_out / opt_in (that number or e-mail only, scope 'point';
    its kind must carry the channel: a phone for sms/call, an e-mail for email).

    A row of kind `note` (event_id, borrower_id, text, occurred_at [, channel (default call), loan_id])
    is what the agent wrote down: it is understood like a reply (the rules `cfg` names) and recorded
    as an `agent_note` with what it means, or a review item (loan_comms.inbound.replies).

    The borrower must exist and a named loan must be theirs (sql/inbound/events/check_book.sql); `now` is
    the reference for "not in the future" (default: the wall clock; the simulator passes its own).
    """
    from loan_comms.inbound.replies import InboundText

    now = now or utc_now()
    report = IngestReport("operator events", entity="operator_event")

    def note(row: dict[str, Any]) -> InboundText:
        if row.get("event_id") in (None, ""):
            raise ValueError("event_id is missing (needed so a re-import is not doubled)")
        text = row.get("text")
        if text in (None, "") or not str(text).strip():
            raise ValueError("a note needs its text")
        loan_id = row.get("loan_id")
        return InboundText(
            external_id=f"operator:{event_checks.identifier('event_id', row.get('event_id'))}",
            channel=event_checks.one_of("channel", row.get("channel") or "call", NOTE_CHANNELS), text=str(text),
            occurred_at=event_checks.occurred_at(row.get("occurred_at"), now, tolerance), source="agent_note",
            borrower_id=event_checks.identifier("borrower_id", row.get("borrower_id")),
            loan_id=None if loan_id in (None, "") else event_checks.identifier("loan_id", loan_id))

    def build(row: dict[str, Any]) -> Any:
        if row.get("kind") == NOTE:
            return note(row)
        kind = event_checks.one_of("kind", row.get("kind"), OPERATOR_KINDS + (NOTE,))
        if row.get("event_id") in (None, ""):
            raise ValueError("event_id is missing (needed so a re-import is not doubled)")
        event_id = event_checks.identifier("event_id", row.get("event_id"))
        borrower_id = event_checks.identifier("borrower_id", row.get("borrower_id"))
        loan_id = row.get("loan_id")
        loan_id = None if loan_id in (None, "") else event_checks.identifier("loan_id", loan_id)
        channel = row.get("channel") or None
        if kind in ("opt_out", "opt_in") and channel not in CHANNELS:
            raise ValueError(f"{kind} needs a channel, one of {', '.join(CHANNELS)}")
        if channel is not None:
            event_checks.one_of("channel", channel, CHANNELS)
        if kind in NEEDS_LOAN and not loan_id:
            raise ValueError(f"{kind} needs the loan_id it is about")
        point = None
        if kind in NEEDS_ADDRESS or (kind in MAY_NAME_ADDRESS and row.get("address") not in (None, "")):
            point = event_checks.point_for_channel(row.get("address"), channel)
        elif row.get("address") not in (None, ""):
            raise ValueError(f"address is only for {', '.join(NEEDS_ADDRESS + MAY_NAME_ADDRESS)}, not {kind}")
        when = event_checks.occurred_at(row.get("occurred_at"), now, tolerance)
        detail: dict[str, Any] = event_checks.kind_detail(kind, row, when)
        if row.get("note") not in (None, ""):
            detail["note"] = str(row["note"])[:500]
        return dict(external_id=f"operator:{event_id}", borrower_id=borrower_id, loan_id=loan_id, kind=kind,
                    occurred_at=when, detail=json.dumps(detail) if detail else None, channel=channel,
                    amount=event_checks.amount(row.get("amount")), source="operator",
                    scope=kinds.scope_of(kind, names_loan=loan_id is not None, names_point=point is not None),
                    contact_point=point)

    return _land(con, path, report, OPERATOR_FIELDS, "event_id", build, encoding, now, cfg)
