"""What an understood text becomes in `borrower_events`: one row per clear intent, and review items.

One mapping serves the two places an intent gets applied: a reply or agent note read by the rules
(loan_comms.inbound.replies) and a person resolving a review item (loan_comms.inbound.reviews).
Doing it once keeps "what an opt-out of all channels records" identical whoever decided it; only
`decided_by`, the source column and the external_id prefix differ.

Why rows and not flags: the log is append-only and state is derived from it "as of" an instant, so a
review item is an event (`review_opened`) and its end is another (`review_resolved`), never an update.
The rows are written by sql/inbound/replies_insert.sql, once per external_id (replay-safe).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.understanding import Intent

# The event kind each intent is recorded as (the catalog's name, loan_comms/policy/kinds.py).
EVENT_KIND = {"opt_out": "opt_out", "opt_in": "opt_in", "hardship": "hardship_request", "dispute": "dispute",
              "wrong_number": "wrong_number", "complaint": "complaint", "promise_to_pay": "promise_to_pay",
              "callback_request": "callback_request", "question": "question"}
# The kind of the raw text event, by source.
TEXT_KIND = {"sms_reply": "sms_reply", "email_reply": "email_reply", "agent_note": "agent_note"}
# Channels whose texts come from a contact point of their own (a phone number, an e-mail address).
POINTED = ("sms", "email")
# The kind of contact point each channel reaches (point_id's prefix, sql/schema/005_macros.sql): one
# phone number is the same point for SMS and for calls, so a "stop calling me" texted from it is
# about that number's calls too, whoever else holds it.
POINT_KIND = {"sms": "phone", "call": "phone", "email": "email"}

EVENTS_SCHEMA = pa.schema([
    ("external_id", pa.string()), ("borrower_id", pa.string()), ("loan_id", pa.string()), ("kind", pa.string()),
    ("occurred_at", pa.timestamp("us", tz="UTC")), ("detail", pa.string()), ("amount", pa.decimal128(18, 2)),
    ("channel", pa.string()), ("source", pa.string()), ("contact_point", pa.string()),
])


@dataclass(frozen=True)
class Origin:
    """Where a decision's events come from: the text (its id, borrower, loan, the channel it came on,
    the sender's contact point id), when, the `source` column and the external_id prefix."""

    text_id: str
    borrower_id: str
    loan_id: str | None
    channel: str
    contact_point: str | None
    occurred_at: datetime
    source: str
    key: str            # external_id prefix: the text's id, or "<review_id>:review"


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def point_for(contact_point: str | None, channel: str) -> str | None:
    """The sender's point when `channel` reaches that kind of point (a phone: sms and call; an
    e-mail address: email), else None: the row is then the person's choice only."""
    if contact_point is None:
        return None
    return contact_point if POINT_KIND.get(channel) == contact_point.partition(":")[0] else None


def intent_events(intent: Intent, origin: Origin, decided_by: str) -> tuple[list[dict[str, Any]], str | None]:
    """The event rows one clear intent records, and a note when it cannot be recorded (then no rows).

    opt_out / opt_in: one row per channel (`<key>:<kind>:<channel>`); the sender's point is set on
    every row whose channel reaches that kind of point (a phone: sms AND call; an e-mail address:
    email), so "stop calling me" or "STOP ALL" from a shared phone stops calls to that number for
    everyone holding it (point_flags.sql); the person's other channels ("stop everything" by SMS
    closing their e-mail) have points of their own and are recorded for the person only.
    wrong_number needs the sender's point: a text that came from no point (an agent's note) cannot
    say which number is wrong.
    """
    kind = EVENT_KIND.get(intent.name)
    if kind is None:
        return [], f"{intent.name} is not an intent that records an event"
    detail: dict[str, Any] = {"decided_by": decided_by, "rule": intent.rule, "confidence": round(intent.confidence, 3),
                              "text_id": origin.text_id}
    base: dict[str, Any] = dict(borrower_id=origin.borrower_id, loan_id=origin.loan_id, kind=kind, occurred_at=origin.occurred_at,
                amount=None, channel=None, source=origin.source, contact_point=None)
    if kind in ("opt_out", "opt_in"):
        channels = intent.channels or (origin.channel,)
        return [{**base, "external_id": f"{origin.key}:{kind}:{ch}", "channel": ch,
                 "contact_point": point_for(origin.contact_point, ch),
                 "detail": json.dumps({**detail, "scope": intent.scope or "this"})}
                for ch in dict.fromkeys(channels)], None
    if kind == "wrong_number":
        if origin.contact_point is None:
            return [], "wrong_number from a text with no contact point of its own: not recorded"
        base.update(channel=origin.channel, contact_point=origin.contact_point)
    if kind == "promise_to_pay":
        if intent.promised_date is None:
            return [], "promise without a usable date: not recorded"
        if origin.loan_id is None:
            return [], "promise from a borrower with no loan: not recorded"
        detail["promised_date"] = intent.promised_date.isoformat()
        if intent.amount is not None:
            detail["amount"] = str(intent.amount)
        base["amount"] = intent.amount
    if kind == "callback_request":
        if intent.callback_on is not None:
            detail["on"] = intent.callback_on.isoformat()
        if intent.callback_window is not None:
            detail["from"], detail["to"] = _hhmm(intent.callback_window[0]), _hhmm(intent.callback_window[1])
        base["channel"] = "call"
    if kind in ("dispute", "complaint", "hardship_request", "question"):
        base["channel"] = origin.channel
    detail.update({k: str(v) for k, v in intent.detail.items() if k not in detail})
    return [{**base, "external_id": f"{origin.key}:{kind}", "detail": json.dumps(detail, ensure_ascii=False)}], None


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def review_deadline(received_at: datetime, business_days: int, timezone: str | None = None) -> datetime:
    """received_at plus N business days (Mon-Fri) in the borrower's zone, same local time of day:
    TCPA 2024 gives 10 business days to honour a revocation, so an ambiguous opt-out must be decided
    well before that. The weekday is the borrower's (a reply on Friday 20:00 in Los Angeles is
    Saturday in UTC: counting UTC weekdays would move the deadline by a day); an unknown zone
    counts in UTC."""
    zone = _zone(timezone)
    local = received_at.astimezone(zone) if zone is not None else received_at.astimezone(UTC)
    day, left = local.date(), max(0, int(business_days))
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    naive = datetime.combine(day, local.timetz().replace(tzinfo=None))
    return naive.replace(tzinfo=zone or UTC).astimezone(UTC)


def candidate_channels(candidates: Iterable[Intent], came_on: str, all_channels: Sequence[str]) -> list[str]:
    """The channels a review item pauses: the channel the text came on plus every channel its
    candidates are about ("maybe stop calling me" by SMS: sms AND call; "perhaps stop all contact":
    all of them). The safe action covers what the text may have meant, not only where it came from."""
    out = [came_on]
    for c in candidates:
        if c.channels:
            out += c.channels
        elif c.scope == "all":
            out += all_channels
    return sorted(dict.fromkeys(out))


def review_event(origin: Origin, *, reason: str, candidates: Sequence[Intent], deadline: datetime,
                 pauses: Sequence[str], questions: Sequence[Intent] = ()) -> dict[str, Any]:
    """The `review_opened` event of a text: `<text id>:review`. channel = the channel it came on when
    the item pauses anything (NULL when it pauses nothing: a question), detail.channels = every
    channel whose collection contact pauses while it waits (candidate_channels). `questions`: the
    questions the same text asked (finding 14: an ambiguous reply that also asks something lists
    the question too, so the reviewer answers it); they are candidates with intent 'question'."""
    listed = [*candidates, *questions]
    detail = {"review_id": origin.text_id, "reason": reason,
              "candidates": [{"intent": c.name, "confidence": round(c.confidence, 3), "rule": c.rule}
                             for c in listed],
              "channels": list(pauses),
              "deadline": deadline.isoformat().replace("+00:00", "Z"), "source": origin.source}
    return dict(external_id=f"{origin.text_id}:review", borrower_id=origin.borrower_id, loan_id=origin.loan_id,
                kind="review_opened", occurred_at=origin.occurred_at, detail=json.dumps(detail), amount=None,
                channel=origin.channel if pauses else None, source=origin.source,
                contact_point=origin.contact_point)


def insert_events(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], now: datetime) -> int:
    """Record the rows (each external_id once, ever); returns how many were new. Call it inside the
    caller's transaction."""
    if not rows:
        return 0
    with db.registered(con, pa.Table.from_pylist(rows, schema=EVENTS_SCHEMA), "_text_events"):
        return db.changed(con, "inbound/replies_insert", {"now": now})
